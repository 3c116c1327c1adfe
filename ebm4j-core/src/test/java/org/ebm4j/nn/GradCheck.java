package org.ebm4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import org.ebm4j.core.TensorCopy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Autograd against central finite differences, in float64, for inputs and parameters of the nn blocks. */
final class GradCheck {
    private GradCheck() {}

    /**
     * A scalar loss Σ out ⊙ R with a fixed random R: a plain sum would make some gradients vanish
     * identically (Σ of a batch-normalised map does not depend on its input).
     */
    static Supplier<NDArray> weightedSum(NDManager m, Function<NDArray, NDArray> f, NDArray x) {
        NDArray probe = f.apply(x);
        NDArray r = m.randomNormal(probe.getShape()).toType(DataType.FLOAT64, false);
        return () -> f.apply(x).mul(r).sum();
    }

    /** Checks d loss / d t for every target at a few entries (first, a third, middle, last). */
    static void check(NDManager m, Supplier<NDArray> loss, List<NDArray> targets, List<String> names) {
        for (NDArray t : targets) {
            t.setRequiresGradient(true);
        }
        List<double[]> grads = new ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            gc.backward(l);
        }
        for (NDArray t : targets) {
            try (NDArray g = t.getGradient()) {
                grads.add(g.toDoubleArray());
                g.muli(0); // autograd accumulates into .grad: leave none for a later check of the same array
            }
            t.setRequiresGradient(false); // in-place perturbation of a leaf that records gradients is refused
        }
        double h = 1e-6;
        for (int i = 0; i < targets.size(); i++) {
            NDArray t = targets.get(i);
            assertThat(t.getDataType()).isEqualTo(DataType.FLOAT64);
            double[] v = t.toDoubleArray();
            Shape s = t.getShape();
            for (int k : new int[] {0, v.length / 3, v.length / 2, v.length - 1}) {
                double old = v[k];
                v[k] = old + h;
                TensorCopy.copyInto(m.create(v, s), t);
                double lp = loss.get().getDouble();
                v[k] = old - h;
                TensorCopy.copyInto(m.create(v, s), t);
                double lq = loss.get().getDouble();
                v[k] = old;
                TensorCopy.copyInto(m.create(v, s), t);
                double fd = (lp - lq) / (2 * h);
                assertThat(grads.get(i)[k]).as("d loss / d %s[%d]", names.get(i), k)
                        .isCloseTo(fd, within(1e-6 + 1e-5 * Math.abs(fd)));
            }
        }
    }

    /** The input x and every trainable parameter of the block. */
    static void checkInputAndParameters(NDManager m, Function<NDArray, NDArray> f, NDArray x, List<Parameter> params) {
        List<NDArray> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        targets.add(x);
        names.add("x");
        for (Parameter p : params) {
            targets.add(p.getArray());
            names.add(p.getName());
        }
        check(m, weightedSum(m, f, x), targets, names);
    }
}
