package org.ebm4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.ebm4j.image.FloatImage;

/**
 * Multi-scale sliced Wasserstein distance on Laplacian-pyramid patches, after Karras et al. 2018
 * (progressive GAN, {@code metrics/sliced_wasserstein.py}), applied to one real image versus one
 * fake image.
 *
 * <p>Definition (see docs/METRICS.md):
 * <ol>
 *   <li>Gaussian pyramid G₀ = image, G_{l+1} = every other pixel of G_l blurred with the separable
 *       5-tap binomial kernel [1,4,6,4,1]/16 (mirror borders). Levels are kept while the short side
 *       is ≥ {@value PatchFd#MIN_SIDE}, at most {@code levels} of them (m kept).</li>
 *   <li>Laplacian pyramid L_l = G_l − up(G_{l+1}) for l &lt; m−1, and L_{m−1} = G_{m−1}; up() inserts
 *       zeros and blurs with 4× the same kernel (Karras's {@code pyr_up}).</li>
 *   <li>Per level: stride-1 7×7×C patch descriptors; both images contribute the same number
 *       n = min(#windows(real), #windows(fake), maxPatches) of them (subsampled without replacement,
 *       seed {@code seed + level}). Each set is normalised per channel by its own mean and std over
 *       all its values (Karras's {@code normalize_descriptors}; a zero std leaves the centred values).</li>
 *   <li>K random directions (Gaussian, normalised to unit length; {@link Random} seeded with
 *       {@code seed + 1000·(level+1)}), both sets projected, projections sorted, and the 1-D
 *       Wasserstein-1 distance mean|a₍ᵢ₎ − b₍ᵢ₎| taken; averaged over the K directions.</li>
 *   <li>Score: mean over the levels both images have, <b>multiplied by 1000</b> (as Karras reports).</li>
 * </ol>
 * SWD(x, x) is exactly 0 for the same seed.
 */
public final class SlicedWasserstein {
    public static final int DEFAULT_LEVELS = 3;
    public static final int DEFAULT_DIRECTIONS = 128;
    public static final int DEFAULT_MAX_PATCHES = 4096;
    public static final double SCALE = 1e3;

    private static final double[] KERNEL = {1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0};

    private final int levels;
    private final int directions;
    private final int maxPatches;
    private final long seed;

    public SlicedWasserstein(int levels, int directions, int maxPatches, long seed) {
        if (levels < 1) throw new IllegalArgumentException("levels must be >= 1, got " + levels);
        if (directions < 1) throw new IllegalArgumentException("directions must be >= 1, got " + directions);
        if (maxPatches < 1) throw new IllegalArgumentException("maxPatches must be >= 1, got " + maxPatches);
        this.levels = levels;
        this.directions = directions;
        this.maxPatches = maxPatches;
        this.seed = seed;
    }

    /** 3 levels, 128 directions, 4096 patches per level, the given seed. */
    public static SlicedWasserstein withSeed(long seed) {
        return new SlicedWasserstein(DEFAULT_LEVELS, DEFAULT_DIRECTIONS, DEFAULT_MAX_PATCHES, seed);
    }

    /** SWD ×1000 between one real and one fake image. */
    public double distance(FloatImage real, FloatImage fake) {
        PatchSampler.checkImage(real, "real");
        PatchSampler.checkImage(fake, "fake");
        PatchSampler.sameChannels(real, fake);
        return distance(laplacian(real, levels, "real"), laplacian(fake, levels, "fake"));
    }

    /** SWD of every fake against the real image: per-fake values, mean and population std. */
    public MeanStd distances(FloatImage real, List<FloatImage> fakes) {
        if (fakes == null || fakes.isEmpty()) throw new IllegalArgumentException("need at least one fake image");
        PatchSampler.checkImage(real, "real");
        for (int i = 0; i < fakes.size(); i++) {
            PatchSampler.checkImage(fakes.get(i), "fake " + i);
            PatchSampler.sameChannels(real, fakes.get(i));
        }
        List<FloatImage> r = laplacian(real, levels, "real");
        double[] v = IntStream.range(0, fakes.size()).parallel()
                .mapToDouble(i -> distance(r, laplacian(fakes.get(i), levels, "fake " + i))).toArray();
        return MeanStd.of(v);
    }

    private double distance(List<FloatImage> a, List<FloatImage> b) {
        int m = Math.min(a.size(), b.size());
        double total = 0;
        for (int l = 0; l < m; l++) {
            FloatImage la = a.get(l);
            FloatImage lb = b.get(l);
            int n = Math.min(maxPatches, Math.min(PatchSampler.positions(la, PatchFd.PATCH),
                    PatchSampler.positions(lb, PatchFd.PATCH)));
            double[][] da = PatchSampler.sample(la, PatchFd.PATCH, n, seed + l);
            double[][] db = PatchSampler.sample(lb, PatchFd.PATCH, n, seed + l);
            int c = la.channels();
            normalise(da, c);
            normalise(db, c);
            total += sliced(da, db, directionsFor(da[0].length, seed + 1000L * (l + 1)));
        }
        return SCALE * total / m;
    }

