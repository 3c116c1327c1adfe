package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.ebm4j.core.Compute;

/**
 * 2-D convolution with optional spectral normalisation (Miyato et al.): W_SN = W / σ(W), with σ
 * estimated by one power iteration per forward call from a persistent vector {@code u} that is
 * saved with the parameters (as TF PatchGenCN's ops.spectral_norm and torch.nn.utils do).
 *
 * <p>σ is computed from the fresh u/v of this call (detached, as PyTorch does), never from the
 * stored array, which is overwritten in place afterwards; reading the stored array inside the
 * graph would make backward see a tensor modified after use.
 */
public final class SpectralConv2d extends AbstractBlock {
    /** Narrower convolutions are widened to this many output channels (see {@link #narrowConv}). */
    static final int MIN_OUT_CHANNELS = 16;

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean spectralNorm;
    private boolean updateU = true;
    /** This layer's own compute mode, or null to follow {@link Compute#current()}. */
    private Compute compute;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter u;
    private NDArray zeroKernels;

    /** As below with zero biases. */
    public SpectralConv2d(int inChannels, int outChannels, int kernel, int stride, int padding,
                          boolean bias, boolean spectralNorm, Initializer weightInit) {
        this(inChannels, outChannels, kernel, stride, padding, bias, spectralNorm, weightInit, Initializer.ZEROS);
    }

