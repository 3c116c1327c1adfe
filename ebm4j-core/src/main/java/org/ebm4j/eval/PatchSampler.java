package org.ebm4j.eval;

import java.util.SplittableRandom;
import org.ebm4j.image.FloatImage;

/** Package-private: raw k×k×C patch descriptors at stride-1 positions, optionally subsampled with a seeded RNG. */
final class PatchSampler {
    private PatchSampler() {}

    /** Number of stride-1 positions of a k×k window in {@code img}. */
    static int positions(FloatImage img, int k) {
        return Math.max(0, img.height() - k + 1) * Math.max(0, img.width() - k + 1);
    }

    /**
     * Patches of {@code img} as rows of C·k·k values in (channel, dy, dx) order. If there are more
     * than {@code max} stride-1 positions, {@code max} of them are drawn without replacement with a
     * {@link SplittableRandom} seeded by {@code seed} (so two images of the same size get the same
     * positions for the same seed); otherwise all positions are used, in raster order.
     */
    static double[][] sample(FloatImage img, int k, int max, long seed) {
        int ph = img.height() - k + 1;
        int pw = img.width() - k + 1;
        if (ph <= 0 || pw <= 0) {
            throw new IllegalArgumentException("image " + img.width() + "x" + img.height()
                    + " is smaller than the " + k + "x" + k + " patch");
        }
        int n = ph * pw;
        int[] pos;
        if (n <= max) {
            pos = new int[n];
            for (int i = 0; i < n; i++) pos[i] = i;
        } else {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < max; i++) { // partial Fisher-Yates
                int j = i + rng.nextInt(n - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            pos = java.util.Arrays.copyOf(all, max);
        }
        int c = img.channels();
        int h = img.height();
        int w = img.width();
        float[] d = img.data();
        double[][] out = new double[pos.length][c * k * k];
        for (int i = 0; i < pos.length; i++) {
            int y0 = pos[i] / pw;
            int x0 = pos[i] % pw;
            double[] row = out[i];
            int f = 0;
            for (int ch = 0; ch < c; ch++) {
                for (int dy = 0; dy < k; dy++) {
                    int base = (ch * h + y0 + dy) * w + x0;
                    for (int dx = 0; dx < k; dx++) row[f++] = d[base + dx];
                }
            }
        }
        return out;
    }

    static void checkImage(FloatImage img, String name) {
        if (img == null) throw new IllegalArgumentException(name + " must not be null");
        for (float v : img.data()) {
            if (!Float.isFinite(v)) throw new IllegalArgumentException(name + " contains a non-finite pixel value");
        }
    }

    static void sameChannels(FloatImage a, FloatImage b) {
        if (a.channels() != b.channels()) {
            throw new IllegalArgumentException("real and fake differ in channel count: " + a.channels() + " vs " + b.channels());
        }
    }
}
