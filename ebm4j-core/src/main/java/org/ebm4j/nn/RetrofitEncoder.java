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
 * The encoder of Hat EBM's retrofit autoencoder ({@code InfEncoder32}): the SN-GAN discriminator's
 * body (without spectral norm) ending in a 3×3 conv to a latent image, projected onto the sphere,
 * <pre>  x → stem ResBlock(C → w₀, down₀) → ResBlock(w₀ → w₁, down₁) → … → ReLU → conv3×3 (w_k → c, with bias)
 *    → z ↦ √D · z / (‖z‖ + ε)      (D = c·s², {@link Sphere#project})</pre>
 * The official 32-px encoder down-samples in its second block only (stem no, then down, no, no),
 * giving the 16×16×1 latent of the decoder ({@link RetrofitDecoder}).
 *
 * <p>References: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
 * Latent Spaces with Hat EBM", NeurIPS 2022 (App. A, E, retrofit).
 */
public final class RetrofitEncoder extends AbstractBlock {
    /**
     * @param widths w₀ (the stem's output) … w_k
     * @param down whether the stem (index 0) and each block down-sample ×2 by average pooling
     * @param latentChannels c, channels of the latent image
     * @param convs bias / initialisation of every conv (no spectral norm in Hat EBM)
     * @param project whether the output is projected onto the sphere of radius √D (official: yes)
     * @param eps ε added to the norm in the projection (official 1e-6)
     */
    public record Config(int imageChannels, int imageSize, int[] widths, boolean[] down, int latentChannels,
                         ResBlock.Convs convs, boolean project, double eps) {
        public Config {
            if (imageChannels < 1 || imageSize < 1 || latentChannels < 1) {
                throw new IllegalArgumentException("retrofit encoder needs image channels, image size and latent channels >= 1, got "
                        + imageChannels + ", " + imageSize + ", " + latentChannels);
            }
            if (widths == null || down == null || widths.length < 1 || widths.length != down.length || convs == null) {
                throw new IllegalArgumentException("retrofit encoder needs one down flag per width (stem first) and conv options");
            }
            for (int w : widths) {
                if (w < 1) {
                    throw new IllegalArgumentException("retrofit encoder widths must be >= 1, got " + Arrays.toString(widths));
                }
            }
            if (!(eps >= 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("retrofit encoder eps must be finite and >= 0, got " + eps);
            }
            widths = widths.clone();
            down = down.clone();
            int s = imageSize;
            for (boolean d : down) {
                if (d && s % 2 != 0) {
                    throw new IllegalArgumentException("a " + imageSize + "-px image cannot be halved at every "
                            + "down-sampling block " + Arrays.toString(down));
                }
                s = d ? s / 2 : s;
            }
        }

        /** Side of the latent image. */
        public int latentSide() {
            int s = imageSize;
            for (boolean d : down) {
                s = d ? s / 2 : s;
            }
            return s;
        }

        /**
         * Hat EBM's 32-px encoder ({@code InfEncoder32}, ngf = 256 in the paper): stem and three blocks
         * of ngf channels, only the first block after the stem down-sampling, a 16×16×1 latent on the
         * sphere of radius 16, Keras initialisation.
         */
        public static Config hatEbm32(int imageChannels, int ngf) {
            return new Config(imageChannels, 32, new int[] {ngf, ngf, ngf, ngf}, new boolean[] {false, true, false, false},
                    1, new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM), true, Sphere.EPS);
        }
    }

    private final Config config;
    private final List<ResBlock> blocks = new ArrayList<>();
    private final SpectralConv2d toLatent;

    public RetrofitEncoder(Config config) {
        this.config = config;
        int[] w = config.widths();
        int c = config.imageChannels();
        for (int i = 0; i < w.length; i++) {
            ResBlock.Kind kind = i == 0 ? ResBlock.Kind.STEM : ResBlock.Kind.BLOCK;
            blocks.add(addChildBlock(i == 0 ? "stem" : "block" + i, new ResBlock(kind, c, w[i], config.down()[i], config.convs())));
            c = w[i];
        }
        toLatent = addChildBlock("latent", config.convs().conv(c, config.latentChannels(), 3, 1, 1));
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public RetrofitEncoder init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(2, config.imageChannels(), config.imageSize(), config.imageSize()));
        return this;
    }

    public Config config() {
        return config;
    }

    /** The latent shape of a batch of n: [n, c, s, s]. */
    public Shape latentShape(long n) {
        return new Shape(n, config.latentChannels(), config.latentSide(), config.latentSide());
    }

    /** x [N, C, S, S] → latents [N, c, s, s], on the sphere of radius √(c·s²) when projecting. */
    public NDArray apply(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != config.imageChannels() || s.get(2) != config.imageSize()
                || s.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("retrofit encoder takes [N, " + config.imageChannels() + ", "
                    + config.imageSize() + ", " + config.imageSize() + "], got " + s);
        }
        NDArray h = Nets.through(x, blocks, ResBlock::apply);
        NDArray z;
        try (NDArray r = Activation.relu(h)) {
            if (h != x) {
                h.close();
            }
            z = toLatent.apply(r);
        }
        if (!config.project()) {
            return z;
        }
        NDArray p = Sphere.project(z, config.eps());
        z.close();
        return p;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {latentShape(inputShapes[0].get(0))};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        for (ResBlock b : blocks) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(new Shape[] {s})[0];
        }
        toLatent.initialize(manager, dataType, s);
    }
}
