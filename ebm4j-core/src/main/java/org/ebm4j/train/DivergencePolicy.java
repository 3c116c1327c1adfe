package org.ebm4j.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.ebm4j.core.EbmException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the training loop does when a step diverges (non-finite loss or energy, or a method's
 * explosion test such as PatchGenCN's recovery error).
 */
public enum DivergencePolicy {
    /** Reload the last good checkpoint, lower the learning rates by a factor, continue (bounded retries). */
    ROLLBACK,
    /** Re-initialise the current phase (PatchGenCN: the scale) from scratch, a bounded number of times. */
    RESTART,
    /** Keep the last checkpoint and stop with a message saying what to change. */
    STOP,
    /** Report and continue; a non-finite loss still stops, as the weights cannot recover from it. */
    WARN;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DivergencePolicy of(String s) {
        for (DivergencePolicy p : values()) {
            if (p.id().equals(s)) {
                return p;
            }
        }
        throw new EbmException("unknown divergence policy '" + s + "'; use one of: "
                + Arrays.stream(values()).map(DivergencePolicy::id).collect(Collectors.joining(", ")));
    }
}
