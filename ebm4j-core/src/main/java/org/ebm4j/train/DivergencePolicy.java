package org.ebm4j.train;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What the training loop does when a step diverges (non-finite loss or energy, or a method's
 * explosion test such as PatchGenCN's recovery error).
 */
public enum DivergencePolicy implements org.ebm4j.config.Choice {
    /** Reload the last good checkpoint, lower the learning rates by a factor, continue (bounded retries). */
    ROLLBACK,
    /** Re-initialise the current phase (PatchGenCN: the scale) from scratch, a bounded number of times. */
    RESTART,
    /** Keep the last checkpoint and stop with a message saying what to change. */
    STOP,
    /** Report and continue; a non-finite loss still stops, as the weights cannot recover from it. */
    WARN;

    @Override
    public String toString() {
        return label();
    }

    /** Parses a label: "unknown divergence policy 'x'; use one of: rollback, restart, stop, warn". */
    @JsonCreator
    public static DivergencePolicy of(String s) {
        return org.ebm4j.config.Choices.parse(DivergencePolicy.class, "divergence policy", s);
    }
}
