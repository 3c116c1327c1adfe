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
 * The SN-GAN generator of Dual-MCMC teaching (Cui, Han 2023, {@code _Cifar10_netG}) and Hat EBM
 * (Hill et al. 2022, {@code GenSNGAN32}):
 * <pre>  z [N, d] → linear (with bias) → reshape [N, w₀, b, b] → GenBlock(w₀→w₁, up) … GenBlock(w_{k−1}→w_k, up)
 *    → BN → ReLU → conv3×3 (w_k → image channels, with bias) → tanh → × outFactor</pre>
 * giving images of side b·2^k. A latent of shape [N, d, 1, 1] (Dual-MCMC's) is accepted too.
 */
public final class Generator extends AbstractBlock implements LatentGenerator {
    /**
     * @param latent d, the size of z
     * @param bottom side b of the first feature map (4 in both papers)
     * @param widths w₀ … w_k: the linear stage's channels, then each up-block's output channels
     * @param imageChannels channels of the output image
     * @param outFactor the tanh output is multiplied by this (Hat EBM synthesis: 2)
     * @param convs spectral norm / bias / initialisation of every conv (and the linear layer)
     * @param alignCorners bilinear convention of the up-sampling (Dual-MCMC: true)
     * @param bnMomentum weight of a new batch in BN's running averages (PyTorch 0.1; Keras 0.01)
     * @param bnEps BN's ε (PyTorch 1e-5; Keras 1e-3)
     */
    public record Config(int latent, int bottom, int[] widths, int imageChannels, double outFactor,
                         ResBlock.Convs convs, boolean alignCorners, float bnMomentum, float bnEps) {
        public Config {
            if (latent < 1 || bottom < 1 || imageChannels < 1 || widths == null || widths.length < 1) {
                throw new IllegalArgumentException("generator needs latent, bottom width and image channels >= 1 and at least one width");
            }
            for (int w : widths) {
                if (w < 1) {
                    throw new IllegalArgumentException("generator widths must be >= 1, got " + Arrays.toString(widths));
                }
            }
            if (!(outFactor > 0) || convs == null) {
                throw new IllegalArgumentException("generator needs outFactor > 0 and conv options");
            }
            widths = widths.clone();
        }

        /** Side of the generated images. */
        public int imageSize() {
            return bottom << (widths.length - 1);
        }

        /**
         * Dual-MCMC's CIFAR-10 generator: nz = 128, ngf = 512, three up-blocks 4→32, no spectral
         * norm, biases on, PyTorch/Xavier-normal initialisation, align_corners=True, PyTorch BN.
         */
        public static Config dualMcmcCifar10(int latent, int ngf) {
            return new Config(latent, 4, new int[] {ngf, ngf, ngf, ngf}, 3, 1.0,
                    new ResBlock.Convs(false, true, Init.Scheme.PYTORCH_XAVIER_NORMAL), true, 0.1f, 1e-5f);
        }

        /**
         * Hat EBM's 32-px generator ({@code GenSNGAN32}): nz = 128, ngf = 256, three up-blocks,
         * Keras initialisation and BN (ε 1e-3), half-pixel bilinear up-sampling. Run it with BN in
         * {@link BatchNorm2d.Mode#RUNNING} (App. E: always in test mode).
         */
        public static Config hatEbm32(int latent, int ngf, double outFactor) {
            return new Config(latent, 4, new int[] {ngf, ngf, ngf, ngf}, 3, outFactor,
                    new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM), false, 0.01f, 1e-3f);
        }
    }

    private final Config config;
    private final SpectralLinear linear;
    private final List<GenBlock> blocks = new ArrayList<>();
    private final BatchNorm2d bn;
    private final SpectralConv2d out;
    private BatchNorm2d.Mode bnMode = BatchNorm2d.Mode.BATCH;

    public Generator(Config config) {
        this.config = config;
        int[] w = config.widths();
        linear = addChildBlock("linear", config.convs().linear(config.latent(), w[0] * config.bottom() * config.bottom(), true));
        for (int i = 1; i < w.length; i++) {
            blocks.add(addChildBlock("block" + i, new GenBlock(w[i - 1], w[i], true, config.convs(), config.bnMomentum(),
                    config.bnEps(), config.alignCorners())));
        }
        int last = w[w.length - 1];
        bn = addChildBlock("bn", new BatchNorm2d(last, config.bnMomentum(), config.bnEps(), config.convs().init().bnGamma()));
        out = addChildBlock("out", config.convs().conv(last, config.imageChannels(), 3, 1, 1));
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public Generator init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(2, config.latent()));
        return this;
    }

    public Config config() {
        return config;
    }

    /** The flat latent shape of a batch of n: [n, d]. */
    @Override
    public Shape latentShape(long n) {
        return new Shape(n, config.latent());
    }

    public List<GenBlock> blocks() {
        return blocks;
    }

    /**
     * Which statistics every BN uses from now on: BATCH_UPDATE to train as PyTorch's train mode,
     * RUNNING for PyTorch's eval mode and for Hat EBM (BN always in test mode).
     */
    public void setBnMode(BatchNorm2d.Mode mode) {
        this.bnMode = mode;
        blocks.forEach(b -> b.setBnMode(mode));
    }

    public BatchNorm2d.Mode bnMode() {
        return bnMode;
    }

    /** z [N, d] or [N, d, 1, 1] → images [N, C, S, S] in (−outFactor, outFactor). */
    public NDArray apply(NDArray z) {
        Shape s = z.getShape();
        int d = config.latent();
        boolean flat = s.dimension() == 2 && s.get(1) == d;
        boolean column = s.dimension() == 4 && s.get(1) == d && s.get(2) == 1 && s.get(3) == 1;
        if (!flat && !column) {
            throw new IllegalArgumentException("generator takes z of shape [N, " + d + "] or [N, " + d + ", 1, 1], got " + s);
        }
        int b = config.bottom();
        try (NDArray z2 = z.reshape(s.get(0), d); NDArray l = linear.apply(z2);
             NDArray h = l.reshape(s.get(0), config.widths()[0], b, b)) {
            return GenBlock.trunk(h, blocks, bn, bnMode, out, config.outFactor());
        }
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
        long n = inputShapes[0].get(0);
        linear.initialize(manager, dataType, new Shape(n, config.latent()));
        int b = config.bottom();
        GenBlock.initTrunk(manager, dataType, new Shape(n, config.widths()[0], b, b), blocks, bn, out);
    }
}
