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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The residual EBM of Dual-MCMC teaching (Cui, Han 2023, {@code _Cifar10_netE}) and Hat EBM (Hill
 * et al. 2022, {@code EBMSNGAN32}), the SN-GAN discriminator:
 * <pre>  stem(C → w₀, down) → block(w₀ → w₁, down?) → … → ReLU → global average pool → linear(w_k → 1, no bias)</pre>
 * giving one score per image, shape [N, 1]. Which sign the methods give it (f or E) is theirs.
 */
public final class ResidualEbm extends AbstractBlock implements EnergyNet {
    /**
     * @param widths w₀ (the stem's output) … w_k (each block's output)
     * @param down whether the stem (index 0) and each block down-sample ×2 by average pooling
     * @param convs spectral norm / bias / initialisation of every conv and of the final linear layer
     */
    public record Config(int imageChannels, int imageSize, int[] widths, boolean[] down, ResBlock.Convs convs) {
        public Config {
            if (imageChannels < 1 || imageSize < 1 || widths == null || down == null || widths.length < 1
                    || widths.length != down.length || convs == null) {
                throw new IllegalArgumentException("residual EBM needs image channels and size >= 1, and one down flag per width");
            }
            widths = widths.clone();
            down = down.clone();
            int s = imageSize;
            for (boolean d : down) {
                if (d && s % 2 != 0) {
                    throw new IllegalArgumentException("a " + imageSize + "-px image cannot be halved "
                            + "at every down-sampling block " + Arrays.toString(down));
                }
                s = d ? s / 2 : s;
            }
        }

        /**
         * Dual-MCMC's CIFAR-10 EBM (nef = 512): stem(3→nef, down) → block(down) → block → block,
         * spectral norm on every conv and the linear layer, no biases, Xavier-normal convs.
         */
        public static Config dualMcmcCifar10(int nef) {
            return new Config(3, 32, new int[] {nef, nef, nef, nef}, new boolean[] {true, true, false, false},
                    new ResBlock.Convs(true, false, Init.Scheme.PYTORCH_XAVIER_NORMAL));
        }

        /**
         * Hat EBM's 32-px EBM (ngf = 256): the same layout without spectral norm, Glorot-uniform
         * kernels and zero biases on the convs; the final dense layer has no bias.
         */
        public static Config hatEbm32(int ngf) {
            return new Config(3, 32, new int[] {ngf, ngf, ngf, ngf}, new boolean[] {true, true, false, false},
                    new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM));
        }
    }

    private final Config config;
    private final List<ResBlock> blocks = new ArrayList<>();
    private final SpectralLinear linear;

    public ResidualEbm(Config config) {
        this.config = config;
        int[] w = config.widths();
        int c = config.imageChannels();
        for (int i = 0; i < w.length; i++) {
            ResBlock.Kind kind = i == 0 ? ResBlock.Kind.STEM : ResBlock.Kind.BLOCK;
            blocks.add(addChildBlock(i == 0 ? "stem" : "block" + i, new ResBlock(kind, c, w[i], config.down()[i], config.convs())));
            c = w[i];
        }
        linear = addChildBlock("linear", config.convs().linear(c, 1, false));
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public ResidualEbm init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(2, config.imageChannels(), config.imageSize(), config.imageSize()));
        return this;
    }

    public Config config() {
        return config;
    }

    public List<ResBlock> blocks() {
        return blocks;
    }

    /** Spectral-norm power iteration on or off for every layer (off: the net is one fixed function). */
    public void setUpdateU(boolean update) {
        blocks.forEach(b -> b.setUpdateU(update));
        linear.setUpdateU(update);
    }

    /** The pooled features [N, w_k] (ReLU, then the spatial mean). */
    public NDArray features(NDArray x) {
        NDArray h = Nets.through(x, blocks, ResBlock::apply);
        Shape s = h.getShape();
        try (NDArray r = Activation.relu(h); NDArray flat = r.reshape(s.get(0), s.get(1), -1)) {
            if (h != x) {
                h.close();
            }
            return flat.mean(new int[] {2}); // libtorch's mean takes one axis through DJL
        }
    }

    /** One score per image, [N, 1]. */
    @Override
    public NDArray output(NDArray x) {
        try (NDArray f = features(x)) {
            return linear.apply(f);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(output(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 1)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        for (ResBlock b : blocks) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(new Shape[] {s})[0];
        }
        linear.initialize(manager, dataType, new Shape(s.get(0), s.get(1)));
    }
}
