package org.ebm4j.config;

import org.ebm4j.core.EbmException;

/**
 * How often a training run reports and saves, kept apart from the hyperparameters: changing
 * these never changes the trained values (only what is written, and when).
 *
 * @param logEvery        interval of log.jsonl records (iterations, ≥ 1)
 * @param imageEvery      interval of image/sample snapshots (iterations, ≥ 1)
 * @param checkpointEvery interval of mid-run checkpoints (iterations, ≥ 0; what 0 means is up to the method)
 */
public record Cadence(int logEvery, int imageEvery, int checkpointEvery) {
    public Cadence {
        if (logEvery < 1) {
            throw new EbmException("invalid cadence: logEvery must be >= 1, got " + logEvery);
        }
        if (imageEvery < 1) {
            throw new EbmException("invalid cadence: imageEvery must be >= 1, got " + imageEvery);
        }
        if (checkpointEvery < 0) {
            throw new EbmException("invalid cadence: checkpointEvery must be >= 0, got " + checkpointEvery);
        }
    }
}
