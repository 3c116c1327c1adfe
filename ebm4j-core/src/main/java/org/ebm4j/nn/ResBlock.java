package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The residual block of the SN-GAN discriminator (Miyato et al. 2018, as ported by Mimicry) that
 * Dual-MCMC teaching (Cui, Han 2023, {@code EBMBlockStart}/{@code EBMBlock}) and Hat EBM (Hill et
 * al. 2022, {@code EBMBlockStem}/{@code EBMBlock}) use as EBM and encoder body. conv = 3×3, stride
 * 1, padding 1; pool = 2×2 average pooling; sc = a learnable 1×1 conv (used when in ≠ out or when
 * down-sampling), else the identity:
 * <pre>  stem:  h = pool(conv2(relu(conv1(x))))         y = sc(pool(x))
 *  block: h = pool(conv2(relu(conv1(relu(x)))))   y = pool(sc(x))
 *  out  = h + y</pre>
 * (pool only when down-sampling). The stem pools before its shortcut conv, the block after: both
 * orders are the official code's, and they differ only in cost (sc and pool commute).
 * Every conv may be spectrally normalised and may have a bias.
 */
public final class ResBlock extends AbstractBlock {
    /** Which of the two orders above. */
    public enum Kind { STEM, BLOCK }

    /** Layer options shared by every conv of a net: spectral norm, biases, initialisation. */
    public record Convs(boolean spectralNorm, boolean bias, Init.Scheme init) {
        public Convs {
            if (init == null) {
                throw new IllegalArgumentException("an initialisation scheme is needed");
            }
        }

        /** A conv with these options. */
        public SpectralConv2d conv(int in, int out, int kernel, int stride, int padding) {
            return new SpectralConv2d(in, out, kernel, stride, padding, bias, spectralNorm, init.convWeight(),
                    init.bias((long) in * kernel * kernel));
        }

        /** A linear layer with these options. */
        public SpectralLinear linear(int in, int out, boolean withBias) {
            return new SpectralLinear(in, out, withBias, spectralNorm, init.linearWeight(), init.bias(in));
        }
    }

    private final Kind kind;
    private final int inChannels;
    private final int outChannels;
    private final boolean downsample;
    private final SpectralConv2d conv1;
    private final SpectralConv2d conv2;
    private final SpectralConv2d sc;

    /** With hidden = out channels and a learnable shortcut exactly when in ≠ out or down-sampling (the official rule). */
    public ResBlock(Kind kind, int in, int out, boolean downsample, Convs convs) {
        this(kind, in, out, out, downsample, in != out || downsample, convs);
    }

    /**
     * @param hidden channels between conv1 and conv2
     * @param learnableShortcut a 1×1 conv on the shortcut; without it in must equal out
     */
    public ResBlock(Kind kind, int in, int out, int hidden, boolean downsample, boolean learnableShortcut, Convs convs) {
        if (!learnableShortcut && in != out) {
            throw new IllegalArgumentException("an identity shortcut needs in == out channels, got " + in + " -> " + out);
        }
        this.kind = kind;
        this.inChannels = in;
        this.outChannels = out;
        this.downsample = downsample;
        conv1 = addChildBlock("conv1", convs.conv(in, hidden, 3, 1, 1));
        conv2 = addChildBlock("conv2", convs.conv(hidden, out, 3, 1, 1));
        sc = learnableShortcut ? addChildBlock("sc", convs.conv(in, out, 1, 1, 0)) : null;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public boolean downsamples() {
        return downsample;
    }

    public boolean hasLearnableShortcut() {
        return sc != null;
    }

    /** Spectral-norm power iteration on or off for every conv of the block. */
    public void setUpdateU(boolean update) {
        conv1.setUpdateU(update);
        conv2.setUpdateU(update);
        if (sc != null) {
            sc.setUpdateU(update);
        }
    }

    /** x [N, in, H, W] → [N, out, H', W'] (H' = H/2 when down-sampling; H and W must then be even). */
    public NDArray apply(NDArray x) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != inChannels) {
            throw new IllegalArgumentException("residual block takes [N, " + inChannels + ", H, W], got " + x.getShape());
        }
        NDArray h;
        if (kind == Kind.STEM) {
            try (NDArray a = conv1.apply(x); NDArray r = Activation.relu(a)) {
                h = conv2.apply(r);
            }
        } else {
            try (NDArray r0 = Activation.relu(x); NDArray a = conv1.apply(r0); NDArray r = Activation.relu(a)) {
                h = conv2.apply(r);
            }
        }
        if (downsample) {
            NDArray p = BlockResample.down(h, 2);
            h.close();
            h = p;
        }
        NDArray y;
        if (sc == null) {
            y = downsample ? BlockResample.down(x, 2) : x;
        } else if (kind == Kind.STEM) {
            if (downsample) {
                try (NDArray p = BlockResample.down(x, 2)) {
                    y = sc.apply(p);
                }
            } else {
                y = sc.apply(x);
            }
        } else {
            NDArray s = sc.apply(x);
            if (downsample) {
                y = BlockResample.down(s, 2);
                s.close();
            } else {
                y = s;
            }
        }
        NDArray out = h.add(y);
        h.close();
        if (y != x) {
            y.close();
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        int f = downsample ? 2 : 1;
        return new Shape[] {new Shape(s.get(0), outChannels, s.get(2) / f, s.get(3) / f)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        conv1.initialize(manager, dataType, s);
        conv2.initialize(manager, dataType, conv1.getOutputShapes(new Shape[] {s})[0]);
        if (sc != null) {
            sc.initialize(manager, dataType, s);
        }
    }
}
