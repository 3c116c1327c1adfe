package org.ebm4j.run;

import org.ebm4j.core.EbmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /**
     * Fails if any of {@code names} already exists in {@code dir} (unless {@code force}), so that a
     * second run with the same --out never replaces a user's results silently.
     */
    public static void requireAbsent(Path dir, List<String> names, boolean force) {
        if (force) {
            return;
        }
        for (String n : names) {
            Path f = dir.resolve(n);
            if (Files.exists(f)) {
                throw new EbmException("'" + f + "' already exists; choose another --out or pass --force to overwrite it");
            }
        }
    }
}
