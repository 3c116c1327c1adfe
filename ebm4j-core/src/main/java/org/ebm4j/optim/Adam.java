package org.ebm4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba) with bias correction, as torch.optim.Adam / tf.train.AdamOptimizer, and an
 * optional coupled L2 weight decay (PyTorch's weight_decay). Unlike DJL's optimiser it exposes its
 * moments, so checkpoints can save and restore them and a resumed run continues exactly.
 */
public final class Adam implements AutoCloseable {
    private final List<Parameter> params;
    private final LrSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDArray[] m;
    private final NDArray[] v;
    private long step;
    private double lrScale = 1.0;

    public Adam(NDManager manager, List<Parameter> params, LrSchedule schedule, double beta1, double beta2,
                double eps, double weightDecay) {
        this.params = List.copyOf(params);
        this.schedule = schedule;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new NDArray[params.size()];
        this.v = new NDArray[params.size()];
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i).getArray();
            m[i] = manager.zeros(p.getShape(), p.getDataType());
            v[i] = manager.zeros(p.getShape(), p.getDataType());
        }
    }

    public long step() {
        return step;
    }

    public double currentLr() {
        return schedule.lr(step) * lrScale;
    }

    /** Factor on the schedule's learning rate (1 by default; the divergence guard lowers it on rollback). */
    public double lrScale() {
        return lrScale;
    }

    public void setLrScale(double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("learning-rate scale must be > 0, got " + scale);
        }
        lrScale = scale;
    }

    /**
     * One update with the given gradients (same order as the parameters). Runs outside any
     * gradient collector, so the in-place parameter update is not recorded by autograd.
     */
    public void update(List<NDArray> grads) {
        double lr = schedule.lr(step) * lrScale; // × 1.0 is exact: no change to unscaled runs
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        // torch: p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)
        float stepSize = (float) (lr / bc1);
        float sqrtBc2 = (float) Math.sqrt(bc2);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i).getArray();
            NDArray g = grads.get(i);
            NDArray gd = g;
            if (weightDecay != 0) { // the decay term is closed here: left open it stayed in the parameters' manager every step
                try (NDArray decay = p.mul(weightDecay)) {
                    gd = g.add(decay);
                }
            }
            m[i].muli((float) beta1);
            try (NDArray t = gd.mul((float) (1 - beta1))) {
                m[i].addi(t);
            }
            v[i].muli((float) beta2);
            try (NDArray t = gd.square()) {
                t.muli((float) (1 - beta2));
                v[i].addi(t);
            }
            try (NDArray denom = v[i].sqrt()) {
                denom.divi(sqrtBc2).addi((float) eps);
                try (NDArray upd = m[i].div(denom)) {
                    upd.muli(stepSize);
                    p.subi(upd);
                }
            }
            if (gd != g) {
                gd.close();
            }
        }
    }

    /** Frees the moment tensors. */
    @Override
    public void close() {
        for (int i = 0; i < m.length; i++) {
            m[i].close();
            v[i].close();
        }
    }

    /** Moments and step count, keyed for a checkpoint. */
    public Map<String, NDArray> state(String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            out.put(prefix + "m." + i, m[i]);
            out.put(prefix + "v." + i, v[i]);
        }
        return out;
    }

    /** Restores the moments and step count written by {@link #state}. */
    public void load(Map<String, NDArray> state, String prefix, long stepCount) {
        for (int i = 0; i < params.size(); i++) {
            copyInto(state.get(prefix + "m." + i), m[i], prefix + "m." + i);
            copyInto(state.get(prefix + "v." + i), v[i], prefix + "v." + i);
        }
        this.step = stepCount;
    }

    static void copyInto(NDArray src, NDArray dst, String name) {
        if (src == null) {
            throw new IllegalArgumentException("checkpoint lacks optimiser tensor " + name);
        }
        if (!src.getShape().equals(dst.getShape())) {
            throw new IllegalArgumentException("optimiser tensor " + name + " has shape " + src.getShape()
                    + ", expected " + dst.getShape());
        }
        org.ebm4j.core.TensorCopy.copyInto(src, dst);
    }
}
