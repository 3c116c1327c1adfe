package org.ebm4j.core;

/**
 * An error the user can act on: its message names the problem and the fix in one line, and the
 * CLI prints it without a stack trace.
 */
public class EbmException extends RuntimeException {
    public EbmException(String message) {
        super(message);
    }

    public EbmException(String message, Throwable cause) {
        super(message, cause);
    }
}
