package org.ebm4j.sampling;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * Trajectory logging of a {@link LangevinChain}: called after each step with the new state (whose
 * tensors must not be closed or kept: they are the chain's own) and per-part statistics.
 */
@FunctionalInterface
public interface ChainListener {

    /**
     * Statistics of one part's update within a step.
     *
     * @param gradNormMean mean over samples of the per-sample L2 norm of ∇ Σ target (before /T and clipping)
     * @param target       Σ target (energy or score summed over the batch) at the state the part's
     *                     gradient was taken at; NaN unless {@link #wantsTarget()}
     */
    record PartStats(double gradNormMean, double target) {
    }

    void onStep(int step, Map<String, NDArray> state, Map<String, PartStats> stats);

    /** Whether the chain should also read Σ target at every update (one device sync per part and step). */
    default boolean wantsTarget() {
        return false;
    }
}
