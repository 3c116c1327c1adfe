package org.ebm4j.sampling;

import ai.djl.ndarray.NDArray;

import java.util.Map;
import java.util.function.Function;

/**
 * Single-part Langevin chains (one state tensor of any rank, e.g. PatchGenCN's and multi-grid's
 * images): a thin wrapper over {@link LangevinChain}, the one engine, with the state as the part
 * named {@link #PART}. See {@link LangevinConfig} for the update.
 */
public final class Langevin {

    /** The name of the state's only part in the underlying {@link LangevinChain}. */
    public static final String PART = "x";

    /** Called after each step with the step index and the new state (which must not be closed). */
    @FunctionalInterface
    public interface StepListener {
        /** @param gradNormMean mean per-sample L2 norm of the net's gradient at this step's start */
        void onStep(int step, NDArray state, double gradNormMean);
    }

    private Langevin() {}

    /** Runs the chain without mask. */
    public static NDArray run(Function<NDArray, NDArray> net, NDArray x0, LangevinConfig cfg) {
        return run(net, x0, cfg, null, null);
    }

    /**
     * Runs K steps from {@code x0} (not modified) and returns the final state, attached to x0's manager.
     *
     * @param net   maps a state to the net's output; its sum is Σf (or ΣE in energy form)
     * @param mask  optional tensor broadcastable to the state: 1 where entries move, 0 where they stay
     *              exactly as in x0 (inpainting, editing)
     */
    public static NDArray run(Function<NDArray, NDArray> net, NDArray x0, LangevinConfig cfg,
                              NDArray mask, StepListener listener) {
        ChainListener l = listener == null ? null
                : (t, state, stats) -> listener.onStep(t, state.get(PART), stats.get(PART).gradNormMean());
        Map<String, NDArray> out = LangevinChain.run(s -> net.apply(s.get(PART)), Map.of(PART, x0),
                ChainConfig.of(cfg.steps(), cfg.part(PART)), mask == null ? Map.of() : Map.of(PART, mask), l);
        return out.get(PART);
    }

    /** ∇ₓ Σ net(x), computed with a gradient collector that sees only x as a leaf. */
    public static NDArray gradient(Function<NDArray, NDArray> net, NDArray x) {
        return LangevinChain.gradient(s -> net.apply(s.get(PART)), Map.of(PART, x), PART, null);
    }
}
