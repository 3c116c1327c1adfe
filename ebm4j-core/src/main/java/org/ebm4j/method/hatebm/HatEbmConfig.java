package org.ebm4j.method.hatebm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.config.Choice;
import org.ebm4j.config.Choices;
import org.ebm4j.config.ConfigType;
import org.ebm4j.core.EbmException;
import org.ebm4j.nn.Generator;
import org.ebm4j.nn.Init;
import org.ebm4j.nn.ResBlock;
import org.ebm4j.nn.ResidualEbm;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.nn.RetrofitEncoder;
import org.ebm4j.nn.Sphere;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.pretrain.AutoencoderTrainer;

import java.util.Arrays;
import java.util.List;

/**
 * Every setting of a Hat EBM run (Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models
 * from Generator Latent Spaces with Hat EBM", NeurIPS 2022); saved as the run's config.json. The
 * energy of an image X = Y + G(Z) is H(Y + G(Z)) with p ∝ exp(−H/T).
 *
 * <p>Two modes: {@code synthesis} (conditional Hat EBM, appendix G Alg. 1: residual Langevin on Y
 * with Z fixed, EBM update, generator update on a persistent bank of (Z, X) pairs) and {@code
 * refine} (joint Hat EBM on a frozen pretrained generator: Langevin on z, then y, at every step; no
 * generator update). Where the paper's appendix J and the official code's configs disagree, the
 * presets hold one each: {@code paper-cifar10} (T = 1e-3, 75000 steps) vs {@code code-cifar10}
 * (T = 1e-8, 50000 steps); {@code paper-cifar10-refine} (20000 steps, residual prior σ 0.25) vs
 * {@code code-cifar10-refine} (25000 steps, no prior in training). {@code fast}, {@code
 * fast-refine} and {@code fast-retrofit} are small CPU configurations on Fashion-MNIST.
 *
 * <p>A third mode, {@code retrofit}, is the paper's retrofit experiment: a deterministic
 * autoencoder is trained first ({@link #ae}, {@link AutoencoderTrainer}), then a joint Hat EBM on
 * its frozen decoder exactly as {@code refine} (the decoder is the generator, layout {@code
 * retrofit}, latent 1×(S/2)×(S/2)); its latents start on the sphere of radius √D.
 *
 * @param preset     name of the preset the values started from
 * @param mode       synthesis (Alg. 1) or refine (joint sampling, frozen generator)
 * @param data       fashion-mnist | mnist | a folder of images (empty: must be given)
 * @param imageSize  side the images are resized to (a power of two, ≥ 8)
 * @param channels   1 (grey) or 3 (RGB)
 * @param trainLimit train on a seeded subset of this many images (0 = all)
 * @param iterations training steps (paper CIFAR-10: 75000, code: 50000)
 * @param batchSize  images per iteration (paper 128)
 * @param seed       base seed of every random draw
 * @param generator  refine: the run folder the generator came from (provenance only; its weights
 *                   are copied into this run's checkpoint); empty for synthesis
 * @param nets       widths and kinds of H and G
 * @param chains     Langevin settings at training and at test time
 * @param train      data noise, bank, generator loss, and the two ablations
 * @param optim      the two Adams, their schedule, EBM gradient clip and the weight EMA
 * @param maxRollbacks rollbacks to the last checkpoint (learning rates halved) before the run stops
 * @param cadence    log, image and checkpoint intervals (iterations)
 * @param ae         retrofit: the autoencoder pre-stage (null for synthesis and refine)
 * @param hat        a .npz/.safetensors file H starts from instead of its random initialisation
 *                   (WeightImport's name table; "" = none); read again when a run is resumed
 *                   before its first checkpoint
 */
