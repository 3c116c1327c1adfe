package org.ebm4j.run;

import org.ebm4j.core.EbmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A folder a command writes its results into (samples, reconstructions): created if needed, checked writable. */
public final class OutputFolder {
    private OutputFolder() {}

    /** Creates {@code dir} (and parents) and checks that files can be written in it. */
    public static Path prepare(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new EbmException("cannot create output folder '" + dir + "' (" + e.getClass().getSimpleName()
                    + "); choose another --out");
        }
        if (!Files.isDirectory(dir)) {
            throw new EbmException("output path '" + dir + "' exists and is not a folder; choose another --out");
        }
        try {
            Path probe = Files.createTempFile(dir, ".ebm4j-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new EbmException("output folder '" + dir + "' is not writable; check its permissions or choose another --out");
        }
        return dir;
    }
}
