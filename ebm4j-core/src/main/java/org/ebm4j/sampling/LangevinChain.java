package org.ebm4j.sampling;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The Langevin engine of ebm4j, for states of one or several named parts of any rank ≥ 1 whose
 * first axis is the batch ({@code [N, d]} latents, {@code [N, C, H, W]} images). The target
 * (energy or score, see {@link ChainPart}) is a function of all parts; each step updates the
 * configured parts in order (see {@link ChainConfig}).
 *
 * <p>Only the state part being updated is a gradient leaf: callers freeze the nets' parameters
 * first (EnergyNet#setTrainable), so no weight gradient is computed or accumulated. Each step runs
 * in its own sub-NDManager, so a chain of any length holds a constant number of native tensors;
 * fixed (unlisted) parts are copied into every step's scope for the same reason (ops attach their
 * results to their first input's manager, which would otherwise be the caller's).
 */
public final class LangevinChain {
    private LangevinChain() {}

    /** Runs the chain without masks or listener. */
    public static Map<String, NDArray> run(Function<Map<String, NDArray>, NDArray> target,
                                           Map<String, NDArray> start, ChainConfig cfg) {
        return run(target, start, cfg, Map.of(), null);
    }

    /**
     * Runs K steps from {@code start} (not modified) and returns the final state: one tensor per
     * part of {@code start}, in its order, each attached to its start tensor's manager (fixed parts
     * come back as copies).
     *
     * @param target   maps the whole state to a tensor whose sum is Σ score or Σ energy
     * @param start    every part of the state; all parts share the first axis N
     * @param masks    optional per-part masks broadcastable to the part: 1 where entries move, 0
     *                 where they stay exactly as in {@code start} (also through the state clip)
     * @param listener optional trajectory logging, called after each step
     */
    public static Map<String, NDArray> run(Function<Map<String, NDArray>, NDArray> target,
                                           Map<String, NDArray> start, ChainConfig cfg,
                                           Map<String, NDArray> masks, ChainListener listener) {
        check(start, cfg, masks);
        Map<String, NDManager> homes = new LinkedHashMap<>();
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : start.entrySet()) {
            homes.put(e.getKey(), e.getValue().getManager());
            state.put(e.getKey(), e.getValue().duplicate());
        }
        // fixed parts are read from start at every step; these first copies are what a 0-step chain returns
        NDManager home = homes.values().iterator().next();
        Map<String, NDArray> keeps = new LinkedHashMap<>(); // 1 − mask, for parts that clip: 1 where entries stay
        for (ChainPart p : cfg.parts()) {
            NDArray mask = masks.get(p.name());
            if (mask != null && p.clips()) {
                try (NDArray neg = mask.mul(-1)) {
                    keeps.put(p.name(), neg.add(1));
                }
            }
        }
        boolean wantTarget = listener != null && listener.wantsTarget();
        try {
            for (int t = 0; t < cfg.steps(); t++) {
                try (NDManager step = home.newSubManager()) {
                    for (Map.Entry<String, NDArray> e : state.entrySet()) {
                        if (cfg.part(e.getKey()) != null) {
                            e.getValue().attach(step);
                        } else { // a fixed part: a fresh copy in this step's scope (see the class comment)
                            if (t == 0) {
                                e.getValue().close();
                            }
                            NDArray c = start.get(e.getKey()).duplicate();
                            c.attach(step);
                            e.setValue(c);
                        }
                    }
                    Map<String, ChainListener.PartStats> stats = listener == null ? null : new LinkedHashMap<>();
                    for (ChainPart p : cfg.parts()) {
                        NDArray mask = masks.get(p.name());
                        ChainListener.PartStats st = update(target, state, p, mask, keeps.get(p.name()), step,
                                listener != null, wantTarget);
                        if (stats != null) {
                            stats.put(p.name(), st);
                        }
                    }
                    for (Map.Entry<String, NDArray> e : state.entrySet()) {
                        if (cfg.part(e.getKey()) != null) {
                            e.getValue().attach(homes.get(e.getKey()));
                        }
                    }
                    if (listener != null) {
                        listener.onStep(t, Collections.unmodifiableMap(state), stats);
                    }
                }
            }
            // fixed parts that were copied into a closed step scope: bring fresh copies home
            for (Map.Entry<String, NDArray> e : state.entrySet()) {
                if (cfg.part(e.getKey()) == null && cfg.steps() > 0) {
                    e.setValue(start.get(e.getKey()).duplicate());
                }
            }
        } finally {
            keeps.values().forEach(NDArray::close);
        }
        return state;
    }

    /**
     * One part's update, in place in {@code state} (the new tensor lives in {@code step}). The order
     * of operations is the one of the original single-part engine, so 4-D image chains are bit
     * for bit what they were.
     */
    private static ChainListener.PartStats update(Function<Map<String, NDArray>, NDArray> target,
                                                  Map<String, NDArray> state, ChainPart p, NDArray mask,
                                                  NDArray keep, NDManager step, boolean wantNorm, boolean wantTarget) {
        LangevinStep s = p.step();
        NDArray x = state.get(p.name());
        double[] sum = wantTarget ? new double[1] : null;
        NDArray g = gradient(target, state, p.name(), sum);
        double normMean = Double.NaN;
        if (wantNorm || p.gradClipNorm() > 0) {
            NDArray norms = g.reshape(g.getShape().get(0), -1).norm(new int[] {1}); // per sample, any rank
            normMean = norms.mean().getFloat();
            if (p.gradClipNorm() > 0) { // Hat EBM Eq. 6: g/T ← (g/T)·min(1, c/‖g/T‖), per sample
                NDArray normsT = s.temperature() == 1.0 ? norms : norms.div(s.temperature());
                NDArray scale = normsT.maximum(p.gradClipNorm()).pow(-1).mul(p.gradClipNorm());
                g = g.mul(scale.reshape(perSample(g.getShape())));
            }
        }
        double sign = p.energyForm() ? -1.0 : 1.0;
        NDArray upd = g.mul(sign * s.drift() / s.temperature());
        if (p.priorSigma() > 0) { // Gaussian prior: ∇ log N(0, σ²I) = −x/σ² (multi-grid Eq. 8 reference)
            upd = upd.sub(x.mul(s.drift() / (p.priorSigma() * p.priorSigma())));
        }
        if (s.noiseStd() > 0) {
            upd = upd.add(step.randomNormal(0f, (float) s.noiseStd(), x.getShape(), x.getDataType()));
        }
        if (mask != null) {
            upd = upd.mul(mask);
        }
        NDArray next = x.add(upd);
        if (p.clips()) {
            next = next.clip(Double.isNaN(p.clipMin()) ? -Float.MAX_VALUE : p.clipMin(),
                    Double.isNaN(p.clipMax()) ? Float.MAX_VALUE : p.clipMax());
            if (keep != null) { // clipping must not touch the fixed entries either
                next = next.mul(mask).add(x.mul(keep));
            }
        }
        state.put(p.name(), next);
        return new ChainListener.PartStats(normMean, sum == null ? Double.NaN : sum[0]);
    }

    /** [N, 1, …, 1] of the given shape's rank: per-sample factors broadcast over every other axis. */
    static Shape perSample(Shape s) {
        long[] d = new long[s.dimension()];
        java.util.Arrays.fill(d, 1);
        d[0] = s.get(0);
        return new Shape(d);
    }

    /**
     * ∇ Σ target(state) with respect to one part, computed with a gradient collector that sees only
     * that part as a leaf; the other parts enter as constants. When {@code sum} is given, its first
     * element receives Σ target.
     */
    static NDArray gradient(Function<Map<String, NDArray>, NDArray> target, Map<String, NDArray> state,
                            String part, double[] sum) {
        NDArray leaf = state.get(part).stopGradient(); // a fresh leaf sharing the part's storage
        leaf.setRequiresGradient(true);
        Map<String, NDArray> in = new LinkedHashMap<>(state);
        in.put(part, leaf);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = target.apply(Collections.unmodifiableMap(in));
            // backward from the output map itself: DJL seeds it with a dense tensor of ones. Going
            // through sum() hands the last layer a stride-0 (expanded) gradient, on which
            // libtorch 2.7.1's CPU conv backward reads uninitialised memory (see PatchEnergyNetTest)
            gc.backward(out);
            if (sum != null) {
                try (NDArray detached = out.stopGradient(); NDArray s = detached.sum()) {
                    sum[0] = s.getFloat();
                }
            }
        }
        return leaf.getGradient();
    }

    private static void check(Map<String, NDArray> start, ChainConfig cfg, Map<String, NDArray> masks) {
        if (start == null || start.isEmpty()) {
            throw new IllegalArgumentException("a chain needs a start state with at least one part");
        }
        long n = -1;
        for (Map.Entry<String, NDArray> e : start.entrySet()) {
            Shape s = e.getValue().getShape();
            if (s.dimension() < 1) {
                throw new IllegalArgumentException("state part '" + e.getKey() + "' is a scalar; parts need a batch axis");
            }
            if (n >= 0 && s.get(0) != n) {
                throw new IllegalArgumentException("state part '" + e.getKey() + "' has " + s.get(0)
                        + " samples, the others " + n);
            }
            n = s.get(0);
        }
        for (ChainPart p : cfg.parts()) {
            if (!start.containsKey(p.name())) {
                throw new IllegalArgumentException("chain part '" + p.name() + "' is not in the state " + start.keySet());
            }
        }
        for (String k : masks.keySet()) {
            if (cfg.part(k) == null) {
                throw new IllegalArgumentException("mask for '" + k + "', which is not a moving part of the chain");
            }
        }
    }
}
