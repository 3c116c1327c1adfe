package org.ebm4j.optim;

/** Learning rate as a function of the optimiser step (0-based). */
@FunctionalInterface
public interface LrSchedule {
    double lr(long step);

    static LrSchedule constant(double lr) {
        return s -> lr;
    }

    /**
     * tf.train.polynomial_decay with power 1 (PatchGenCN): linear from {@code init} to {@code floor}
     * over {@code decaySteps} steps, then constant at the floor.
     */
    static LrSchedule linearToFloor(double init, double floor, long decaySteps) {
        if (decaySteps <= 0) {
            return s -> floor;
        }
        return s -> {
            double frac = Math.min(s, decaySteps) / (double) decaySteps;
            return (init - floor) * (1.0 - frac) + floor;
        };
    }

    /** lr·gamma^(step / every) with integer division (per-epoch decay, e.g. Dual-MCMC 0.998). */
    static LrSchedule exponential(double init, double gamma, long every) {
        return s -> init * Math.pow(gamma, Math.floorDiv(s, Math.max(1, every)));
    }

    /** Piecewise constant: values[i] applies from boundaries[i-1] (inclusive) to boundaries[i]. */
    static LrSchedule piecewise(long[] boundaries, double[] values) {
        if (values.length != boundaries.length + 1) {
            throw new IllegalArgumentException("piecewise schedule needs one more value than boundaries");
        }
        return s -> {
            for (int i = 0; i < boundaries.length; i++) {
                if (s < boundaries[i]) {
                    return values[i];
                }
            }
            return values[values.length - 1];
        };
    }
}