public record HatEbmConfig(String preset, Mode mode, String data, int imageSize, int channels, int trainLimit,
                           int iterations, int batchSize, long seed, String generator, Nets nets, Chains chains,
                           Train train, Optim optim, int maxRollbacks, Cadence cadence, Ae ae, String hat) {

    /** The JSON form (config.json's "config" object), also what --set and --config address. */
    public static final ConfigType<HatEbmConfig> TYPE = new ConfigType<>(HatEbmConfig.class, "hatebm", java.util.Map.of());

    /** Names of the presets. */
    public static final List<String> PRESETS = List.of("fast", "fast-refine", "fast-retrofit", "paper-cifar10",
            "code-cifar10", "paper-cifar10-refine", "code-cifar10-refine", "paper-cifar10-retrofit",
            "code-cifar10-retrofit");

    /** What a run trains. */
    public enum Mode implements Choice {
        /** Conditional Hat EBM with a generator trained in tandem (Alg. 1). */
        SYNTHESIS,
        /** Joint Hat EBM on a frozen pretrained generator (z and y sampled together). */
        REFINE,
        /** The retrofit: a deterministic autoencoder first, then a joint Hat EBM on its frozen decoder. */
        RETROFIT;

        @Override
        public String toString() {
            return label();
        }

        @JsonCreator
        public static Mode of(String s) {
            return Choices.parse(Mode.class, "mode", s);
        }
    }

    /** Which generator layout (the nets of the run the generator comes from). */
    public enum GenLayout implements Choice {
        /** Hat EBM's {@code GenSNGAN32}/{@code 64}: Keras init and BN (ε 1e-3), half-pixel bilinear up-sampling. */
        HAT,
        /** Dual-MCMC's CIFAR-10 generator (constant width, Xavier init, PyTorch BN, align_corners). */
        DUALMCMC_CIFAR,
        /** Dual-MCMC's CelebA-64 generator (widths halving from genWidth). */
        DUALMCMC_CELEBA,
        /**
         * The retrofit autoencoder's decoder ({@code GenDecoder32}): latent 1×(S/2)×(S/2) (16×16×1 at
         * 32 px), stem and three blocks of genWidth channels, only the first block up-sampling.
         */
        RETROFIT;

        @Override
        public String toString() {
            return label();
        }

        @JsonCreator
        public static GenLayout of(String s) {
            return Choices.parse(GenLayout.class, "generator layout", s);
        }
    }

    /** Where the generator's regression targets come from (App. F ablation). */
    public enum GenTarget implements Choice {
        /** Eq. 11: B unique pairs of the persistent bank, made by earlier EBM chains (the paper's choice). */
        HISTORICAL,
        /** The pairs (Z, X⁻) of this iteration's chains (cooperative learning; App. F: diversity collapses). */
        CURRENT;

        @Override
        public String toString() {
            return label();
        }

        @JsonCreator
        public static GenTarget of(String s) {
            return Choices.parse(GenTarget.class, "generator target", s);
        }
    }

    /**
     * Nets (official CIFAR-10: latent 128, EBM and generator ngf 256; {@code gen_factor} 2.0 for
     * synthesis, 1.0 for refinement).
     *
     * @param latent    size of z
     * @param ebmWidth  H's width (its largest for images above 32 px)
     * @param genWidth  G's width (its largest for images above 32 px)
     * @param genFactor the generator's tanh output is multiplied by this
     * @param genLayout which generator (hat for synthesis; the source run's for refine)
     */
    public record Nets(int latent, int ebmWidth, int genWidth, double genFactor, GenLayout genLayout) {
        public Nets {
            require(latent >= 1, "nets.latent must be >= 1, got " + latent);
            require(ebmWidth >= 1, "nets.ebmWidth must be >= 1, got " + ebmWidth);
            require(genWidth >= 1, "nets.genWidth must be >= 1, got " + genWidth);
            require(genFactor > 0 && genFactor <= 100, "nets.genFactor must be in (0, 100], got " + genFactor);
            require(genLayout != null, "nets.genLayout is missing; use one of: " + Choices.labels(GenLayout.class));
        }
    }

    /**
     * Langevin. Eq. 6 (residual, Z fixed): Y ← Y − (ε²/2)·clip(∇_Y H(Y + G(Z))/T) − (ε²/2)·Y/σ² + ε·ξ
     * from Y₀ = 0, the clip a per-sample L2 clip to maxDisplacement/(ε²/2), so the drift moves no
     * sample by more than maxDisplacement per step. Joint sampling (refine) first updates Z ← Z −
     * (ε_z²/2)·∇_Z H(G(Z) + Y)/T + ε_z·ξ (no clip, no prior), then Y as above.
     *
     * @param steps           K during training (official 50 synthesis, 100/250 refine)
     * @param epsilon         ε of the image/residual chain (official 5e-4 synthesis, 1e-4 refine)
     * @param temperature     T (CIFAR-10 synthesis: paper 1e-3, code 1e-8)
     * @param maxDisplacement drift bound per step of each sample, 2.5 officially (0 = no clip)
     * @param priorSigma      σ of a Gaussian prior on Y (τ = 1/(2σ²); 0 = none)
     * @param zEpsilon        ε_z of the latent chain (refine 5e-3; also the no-residual ablation's chain)
     * @param testSteps       K at sampling time (official: CIFAR synth 125, refine 350)
     * @param testInitResidual Y₀ ~ this·N(0, I) at sampling time (official 0.01; 0 for refine)
     * @param testTemperature T at sampling time (official FID configs: 1e-3)
     * @param testClip        clip the residual gradient at sampling time (official FID configs: off, a key mismatch)
     */
    public record Chains(int steps, double epsilon, double temperature, double maxDisplacement, double priorSigma,
                         double zEpsilon, int testSteps, double testInitResidual, double testTemperature,
                         boolean testClip) {
        public Chains {
            require(steps >= 0 && steps <= 100_000, "chains.steps must be in [0, 100000], got " + steps);
            require(testSteps >= 0 && testSteps <= 100_000, "chains.testSteps must be in [0, 100000], got " + testSteps);
            require(epsilon > 0 && epsilon <= 1, "chains.epsilon must be in (0, 1] (images are in [-2, 2]), got " + epsilon);
            require(zEpsilon > 0 && zEpsilon <= 10, "chains.zEpsilon must be in (0, 10], got " + zEpsilon);
            require(temperature >= 1e-30 && temperature <= 1e6, "chains.temperature must be in [1e-30, 1e6], got " + temperature);
            require(testTemperature >= 1e-30 && testTemperature <= 1e6,
                    "chains.testTemperature must be in [1e-30, 1e6], got " + testTemperature);
            require(maxDisplacement >= 0 && Double.isFinite(maxDisplacement),
                    "chains.maxDisplacement must be >= 0 (0 = no clip), got " + maxDisplacement);
            require(priorSigma >= 0 && Double.isFinite(priorSigma), "chains.priorSigma must be >= 0 (0 = none), got " + priorSigma);
            require(testInitResidual >= 0 && testInitResidual <= 10,
                    "chains.testInitResidual must be in [0, 10], got " + testInitResidual);
        }

        /** The per-sample clip of ∇/T: maxDisplacement/(ε²/2) (0 = none). */
        public double gradClip() {
            return maxDisplacement / (epsilon * epsilon / 2);
        }
    }

    /**
     * @param dataEpsilon     X⁺ = data + this·N(0, I) (official 1e-3)
     * @param bankSize        persistent bank entries, rounded down to a multiple of the batch (official 10000)
     * @param genLossFactor   L(φ) = factor·mean((G(Z) − X)²) (official 1000)
     * @param generatorTarget historical (bank, Eq. 11) or current (this iteration's samples)
     * @param residual        true: Langevin on the residual Y (Eq. 6); false: the App. H ablation
     *                        U = H(G(z)), Langevin on z (ε_z, no clip), X⁻ = G(Z_K), and the
     *                        generator regresses G(Z₀) onto it
     * @param explodeThreshold |mean H(X⁺) − mean H(X⁻)| above this is divergence (rolled back with
     *                        halved learning rates by the shared guard); 0 = off, as the official code
     */
    public record Train(double dataEpsilon, int bankSize, double genLossFactor, GenTarget generatorTarget,
                        boolean residual, double explodeThreshold) {
        public Train {
            require(explodeThreshold >= 0 && Double.isFinite(explodeThreshold),
                    "train.explodeThreshold must be >= 0 (0 = off), got " + explodeThreshold);
            require(dataEpsilon >= 0 && dataEpsilon <= 1, "train.dataEpsilon must be in [0, 1], got " + dataEpsilon);
            require(bankSize >= 1, "train.bankSize must be >= 1, got " + bankSize);
            require(genLossFactor > 0 && Double.isFinite(genLossFactor), "train.genLossFactor must be > 0, got " + genLossFactor);
            require(generatorTarget != null, "train.generatorTarget is missing; use one of: " + Choices.labels(GenTarget.class));
        }
    }

    /**
     * Two Adams (official: lr 1e-4 both for synthesis, EBM 1e-5 for refine; β (0.9, 0.999)), a
     * piecewise-constant schedule (ImageNet code: × 0.1 at 230k and 260k), the per-tensor EBM
     * gradient clip (ImageNet: 50) and the weight EMA (0.9999, both nets).
     *
     * @param lrDrops      iterations at which both learning rates are multiplied by lrDropFactor, comma-separated ("" = none)
     * @param ebmGradClip  per-tensor clip_by_norm of the EBM's gradients (0 = none)
     * @param emaDecay     decay of the weight moving averages (0 = keep no average)
     */
    public record Optim(double lrE, double lrG, double beta1, double beta2, String lrDrops, double lrDropFactor,
                        double ebmGradClip, double emaDecay) {
        public Optim {
            require(lrE > 0 && lrE <= 1, "optim.lrE must be in (0, 1], got " + lrE);
            require(lrG > 0 && lrG <= 1, "optim.lrG must be in (0, 1], got " + lrG);
            require(beta1 >= 0 && beta1 < 1, "optim.beta1 must be in [0, 1), got " + beta1);
            require(beta2 >= 0 && beta2 < 1, "optim.beta2 must be in [0, 1), got " + beta2);
            require(lrDrops != null, "optim.lrDrops is missing (\"\" = none)");
            drops(lrDrops);
            require(lrDropFactor > 0 && lrDropFactor <= 1, "optim.lrDropFactor must be in (0, 1], got " + lrDropFactor);
            require(ebmGradClip >= 0 && Double.isFinite(ebmGradClip), "optim.ebmGradClip must be >= 0 (0 = none), got " + ebmGradClip);
            require(emaDecay >= 0 && emaDecay < 1, "optim.emaDecay must be in [0, 1), got " + emaDecay);
        }

        /** The drop iterations, ascending. */
        public long[] drops() {
            return drops(lrDrops);
        }

        private static long[] drops(String s) {
            if (s.isBlank()) {
                return new long[0];
            }
            long[] d;
            try {
                d = Arrays.stream(s.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            } catch (NumberFormatException e) {
                throw new EbmException("invalid Hat EBM setting: optim.lrDrops must be comma-separated iterations, got '" + s + "'");
            }
            for (int i = 0; i < d.length; i++) {
                require(d[i] > 0 && (i == 0 || d[i] > d[i - 1]),
                        "optim.lrDrops must be positive and ascending, got '" + s + "'");
            }
            return d;
        }

        /** lr, × lrDropFactor after each drop (piecewise constant in the optimizer step). */
        public LrSchedule schedule(double lr) {
            long[] b = drops();
            double[] v = new double[b.length + 1];
            for (int i = 0; i < v.length; i++) {
                v[i] = lr * Math.pow(lrDropFactor, i);
            }
            return LrSchedule.piecewise(b, v);
        }
    }

    /**
     * The retrofit's autoencoder pre-stage ({@code train_ae.py}, {@code configs_joint/cifar10_ae.py}):
     * L = lossFactor·mean((D(project(E(x)) + σ·ξ) − x)²), one Adam per net (β (0.9, 0.999), ε 1e-7),
     * batch, seed and cadence those of the run. Official: 100 epochs × 499 steps, lr 1e-4, σ 2e-2,
     * factor 1000.
     *
     * @param iterations  Adam steps of the autoencoder (before the EBM's iterations)
     * @param lr          learning rate of both nets
     * @param latentNoise σ of the noise added to the projected latent
     * @param lossFactor  λ on the mean squared error
     */
    public record Ae(int iterations, double lr, double latentNoise, double lossFactor) {
        public Ae {
            require(iterations >= 1, "ae.iterations must be >= 1, got " + iterations);
            require(lr > 0 && lr <= 1, "ae.lr must be in (0, 1], got " + lr);
            require(latentNoise >= 0 && latentNoise <= 10, "ae.latentNoise must be in [0, 10], got " + latentNoise);
            require(lossFactor > 0 && Double.isFinite(lossFactor), "ae.lossFactor must be > 0, got " + lossFactor);
        }

        /** The official CIFAR-10 values ({@link AutoencoderTrainer.Config#official}). */
        public static Ae official() {
            AutoencoderTrainer.Config o = AutoencoderTrainer.Config.official(0);
            return new Ae((int) o.iterations(), o.lr(), o.latentNoise(), o.lossFactor());
        }
    }

    /** A configuration without an autoencoder pre-stage (synthesis, refine). */
    public HatEbmConfig(String preset, Mode mode, String data, int imageSize, int channels, int trainLimit,
                        int iterations, int batchSize, long seed, String generator, Nets nets, Chains chains,
                        Train train, Optim optim, int maxRollbacks, Cadence cadence) {
        this(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator, nets, chains,
                train, optim, maxRollbacks, cadence, null, "");
    }

    /** A configuration whose H starts from its random initialisation. */
    public HatEbmConfig(String preset, Mode mode, String data, int imageSize, int channels, int trainLimit,
                        int iterations, int batchSize, long seed, String generator, Nets nets, Chains chains,
                        Train train, Optim optim, int maxRollbacks, Cadence cadence, Ae ae) {
        this(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator, nets, chains,
                train, optim, maxRollbacks, cadence, ae, "");
    }

    /** Whether Z and Y are sampled jointly on a frozen generator (refine, retrofit). */
    public boolean joint() {
        return mode != Mode.SYNTHESIS;
    }

    /** Validates every value; the message names the setting and its valid range. */
    public HatEbmConfig {
        require(mode != null, "mode is missing; use one of: " + Choices.labels(Mode.class));
        require(data != null, "data is missing (fashion-mnist, mnist or a folder)");
        require(generator != null, "generator is missing (\"\" for synthesis)");
        hat = hat == null ? "" : hat; // config.json files written before the setting existed
        require(imageSize >= 8 && Integer.bitCount(imageSize) == 1,
                "imageSize must be a power of two >= 8 (the nets halve and double it), got " + imageSize);
        require(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
        require(trainLimit >= 0, "trainLimit must be >= 0 (0 = all), got " + trainLimit);
        require(iterations >= 1, "iterations must be >= 1, got " + iterations);
        require(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
        require(nets != null && chains != null && train != null && optim != null,
                "the nets, chains, train and optim groups are required");
        require(maxRollbacks >= 0, "maxRollbacks must be >= 0, got " + maxRollbacks);
        require(cadence != null, "cadence (logEvery, imageEvery, checkpointEvery) is missing");
        if (mode == Mode.SYNTHESIS) {
            require(train.bankSize() >= batchSize || train.generatorTarget() == GenTarget.CURRENT,
                    "train.bankSize (" + train.bankSize() + ") must be >= batchSize (" + batchSize
                            + "): the bank is rounded down to whole batches");
            require(nets.genLayout() == GenLayout.HAT, "synthesis trains a hat generator; nets.genLayout must be hat, got "
                    + nets.genLayout());
        }
        if (mode != Mode.SYNTHESIS) {
            require(train.residual(), mode + " samples z and y jointly; train.residual=false is a synthesis ablation");
        }
        if (mode == Mode.REFINE) {
            require(nets.genLayout() != GenLayout.RETROFIT,
                    "refine takes a pretrained generator; a retrofit decoder is trained by mode retrofit ('hatebm retrofit')");
        }
        if (mode == Mode.RETROFIT) {
            require(ae != null, "retrofit needs the autoencoder group ae (iterations, lr, latentNoise, lossFactor)");
            require(nets.genLayout() == GenLayout.RETROFIT, "retrofit trains a retrofit decoder; nets.genLayout must be retrofit, got "
                    + nets.genLayout());
            int side = imageSize / 2;
            require(nets.latent() == side * side, "nets.latent must be (imageSize/2)² = " + side * side
                    + " for the retrofit decoder's 1×" + side + "×" + side + " latent, got " + nets.latent());
        } else {
            require(ae == null, "the autoencoder group ae is only for mode retrofit");
        }
    }

    /** Reads the JSON form (used by Jackson for config.json). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static HatEbmConfig fromJson(JsonNode node) {
        return TYPE.read(node);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new EbmException("invalid Hat EBM setting: " + message);
        }
    }

    /**
     * CIFAR-10 synthesis as appendix J gives it: 75000 steps, batch 128, T = 1e-3, K = 50, ε = 5e-4,
     * data ε 1e-3, bank 10000, Adam 1e-4 both, EMA 0.9999; sampling 125 steps from Y₀ ~ 0.01·N.
     * Needs --data.
     */
    public static HatEbmConfig paperCifar10() {
        return new HatEbmConfig("paper-cifar10", Mode.SYNTHESIS, "", 32, 3, 0, 75_000, 128, 1234, "",
                new Nets(128, 256, 256, 2.0, GenLayout.HAT),
                new Chains(50, 5e-4, 1e-3, 2.5, 0, 5e-3, 125, 0.01, 1e-3, true),
                new Train(1e-3, 10_000, 1000, GenTarget.HISTORICAL, true, 0),
                new Optim(1e-4, 1e-4, 0.9, 0.999, "", 0.1, 0, 0.9999), 3, new Cadence(50, 500, 1000));
    }

    /**
     * CIFAR-10 synthesis as the official code runs it ({@code configs_synth/cifar10_synth.py}): 50000
     * steps, T = 1e-8; sampling as {@code fid/fid_config_cifar10_synth.py} (T = 1e-3, and the
     * residual clip off because of its key mismatch).
     */
    public static HatEbmConfig codeCifar10() {
        HatEbmConfig p = paperCifar10();
        Chains c = p.chains();
        return new HatEbmConfig("code-cifar10", Mode.SYNTHESIS, "", 32, 3, 0, 50_000, 128, 1234, "", p.nets(),
                new Chains(c.steps(), c.epsilon(), 1e-8, c.maxDisplacement(), 0, c.zEpsilon(), 125, 0.01, 1e-3, false),
                p.train(), p.optim(), 3, p.cadence());
    }

    /**
     * CIFAR-10 refinement of a pretrained generator (appendix J): 20000 steps, EBM lr 1e-5, ε 1e-4,
     * ε_z 5e-3, K = 250, T = 1e-3, residual prior σ = 0.25, gen_factor 1; sampling 350 steps from
     * Y₀ = 0. Needs --data and --generator.
     */
    public static HatEbmConfig paperCifar10Refine() {
        return new HatEbmConfig("paper-cifar10-refine", Mode.REFINE, "", 32, 3, 0, 20_000, 128, 1234, "",
                new Nets(128, 256, 256, 1.0, GenLayout.HAT),
                new Chains(250, 1e-4, 1e-3, 2.5, 0.25, 5e-3, 350, 0, 1e-3, true),
                new Train(1e-3, 128, 1000, GenTarget.HISTORICAL, true, 0),
                new Optim(1e-5, 1e-5, 0.9, 0.999, "", 0.1, 0, 0.9999), 3, new Cadence(50, 500, 1000));
    }

    /** As the official code's {@code configs_joint/cifar10_refine.py}: 25000 steps, no residual prior in training. */
    public static HatEbmConfig codeCifar10Refine() {
        HatEbmConfig p = paperCifar10Refine();
        Chains c = p.chains();
        return new HatEbmConfig("code-cifar10-refine", Mode.REFINE, "", 32, 3, 0, 25_000, 128, 1234, "", p.nets(),
                new Chains(c.steps(), c.epsilon(), c.temperature(), c.maxDisplacement(), 0, c.zEpsilon(), 350, 0,
                        1e-3, false),
                p.train(), p.optim(), 3, p.cadence());
    }

    /**
     * A small CPU configuration: Fashion-MNIST at 32 px grey, nets of width 32 (1/8 of the
     * official), latent 64, batch 32, 600 iterations, K = 25 residual steps (sampling 25), bank
     * 2048, the code's T = 1e-8 (the drift is bounded by the clip from the first iteration; with the
     * paper's 1e-3 the drift starts 10⁵ times weaker and H needs far more updates to matter), the
     * official EBM lr 1e-4, generator lr ×2 and EMA decay 0.99 for the short run, and an explosion
     * test on the energy gap (50). With K = 10 and EBM lr 2e-4 two 600-iteration runs diverged from
     * about iteration 500 (three rollbacks in the guarded one); K = 25 with lr 1e-4 ran stably.
     */
    public static HatEbmConfig fast() {
        return new HatEbmConfig("fast", Mode.SYNTHESIS, "fashion-mnist", 32, 1, 0, 600, 32, 1234, "",
                new Nets(64, 32, 32, 2.0, GenLayout.HAT),
                new Chains(25, 5e-4, 1e-8, 2.5, 0, 5e-3, 25, 0.01, 1e-8, true),
                new Train(1e-3, 2048, 1000, GenTarget.HISTORICAL, true, 50),
                new Optim(1e-4, 2e-4, 0.9, 0.999, "", 0.1, 0, 0.99), 3, new Cadence(10, 100, 100));
    }

    /** A small CPU refinement (pass --generator): EBM width 32, K = 20 joint steps, the paper's ε, ε_z and T. */
    public static HatEbmConfig fastRefine() {
        HatEbmConfig p = paperCifar10Refine();
        Chains c = p.chains();
        return new HatEbmConfig("fast-refine", Mode.REFINE, "fashion-mnist", 32, 1, 0, 500, 32, 1234, "",
                new Nets(64, 32, 32, 1.0, GenLayout.HAT),
                new Chains(20, c.epsilon(), c.temperature(), c.maxDisplacement(), c.priorSigma(), c.zEpsilon(), 50, 0,
                        c.testTemperature(), true),
                new Train(1e-3, 32, 1000, GenTarget.HISTORICAL, true, 50),
                new Optim(1e-4, 1e-4, 0.9, 0.999, "", 0.1, 0, 0.999), 3, new Cadence(10, 100, 100));
    }

    /**
     * A small CPU retrofit: Fashion-MNIST at 32 px grey, a decoder and encoder of width 32 with the
     * official 16×16×1 latent and gen_factor 2; 400 autoencoder steps (lr 5e-4, the official σ 2e-2
     * and factor 1000), then 100 joint steps with K = 10 (sampling 25) and otherwise the values of
     * {@code fast-refine} (the paper's ε, ε_z, T and residual prior σ 0.25), EBM width 32. On the
     * shared 2-core machine one autoencoder step took about 1 s and one joint step about 1 s per
     * Langevin step (batch 32, one thread), so the preset takes about 25 minutes there, its 100
     * final samples included.
     */
    public static HatEbmConfig fastRetrofit() {
        HatEbmConfig r = fastRefine();
        Chains c = r.chains();
        return new HatEbmConfig("fast-retrofit", Mode.RETROFIT, "fashion-mnist", 32, 1, 0, 100, 32, 1234, "",
                new Nets(16 * 16, 32, 32, 2.0, GenLayout.RETROFIT),
                new Chains(10, c.epsilon(), c.temperature(), c.maxDisplacement(), c.priorSigma(), c.zEpsilon(), 25, 0,
                        c.testTemperature(), true),
                r.train(), r.optim(), 3, new Cadence(10, 25, 25), new Ae(400, 5e-4, 2e-2, 1000));
    }

    /**
     * CIFAR-10 retrofit as appendix J gives it: the official autoencoder pre-stage
     * ({@link Ae#official()}: 49,900 steps, Adam 1e-4, latent noise 2e-2, loss factor 1000), then
     * 30000 joint steps, batch 128, EBM lr 1e-4, K = 100, ε = 5e-4, ε_z = 1e-3, T = 1e-3, residual
     * prior σ = 0.1, data ε 1e-3, gen_factor 2, latent 16×16×1 on the sphere, nets of the official
     * width 256; sampling 125 steps from Y₀ ~ 0.01·N. Needs --data.
     */
    public static HatEbmConfig paperCifar10Retrofit() {
        return new HatEbmConfig("paper-cifar10-retrofit", Mode.RETROFIT, "", 32, 3, 0, 30_000, 128, 1234, "",
                new Nets(16 * 16, 256, 256, 2.0, GenLayout.RETROFIT),
                new Chains(100, 5e-4, 1e-3, 2.5, 0.1, 1e-3, 125, 0.01, 1e-3, true),
                new Train(1e-3, 128, 1000, GenTarget.HISTORICAL, true, 0),
                new Optim(1e-4, 1e-4, 0.9, 0.999, "", 0.1, 0, 0.9999), 3, new Cadence(50, 500, 1000), Ae.official());
    }

    /**
     * As the official code's joint retrofit configuration: 25000 joint steps and data ε 1e-2;
     * sampling with the residual clip off (the FID configs' key mismatch, as {@link #codeCifar10()}).
     */
    public static HatEbmConfig codeCifar10Retrofit() {
        HatEbmConfig p = paperCifar10Retrofit();
        Chains c = p.chains();
        Train t = p.train();
        return new HatEbmConfig("code-cifar10-retrofit", Mode.RETROFIT, "", 32, 3, 0, 25_000, 128, 1234, "", p.nets(),
                new Chains(c.steps(), c.epsilon(), c.temperature(), c.maxDisplacement(), c.priorSigma(), c.zEpsilon(),
                        c.testSteps(), c.testInitResidual(), c.testTemperature(), false),
                new Train(1e-2, t.bankSize(), t.genLossFactor(), t.generatorTarget(), t.residual(), t.explodeThreshold()),
                p.optim(), 3, p.cadence(), p.ae());
    }

    /** A preset by name ("paper" is paper-cifar10, "code" is code-cifar10). */
    public static HatEbmConfig preset(String name) {
        return switch (name) {
            case "fast" -> fast();
            case "fast-refine" -> fastRefine();
            case "fast-retrofit" -> fastRetrofit();
            case "paper", "paper-cifar10" -> paperCifar10();
            case "code", "code-cifar10" -> codeCifar10();
            case "paper-cifar10-refine", "paper-refine" -> paperCifar10Refine();
            case "code-cifar10-refine", "code-refine" -> codeCifar10Refine();
            case "paper-cifar10-retrofit", "paper-retrofit" -> paperCifar10Retrofit();
            case "code-cifar10-retrofit", "code-retrofit" -> codeCifar10Retrofit();
            default -> throw new EbmException("unknown preset '" + name + "'; use one of: " + String.join(", ", PRESETS));
        };
    }

    public HatEbmConfig withData(String d, int size, int c) {
        return new HatEbmConfig(preset, mode, d, size, c, trainLimit, iterations, batchSize, seed, generator, nets, chains,
                train, optim, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withTraining(int limit, int iters, int batch) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, limit, iters, batch, seed, generator, nets, chains,
                train, optim, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withSeed(long s) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, s, generator,
                nets, chains, train, optim, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withGenerator(String g, Nets n) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, g, n,
                chains, train, optim, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withAe(Ae a) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, chains, train, optim, maxRollbacks, cadence, a, hat);
    }

    public HatEbmConfig withHat(String file) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, chains, train, optim, maxRollbacks, cadence, ae, file);
    }

    public HatEbmConfig withNets(Nets n) {
        return withGenerator(generator, n);
    }

    public HatEbmConfig withChains(Chains c) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, c, train, optim, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withTrain(Train t) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, chains, t, optim, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withOptim(Optim o) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, chains, train, o, maxRollbacks, cadence, ae, hat);
    }

    public HatEbmConfig withCadence(Cadence c) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, chains, train, optim, maxRollbacks, c, ae, hat);
    }

    public HatEbmConfig withMaxRollbacks(int r) {
        return new HatEbmConfig(preset, mode, data, imageSize, channels, trainLimit, iterations, batchSize, seed, generator,
                nets, chains, train, optim, r, cadence, ae, hat);
    }

    /**
     * H ({@code EBMSNGAN32}/{@code 64}, App. E): the SN-GAN discriminator without spectral norm,
     * Glorot-uniform kernels, zero biases, final dense layer without bias. Up to 32 px: stem(down)
     * → block(down) → block → block at constant width; above: every stage down-samples and the
     * widths double up to ebmWidth (64 px: 64 → … → 1024 officially).
     */
    public ResidualEbm.Config ebmConfig() {
        ResBlock.Convs convs = new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM);
        int w = nets.ebmWidth();
        if (imageSize <= 32) {
            return new ResidualEbm.Config(channels, imageSize, new int[] {w, w, w, w},
                    new boolean[] {true, true, false, false}, convs);
        }
        int stages = Integer.numberOfTrailingZeros(imageSize) - 1;
        int[] widths = new int[stages];
        boolean[] down = new boolean[stages];
        for (int i = 0; i < stages; i++) {
            widths[i] = Math.max(1, w >> (stages - 1 - i));
            down[i] = true;
        }
        return new ResidualEbm.Config(channels, imageSize, widths, down, convs);
    }

    /**
     * G: the SN-GAN generator, 4×4 → up-blocks → BN → ReLU → conv → tanh × genFactor. hat: Keras
     * init and BN (ε 1e-3), half-pixel bilinear, constant width up to 32 px and halving above
     * ({@code GenSNGAN32}/{@code 64}); the Dual-MCMC layouts are those of its {@code nets.py}.
     * Hat EBM runs every generator with BN in test mode (App. E).
     */
    public Generator.Config generatorConfig() {
        int ups = Integer.numberOfTrailingZeros(imageSize / 4);
        int[] widths = new int[ups + 1];
        boolean halve = nets.genLayout() == GenLayout.DUALMCMC_CELEBA || (nets.genLayout() == GenLayout.HAT && imageSize > 32);
        for (int i = 0; i <= ups; i++) {
            widths[i] = halve ? Math.max(1, nets.genWidth() >> i) : nets.genWidth();
        }
        if (nets.genLayout() == GenLayout.HAT) {
            return new Generator.Config(nets.latent(), 4, widths, channels, nets.genFactor(),
                    new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM), false, 0.01f, 1e-3f);
        }
        return new Generator.Config(nets.latent(), 4, widths, channels, nets.genFactor(),
                new ResBlock.Convs(false, true, Init.Scheme.PYTORCH_XAVIER_NORMAL), true, 0.1f, 1e-5f);
    }

    /**
     * The retrofit decoder ({@code GenDecoder32}, App. E): latent 1×(S/2)×(S/2), stem and three blocks
     * of genWidth channels, only the first block after the stem up-sampling, Keras init and BN,
     * half-pixel bilinear, tanh × genFactor.
     */
    public RetrofitDecoder.Config decoderConfig() {
        int w = nets.genWidth();
        return new RetrofitDecoder.Config(1, imageSize / 2, new int[] {w, w, w, w}, new boolean[] {false, true, false, false},
                channels, nets.genFactor(), new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM), false,
                0.01f, 1e-3f);
    }

    /** The retrofit encoder ({@code InfEncoder32}): the decoder's mirror, output projected on the sphere of radius √D. */
    public RetrofitEncoder.Config encoderConfig() {
        int w = nets.genWidth();
        return new RetrofitEncoder.Config(channels, imageSize, new int[] {w, w, w, w}, new boolean[] {false, true, false, false},
                1, new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM), true, Sphere.EPS);
    }

    /** The autoencoder phase's settings: the ae group with the run's batch, seed and cadence. */
    public AutoencoderTrainer.Config autoencoder() {
        if (ae == null) {
            throw new EbmException("mode " + mode + " has no autoencoder pre-stage");
        }
        return new AutoencoderTrainer.Config(ae.iterations(), batchSize, ae.lr(), 0.9, 0.999, 1e-7, ae.latentNoise(),
                ae.lossFactor(), seed, cadence.logEvery(), cadence.checkpointEvery());
    }

    public int logEvery() {
        return cadence.logEvery();
    }

    public int imageEvery() {
        return cadence.imageEvery();
    }

    public int checkpointEvery() {
        return cadence.checkpointEvery();
    }
}
