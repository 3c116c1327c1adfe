package org.ebm4j.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * The weight initialisers of every net, in one place. All of them draw from libtorch's global
 * generator (DJL's random ops), so seeding it with {@link org.ebm4j.core.Torch#seed} first makes a
 * net's initial weights reproducible.
 *
 * <p>Fans follow PyTorch's {@code _calculate_fan_in_and_fan_out} (and Keras', which agrees): for a
 * weight [out, in, k...] fan_in = in·Πk and fan_out = out·Πk; a linear weight is stored [out, in].
 */
public final class Init {
    private Init() {}

    /** Zeros (biases of the Keras nets, BN β). */
    public static final Initializer ZEROS = Initializer.ZEROS;
    /** Ones (BN γ in the Keras and multi-grid nets). */
    public static final Initializer ONES = Initializer.ONES;

    /** fan_in of a weight shape (its second axis times the kernel's size). */
    public static long fanIn(Shape s) {
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("fan_in needs a weight of rank >= 2, got " + s);
        }
        return s.get(1) * receptive(s);
    }

    /** fan_out of a weight shape (its first axis times the kernel's size). */
    public static long fanOut(Shape s) {
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("fan_out needs a weight of rank >= 2, got " + s);
        }
        return s.get(0) * receptive(s);
    }

    private static long receptive(Shape s) {
        long r = 1;
        for (int i = 2; i < s.dimension(); i++) {
            r *= s.get(i);
        }
        return r;
    }

    /** N(0, σ²). */
    public static Initializer normal(double sigma) {
        return (m, s, t) -> m.randomNormal(0f, (float) sigma, s, t);
    }

    /** U(lo, hi). */
    public static Initializer uniform(double lo, double hi) {
        return (m, s, t) -> m.randomUniform((float) lo, (float) hi, s, t);
    }

    /**
     * Xavier (Glorot) normal, PyTorch's {@code xavier_normal_} with gain 1 (Dual-MCMC's convs):
     * N(0, 2 / (fan_in + fan_out)).
     */
    public static Initializer xavierNormal() {
        return (m, s, t) -> m.randomNormal(0f, (float) Math.sqrt(2.0 / (fanIn(s) + fanOut(s))), s, t);
    }

    /**
     * Glorot uniform, Keras' default kernel initialiser (Hat EBM, the multi-grid feature head):
     * U(±√(6 / (fan_in + fan_out))).
     */
    public static Initializer glorotUniform() {
        return (m, s, t) -> {
            float b = (float) Math.sqrt(6.0 / (fanIn(s) + fanOut(s)));
            return m.randomUniform(-b, b, s, t);
        };
    }

    /**
     * PyTorch's default for Conv/Linear weights and biases: U(±1/√fan_in) (kaiming_uniform with
     * a = √5 gives the same bound for the weight). A bias cannot see its layer's fan_in, so it is
     * given here.
     */
    public static Initializer torchDefault(long fanIn) {
        if (fanIn < 1) {
            throw new IllegalArgumentException("fan_in must be >= 1, got " + fanIn);
        }
        float b = (float) (1 / Math.sqrt(fanIn));
        return (m, s, t) -> m.randomUniform(-b, b, s, t);
    }

    /** PyTorch's default for a weight: U(±1/√fan_in) with fan_in from the weight's own shape. */
    public static Initializer torchDefaultWeight() {
        return (m, s, t) -> {
            float b = (float) (1 / Math.sqrt(fanIn(s)));
            return m.randomUniform(-b, b, s, t);
        };
    }

    /** BN γ ~ N(0, 1), Dual-MCMC's {@code weights_init} ({@code m.weight.data.normal_()}). */
    public static Initializer bnGammaNormal() {
        return normal(1.0);
    }

    /** The initialisation conventions of the reference codes, per layer kind. */
    public enum Scheme {
        /**
         * Dual-MCMC teaching (Cui, Han 2023, {@code weights_init}): conv kernels Xavier normal, BN
         * γ ~ N(0,1) and β = 0; everything else keeps PyTorch's defaults (conv biases, linear
         * weights and biases U(±1/√fan_in)).
         */
        PYTORCH_XAVIER_NORMAL,
        /** Keras defaults (Hat EBM, Hill et al. 2022): Glorot-uniform kernels, zero biases, BN γ = 1, β = 0. */
        KERAS_GLOROT_UNIFORM;

        /** Conv kernels. */
        public Initializer convWeight() {
            return this == PYTORCH_XAVIER_NORMAL ? xavierNormal() : glorotUniform();
        }

        /** Linear weights. */
        public Initializer linearWeight() {
            return this == PYTORCH_XAVIER_NORMAL ? torchDefaultWeight() : glorotUniform();
        }

        /** Biases of a layer whose weight has this fan_in. */
        public Initializer bias(long fanIn) {
            return this == PYTORCH_XAVIER_NORMAL ? torchDefault(fanIn) : ZEROS;
        }

        /** BN γ. */
        public Initializer bnGamma() {
            return this == PYTORCH_XAVIER_NORMAL ? bnGammaNormal() : ONES;
        }
    }
}
