package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoder of Hat EBM's retrofit autoencoder ({@code GenDecoder32}): the SN-GAN generator with a
 * spatial latent in place of the dense layer,
 * <pre>  z [N, c, s, s] → stem GenBlock(c → w₀, up₀; no bn1) → GenBlock(w₀ → w₁, up₁) → … → GenBlock(w_{k−1} → w_k, up_k)
 *    → BN → ReLU → conv3×3 (w_k → image channels) → tanh → × outFactor</pre>
 * giving images of side s·2^(number of up-sampling blocks). The official 32-px decoder (latent
 * 16×16×1) up-samples in its second block only (stem no, then up, no, no); the appendix words it
 * as the generator with its "first two up-sampling blocks converted" to plain ones, which gives the
 * same output size. BN runs in {@link BatchNorm2d.Mode#RUNNING} by default: Hat EBM keeps every
 * generator's BN in test mode, also while the autoencoder is trained (App. E; {@code train_ae.py}
 * calls the decoder with {@code training=False}), so BN is a learnable per-channel affine map.
 *
 * <p>References: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
 * Latent Spaces with Hat EBM", NeurIPS 2022 (App. E, retrofit).
 */
public final class RetrofitDecoder extends AbstractBlock implements LatentGenerator {
    /**
     * @param latentChannels c, channels of the latent image
     * @param latentSide s, side of the latent image
     * @param widths w₀ (the stem's output) … w_k (each block's output)
     * @param up whether the stem (index 0) and each block up-sample ×2 (bilinear)
     * @param imageChannels channels of the output image (1 grey, 3 RGB)
     * @param outFactor the tanh output is multiplied by this (Hat EBM retrofit: 2)
     * @param convs bias / initialisation of every conv (no spectral norm in Hat EBM)
     * @param alignCorners bilinear convention (Keras' UpSampling2D: false)
     * @param bnMomentum weight of a new batch in BN's running averages (unused in RUNNING mode)
     * @param bnEps BN's ε (Keras 1e-3)
     */
    public record Config(int latentChannels, int latentSide, int[] widths, boolean[] up, int imageChannels,
                         double outFactor, ResBlock.Convs convs, boolean alignCorners, float bnMomentum, float bnEps) {
        public Config {
            if (latentChannels < 1 || latentSide < 1 || imageChannels < 1) {
                throw new IllegalArgumentException("retrofit decoder needs latent channels, latent side and image channels >= 1, got "
                        + latentChannels + ", " + latentSide + ", " + imageChannels);
            }
            if (widths == null || up == null || widths.length < 1 || widths.length != up.length) {
                throw new IllegalArgumentException("retrofit decoder needs one up flag per width (stem first)");
            }
            for (int w : widths) {
                if (w < 1) {
                    throw new IllegalArgumentException("retrofit decoder widths must be >= 1, got " + Arrays.toString(widths));
                }
            }
            if (!(outFactor > 0) || convs == null) {
                throw new IllegalArgumentException("retrofit decoder needs outFactor > 0 and conv options");
            }
            widths = widths.clone();
            up = up.clone();
        }

        /** Side of the decoded images. */
        public int imageSize() {
            int s = latentSide;
            for (boolean u : up) {
                s = u ? 2 * s : s;
            }
            return s;
        }

        /** Scalars per latent, D = c·s². */
        public int latentSize() {
            return latentChannels * latentSide * latentSide;
        }

        /**
         * Hat EBM's 32-px decoder ({@code GenDecoder32}, ngf = 256 in the paper): latent 16×16×1,
         * stem and three blocks of ngf channels, only the first block after the stem up-sampling,
         * Keras initialisation and BN (ε 1e-3), half-pixel bilinear up-sampling.
         */
        public static Config hatEbm32(int imageChannels, int ngf, double outFactor) {
            return new Config(1, 16, new int[] {ngf, ngf, ngf, ngf}, new boolean[] {false, true, false, false},
                    imageChannels, outFactor, new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM),
                    false, 0.01f, 1e-3f);
        }
    }

    private final Config config;
    private final List<GenBlock> blocks = new ArrayList<>();
    private final BatchNorm2d bn;
    private final SpectralConv2d out;
    private BatchNorm2d.Mode bnMode = BatchNorm2d.Mode.RUNNING;

    public RetrofitDecoder(Config config) {
        this.config = config;
        int[] w = config.widths();
        int c = config.latentChannels();
        for (int i = 0; i < w.length; i++) {
            blocks.add(addChildBlock(i == 0 ? "stem" : "block" + i, new GenBlock(c, w[i], config.up()[i], i == 0,
                    config.convs(), config.bnMomentum(), config.bnEps(), config.alignCorners())));
            c = w[i];
        }
        bn = addChildBlock("bn", new BatchNorm2d(c, config.bnMomentum(), config.bnEps(), config.convs().init().bnGamma()));
        out = addChildBlock("out", config.convs().conv(c, config.imageChannels(), 3, 1, 1));
        setBnMode(bnMode);
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public RetrofitDecoder init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, latentShape(2));
        return this;
    }

    public Config config() {
        return config;
    }

    public List<GenBlock> blocks() {
        return blocks;
    }

    /** The latent shape of a batch of n: [n, c, s, s]. */
    public Shape latentShape(long n) {
        return new Shape(n, config.latentChannels(), config.latentSide(), config.latentSide());
    }

    /** Which statistics every BN uses (RUNNING, the default, is Hat EBM's test mode). */
    public void setBnMode(BatchNorm2d.Mode mode) {
        this.bnMode = mode;
        blocks.forEach(b -> b.setBnMode(mode));
    }

    public BatchNorm2d.Mode bnMode() {
        return bnMode;
    }

    /** z [N, c, s, s] → images [N, C, S, S] in (−outFactor, outFactor). */
    public NDArray apply(NDArray z) {
        Shape want = latentShape(z.getShape().get(0));
        if (!z.getShape().equals(want)) {
            throw new IllegalArgumentException("retrofit decoder takes latents of shape " + want + ", got " + z.getShape());
        }
        return GenBlock.trunk(z, blocks, bn, bnMode, out, config.outFactor());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        int side = config.imageSize();
        return new Shape[] {new Shape(inputShapes[0].get(0), config.imageChannels(), side, side)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        GenBlock.initTrunk(manager, dataType, inputShapes[0], blocks, bn, out);
    }
}
