package org.ebm4j.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import org.ebm4j.core.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Parameter gradients of a scalar loss (the training half of every EBM method). */
public final class Gradients {
    private static final ai.djl.ndarray.index.NDIndex ALL = new ai.djl.ndarray.index.NDIndex("...");

    private Gradients() {}

    /**
     * Evaluates {@code loss} with gradient recording on and returns d loss / d p for each parameter,
     * with the loss value. Gradients accumulated on the parameters are reset first, so every call
     * sees only its own loss. The returned gradients are attached to {@code scope}.
     */
    public static Result of(NDManager scope, List<Parameter> params, Supplier<NDArray> loss) {
        for (Parameter p : params) {
            NDArray a = p.getArray();
            a.setRequiresGradient(true);
        }
        double value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            value = l.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64 ? l.getDouble() : l.getFloat();
            gc.backward(l);
            l.close();
        }
        List<NDArray> grads = new ArrayList<>(params.size());
        for (Parameter p : params) {
            try (NDArray g = p.getArray().getGradient()) {
                grads.add(Torch.scopedCopy(g, scope));
                // autograd accumulates into .grad across backward calls: reset it for the next one
                // (by assignment: a NaN gradient times 0 stays NaN and would poison every later step)
                // (the zero lives in the caller's scope: set(index, Number) would leave a scalar in
                // the parameter's manager on every call)
                try (NDArray zero = scope.zeros(new ai.djl.ndarray.types.Shape(), g.getDataType())) {
                    g.set(ALL, zero);
                }
            }
        }
        return new Result(value, grads);
    }

    /** A loss value with its gradients (caller closes the gradients). */
    public record Result(double loss, List<NDArray> grads) implements AutoCloseable {
        @Override
        public void close() {
            grads.forEach(NDArray::close);
        }
    }
}
