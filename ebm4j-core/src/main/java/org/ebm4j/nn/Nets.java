package org.ebm4j.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Freezing and counting for any DJL block. "Trainable" is the parameter's declared flag
 * ({@link Parameter#requiresGradient()}): weights, biases and BN γ/β are, BN running statistics and
 * spectral-norm vectors are state and never are. Freezing toggles only whether the arrays record
 * gradients, so a frozen net keeps its parameter list (and an optimiser built on it stays valid).
 */
public final class Nets {
    private Nets() {}

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
