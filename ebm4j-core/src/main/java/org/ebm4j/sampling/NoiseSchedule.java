package org.ebm4j.sampling;

/** Standard deviation of the Langevin noise as a function of the training iteration. */
@FunctionalInterface
public interface NoiseSchedule {
    double std(long iteration);

    static NoiseSchedule constant(double std) {
        return it -> std;
    }

    static NoiseSchedule none() {
        return it -> 0.0;
    }

    /**
     * PatchGenCN's get_noise_scale: max((init − min)·(1 − it/decaySteps), 0) + min, i.e. a linear
     * decay from {@code init} to {@code min} over {@code decaySteps} iterations, then constant.
     */
    static NoiseSchedule linearDecay(double init, double min, long decaySteps) {
        if (decaySteps <= 0) {
            return it -> min;
        }
        return it -> Math.max((init - min) * (1.0 - (double) it / decaySteps), 0.0) + min;
    }
}
