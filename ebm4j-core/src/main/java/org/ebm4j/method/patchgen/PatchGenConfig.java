package org.ebm4j.method.patchgen;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.config.Choice;
import org.ebm4j.config.Choices;
import org.ebm4j.config.ConfigType;
import org.ebm4j.core.EbmException;

/**
 * Every setting of a PatchGenCN run; saved as the run's config.json. Defaults of the "paper"
 * preset are the official train.py argparse values (methods.md §2.5).
 *
 * @param preset           name of the preset the values started from
 * @param numScales        number of pyramid scales
 * @param minSize          coarsest shortest side
 * @param maxSize          cap on the finest longest side (the official code refuses ≥ 256; ebm4j allows it)
 * @param iterations       training iterations per scale (the reference length of the schedules below)
 * @param scaleIterations  iterations of each scale, coarse to fine, overriding {@code iterations}; a
 *                         scale past the end of the array takes its last value; empty = {@code iterations}
 *                         everywhere (the official code). The noise and lr decays of a scale are
 *                         compressed by its iterations / {@code iterations}, so every scale keeps the
 *                         schedule's shape
 * @param stepsInit        Langevin steps at the coarsest scale
 * @param steps            Langevin steps at the other scales
 * @param stepsRec         steps of the noise-free recovery chain
 * @param stepSize         δ²; the drift coefficient is stepSize/2
 * @param noiseInit        Langevin noise std at iteration 0
 * @param noiseMin         noise std after the decay (and at sampling time)
 * @param noiseDecayIters  iterations over which the noise decays linearly
 * @param lambdaRec        weight of the recovery term in the loss
 * @param initFactor       blur factor of the recovery chain's initial image
 * @param lrInit           Adam learning rate at iteration 0
 * @param lrMin            learning-rate floor
 * @param lrDecayIters     iterations of the linear decay to the floor
 * @param beta1            Adam β1
 * @param beta2            Adam β2
 * @param gradClamp        per-tensor gradient norm clip (0 = off)
 * @param pad              zero padding of the image before the net
 * @param seed             base seed of every random draw
 * @param quantize8        round images to 8 bits between scales, as the official code does via PIL
 * @param noiseType        uniform or gauss initial noise at the coarsest scale (grey)
 * @param earlyStop        what to do when the recovery error explodes: restart, warn or stop
 * @param earlyStopThreshold rec_mse/(h·w) above which the guard fires (official: 2)
 * @param maxRestarts      restarts of one scale before the run stops with an error
 * @param cadence          log interval, interval of syn/rec image dumps and of mid-scale checkpoints
 *                         (iterations; checkpointEvery 0 = only at the end of each scale)
 * @param initStd          std of the N(0, σ) kernel initialisation
 * @param netSize          which net every scale uses: auto = the official rule (net (a) below 64 px,
 *                         net (b) from 64 px), small = net (a) everywhere (4× cheaper per pixel), medium
 *                         = net (b) everywhere
 * @param scaleInit        how a scale's net starts: fresh = N(0, initStd) kernels (the official code),
 *                         coarser = the trained net of the next coarser scale (as SinGAN initialises
 *                         each scale), in the leading channels when the net is wider
 * @param scaleNoise       std of Gaussian noise added to the up-sampled image at the start of every
 *                         synthesis chain above the coarsest scale (SinGAN's per-scale noise; 0 = none,
 *                         the official code); the recovery ('fix') chains never get it
 *
 * <p>Every value is checked when the record is made: an invalid config cannot exist, and the
 * message names the setting and its valid range. config.json files of ebm4j 0.1.0 (flat
 * logEvery/imageEvery/checkpointEvery) still load.
 */
