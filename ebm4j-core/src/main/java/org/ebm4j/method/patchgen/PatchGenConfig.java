package org.ebm4j.method.patchgen;

import org.ebm4j.core.EbmException;

/**
 * Every setting of a PatchGenCN run; saved as the run's config.json. Defaults of the "paper"
 * preset are the official train.py argparse values (methods.md §2.5).
 *
 * @param preset           name of the preset the values started from
 * @param numScales        number of pyramid scales
 * @param minSize          coarsest shortest side
 * @param maxSize          cap on the finest longest side (the official code refuses ≥ 256; ebm4j allows it)
 * @param iterations       training iterations per scale
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
 * @param noiseType        "uniform" or "gauss" initial noise at the coarsest scale (grey)
 * @param earlyStop        what to do when the recovery error explodes: "restart", "warn" or "stop"
 * @param earlyStopThreshold rec_mse/(h·w) above which the guard fires (official: 2)
 * @param maxRestarts      restarts of one scale before the run stops with an error
 * @param logEvery         log interval (iterations)
 * @param imageEvery       interval of syn/rec image dumps (iterations)
 * @param checkpointEvery  interval of mid-scale checkpoints (0 = only at the end of each scale)
 * @param initStd          std of the N(0, σ) kernel initialisation
 */
public record PatchGenConfig(
        String preset, int numScales, int minSize, int maxSize, int iterations,
        int stepsInit, int steps, int stepsRec, double stepSize,
        double noiseInit, double noiseMin, int noiseDecayIters,
        double lambdaRec, double initFactor,
        double lrInit, double lrMin, int lrDecayIters, double beta1, double beta2, double gradClamp,
        int pad, long seed, boolean quantize8, String noiseType,
        String earlyStop, double earlyStopThreshold, int maxRestarts,
        int logEvery, int imageEvery, int checkpointEvery, double initStd) {

    /** The official defaults: 8 scales, max side 250, 4000 iterations per scale. */
    public static PatchGenConfig paper() {
        return new PatchGenConfig("paper", 8, 25, 250, 4000, 60, 30, 30, 0.01,
                0.01, 0.0, 1000, 0.1, 0.75, 4e-4, 5e-5, 3200, 0.5, 0.999, 0.0,
                5, 1, true, "uniform", "restart", 2.0, 2, 25, 200, 500, 0.005);
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

    public static PatchGenConfig preset(String name) {
        return switch (name) {
            case "paper" -> paper();
            case "fast" -> fast();
            case "long" -> longer();
            default -> throw new EbmException("unknown preset '" + name + "'; use one of: fast, long, paper");
        };
    }

    /** Checks every value; the message names the offending setting and its valid range. */
    public PatchGenConfig validate() {
        require(numScales >= 1 && numScales <= 20, "scales must be between 1 and 20, got " + numScales);
        require(minSize >= 8, "min-size must be >= 8 (the patch net needs room), got " + minSize);
        require(maxSize >= minSize, "max-size (" + maxSize + ") must be >= min-size (" + minSize + ")");
        require(iterations >= 1, "iterations must be >= 1, got " + iterations);
        require(stepsInit >= 0 && steps >= 0 && stepsRec >= 0, "Langevin steps must be >= 0");
        require(stepSize > 0, "step size must be > 0, got " + stepSize);
        require(noiseInit >= 0 && noiseMin >= 0, "noise levels must be >= 0");
        require(lrInit > 0 && lrMin >= 0, "learning rates must be positive");
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1)");
        require(pad >= 0, "pad must be >= 0");
        require(initFactor > 0 && initFactor < 1, "init factor must be in (0, 1), got " + initFactor);
        require(noiseType.equals("uniform") || noiseType.equals("gauss"), "noise type must be uniform or gauss");
        require(earlyStop.equals("restart") || earlyStop.equals("warn") || earlyStop.equals("stop"),
                "early-stop must be restart, warn or stop, got " + earlyStop);
        require(logEvery >= 1 && imageEvery >= 1 && checkpointEvery >= 0, "intervals must be positive");
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

    /** Sets the iterations per scale and rescales the noise and lr decays by the paper's ratios (1/4, 4/5). */
    public PatchGenConfig withIterations(int iters) {
        Builder b = toBuilder();
        b.iterations = iters;
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

    public PatchGenConfig withEarlyStop(String policy, double threshold) {
        Builder b = toBuilder();
        b.earlyStop = policy;
        b.earlyStopThreshold = threshold;
        return b.build();
    }

    /** A mutable copy of every field, for changing any subset of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable form of the config; {@link #build()} makes the record (validate it with {@link #validate()}). */
    public static final class Builder {
        public String preset;
        public int numScales;
        public int minSize;
        public int maxSize;
        public int iterations;
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
        public String noiseType;
        public String earlyStop;
        public double earlyStopThreshold;
        public int maxRestarts;
        public int logEvery;
        public int imageEvery;
        public int checkpointEvery;
        public double initStd;

        Builder(PatchGenConfig c) {
            preset = c.preset;
            numScales = c.numScales;
            minSize = c.minSize;
            maxSize = c.maxSize;
            iterations = c.iterations;
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
            logEvery = c.logEvery;
            imageEvery = c.imageEvery;
            checkpointEvery = c.checkpointEvery;
            initStd = c.initStd;
        }

        public PatchGenConfig build() {
            return new PatchGenConfig(preset, numScales, minSize, maxSize, iterations, stepsInit, steps, stepsRec,
                    stepSize, noiseInit, noiseMin, noiseDecayIters, lambdaRec, initFactor, lrInit, lrMin,
                    lrDecayIters, beta1, beta2, gradClamp, pad, seed, quantize8, noiseType, earlyStop,
                    earlyStopThreshold, maxRestarts, logEvery, imageEvery, checkpointEvery, initStd);
        }
    }

    /** Langevin steps of the synthesis chain at scale s. */
    public int stepsAt(int scale) {
        return scale == 0 ? stepsInit : steps;
    }
}
