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
 * The inference net q_φ(z|x) = N(μ_φ(x), diag exp(log σ²_φ(x))) of Dual-MCMC teaching (Cui, Han
 * 2023, §2.3; {@code _Cifar10_netI}):
 * <pre>  conv k₀×k₀ stride s₀ (C → w₀) → LeakyReLU(0.2)
 *  conv 4×4 stride 2 pad 1 (w_{i−1} → w_i) → LeakyReLU(0.2)     for i = 1 … k
 *  μ = conv 4×4 stride 1 pad 0 (w_k → d),  log σ² = conv 4×4 stride 1 pad 0 (w_k → d)</pre>
 * The body convs have no bias, the two heads do. CIFAR-10: first conv 3×3 stride 1 pad 1, widths
 * 128/256/512/1024, a 32-px image ends at 4×4 and the heads give [N, d, 1, 1]; CelebA-64: first
 * conv 4×4 stride 2 pad 1.
 */
public final class Encoder extends AbstractBlock {
    /**
     * @param imageSize side of the input images
     * @param firstKernel k₀ (3: stride 1, padding 1; 4: stride 2, padding 1)
     * @param widths w₀ … w_k
     * @param latent d
     * @param spectralNorm spectral norm on every conv (off in the official code)
     * @param init initialisation (official: {@link Init.Scheme#PYTORCH_XAVIER_NORMAL})
     */
    public record Config(int imageChannels, int imageSize, int firstKernel, int[] widths, int latent,
                         boolean spectralNorm, Init.Scheme init) {
        public Config {
            if (imageChannels < 1 || latent < 1 || widths == null || widths.length < 1 || init == null) {
                throw new IllegalArgumentException("encoder needs image channels and latent >= 1, widths and an init scheme");
            }
            if (firstKernel != 3 && firstKernel != 4) {
                throw new IllegalArgumentException("the encoder's first conv is 3x3 (stride 1) or 4x4 (stride 2), got " + firstKernel);
            }
            widths = widths.clone();
            int side = finalSide(imageSize, firstKernel, widths.length);
            if (side < 4) {
                throw new IllegalArgumentException("a " + imageSize + "-px image shrinks to " + side + " px after "
                        + widths.length + " stages; the 4x4 heads need at least 4 (widths " + Arrays.toString(widths) + ")");
            }
        }

        /** Dual-MCMC's CIFAR-10 inference net: 3×3 s1, then ×2 widths from nif, three 4×4 s2 stages. */
        public static Config dualMcmcCifar10(int latent, int nif) {
            return new Config(3, 32, 3, new int[] {nif, 2 * nif, 4 * nif, 8 * nif}, latent, false,
                    Init.Scheme.PYTORCH_XAVIER_NORMAL);
        }

        /** Side of the body's output. */
        public int bodySide() {
            return finalSide(imageSize, firstKernel, widths.length);
        }

        private static int finalSide(int size, int k0, int stages) {
            int s = k0 == 3 ? size : size / 2;
            for (int i = 1; i < stages; i++) {
                s /= 2;
            }
            return s;
        }
    }

    private final Config config;
    private final List<SpectralConv2d> body = new ArrayList<>();
    private final SpectralConv2d muHead;
    private final SpectralConv2d logVarHead;

    public Encoder(Config config) {
        this.config = config;
        ResBlock.Convs bodyConvs = new ResBlock.Convs(config.spectralNorm(), false, config.init());
        ResBlock.Convs headConvs = new ResBlock.Convs(config.spectralNorm(), true, config.init());
        int[] w = config.widths();
        int k0 = config.firstKernel();
        body.add(addChildBlock("conv1", bodyConvs.conv(config.imageChannels(), w[0], k0, k0 == 3 ? 1 : 2, 1)));
        for (int i = 1; i < w.length; i++) {
            body.add(addChildBlock("conv" + (i + 1), bodyConvs.conv(w[i - 1], w[i], 4, 2, 1)));
        }
        int last = w[w.length - 1];
        muHead = addChildBlock("mu", headConvs.conv(last, config.latent(), 4, 1, 0));
        logVarHead = addChildBlock("logvar", headConvs.conv(last, config.latent(), 4, 1, 0));
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public Encoder init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(2, config.imageChannels(), config.imageSize(), config.imageSize()));
        return this;
    }

    public Config config() {
        return config;
    }

    /** {μ, log σ²} of x [N, C, S, S], each [N, d, h, h] (h = 1 when the body ends at 4×4). */
    public NDList apply(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != config.imageChannels()) {
            throw new IllegalArgumentException("encoder takes [N, " + config.imageChannels() + ", H, W], got " + s);
        }
        NDArray h = Nets.through(x, body, (c, in) -> {
            try (NDArray y = c.apply(in)) {
                return Activation.leakyRelu(y, 0.2f);
            }
        });
        NDArray mu = muHead.apply(h);
        NDArray logVar = logVarHead.apply(h);
        if (h != x) {
            h.close();
        }
        return new NDList(mu, logVar);
    }

    /** The reparameterisation z = μ + exp(½ log σ²) ⊙ ε (Kingma, Welling 2014), differentiable in μ and log σ². */
    public static NDArray reparameterize(NDArray mu, NDArray logVar, NDArray eps) {
        try (NDArray half = logVar.mul(0.5); NDArray sd = half.exp(); NDArray noise = sd.mul(eps)) {
            return mu.add(noise);
        }
    }

    /**
     * Per-sample negative log-density of z under N(μ, diag exp(log σ²)) without the constant
     * (d/2)·log 2π, as Dual-MCMC's {@code NLL}: ½ Σ log σ² + ½ Σ (z − μ)² / (10⁻⁶ + exp(log σ²)),
     * summed over all axes but the first; shape [N].
     */
    public static NDArray gaussianNll(NDArray z, NDArray mu, NDArray logVar) {
        if (!z.getShape().equals(mu.getShape()) || !z.getShape().equals(logVar.getShape())) {
            throw new IllegalArgumentException("z, mu and log-variance must have one shape, got " + z.getShape() + ", "
                    + mu.getShape() + ", " + logVar.getShape());
        }
        int[] axes = new int[z.getShape().dimension() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        try (NDArray var = logVar.exp(); NDArray den = var.add(1e-6); NDArray diff = z.sub(mu);
             NDArray sq = diff.square(); NDArray quad = sq.div(den); NDArray terms = quad.add(logVar);
             NDArray sum = terms.sum(axes)) {
            return sum.mul(0.5);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return apply(inputs.singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long side = s.get(2);
        side = config.firstKernel() == 3 ? side : side / 2;
        for (int i = 1; i < config.widths().length; i++) {
            side /= 2;
        }
        Shape o = new Shape(s.get(0), config.latent(), side - 3, side - 3);
        return new Shape[] {o, o};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        for (SpectralConv2d c : body) {
            c.initialize(manager, dataType, s);
            s = c.getOutputShapes(new Shape[] {s})[0];
        }
        muHead.initialize(manager, dataType, s);
        logVarHead.initialize(manager, dataType, s);
    }
}
