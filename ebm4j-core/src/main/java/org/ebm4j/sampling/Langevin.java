package org.ebm4j.sampling;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.function.Function;

/**
 * The one Langevin engine of ebm4j (see {@link LangevinConfig} for the update). It differentiates
 * only with respect to the state: callers freeze the net's parameters first (EnergyNet#setTrainable),
 * so no weight gradient is computed or accumulated. Each step runs in its own sub-NDManager, so a
 * chain of any length holds a constant number of native tensors.
 */
public final class Langevin {

    /** Called after each step with the step index and the new state (which must not be closed). */
    @FunctionalInterface
    public interface StepListener {
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
     * @param mask  optional tensor broadcastable to the state: 1 where pixels move, 0 where they stay
     *              exactly as in x0 (inpainting, editing)
     */
    public static NDArray run(Function<NDArray, NDArray> net, NDArray x0, LangevinConfig cfg,
                              NDArray mask, StepListener listener) {
        NDManager home = x0.getManager();
        NDArray x = x0.duplicate();
        double sign = cfg.energyForm() ? -1.0 : 1.0;
        double coef = sign * cfg.drift() / cfg.temperature();
        boolean wantNorm = listener != null || cfg.gradClipNorm() > 0;
        NDArray keep = mask != null && cfg.clips() ? mask.mul(-1).add(1) : null; // 1 where pixels stay
        for (int t = 0; t < cfg.steps(); t++) {
            try (NDManager step = home.newSubManager()) {
                x.attach(step);
                NDArray g = gradient(net, x);
                double normMean = Double.NaN;
                if (wantNorm) {
                    NDArray norms = g.reshape(g.getShape().get(0), -1).norm(new int[] {1}); // per sample
                    normMean = norms.mean().getFloat();
                    if (cfg.gradClipNorm() > 0) { // g ← g · min(1, c/‖g‖), per sample
                        NDArray scale = norms.maximum(cfg.gradClipNorm()).pow(-1).mul(cfg.gradClipNorm());
                        g = g.mul(scale.reshape(-1, 1, 1, 1));
                    }
                }
                NDArray upd = g.mul(coef);
                if (cfg.referenceSigma() > 0) { // Gaussian reference: ∇ log N(0, σ²I) = −x/σ²
                    upd = upd.sub(x.mul(cfg.drift() / (cfg.referenceSigma() * cfg.referenceSigma())));
                }
                if (cfg.noiseStd() > 0) {
                    upd = upd.add(step.randomNormal(0f, (float) cfg.noiseStd(), x.getShape(), x.getDataType()));
                }
                if (mask != null) {
                    upd = upd.mul(mask);
                }
                NDArray next = x.add(upd);
                if (cfg.clips()) {
                    next = next.clip(Double.isNaN(cfg.clipMin()) ? -Float.MAX_VALUE : cfg.clipMin(),
                            Double.isNaN(cfg.clipMax()) ? Float.MAX_VALUE : cfg.clipMax());
                    if (keep != null) { // clipping must not touch the fixed pixels either
                        next = next.mul(mask).add(x.mul(keep));
                    }
                }
                next.attach(home);
                x = next;
                if (listener != null) {
                    listener.onStep(t, x, normMean);
                }
            }
        }
        if (keep != null) {
            keep.close();
        }
        return x;
    }

    /** ∇ₓ Σ net(x), computed with a gradient collector that sees only x as a leaf. */
    public static NDArray gradient(Function<NDArray, NDArray> net, NDArray x) {
        NDArray leaf = x.stopGradient(); // a fresh leaf sharing x's storage
        leaf.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = net.apply(leaf);
            // backward from the output map itself: DJL seeds it with a dense tensor of ones. Going
            // through sum() hands the last layer a stride-0 (expanded) gradient, on which
            // libtorch 2.7.1's CPU conv backward reads uninitialised memory (see PatchEnergyNetTest)
            gc.backward(out);
        }
        return leaf.getGradient();
    }
}