public record PatchGenConfig(
        String preset, int numScales, int minSize, int maxSize, int iterations, int[] scaleIterations,
        int stepsInit, int steps, int stepsRec, double stepSize,
        double noiseInit, double noiseMin, int noiseDecayIters,
        double lambdaRec, double initFactor,
        double lrInit, double lrMin, int lrDecayIters, double beta1, double beta2, double gradClamp,
        int pad, long seed, boolean quantize8, NoiseType noiseType,
        EarlyStop earlyStop, double earlyStopThreshold, int maxRestarts,
        Cadence cadence, double initStd, NetSize netSize, ScaleInit scaleInit, double scaleNoise) {

    /** The JSON form (config.json's "config" object), also what --set and --config address. */
    public static final ConfigType<PatchGenConfig> TYPE = new ConfigType<>(PatchGenConfig.class, "patchgen",
            ConfigType.aliases("logEvery", "cadence.logEvery", "imageEvery", "cadence.imageEvery",
                    "checkpointEvery", "cadence.checkpointEvery"));

    /** Initial noise at the coarsest scale. */
    public enum NoiseType implements Choice {
        UNIFORM, GAUSS;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static NoiseType of(String s) {
            return Choices.parse(NoiseType.class, "noise type", s);
        }
    }

    /** How a scale's net is initialised. */
    public enum ScaleInit implements Choice {
        /** N(0, initStd) kernels and zero biases at every scale (the official code). */
        FRESH,
        /**
         * A copy of the next coarser scale's trained net (SinGAN's practice; Shaham, Dekel and
         * Michaeli, "SinGAN", 2019), in the leading channels of a wider net with the rest fresh: the
         * finer net starts from patch statistics one scale blurrier instead of from nearly nothing.
         */
        COARSER;

        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static ScaleInit of(String s) {
            return Choices.parse(ScaleInit.class, "scale init", s);
        }
    }

    /** The net of every scale (supplement Table 1). */
    public enum NetSize implements Choice {
        /** The official rule: net (a) when max(w, h) &lt; 64, else net (b). */
        AUTO,
        /** Net (a), 64-32-32-32 channels, at every scale. */
        SMALL,
        /** Net (b), 128-64-64-64 channels, at every scale. */
        MEDIUM;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static NetSize of(String s) {
            return Choices.parse(NetSize.class, "net size", s);
        }
    }

    /** What the guard does when the recovery error explodes. */
    public enum EarlyStop implements Choice {
        /** Restart the scale from a fresh net (bounded by maxRestarts). */
        RESTART,
        /** Log a warning and go on. */
        WARN,
        /** Stop the run with an error. */
        STOP;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label: "unknown early-stop 'x'; use one of: restart, warn, stop". */
        @JsonCreator
        public static EarlyStop of(String s) {
            return Choices.parse(EarlyStop.class, "early-stop", s);
        }
    }

    /** Validates every value; the message names the offending setting and its valid range. */
    public PatchGenConfig {
        require(numScales >= 1 && numScales <= 20, "numScales (--scales) must be between 1 and 20, got " + numScales);
        require(minSize >= 8, "minSize (--min-size) must be >= 8 (the patch net needs room), got " + minSize);
        require(maxSize >= minSize, "maxSize (" + maxSize + ") must be >= minSize (" + minSize + ")");
        require(iterations >= 1, "iterations must be >= 1, got " + iterations);
        // an old config.json has no scaleIterations: Java's default (null) means "iterations everywhere"
        scaleIterations = scaleIterations == null ? new int[0] : scaleIterations.clone();
        for (int v : scaleIterations) {
            require(v >= 1, "every scaleIterations value must be >= 1, got " + java.util.Arrays.toString(scaleIterations));
        }
        require(stepsInit >= 0, "stepsInit must be >= 0, got " + stepsInit);
        require(steps >= 0, "steps must be >= 0, got " + steps);
        require(stepsRec >= 0, "stepsRec must be >= 0, got " + stepsRec);
        require(stepSize > 0 && Double.isFinite(stepSize), "stepSize must be > 0, got " + stepSize);
        require(noiseInit >= 0, "noiseInit must be >= 0, got " + noiseInit);
        require(noiseMin >= 0, "noiseMin must be >= 0, got " + noiseMin);
        require(noiseDecayIters >= 0, "noiseDecayIters must be >= 0 (0 = noiseMin from the start), got " + noiseDecayIters);
        require(lambdaRec >= 0, "lambdaRec must be >= 0, got " + lambdaRec);
        require(lrInit > 0, "lrInit must be > 0, got " + lrInit);
        require(lrMin >= 0, "lrMin must be >= 0, got " + lrMin);
        require(lrDecayIters >= 0, "lrDecayIters must be >= 0 (0 = lrMin from the start), got " + lrDecayIters);
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
        require(gradClamp >= 0, "gradClamp must be >= 0 (0 = off), got " + gradClamp);
        require(pad >= 0, "pad must be >= 0, got " + pad);
        require(initFactor > 0 && initFactor < 1, "initFactor must be in (0, 1), got " + initFactor);
        require(noiseType != null, "noiseType is missing; use one of: " + Choices.labels(NoiseType.class));
        require(earlyStop != null, "earlyStop is missing; use one of: " + Choices.labels(EarlyStop.class));
        require(earlyStopThreshold > 0, "earlyStopThreshold must be > 0, got " + earlyStopThreshold);
        require(maxRestarts >= 0, "maxRestarts must be >= 0, got " + maxRestarts);
        require(cadence != null, "cadence (logEvery, imageEvery, checkpointEvery) is missing");
        require(initStd > 0, "initStd must be > 0, got " + initStd);
        require(scaleNoise >= 0 && Double.isFinite(scaleNoise), "scaleNoise must be >= 0 (0 = none), got " + scaleNoise);
        // an old config.json has no netSize: the official rule, as before the setting existed
        netSize = netSize == null ? NetSize.AUTO : netSize;
        // nor scaleInit: fresh nets, as before the setting existed
        scaleInit = scaleInit == null ? ScaleInit.FRESH : scaleInit;
    }

    /** Equal when the JSON forms are equal (a record's own equals compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof PatchGenConfig c && TYPE.toTree(this).equals(TYPE.toTree(c));
    }

    @Override
    public int hashCode() {
        return TYPE.toTree(this).hashCode();
    }

    /** A copy: the record owns its array. */
    @Override
    public int[] scaleIterations() {
        return scaleIterations.clone();
    }

    /** Channel widths of the net of a w × h scale under {@link #netSize}. */
    public int[] netWidths(int width, int height) {
        return switch (netSize) {
            case AUTO -> org.ebm4j.nn.PatchEnergyNet.widthsFor(width, height);
            case SMALL -> org.ebm4j.nn.PatchEnergyNet.WIDTHS_SMALL;
            case MEDIUM -> org.ebm4j.nn.PatchEnergyNet.WIDTHS_MEDIUM;
        };
    }

    /** Training iterations of scale s: scaleIterations[s] (its last value past its end), else iterations. */
    public int iterationsAt(int scale) {
        if (scaleIterations.length == 0) {
            return iterations;
        }
        return scaleIterations[Math.min(scale, scaleIterations.length - 1)];
    }

    /** Iterations of the noise decay at scale s: noiseDecayIters compressed by iterationsAt(s)/iterations. */
    public int noiseDecayItersAt(int scale) {
        return compress(noiseDecayIters, scale);
    }

    /** Iterations of the lr decay at scale s: lrDecayIters compressed by iterationsAt(s)/iterations. */
    public int lrDecayItersAt(int scale) {
        return compress(lrDecayIters, scale);
    }

    private int compress(int decay, int scale) {
        int n = iterationsAt(scale);
        if (n == iterations || decay == 0) {
            return decay;
        }
        return Math.max(1, (int) Math.round((double) decay * n / iterations));
    }

    /** Iterations of scales from..numScales−1 together (progress totals). */
    public long iterationsFrom(int from) {
        long total = 0;
        for (int s = from; s < numScales; s++) {
            total += iterationsAt(s);
        }
        return total;
    }

    /** Reads the JSON form, current or ebm4j 0.1.0's flat one (used by Jackson for config.json). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static PatchGenConfig fromJson(JsonNode node) {
        return TYPE.read(node);
    }

    /** Log interval (iterations). */
    public int logEvery() {
        return cadence.logEvery();
    }

    /** Interval of syn/rec image dumps (iterations). */
    public int imageEvery() {
        return cadence.imageEvery();
    }

    /** Interval of mid-scale checkpoints (0 = only at the end of each scale). */
    public int checkpointEvery() {
        return cadence.checkpointEvery();
    }

    /** The official defaults: 8 scales, max side 250, 4000 iterations per scale. */
    public static PatchGenConfig paper() {
        return new PatchGenConfig("paper", 8, 25, 250, 4000, new int[0], 60, 30, 30, 0.01,
                0.01, 0.0, 1000, 0.1, 0.75, 4e-4, 5e-5, 3200, 0.5, 0.999, 0.0,
                5, 1, true, NoiseType.UNIFORM, EarlyStop.RESTART, 2.0, 2, new Cadence(25, 200, 500), 0.005, NetSize.AUTO,
                ScaleInit.FRESH, 0.0);
    }

    /**
     * Finishes in 7–9 minutes on 2 CPU cores: 5 scales up to 56 px (every scale uses the small
     * net (a); net (b) from 64 px costs 4× more), 150 iterations per scale with the schedules
     * compressed proportionally (noise over the first quarter, lr over 80 %) and shorter chains
     * (30 steps at the coarsest scale, 20 above).
     */
    public static PatchGenConfig fast() {
        return paper().withPreset("fast").withScales(5, 25, 56).withIterations(150).withSteps(30, 20, 20)
                .withIntervals(15, 50, 50);
    }

    /**
     * The fast preset with 500 instead of 150 iterations per scale (same as {@code --preset fast
     * --iters 500}): the "longer" rows of docs/PATCHGENCN.md; expected ≈ 3.3× the fast preset's time.
     */
    public static PatchGenConfig longer() {
        return fast().withPreset("long").withIterations(500);
    }

    /**
     * Samples that keep the training image's layout at 128 px in about an hour on 2 CPU cores. Layout
     * comes from the coarsest scale (shortest side 25, as the paper), which is cheap, so it keeps the
     * paper's 60-step chains and trains 1600 iterations; the finer scales, where net (b) makes an
     * iteration up to 20× dearer, refine it with fewer iterations (500, 300, 150, 150) and 15-step
     * chains. Five scales instead of eight (r ≈ 0.71 instead of 0.76). Each scale's noise and lr
     * decays keep the paper's shape, compressed to its length. Every scale above the coarsest starts
     * from the coarser scale's trained net ({@link ScaleInit#COARSER}, SinGAN's practice; the official
     * PatchGenCN code starts each scale fresh): in 150–500 iterations a fresh fine-scale net hardly
     * moves from its N(0, 0.005) start and the samples stay blurred, while warm-started ones learn
     * patch detail (on the cat, the balloons and the starry night, one seed each, the samples' SWD
     * to the training image's patches about halves; docs/PATCHGENCN.md).
     */
    public static PatchGenConfig quality() {
        Builder b = paper().withPreset("quality").withScales(5, 25, 128).withSteps(60, 15, 15)
                .withIntervals(25, 100, 100).toBuilder();
        b.scaleIterations = new int[] {1600, 500, 300, 150, 150};
        b.scaleInit = ScaleInit.COARSER;
        return b.build();
    }

    public static PatchGenConfig preset(String name) {
        return switch (name) {
            case "paper" -> paper();
            case "fast" -> fast();
            case "long" -> longer();
            case "quality" -> quality();
            default -> throw new EbmException("unknown preset '" + name + "'; use one of: fast, long, quality, paper");
        };
    }

    /**
     * Kept for callers of ebm4j 0.1.0: the record is validated when it is made, so this returns it unchanged.
     *
     * @return this
     */
    public PatchGenConfig validate() {
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new EbmException("invalid PatchGenCN setting: " + message);
        }
    }

    public PatchGenConfig withPreset(String p) {
        Builder b = toBuilder();
        b.preset = p;
        return b.build();
    }

    public PatchGenConfig withScales(int scales, int min, int max) {
        Builder b = toBuilder();
        b.numScales = scales;
        b.minSize = min;
        b.maxSize = max;
        return b.build();
    }

    /**
     * Sets the iterations of every scale (clearing scaleIterations) and rescales the noise and lr
     * decays by the paper's ratios (1/4, 4/5).
     */
    public PatchGenConfig withIterations(int iters) {
        Builder b = toBuilder();
        b.iterations = iters;
        b.scaleIterations = new int[0];
        b.noiseDecayIters = Math.max(1, iters / 4);
        b.lrDecayIters = Math.max(1, iters * 4 / 5);
        return b.build();
    }

    public PatchGenConfig withSeed(long s) {
        Builder b = toBuilder();
        b.seed = s;
        return b.build();
    }

    public PatchGenConfig withIntervals(int log, int image, int checkpoint) {
        Builder b = toBuilder();
        b.logEvery = log;
        b.imageEvery = image;
        b.checkpointEvery = checkpoint;
        return b.build();
    }

    public PatchGenConfig withSteps(int init, int other, int rec) {
        Builder b = toBuilder();
        b.stepsInit = init;
        b.steps = other;
        b.stepsRec = rec;
        return b.build();
    }

    /** Sets the early-stop policy by its label (restart, warn, stop) and the threshold. */
    public PatchGenConfig withEarlyStop(String policy, double threshold) {
        return withEarlyStop(EarlyStop.of(policy), threshold);
    }

    public PatchGenConfig withEarlyStop(EarlyStop policy, double threshold) {
        Builder b = toBuilder();
        b.earlyStop = policy;
        b.earlyStopThreshold = threshold;
        return b.build();
    }

    /** A mutable copy of every field, for changing any subset of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable form of the config (cadence flattened); {@link #build()} makes and validates the record. */
    public static final class Builder {
        public String preset;
        public int numScales;
        public int minSize;
        public int maxSize;
        public int iterations;
        public int[] scaleIterations;
        public int stepsInit;
        public int steps;
        public int stepsRec;
        public double stepSize;
        public double noiseInit;
        public double noiseMin;
        public int noiseDecayIters;
        public double lambdaRec;
        public double initFactor;
        public double lrInit;
        public double lrMin;
        public int lrDecayIters;
        public double beta1;
        public double beta2;
        public double gradClamp;
        public int pad;
        public long seed;
        public boolean quantize8;
        public NoiseType noiseType;
        public EarlyStop earlyStop;
        public double earlyStopThreshold;
        public int maxRestarts;
        public int logEvery;
        public int imageEvery;
        public int checkpointEvery;
        public double initStd;
        public NetSize netSize;
        public ScaleInit scaleInit;
        public double scaleNoise;

        Builder(PatchGenConfig c) {
            preset = c.preset;
            numScales = c.numScales;
            minSize = c.minSize;
            maxSize = c.maxSize;
            iterations = c.iterations;
            scaleIterations = c.scaleIterations.clone();
            stepsInit = c.stepsInit;
            steps = c.steps;
            stepsRec = c.stepsRec;
            stepSize = c.stepSize;
            noiseInit = c.noiseInit;
            noiseMin = c.noiseMin;
            noiseDecayIters = c.noiseDecayIters;
            lambdaRec = c.lambdaRec;
            initFactor = c.initFactor;
            lrInit = c.lrInit;
            lrMin = c.lrMin;
            lrDecayIters = c.lrDecayIters;
            beta1 = c.beta1;
            beta2 = c.beta2;
            gradClamp = c.gradClamp;
            pad = c.pad;
            seed = c.seed;
            quantize8 = c.quantize8;
            noiseType = c.noiseType;
            earlyStop = c.earlyStop;
            earlyStopThreshold = c.earlyStopThreshold;
            maxRestarts = c.maxRestarts;
            logEvery = c.cadence.logEvery();
            imageEvery = c.cadence.imageEvery();
            checkpointEvery = c.cadence.checkpointEvery();
            initStd = c.initStd;
            netSize = c.netSize;
            scaleInit = c.scaleInit;
            scaleNoise = c.scaleNoise;
        }

        public PatchGenConfig build() {
            return new PatchGenConfig(preset, numScales, minSize, maxSize, iterations, scaleIterations, stepsInit, steps, stepsRec,
                    stepSize, noiseInit, noiseMin, noiseDecayIters, lambdaRec, initFactor, lrInit, lrMin,
                    lrDecayIters, beta1, beta2, gradClamp, pad, seed, quantize8, noiseType, earlyStop,
                    earlyStopThreshold, maxRestarts, new Cadence(logEvery, imageEvery, checkpointEvery), initStd, netSize, scaleInit,
                    scaleNoise);
        }
    }

    /** Langevin steps of the synthesis chain at scale s. */
    public int stepsAt(int scale) {
        return scale == 0 ? stepsInit : steps;
    }
}