    /**
     * @param bias whether the layer adds a per-channel bias (drawn from {@code biasInit})
     * @param spectralNorm whether the kernel is divided by its spectral norm (one power iteration per call)
     */
    public SpectralConv2d(int inChannels, int outChannels, int kernel, int stride, int padding,
                          boolean bias, boolean spectralNorm, Initializer weightInit, Initializer biasInit) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("conv needs channels, kernel and stride >= 1 and padding >= 0, got in "
                    + inChannels + " out " + outChannels + " kernel " + kernel + " stride " + stride + " padding " + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.spectralNorm = spectralNorm;
        this.weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outChannels, inChannels, kernel, kernel))
                .optInitializer(weightInit).build());
        this.bias = bias ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(outChannels)).optInitializer(biasInit).build()) : null;
        // u ~ N(0,1), not trained; it is state, like BatchNorm running statistics
        this.u = spectralNorm ? addParameter(Parameter.builder().setName("sn_u").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, outChannels))
                .optInitializer((m, s, t) -> m.randomNormal(0f, 1f, s, t))
                .optRequiresGrad(false).build()) : null;
    }

    public int outChannels() {
        return outChannels;
    }

    public int inChannels() {
        return inChannels;
    }

    public int kernel() {
        return kernel;
    }

    /** The bias parameter, or null for a bias-free layer. */
    public Parameter bias() {
        return bias;
    }

    public boolean isSpectralNorm() {
        return spectralNorm;
    }

    /** Whether forward calls advance the power iteration (TF PatchGenCN: always, Langevin included). */
    public void setUpdateU(boolean updateU) {
        this.updateU = updateU;
    }

    public Parameter weight() {
        return weight;
    }

    /**
     * Pins this layer's compute mode ({@link Compute#FP32} for nets that must not depend on the
     * process-wide setting, such as evaluation feature nets), or null to follow
     * {@link Compute#current()} (the default).
     */
    public void setCompute(Compute compute) {
        this.compute = compute;
    }

    /** The mode this layer's next call computes in on a float32 input. */
    public Compute compute() {
        return compute != null ? compute : Compute.current();
    }

    /**
     * The effective kernel of this call: W/σ with one power-iteration step (a new array the caller
     * closes), or W itself without spectral norm (which the caller must not close).
     */
    public NDArray effectiveWeight() {
        NDArray w = weight.getArray();
        if (!spectralNorm) {
            return w;
        }
        NDArray w2 = w.reshape(outChannels, (long) inChannels * kernel * kernel); // [Cout, K]
        NDArray sigma = SpectralNorm.sigma(w2, u, updateU);
        NDArray wsn = w.div(sigma);
        sigma.close();
        w2.close();
        return wsn;
    }

    /**
     * conv(x, W_SN) + b. Temporaries derived from the parameters are closed here, so nothing leaks
     * into the parameter manager. In {@link Compute#BF16} mode (and on a float32 input) x, W_SN and
     * b are cast to bfloat16 for the convolution and its output back to float32, all inside the
     * autograd graph; W, u and the spectral norm stay float32 (see {@link Bf16}).
     */
    public NDArray apply(NDArray x) {
        if (compute() == Compute.BF16 && x.getDataType() == DataType.FLOAT32) {
            return applyBf16(x);
        }
        NDArray w = effectiveWeight();
        NDArray b = bias == null ? null : bias.getArray();
        NDArray y;
        if (outChannels < MIN_OUT_CHANNELS) {
            y = narrowConv(x, w, b);
        } else {
            y = Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding),
                    new Shape(1, 1), 1).singletonOrThrow();
        }
        if (w != weight.getArray()) {
            w.close();
        }
        return y;
    }

    /** {@link #apply} with the convolution in bfloat16; input and output float32. */
    private NDArray applyBf16(NDArray x) {
        NDArray w = effectiveWeight();
        NDArray b = bias == null ? null : bias.getArray();
        try {
            if (outChannels < MIN_OUT_CHANNELS) {
                // widened in float32 (DJL cannot create a bf16 zeros array), cast after; the bias is added in float32
                if (zeroKernels == null || zeroKernels.getDataType() != w.getDataType()) {
                    zeroKernels = w.getManager().zeros(new Shape(MIN_OUT_CHANNELS - outChannels, inChannels, kernel, kernel),
                            w.getDataType());
                }
                try (NDArray wide = NDArrays.concat(new NDList(w, zeroKernels), 0);
                     NDArray xb = Bf16.toBf16(x);
                     NDArray wb = Bf16.toBf16(wide);
                     NDArray yb = Conv2d.conv2d(xb, wb, null, new Shape(stride, stride), new Shape(padding, padding),
                             new Shape(1, 1), 1).singletonOrThrow();
                     NDArray ybNarrow = yb.get(":, 0:" + outChannels)) {
                    NDArray y = Bf16.toFp32(ybNarrow);
                    if (b == null) {
                        return y;
                    }
                    try (NDArray bb = b.reshape(1, outChannels, 1, 1)) {
                        NDArray out = y.add(bb);
                        y.close();
                        return out;
                    }
                }
            }
            try (NDArray xb = Bf16.toBf16(x);
                 NDArray wb = Bf16.toBf16(w);
                 NDArray bb = b == null ? null : Bf16.toBf16(b);
                 NDArray yb = Conv2d.conv2d(xb, wb, bb, new Shape(stride, stride), new Shape(padding, padding),
                         new Shape(1, 1), 1).singletonOrThrow()) {
                return Bf16.toFp32(yb);
            }
        } finally {
            if (w != weight.getArray()) {
                w.close();
            }
        }
    }

    /**
     * libtorch 2.7.1's CPU convolution with fewer than 16 output channels (and 32+ input channels) computes a wrong input
     * gradient (it reads uninitialised memory: NaN or garbage that depends on what was freed
     * before; see PatchEnergyNetTest) and runs ~8× below the speed of wide convolutions. So narrow
     * layers run as a conv widened with zero kernels, of which only the real channels are kept.
     * The extra FLOPs are those of a layer that is tiny to begin with.
     */
    private NDArray narrowConv(NDArray x, NDArray w, NDArray b) {
        if (zeroKernels == null || zeroKernels.getDataType() != w.getDataType()) {
            zeroKernels = w.getManager().zeros(new Shape(MIN_OUT_CHANNELS - outChannels, inChannels, kernel, kernel),
                    w.getDataType());
        }
        try (NDArray wide = NDArrays.concat(new NDList(w, zeroKernels), 0);
             NDArray yWide = Conv2d.conv2d(x, wide, null, new Shape(stride, stride), new Shape(padding, padding),
                     new Shape(1, 1), 1).singletonOrThrow();
             NDArray y = yWide.get(":, 0:" + outChannels)) {
            if (b == null) {
                // DJL's duplicate() detaches from the autograd graph; ×1 is an exact copy that keeps it
                // (no existing net reached this branch: PatchEnergyNet has biases, multi-grid widths are >= 16)
                return y.mul(1f);
            }
            try (NDArray bb = b.reshape(1, outChannels, 1, 1)) {
                return y.add(bb);
            }
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = (in.get(2) + 2L * padding - kernel) / stride + 1;
        long w = (in.get(3) + 2L * padding - kernel) / stride + 1;
        return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}
