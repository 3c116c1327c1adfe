package org.ebm4j.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;

/** Small engine-level helpers shared by every method (seeding, padding, random tensors). */
public final class Torch {
    private Torch() {}

    /**
     * libtorch's intra-op thread count (the threads one convolution or matrix product is split over).
     * One thread is faster when other jobs share the cores: two thread pools on the same cores wait
     * on each other at every op. Applies to the running engine and to one started later.
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n)); // read when the engine starts
        Engine.getEngine("PyTorch");
        ai.djl.pytorch.jni.JniUtils.setNumThreads(n);
    }

    /** libtorch's current intra-op thread count. */
    public static int threads() {
        Engine.getEngine("PyTorch");
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** Seeds libtorch's global generator (all DJL random ops draw from it). */
    public static void seed(long seed) {
        Engine.getInstance().setRandomSeed((int) (seed & 0x7FFFFFFFL));
    }

    /**
     * A copy of {@code x} owned by {@code scope}. Op results attach to their first input's manager, so
     * a loop that feeds a long-lived tensor (a model's, a scale's) into ops would leave every result
     * of every iteration there; feeding this copy instead lets the loop's scope free them.
     */
    public static NDArray scopedCopy(NDArray x, NDManager scope) {
        NDArray c = x.duplicate();
        c.attach(scope);
        return c;
    }

    /** Zero-pads the two spatial axes of an NCHW tensor by {@code p} on each side. */
    public static NDArray pad(NDArray x, int p) {
        if (p == 0) {
            return x.duplicate();
        }
        Shape pads = new Shape(p, p, p, p); // (left, right, top, bottom) of the last two axes
        if (x instanceof PtNDArray) {
            return ((PtNDArray) x).pad(pads, 0.0);
        }
        throw new UnsupportedOperationException("padding needs the PyTorch engine");
    }

    /** Inverse of {@link #pad}: crops {@code p} pixels from each side of the spatial axes. */
    public static NDArray unpad(NDArray x, int p) {
        if (p == 0) {
            return x.duplicate();
        }
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        // a contiguous copy, not a strided view: views of a closed array and toByteBuffer() on
        // non-contiguous tensors are both easy to get wrong downstream
        try (NDArray view = x.get(":, :, " + p + ":" + (h - p) + ", " + p + ":" + (w - p))) {
            return view.duplicate();
        }
    }

    /** U(lo, hi) noise of the given shape. */
    public static NDArray uniform(NDManager m, float lo, float hi, Shape shape) {
        return m.randomUniform(lo, hi, shape, DataType.FLOAT32);
    }
}
