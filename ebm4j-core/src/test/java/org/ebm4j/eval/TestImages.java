package org.ebm4j.eval;

import java.util.Random;
import org.ebm4j.image.FloatImage;

/** Small deterministic synthetic RGB textures in [-1, 1] for the single-image metric tests. */
final class TestImages {
    private TestImages() {}

    /** A smooth striped/blobby texture with a little seeded noise. */
    static FloatImage texture(int h, int w, long seed) {
        Random rng = new Random(seed);
        FloatImage img = FloatImage.zeros(3, h, w);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = 0.5 * Math.sin(0.4 * x + 0.3 * c) * Math.cos(0.25 * y) + 0.3 * Math.sin(0.9 * (x + y))
                            + 0.05 * rng.nextGaussian();
                    img.set(c, y, x, (float) Math.max(-1, Math.min(1, v)));
                }
            }
        }
        return img;
    }

    /** {@code img} plus Gaussian noise of the given std (not clipped). */
    static FloatImage noisy(FloatImage img, double sigma, long seed) {
        Random rng = new Random(seed);
        float[] d = img.data().clone();
        for (int i = 0; i < d.length; i++) d[i] += (float) (sigma * rng.nextGaussian());
        return new FloatImage(img.channels(), img.height(), img.width(), d);
    }

    /** The pixels of {@code img} randomly permuted (same permutation for all channels). */
    static FloatImage shuffled(FloatImage img, long seed) {
        Random rng = new Random(seed);
        int hw = img.height() * img.width();
        int[] perm = new int[hw];
        for (int i = 0; i < hw; i++) perm[i] = i;
        for (int i = hw - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] s = img.data();
        float[] d = new float[s.length];
        for (int c = 0; c < img.channels(); c++) {
            for (int i = 0; i < hw; i++) d[c * hw + i] = s[c * hw + perm[i]];
        }
        return new FloatImage(img.channels(), img.height(), img.width(), d);
    }
}
