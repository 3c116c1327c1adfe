package org.ebm4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import org.ebm4j.core.TensorCopy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exponential moving average of a net's weights (Polyak averaging), kept beside the raw
 * weights: after every optimizer step, a ← d·a + (1 − d)·w for each parameter w. The averages start
 * at the weights given at construction, as {@code tfa.optimizers.MovingAverage} initialises its
 * slots (Hat EBM, Hill et al. 2022, uses d = 0.9999 for both nets). Training never reads the
 * averages; {@link #copyTo} puts them into the net for sampling, and {@link #state}/{@link #load}
 * carry them through a checkpoint.
 *
 * <p>References: Polyak, Juditsky, "Acceleration of stochastic approximation by averaging", SIAM J.
 * Control Optim. 1992; Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from
 * Generator Latent Spaces with Hat EBM", NeurIPS 2022.
 */
public final class WeightEma implements AutoCloseable {
    private final List<Parameter> params;
    private final double decay;
    private final NDArray[] avg;

    /** Averages of {@code params}, starting at their current values, owned by {@code manager}. */
    public WeightEma(NDManager manager, List<Parameter> params, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.params = List.copyOf(params);
        this.decay = decay;
        this.avg = new NDArray[this.params.size()];
        for (int i = 0; i < avg.length; i++) {
            NDArray w = this.params.get(i).getArray();
            avg[i] = w.duplicate();
            avg[i].attach(manager);
        }
    }

    public double decay() {
        return decay;
    }

    /** a ← d·a + (1 − d)·w for every parameter (call after each optimizer step). */
    public void update() {
        float d = (float) decay;
        for (int i = 0; i < avg.length; i++) {
            NDArray w = params.get(i).getArray();
            avg[i].muli(d);
            try (NDArray t = w.mul(1f - d)) {
                avg[i].addi(t);
            }
        }
    }

    /** The average of parameter i (the EMA's own tensor: do not close it). */
    public NDArray average(int i) {
        return avg[i];
    }

    public int size() {
        return avg.length;
    }

    /** Writes the averages into the parameters (the net then is the averaged net). */
    public void copyTo() {
        for (int i = 0; i < avg.length; i++) {
            TensorCopy.copyInto(avg[i], params.get(i).getArray());
        }
    }

    /** The averages keyed for a checkpoint: {@code prefix + i}. */
    public Map<String, NDArray> state(String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < avg.length; i++) {
            out.put(prefix + i, avg[i]);
        }
        return out;
    }

    /** Restores the averages written by {@link #state} (exact bytes). */
    public void load(Map<String, NDArray> state, String prefix) {
        for (int i = 0; i < avg.length; i++) {
            Adam.copyInto(state.get(prefix + i), avg[i], prefix + i);
        }
    }

    @Override
    public void close() {
        for (NDArray a : avg) {
            a.close();
        }
    }
}