    private double[][] directionsFor(int dim, long s) {
        Random rng = new Random(s);
        double[][] dirs = new double[directions][dim];
        for (double[] d : dirs) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                d[k] = rng.nextGaussian();
                norm += d[k] * d[k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < dim; k++) d[k] /= norm;
        }
        return dirs;
    }

    /** Mean over directions of the 1-D W1 distance between the sorted projections (equal-size sets). */
    static double sliced(double[][] a, double[][] b, double[][] dirs) {
        int n = a.length;
        double sum = 0;
        double[] pa = new double[n];
        double[] pb = new double[n];
        for (double[] d : dirs) {
            project(a, d, pa);
            project(b, d, pb);
            Arrays.sort(pa);
            Arrays.sort(pb);
            double w = 0;
            for (int i = 0; i < n; i++) w += Math.abs(pa[i] - pb[i]);
            sum += w / n;
        }
        return sum / dirs.length;
    }

    private static void project(double[][] x, double[] d, double[] out) {
        for (int i = 0; i < x.length; i++) {
            double[] r = x[i];
            double s = 0;
            for (int k = 0; k < d.length; k++) s += r[k] * d[k];
            out[i] = s;
        }
    }

    /** In place: per channel (feature blocks of size dim/c), subtract the mean and divide by the std over the set. */
    static void normalise(double[][] x, int c) {
        int per = x[0].length / c;
        for (int ch = 0; ch < c; ch++) {
            int lo = ch * per;
            double m = 0;
            for (double[] r : x) for (int k = lo; k < lo + per; k++) m += r[k];
            long cnt = (long) x.length * per;
            m /= cnt;
            double v = 0;
            for (double[] r : x) for (int k = lo; k < lo + per; k++) v += (r[k] - m) * (r[k] - m);
            double sd = Math.sqrt(v / cnt);
            double inv = sd > 0 ? 1 / sd : 1;
            for (double[] r : x) for (int k = lo; k < lo + per; k++) r[k] = (r[k] - m) * inv;
        }
    }

    /** Laplacian pyramid (finest first, coarsest = Gaussian residual). */
    static List<FloatImage> laplacian(FloatImage img, int levels, String name) {
        if (Math.min(img.width(), img.height()) < PatchFd.MIN_SIDE) {
            throw new IllegalArgumentException(name + " image is " + img.width() + "x" + img.height()
                    + "; patch metrics need a short side of at least " + PatchFd.MIN_SIDE + " pixels");
        }
        List<FloatImage> g = new ArrayList<>();
        g.add(img);
        while (g.size() < levels) {
            FloatImage cur = g.get(g.size() - 1);
            int nh = (cur.height() + 1) / 2;
            int nw = (cur.width() + 1) / 2;
            if (Math.min(nh, nw) < PatchFd.MIN_SIDE) break;
            g.add(down(cur));
        }
        List<FloatImage> lap = new ArrayList<>(g.size());
        for (int l = 0; l < g.size() - 1; l++) {
            FloatImage cur = g.get(l);
            FloatImage up = up(g.get(l + 1), cur.height(), cur.width());
            float[] d = cur.data().clone();
            float[] u = up.data();
            for (int i = 0; i < d.length; i++) d[i] -= u[i];
            lap.add(new FloatImage(cur.channels(), cur.height(), cur.width(), d));
        }
        lap.add(g.get(g.size() - 1));
        return lap;
    }

    /** Blur with the binomial kernel (mirror borders), keep even rows and columns. */
    static FloatImage down(FloatImage img) {
        FloatImage b = blur(img, 1.0);
        int c = img.channels();
        int h = img.height();
        int w = img.width();
        int nh = (h + 1) / 2;
        int nw = (w + 1) / 2;
        float[] out = new float[c * nh * nw];
        float[] s = b.data();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < nh; y++) {
                for (int x = 0; x < nw; x++) out[(ch * nh + y) * nw + x] = s[(ch * h + 2 * y) * w + 2 * x];
            }
        }
        return new FloatImage(c, nh, nw, out);
    }

    /** Zero insertion to h×w, then blur with 4× the kernel (2× per axis). */
    static FloatImage up(FloatImage img, int h, int w) {
        int c = img.channels();
        int sh = img.height();
        int sw = img.width();
        float[] z = new float[c * h * w];
        float[] s = img.data();
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < sh && 2 * y < h; y++) {
                for (int x = 0; x < sw && 2 * x < w; x++) z[(ch * h + 2 * y) * w + 2 * x] = s[(ch * sh + y) * sw + x];
            }
        }
        return blur(new FloatImage(c, h, w, z), 2.0);
    }

    /** Separable 5-tap binomial blur, each axis pass scaled by {@code gain}, mirror ('reflect 101') borders. */
    static FloatImage blur(FloatImage img, double gain) {
        int c = img.channels();
        int h = img.height();
        int w = img.width();
        float[] s = img.data();
        float[] t = new float[s.length];
        float[] o = new float[s.length];
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double acc = 0;
                    for (int k = -2; k <= 2; k++) acc += KERNEL[k + 2] * s[base + y * w + mirror(x + k, w)];
                    t[base + y * w + x] = (float) (gain * acc);
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double acc = 0;
                    for (int k = -2; k <= 2; k++) acc += KERNEL[k + 2] * t[base + mirror(y + k, h) * w + x];
                    o[base + y * w + x] = (float) (gain * acc);
                }
            }
        }
        return new FloatImage(c, h, w, o);
    }

    private static int mirror(int i, int n) {
        if (n == 1) return 0;
        while (i < 0 || i >= n) {
            if (i < 0) i = -i;
            if (i >= n) i = 2 * (n - 1) - i;
        }
        return i;
    }
}
