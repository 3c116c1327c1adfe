package org.ebm4j.eval;

import java.util.List;
import org.ebm4j.image.FloatImage;

/**
 * Sample diversity as in SinGAN (Shaham et al. 2019, §4 "diversity"): the per-pixel standard deviation
 * over the fake samples, averaged over all pixels and channels, divided by the standard deviation of
 * the real image's pixel values (all pixels and channels pooled). Both standard deviations are
 * population ones (ddof = 0, {@code np.std}). The ratio does not depend on the value scale.
 *
 * <p>All fakes must have the same shape; the real image may have another size (its std is taken on
 * the image as is).
 */
public final class Diversity {
    private Diversity() {}

    /**
     * @throws IllegalArgumentException for fewer than 2 fakes, fakes of different shapes, non-finite
     *     values, or a constant real image (std 0, ratio undefined)
     */
    public static double of(FloatImage real, List<FloatImage> fakes) {
        PatchSampler.checkImage(real, "real");
        if (fakes == null || fakes.size() < 2) {
            throw new IllegalArgumentException("diversity needs at least 2 fake images, got "
                    + (fakes == null ? 0 : fakes.size()));
        }
        FloatImage f0 = fakes.get(0);
        for (int i = 0; i < fakes.size(); i++) {
            FloatImage f = fakes.get(i);
            PatchSampler.checkImage(f, "fake " + i);
            if (f.channels() != f0.channels() || f.height() != f0.height() || f.width() != f0.width()) {
                throw new IllegalArgumentException("diversity needs fakes of one size: fake 0 is " + shape(f0)
                        + " but fake " + i + " is " + shape(f));
            }
        }
        double realStd = std(real.data());
        if (!(realStd > 0)) {
            throw new IllegalArgumentException("the real image is constant (pixel std 0); diversity is undefined");
        }
        int n = fakes.size();
        int len = f0.data().length;
        double sum = 0;
        for (int i = 0; i < len; i++) {
            double m = 0;
            for (FloatImage f : fakes) m += f.data()[i];
            m /= n;
            double v = 0;
            for (FloatImage f : fakes) {
                double d = f.data()[i] - m;
                v += d * d;
            }
            sum += Math.sqrt(v / n);
        }
        return (sum / len) / realStd;
    }

    static double std(float[] x) {
        double m = 0;
        for (float v : x) m += v;
        m /= x.length;
        double s = 0;
        for (float v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / x.length);
    }

    private static String shape(FloatImage f) {
        return f.channels() + "x" + f.height() + "x" + f.width();
    }
}
