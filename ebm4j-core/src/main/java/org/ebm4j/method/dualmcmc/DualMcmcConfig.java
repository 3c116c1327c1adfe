package org.ebm4j.method.dualmcmc;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.config.Choice;
import org.ebm4j.config.Choices;
import org.ebm4j.config.ConfigType;
import org.ebm4j.core.EbmException;

/**
 * Every setting of a Dual-MCMC teaching run (Cui, Han, "Learning Energy-based Model via Dual-MCMC
 * Teaching", NeurIPS 2023); saved as the run's config.json. The {@code paper-cifar10} and
 * {@code paper-celeba64} presets hold the official code's values ({@code config.py}, {@code
 * train.py}); {@code fast} is a small CPU configuration.
 *
 * @param preset           name of the preset the values started from
 * @param data             fashion-mnist | mnist | a folder of images (empty: must be given)
 * @param imageSize        side the images are resized to (a power of two, ≥ 8)
 * @param channels         1 (grey) or 3 (RGB)
 * @param trainLimit       train on a seeded subset of this many images (0 = all)
 * @param epochs           passes over the training images
 * @param batchSize        images per iteration (the last partial batch is dropped, as drop_last)
 * @param seed             base seed of every random draw
 * @param nets             layout and widths of the EBM, generator and inference net
 * @param chains           T^x and T^z Langevin settings, at training and at test time
 * @param weights          weights of the generator and inference losses
 * @param optim            the three Adams and their per-epoch decay
 * @param order            update order: official (G, I, then E on a fresh T^x chain) or paper (Alg. 1: E, G, I)
 * @param explodeThreshold the official explosion test: |mean E(x) − mean E(x̃)| above this is divergence
 * @param maxRollbacks     rollbacks to the last checkpoint (learning rates halved each time) before the run stops
 * @param cadence          log, image and checkpoint intervals (iterations; checkpoints also at every epoch end)
 */
