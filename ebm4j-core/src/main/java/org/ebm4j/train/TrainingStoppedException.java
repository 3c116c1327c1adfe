package org.ebm4j.train;

import org.ebm4j.core.EbmException;

/**
 * Training stopped on SIGINT/SIGTERM after saving its checkpoint. The signal's shutdown hook has
 * already told the user (the message is the same), so the CLI does not print it again as an error.
 */
public final class TrainingStoppedException extends EbmException {
    public TrainingStoppedException(String message) {
        super(message);
    }
}
