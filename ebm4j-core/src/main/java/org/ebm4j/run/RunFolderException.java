package org.ebm4j.run;

/**
 * A run folder cannot be created or opened. The message is written for the end user (it names the
 * folder and says what to do, e.g. "pass --force"), so a CLI can print it as is.
 *
 * <p>Unchecked on purpose: these are user errors the CLI reports and exits on, not conditions the
 * training code can recover from, and callers should not need to declare them. An underlying
 * {@link java.io.IOException}, if any, is attached as the cause.
 */
public class RunFolderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunFolderException(String message) {
        super(message);
    }

    public RunFolderException(String message, Throwable cause) {
        super(message, cause);
    }
}
