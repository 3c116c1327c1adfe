package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.List;

/**
 * A network whose output, summed, is the log-density (score form, f) or the energy (energy form, E)
 * of its input. Every method's EBM implements this, so the Langevin engine, the optimisers and the
 * checkpoints work on any of them.
 */
public interface EnergyNet extends Block {

    /** The raw output map (e.g. PatchGenCN: one value per patch, shape [N,1,h,w]). */
    NDArray output(NDArray x);

    /**
     * What the Langevin engine differentiates: any tensor whose sum equals Σ output(x) up to a
     * constant that does not depend on x. Nets override it when the sum is cheaper than the map.
     */
    default NDArray langevinTarget(NDArray x) {
        return output(x);
    }

    /** Trainable parameters, in a fixed order (see {@link Nets#trainableParameters}). */
    default List<Parameter> trainableParameters() {
        return Nets.trainableParameters(this);
    }

    /**
     * Freezes (or unfreezes) the trainable parameters. Frozen during Langevin sampling, otherwise
     * every chain step would accumulate weight gradients that nobody reads.
     */
    default void setTrainable(boolean trainable) {
        Nets.setTrainable(this, trainable);
    }
}
