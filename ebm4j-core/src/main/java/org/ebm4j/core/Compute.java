package org.ebm4j.core;

import java.util.Locale;

/**
 * The number format convolutions compute in, process-wide (like libtorch's thread count, see
 * {@link Torch#setThreads}). {@link #FP32}, the default, is the plain float32 path. {@link #BF16}
 * casts each convolution's input, weight and bias to bfloat16 per call and its output back to
 * float32 (see org.ebm4j.nn.Bf16 and docs/BF16.md): parameters, optimiser state, chains and
 * everything between the convolutions stay float32. Layers may pin their own mode
 * ({@code SpectralConv2d#setCompute}), as the evaluation feature nets pin FP32.
 */
public enum Compute {
    FP32,
    BF16;

    private static volatile Compute current = FP32;

    /** The process-wide mode (FP32 unless {@link #set} said otherwise). */
    public static Compute current() {
        return current;
    }

    /** Sets the process-wide mode for convolutions run from now on. */
    public static void set(Compute mode) {
        if (mode == null) {
            throw new IllegalArgumentException("compute mode must not be null");
        }
        current = mode;
    }

    /** "fp32" or "bf16" (any case) → the mode; anything else is refused with the accepted values. */
    public static Compute parse(String s) {
        if (s != null) {
            for (Compute c : values()) {
                if (c.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("compute must be fp32 or bf16, got '" + s + "'");
    }

    /** The lower-case name used on the command line and in JSON ("fp32", "bf16"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
