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
 * The SN-GAN generator's residual up-block (Dual-MCMC's {@code _GenBlock}, Hat EBM's
 * {@code GenBlock}):
 * <pre>  h = conv2(relu(bn2(conv1(up(relu(bn1(x)))))))
 *  y = sc(up(x))      (sc a learnable 1×1 conv when in ≠ out or up-sampling, else the identity)
 *  out = h + y</pre>
 * with up = ×2 bilinear up-sampling ({@link Upsample}, {@code align_corners=True} by default as in
 * Dual-MCMC; Hat EBM's Keras {@code UpSampling2D} is the half-pixel convention) and 3×3 convs with
 * padding 1. Both BNs use the block's {@link #setBnMode mode}.
 *
 * <p>The <em>stem</em> variant (Hat EBM's {@code GenBlockStem}, the first block of the retrofit
 * decoder, which takes the latent image directly) has no bn1 and no ReLU on its input:
 * <pre>  h = conv2(relu(bn2(conv1(up(x)))))</pre>
 */
public final class GenBlock extends AbstractBlock {
    private final int inChannels;
    private final int outChannels;
    private final boolean upsample;
    private final boolean alignCorners;
    private final boolean stem;
    private final BatchNorm2d bn1;
    private final SpectralConv2d conv1;
    private final BatchNorm2d bn2;
    private final SpectralConv2d conv2;
    private final SpectralConv2d sc;
    private BatchNorm2d.Mode bnMode = BatchNorm2d.Mode.BATCH;

    /**
     * @param convs options of the three convs
     * @param alignCorners bilinear convention of the up-sampling
     */
    public GenBlock(int in, int out, boolean upsample, ResBlock.Convs convs, float bnMomentum,
                    float bnEps, boolean alignCorners) {
        this(in, out, upsample, false, convs, bnMomentum, bnEps, alignCorners);
    }

    /** @param stem without bn1 and the ReLU on the input (Hat EBM's {@code GenBlockStem}) */
    public GenBlock(int in, int out, boolean upsample, boolean stem, ResBlock.Convs convs, float bnMomentum,
                    float bnEps, boolean alignCorners) {
        this.inChannels = in;
        this.outChannels = out;
        this.upsample = upsample;
        this.alignCorners = alignCorners;
        this.stem = stem;
        bn1 = stem ? null : addChildBlock("bn1", new BatchNorm2d(in, bnMomentum, bnEps, convs.init().bnGamma()));
        conv1 = addChildBlock("conv1", convs.conv(in, out, 3, 1, 1));
        bn2 = addChildBlock("bn2", new BatchNorm2d(out, bnMomentum, bnEps, convs.init().bnGamma()));
        conv2 = addChildBlock("conv2", convs.conv(out, out, 3, 1, 1));
        sc = in != out || upsample ? addChildBlock("sc", convs.conv(in, out, 1, 1, 0)) : null;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    /** Which statistics both BNs use in the following calls. */
    public void setBnMode(BatchNorm2d.Mode mode) {
        this.bnMode = mode;
    }

    public BatchNorm2d.Mode bnMode() {
        return bnMode;
    }

    /** Whether this is the stem variant (no bn1, no input ReLU). */
    public boolean isStem() {
        return stem;
    }

    /** The first BN, or null in the stem variant. */
    public BatchNorm2d bn1() {
        return bn1;
    }

    public BatchNorm2d bn2() {
        return bn2;
    }

    /** Spectral-norm power iteration on or off for every conv of the block. */
    public void setUpdateU(boolean update) {
        conv1.setUpdateU(update);
        conv2.setUpdateU(update);
        if (sc != null) {
            sc.setUpdateU(update);
        }
    }

    private NDArray up(NDArray x) {
        return Upsample.bilinear(x, 2, alignCorners);
    }

    /** x [N, in, H, W] → [N, out, 2H, 2W] (or [N, out, H, W] without up-sampling). */
    public NDArray apply(NDArray x) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != inChannels) {
            throw new IllegalArgumentException("generator block takes [N, " + inChannels + ", H, W], got " + x.getShape());
        }
        NDArray h;
        NDArray r1 = null;
        try {
            if (!stem) {
                try (NDArray n1 = bn1.apply(x, bnMode)) {
                    r1 = Activation.relu(n1);
                }
            }
            NDArray in = stem ? x : r1;
            NDArray u = upsample ? up(in) : in;
            try (NDArray c1 = conv1.apply(u); NDArray n2 = bn2.apply(c1, bnMode); NDArray r2 = Activation.relu(n2)) {
                h = conv2.apply(r2);
            }
            if (u != in) {
                u.close();
            }
        } finally {
            if (r1 != null) {
                r1.close();
            }
        }
        NDArray y;
        if (sc == null) {
            y = upsample ? up(x) : x;
        } else if (upsample) {
            try (NDArray u = up(x)) {
                y = sc.apply(u);
            }
        } else {
            y = sc.apply(x);
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
        int f = upsample ? 2 : 1;
        return new Shape[] {new Shape(s.get(0), outChannels, s.get(2) * f, s.get(3) * f)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        Shape u = getOutputShapes(new Shape[] {new Shape(s.get(0), inChannels, s.get(2), s.get(3))})[0];
        Shape mid = new Shape(s.get(0), inChannels, u.get(2), u.get(3));
        if (bn1 != null) {
            bn1.initialize(manager, dataType, s);
        }
        conv1.initialize(manager, dataType, mid);
        bn2.initialize(manager, dataType, u);
        conv2.initialize(manager, dataType, u);
        if (sc != null) {
            sc.initialize(manager, dataType, mid);
        }
    }

    /**
     * The part the SN-GAN generator and the retrofit decoder share after their input stage:
     * <pre>  h → blocks → BN → ReLU → conv → tanh → × outFactor</pre>
     * Every intermediate is closed; {@code h} is not (the caller owns it).
     */
    static NDArray trunk(NDArray h, java.util.List<GenBlock> blocks, BatchNorm2d bn, BatchNorm2d.Mode bnMode,
                         SpectralConv2d out, double outFactor) {
        NDArray x = Nets.through(h, blocks, GenBlock::apply);
        NDArray t;
        try (NDArray n = bn.apply(x, bnMode); NDArray r = Activation.relu(n); NDArray c = out.apply(r)) {
            if (x != h) {
                x.close();
            }
            t = c.tanh();
        }
        if (outFactor == 1.0) {
            return t;
        }
        NDArray scaled = t.mul(outFactor);
        t.close();
        return scaled;
    }

    /** Creates the parameters of {@link #trunk}'s blocks, BN and conv for an input of shape {@code s}. */
    static void initTrunk(NDManager manager, DataType dataType, Shape s, java.util.List<GenBlock> blocks,
                          BatchNorm2d bn, SpectralConv2d out) {
        for (GenBlock block : blocks) {
            block.initialize(manager, dataType, s);
            s = block.getOutputShapes(new Shape[] {s})[0];
        }
        bn.initialize(manager, dataType, s);
        out.initialize(manager, dataType, s);
    }
}
