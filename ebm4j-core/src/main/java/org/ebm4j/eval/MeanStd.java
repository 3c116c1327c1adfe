package org.ebm4j.eval;

import java.util.Arrays;

/**
 * Mean and <b>population</b> standard deviation (ddof = 0, as {@code np.std}) of per-sample values,
 * e.g. a metric computed for each fake image of a folder. The values are kept, in input order.
 */
public record MeanStd(double mean, double std, double[] values) {

    public MeanStd {
        values = values.clone();
    }

    /** Mean and population std of {@code values}. */
    public static MeanStd of(double[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("need at least one value for a mean");
        }
        double m = 0;
        for (double v : values) m += v;
        m /= values.length;
        double s = 0;
        for (double v : values) s += (v - m) * (v - m);
        return new MeanStd(m, Math.sqrt(s / values.length), values);
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public String toString() {
        return mean + " ± " + std + " " + Arrays.toString(values);
    }
}