public record DualMcmcConfig(
        String preset, String data, int imageSize, int channels, int trainLimit, int epochs, int batchSize, long seed,
        Nets nets, Chains chains, Weights weights, Optim optim, Order order, double explodeThreshold,
        int maxRollbacks, Cadence cadence) {

    /** The JSON form (config.json's "config" object), also what --set and --config address. */
    public static final ConfigType<DualMcmcConfig> TYPE = new ConfigType<>(DualMcmcConfig.class, "dualmcmc",
            java.util.Map.of());

    /** Names of the presets. */
    public static final java.util.List<String> PRESETS = java.util.List.of("fast", "paper-cifar10", "paper-celeba64");

    /** Net layouts of the official code ({@code nets.py}). */
    public enum Layout implements Choice {
        /**
         * {@code _Cifar10_net*}: EBM of constant width, stem and first block down-sample, two blocks
         * without; generator of constant width; inference net with a 3×3 stride-1 first conv.
         */
        CIFAR,
        /**
         * {@code _CelebA64_net*}: EBM widths doubling to ebmWidth with every stage down-sampling;
         * generator widths halving from genWidth; inference net with a 4×4 stride-2 first conv.
         */
        CELEBA;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        @JsonCreator
        public static Layout of(String s) {
            return Choices.parse(Layout.class, "net layout", s);
        }
    }

    /** The update order of one iteration. */
    public enum Order implements Choice {
        /** The official train.py: G, then I, then E on negatives from a fresh T^x chain started at the updated G. */
        OFFICIAL,
        /** Supplement Alg. 1: E, G, I, all on the same revised samples. */
        PAPER;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        @JsonCreator
        public static Order of(String s) {
            return Choices.parse(Order.class, "update order", s);
        }
    }

    /** The likelihood term of the latent chain T^z. */
    public enum ZLikelihood implements Choice {
        /** The official code: Σ‖G(z) − x‖²/σ² without ½ (a Gaussian of variance σ²/2). */
        SUM_OF_SQUARES,
        /** The textbook Gaussian N(G(z), σ²I): ‖G(z) − x‖²/(2σ²). */
        GAUSSIAN;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** The factor k of k·‖G(z) − x‖²/σ²: 1 or ½. */
        public double factor() {
            return this == SUM_OF_SQUARES ? 1.0 : 0.5;
        }

        @JsonCreator
        public static ZLikelihood of(String s) {
            return Choices.parse(ZLikelihood.class, "z likelihood", s);
        }
    }

    /**
     * Nets (official: nz 128, nef/ngf 512, nif 128 for CIFAR-10; 1024/1024/128 for CelebA-64).
     *
     * @param layout   cifar or celeba
     * @param latent   d, the size of z
     * @param ebmWidth nef/ndf: the EBM's (largest) width
     * @param genWidth ngf: the generator's (largest) width
     * @param infWidth nif: the inference net's first width (doubling per stage)
     */
    public record Nets(Layout layout, int latent, int ebmWidth, int genWidth, int infWidth) {
        public Nets {
            require(layout != null, "nets.layout is missing; use one of: " + Choices.labels(Layout.class));
            require(latent >= 1, "nets.latent must be >= 1, got " + latent);
            require(ebmWidth >= 1, "nets.ebmWidth must be >= 1, got " + ebmWidth);
            require(genWidth >= 1, "nets.genWidth must be >= 1, got " + genWidth);
            require(infWidth >= 1, "nets.infWidth must be >= 1, got " + infWidth);
        }
    }

    /**
     * The two chains. T^x (Eq. 3, code form): x ← x − ½s²∇E(x) + n·ξ from G(z); T^z (Eq. 6, code
     * form): z ← z − ½s_z²(∇ k‖G(z) − x‖²/σ² + z/σ_p²) + n_z·ξ from z ~ q(z|x).
     *
     * @param xSteps         T^x steps during training (official 30)
     * @param xStepSize      s (official 0.5 CIFAR-10, 0.3 CelebA-64)
     * @param xNoise         n (official 1e-3)
     * @param zSteps         T^z steps (official 10)
     * @param zStepSize      s_z (official 0.1)
     * @param zNoise         n_z (official 0.1)
     * @param sigma          σ of p(x|z) (official 0.3)
     * @param priorSigma     σ_p of p(z) (official 1)
     * @param zLikelihood    sum-of-squares (official) or gaussian (textbook)
     * @param useTemperature divide the EBM loss by T = (n/s)² (official use_temp: true)
     * @param testXSteps     T^x steps at test time (official task_fid.py: 70)
     * @param testXStepSize  s at test time (official task_fid.py: 0.4)
     */
    public record Chains(int xSteps, double xStepSize, double xNoise, int zSteps, double zStepSize, double zNoise,
                         double sigma, double priorSigma, ZLikelihood zLikelihood, boolean useTemperature,
                         int testXSteps, double testXStepSize) {
        public Chains {
            require(xSteps >= 0, "chains.xSteps must be >= 0, got " + xSteps);
            require(zSteps >= 0, "chains.zSteps must be >= 0, got " + zSteps);
            require(testXSteps >= 0, "chains.testXSteps must be >= 0, got " + testXSteps);
            require(positive(xStepSize), "chains.xStepSize must be > 0, got " + xStepSize);
            require(positive(zStepSize), "chains.zStepSize must be > 0, got " + zStepSize);
            require(positive(testXStepSize), "chains.testXStepSize must be > 0, got " + testXStepSize);
            require(xNoise >= 0 && Double.isFinite(xNoise), "chains.xNoise must be >= 0, got " + xNoise);
            require(zNoise >= 0 && Double.isFinite(zNoise), "chains.zNoise must be >= 0, got " + zNoise);
            require(positive(sigma), "chains.sigma must be > 0, got " + sigma);
            require(positive(priorSigma), "chains.priorSigma must be > 0, got " + priorSigma);
            require(zLikelihood != null, "chains.zLikelihood is missing; use one of: " + Choices.labels(ZLikelihood.class));
            require(!useTemperature || xNoise > 0, "chains.useTemperature needs chains.xNoise > 0 (T = (n/s)^2 would be 0)");
        }

        /** T = (n/s)², the temperature of the law T^x samples and the divisor of the EBM loss (1 without use_temp). */
        public double temperature() {
            return useTemperature ? (xNoise / xStepSize) * (xNoise / xStepSize) : 1.0;
        }
    }

    /**
     * Loss weights (official Gfactor / Sfactor / Ifactor).
     *
     * @param gen       weight of Σ‖G(z̃) − x‖²/B (official 1)
     * @param revision  S: weight of Σ‖G(z) − x̃‖²/B (official 50 CIFAR-10, 70 CelebA-64)
     * @param inference weight of NLL(z | I(x̃)) next to NLL(z̃ | I(x)) (official 0.1)
     */
    public record Weights(double gen, double revision, double inference) {
        public Weights {
            require(gen >= 0 && Double.isFinite(gen), "weights.gen must be >= 0, got " + gen);
            require(revision >= 0 && Double.isFinite(revision), "weights.revision must be >= 0, got " + revision);
            require(inference >= 0 && Double.isFinite(inference), "weights.inference must be >= 0, got " + inference);
        }
    }

    /**
     * The three Adams (official: lr 1e-4 / 3e-4 / 1e-4, β (0, 0.9), weight decay 0 / 5e-4 / 5e-4,
     * ExponentialLR γ 0.998 stepped per epoch).
     */
    public record Optim(double lrE, double lrG, double lrI, double beta1, double beta2, double wdE, double wdG,
                        double wdI, double lrGamma) {
        public Optim {
            require(positive(lrE), "optim.lrE must be > 0, got " + lrE);
            require(positive(lrG), "optim.lrG must be > 0, got " + lrG);
            require(positive(lrI), "optim.lrI must be > 0, got " + lrI);
            require(beta1 >= 0 && beta1 < 1, "optim.beta1 must be in [0, 1), got " + beta1);
            require(beta2 >= 0 && beta2 < 1, "optim.beta2 must be in [0, 1), got " + beta2);
            require(wdE >= 0 && wdG >= 0 && wdI >= 0, "optim weight decays must be >= 0, got " + wdE + ", " + wdG + ", " + wdI);
            require(lrGamma > 0 && lrGamma <= 1, "optim.lrGamma must be in (0, 1], got " + lrGamma);
        }
    }

    /** Validates every value; the message names the setting and its valid range. */
    public DualMcmcConfig {
        require(data != null, "data is missing (fashion-mnist, mnist or a folder)");
        require(imageSize >= 8 && Integer.bitCount(imageSize) == 1,
                "imageSize must be a power of two >= 8 (the nets halve and double it), got " + imageSize);
        require(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
        require(trainLimit >= 0, "trainLimit must be >= 0 (0 = all), got " + trainLimit);
        require(epochs >= 1, "epochs must be >= 1, got " + epochs);
        require(batchSize >= 2, "batchSize must be >= 2 (batch norm needs two images), got " + batchSize);
        require(nets != null && chains != null && weights != null && optim != null,
                "the nets, chains, weights and optim groups are required");
        require(order != null, "order is missing; use one of: " + Choices.labels(Order.class));
        require(explodeThreshold > 0, "explodeThreshold must be > 0, got " + explodeThreshold);
        require(maxRollbacks >= 0, "maxRollbacks must be >= 0, got " + maxRollbacks);
        require(cadence != null, "cadence (logEvery, imageEvery, checkpointEvery) is missing");
        if (nets.layout() == Layout.CELEBA) {
            require(imageSize >= 16, "the celeba layout needs imageSize >= 16, got " + imageSize);
        }
    }

    /** Reads the JSON form (used by Jackson for config.json). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static DualMcmcConfig fromJson(JsonNode node) {
        return TYPE.read(node);
    }

    private static boolean positive(double v) {
        return v > 0 && Double.isFinite(v);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new EbmException("invalid Dual-MCMC setting: " + message);
        }
    }

    /** The official CIFAR-10 values (config.py, train.py; test-time chain of task_fid.py). Needs --data. */
    public static DualMcmcConfig paperCifar10() {
        return new DualMcmcConfig("paper-cifar10", "", 32, 3, 0, 301, 100, 1234,
                new Nets(Layout.CIFAR, 128, 512, 512, 128),
                new Chains(30, 0.5, 1e-3, 10, 0.1, 0.1, 0.3, 1.0, ZLikelihood.SUM_OF_SQUARES, true, 70, 0.4),
                new Weights(1.0, 50.0, 0.1),
                new Optim(1e-4, 3e-4, 1e-4, 0.0, 0.9, 0.0, 5e-4, 5e-4, 0.998),
                Order.OFFICIAL, 1e4, 3, new Cadence(100, 500, 1000));
    }

    /** The official CelebA-64 values: 64 px, ndf/ngf 1024, s 0.3, S 70. Needs --data. */
    public static DualMcmcConfig paperCeleba64() {
        DualMcmcConfig p = paperCifar10();
        Chains c = p.chains();
        return new DualMcmcConfig("paper-celeba64", "", 64, 3, 0, 301, 100, 1234,
                new Nets(Layout.CELEBA, 128, 1024, 1024, 128),
                new Chains(c.xSteps(), 0.3, c.xNoise(), c.zSteps(), c.zStepSize(), c.zNoise(), c.sigma(), c.priorSigma(),
                        c.zLikelihood(), true, c.testXSteps(), c.testXStepSize()),
                new Weights(1.0, 70.0, 0.1), p.optim(), Order.OFFICIAL, 1e4, 3, p.cadence());
    }

    /**
     * A small CPU configuration: Fashion-MNIST at 32 px grey (28 → 32 bicubic), nets of 1/32 (EBM,
     * generator: widths 16, 32) and 1/8 (inference: 16) of the official widths, latent 64, batch
     * 32, 4000 training images for 2 epochs, T^x shortened to 10 steps (the official s, n, T^z and
     * loss weights), learning rates ×2 for the short run.
     */
    public static DualMcmcConfig fast() {
        DualMcmcConfig p = paperCifar10();
        Optim o = p.optim();
        return new DualMcmcConfig("fast", "fashion-mnist", 32, 1, 4000, 2, 32, 1234,
                new Nets(Layout.CIFAR, 64, 16, 32, 16),
                new Chains(10, 0.5, 1e-3, 10, 0.1, 0.1, 0.3, 1.0, ZLikelihood.SUM_OF_SQUARES, true, 70, 0.4),
                p.weights(),
                new Optim(2 * o.lrE(), 2 * o.lrG(), 2 * o.lrI(), o.beta1(), o.beta2(), o.wdE(), o.wdG(), o.wdI(), o.lrGamma()),
                Order.OFFICIAL, 1e4, 3, new Cadence(10, 50, 100));
    }

    /** A preset by name ("paper" is paper-cifar10, "celeba64" is paper-celeba64). */
    public static DualMcmcConfig preset(String name) {
        return switch (name) {
            case "fast" -> fast();
            case "paper", "paper-cifar10" -> paperCifar10();
            case "celeba64", "paper-celeba64" -> paperCeleba64();
            default -> throw new EbmException("unknown preset '" + name + "'; use one of: " + String.join(", ", PRESETS));
        };
    }

    /** The same values with another data set, image size and channels. */
    public DualMcmcConfig withData(String d, int size, int c) {
        return new DualMcmcConfig(preset, d, size, c, trainLimit, epochs, batchSize, seed, nets, chains, weights, optim,
                order, explodeThreshold, maxRollbacks, cadence);
    }

    /** The same values with another length of training. */
    public DualMcmcConfig withTraining(int limit, int ep, int batch) {
        return new DualMcmcConfig(preset, data, imageSize, channels, limit, ep, batch, seed, nets, chains, weights, optim,
                order, explodeThreshold, maxRollbacks, cadence);
    }

    public DualMcmcConfig withNets(Nets n) {
        return new DualMcmcConfig(preset, data, imageSize, channels, trainLimit, epochs, batchSize, seed, n, chains,
                weights, optim, order, explodeThreshold, maxRollbacks, cadence);
    }

    public DualMcmcConfig withChains(Chains c) {
        return new DualMcmcConfig(preset, data, imageSize, channels, trainLimit, epochs, batchSize, seed, nets, c,
                weights, optim, order, explodeThreshold, maxRollbacks, cadence);
    }

    public DualMcmcConfig withOrder(Order o) {
        return new DualMcmcConfig(preset, data, imageSize, channels, trainLimit, epochs, batchSize, seed, nets, chains,
                weights, optim, o, explodeThreshold, maxRollbacks, cadence);
    }

    public DualMcmcConfig withSeed(long s) {
        return new DualMcmcConfig(preset, data, imageSize, channels, trainLimit, epochs, batchSize, s, nets, chains,
                weights, optim, order, explodeThreshold, maxRollbacks, cadence);
    }

    public DualMcmcConfig withCadence(Cadence c) {
        return new DualMcmcConfig(preset, data, imageSize, channels, trainLimit, epochs, batchSize, seed, nets, chains,
                weights, optim, order, explodeThreshold, maxRollbacks, c);
    }

    /** The EBM of this configuration (official {@code _Cifar10_netE} / {@code _CelebA64_netE}: SN everywhere, no bias). */
    public org.ebm4j.nn.ResidualEbm.Config ebmConfig() {
        org.ebm4j.nn.ResBlock.Convs convs = new org.ebm4j.nn.ResBlock.Convs(true, false,
                org.ebm4j.nn.Init.Scheme.PYTORCH_XAVIER_NORMAL);
        int w = nets.ebmWidth();
        if (nets.layout() == Layout.CIFAR) {
            return new org.ebm4j.nn.ResidualEbm.Config(channels, imageSize, new int[] {w, w, w, w},
                    new boolean[] {true, true, false, false}, convs);
        }
        int stages = Integer.numberOfTrailingZeros(imageSize) - 1; // 64 px: 5 stages down to 2×2
        int[] widths = new int[stages];
        boolean[] down = new boolean[stages];
        for (int i = 0; i < stages; i++) {
            widths[i] = Math.max(1, w >> (stages - 1 - i));
            down[i] = true;
        }
        return new org.ebm4j.nn.ResidualEbm.Config(channels, imageSize, widths, down, convs);
    }

    /** The generator (official {@code _Cifar10_netG} / {@code _CelebA64_netG}: 4×4 → up-blocks → tanh). */
    public org.ebm4j.nn.Generator.Config generatorConfig() {
        int ups = Integer.numberOfTrailingZeros(imageSize / 4);
        int[] widths = new int[ups + 1];
        for (int i = 0; i <= ups; i++) {
            widths[i] = nets.layout() == Layout.CIFAR ? nets.genWidth() : Math.max(1, nets.genWidth() >> i);
        }
        return new org.ebm4j.nn.Generator.Config(nets.latent(), 4, widths, channels, 1.0,
                new org.ebm4j.nn.ResBlock.Convs(false, true, org.ebm4j.nn.Init.Scheme.PYTORCH_XAVIER_NORMAL),
                true, 0.1f, 1e-5f);
    }

    /** The inference net (official {@code _Cifar10_netI} / {@code _CelebA64_netI}): body ends at 4×4, 4×4 heads. */
    public org.ebm4j.nn.Encoder.Config encoderConfig() {
        boolean cifar = nets.layout() == Layout.CIFAR;
        int firstKernel = cifar ? 3 : 4;
        int after = cifar ? imageSize : imageSize / 2;
        int stages = 1 + Integer.numberOfTrailingZeros(after / 4);
        int[] widths = new int[stages];
        for (int i = 0; i < stages; i++) {
            widths[i] = nets.infWidth() << i;
        }
        return new org.ebm4j.nn.Encoder.Config(channels, imageSize, firstKernel, widths, nets.latent(), false,
                org.ebm4j.nn.Init.Scheme.PYTORCH_XAVIER_NORMAL);
    }

    /** Log interval (iterations). */
    public int logEvery() {
        return cadence.logEvery();
    }

    /** Interval of image snapshots (iterations). */
    public int imageEvery() {
        return cadence.imageEvery();
    }

    /** Interval of mid-epoch checkpoints (0 = only at epoch ends and the end). */
    public int checkpointEvery() {
        return cadence.checkpointEvery();
    }
}
