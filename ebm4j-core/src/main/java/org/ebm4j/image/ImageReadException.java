package org.ebm4j.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image file could not be read. The message is a single line naming the file and what to do
 * about it, suitable for showing to a command-line user as is.
 */
public class ImageReadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public ImageReadException(Path file, String message) {
        super(message);
        this.file = file;
    }

    public ImageReadException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file that failed to read (may be null when not known). */
    public Path file() {
        return file;
    }
}
