package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Freezing and counting for any DJL block. "Trainable" is the parameter's declared flag
 * ({@link Parameter#requiresGradient()}): weights, biases and BN γ/β are, BN running statistics and
 * spectral-norm vectors are state and never are. Freezing toggles only whether the arrays record
 * gradients, so a frozen net keeps its parameter list (and an optimiser built on it stays valid).
 */
public final class Nets {
    private Nets() {}

    /**
     * Runs {@code x} through the stages in order, {@code h ← step(stage, h)}, closing every
     * intermediate as soon as the next one exists but never {@code x} (the caller owns it); also on an
     * exception thrown by a step. With no stages the result is {@code x} itself, so a caller that
     * closes the result must check {@code result != x}. The one forward loop of the nets in this
     * package (blocks, conv + activation layers): per-step scoping matters in Langevin chains, where
     * thousands of forward passes run per iteration.
     */
    public static <S> NDArray through(NDArray x, List<S> stages, BiFunction<? super S, NDArray, NDArray> step) {
        NDArray h = x;
        for (S stage : stages) {
            NDArray next;
            try {
                next = step.apply(stage, h);
            } catch (RuntimeException | Error e) {
                if (h != x) {
                    h.close();
                }
                throw e;
            }
            if (h != x && next != h) {
                h.close();
            }
            h = next;
        }
        return h;
    }

    /** The trainable parameters of a block and its children, in the block's fixed order. */
    public static List<Parameter> trainableParameters(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Freezes (false) or unfreezes (true) every trainable parameter: with false, forward calls
     * record no weight gradients (Langevin chains on x or z, a generator held fixed).
     */
    public static void setTrainable(Block block, boolean trainable) {
        for (Parameter p : trainableParameters(block)) {
            p.getArray().setRequiresGradient(trainable);
        }
    }

    /** Whether every trainable parameter currently records gradients. */
    public static boolean isTrainable(Block block) {
        for (Parameter p : trainableParameters(block)) {
            if (!p.getArray().hasGradient()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The number of trainable scalars (what papers report as a net's parameter count; BN running
     * statistics and spectral-norm vectors are buffers, not parameters, in PyTorch and Keras).
     * Works before initialisation, from the declared shapes.
     */
    public static long parameterCount(Block block) {
        long n = 0;
        for (Parameter p : trainableParameters(block)) {
            n += p.isInitialized() ? p.getArray().size() : p.getShape().size();
        }
        return n;
    }
}
