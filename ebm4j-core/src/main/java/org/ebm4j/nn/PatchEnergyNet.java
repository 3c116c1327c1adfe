package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PatchGenCN's patch energy network (supplement Table 1): 3×3 VALID convolutions, spectral norm and
 * ELU on every layer but the last, kernels N(0, 0.005), zero biases. Its output is a score map f
 * with one value per 11×11 patch of the (already zero-padded) input.
 */
public final class PatchEnergyNet extends AbstractBlock implements EnergyNet {
    /** Net (a), for images whose longest side is below 64. */
    public static final int[] WIDTHS_SMALL = {64, 32, 32, 32};
    /** Net (b), for longer sides. */
    public static final int[] WIDTHS_MEDIUM = {128, 64, 64, 64};

    private final int[] widths;
    private final List<SpectralConv2d> layers = new ArrayList<>();

    public PatchEnergyNet(int inChannels, int[] widths, float initStd) {
        this.widths = widths.clone();
        int cin = inChannels;
        for (int i = 0; i < widths.length; i++) {
            layers.add(addChildBlock("conv" + (i + 1), new SpectralConv2d(cin, widths[i], 3, 1, 0, true, true,
                    new NormalInitializer(initStd))));
            cin = widths[i];
        }
        layers.add(addChildBlock("conv" + (widths.length + 1),
                new SpectralConv2d(cin, 1, 3, 1, 0, true, false, new NormalInitializer(initStd))));
    }

    /** Table 1's choice: net (a) when max(w, h) &lt; 64, else net (b). */
    public static int[] widthsFor(int width, int height) {
        return Math.max(width, height) < 64 ? WIDTHS_SMALL : WIDTHS_MEDIUM;
    }

    public int[] widths() {
        return widths.clone();
    }

    /** Receptive field of the net: 2 pixels per valid 3×3 layer, plus one. */
    public int receptiveField() {
        return 2 * layers.size() + 1;
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public PatchEnergyNet init(NDManager manager) {
        return init(manager, DataType.FLOAT32);
    }

    /** As {@link #init(NDManager)} with another data type (float64 for gradient checks). */
    public PatchEnergyNet init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(1, 3, 16, 16));
        return this;
    }

    @Override
    public NDArray output(NDArray x) {
        int last = layers.size() - 1;
        NDArray h = Nets.through(x, layers.subList(0, last), PatchEnergyNet::convElu);
        NDArray out = layers.get(last).apply(h);
        if (h != x) {
            h.close();
        }
        return out;
    }

    /** One inner layer: conv, then ELU (α = 1). */
    private static NDArray convElu(SpectralConv2d conv, NDArray h) {
        try (NDArray y = conv.apply(h)) {
            return Activation.elu(y, 1f);
        }
    }

    /**
     * A map whose sum is Σ f(x) minus the last layer's (constant) bias term: the last 3×3 conv to
     * one channel is linear, so Σ conv(h, W) = Σ h ⊙ K with K = conv_transpose(ones, W) — computed
     * as one wide conv of the padded ones map with the flipped kernel. Langevin only needs
     * ∇ₓ Σ f, and this skips the narrow last convolution (slow, and with a wrong input gradient in
     * libtorch 2.7.1, see SpectralConv2d#narrowConv).
     */
    @Override
    public NDArray langevinTarget(NDArray x) {
        int last = layers.size() - 1;
        NDArray h = Nets.through(x, layers.subList(0, last), PatchEnergyNet::convElu);
        SpectralConv2d head = layers.get(last);
        if (head.isSpectralNorm() || head.outChannels() != 1) {
            NDArray out = head.apply(h);
            if (h != x) {
                h.close();
            }
            return out;
        }
        // h is float32 in either compute mode (SpectralConv2d casts its output back), so this conv of
        // the one-channel ones map stays float32 too: its cost is 1/C of an inner layer's
        long outH = h.getShape().get(2) - 2;
        long outW = h.getShape().get(3) - 2;
        NDArray w = head.weight().getArray(); // [1, C, 3, 3]
        try (NDArray ones = h.getManager().ones(new Shape(1, 1, outH, outW), h.getDataType());
             NDArray padded = org.ebm4j.core.Torch.pad(ones, 2);
             NDArray flipped = w.flip(2, 3);
             NDArray kernel = flipped.transpose(1, 0, 2, 3);
             NDArray k = Conv2d.conv2d(padded, kernel).singletonOrThrow()) { // [1, C, H'+2, W'+2]
            NDArray out = h.mul(k);
            if (h != x) {
                h.close();
            }
            return out;
        }
    }

    /**
     * Stops the spectral-norm power iteration: a trained net becomes a fixed function, so sampling
     * is reproducible however many chains ran before (the TF code keeps iterating; at the fixed
     * point this changes nothing measurable).
     */
    public void freezeSpectralState() {
        layers.forEach(l -> l.setUpdateU(false));
    }

    public List<SpectralConv2d> layers() {
        return layers;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(output(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        int shrink = 2 * layers.size();
        return new Shape[] {new Shape(s.get(0), 1, s.get(2) - shrink, s.get(3) - shrink)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        for (SpectralConv2d l : layers) {
            l.initialize(manager, dataType, s);
            s = l.getOutputShapes(new Shape[] {s})[0];
        }
    }

    @Override
    public String toString() {
        return "PatchEnergyNet" + Arrays.toString(widths);
    }
}
