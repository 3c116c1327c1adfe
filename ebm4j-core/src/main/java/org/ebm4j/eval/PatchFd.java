package org.ebm4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Resize;

/**
 * Multi-scale patch Fréchet distance: a SIFID-style score (Shaham et al. 2019) computed on
 * <b>raw 7×7×C pixel patches</b> instead of Inception features (no Inception weights are available
 * offline, so this is <em>not</em> SIFID and its numbers are not comparable to published SIFID).
 *
 * <p>Definition (see docs/METRICS.md):
 * <ol>
 *   <li>Pyramid: level 0 is the image; level l+1 is level l resized by {@link Resize#bicubicFloat}
 *       (Pillow bicubic, float path, antialiased) to ⌊w/2⌋×⌊h/2⌋. At most {@code levels} levels are
 *       used, and a level is kept only while its short side is ≥ {@value #MIN_SIDE}.</li>
 *   <li>Features: every stride-1 7×7 window gives one sample of C·49 raw pixel values (147 for
 *       RGB, values in [−1, 1]). If a level has more than {@code maxPatches} windows, {@code maxPatches}
 *       of them are drawn without replacement by a {@link java.util.SplittableRandom} seeded with
 *       {@code seed + level} (the same positions for equally sized images).</li>
 *   <li>Per level: {@link FrechetDistance#ofFeatures} (μ, unbiased Σ, d² without square root)
 *       between the real and the fake patch sets.</li>
 *   <li>Score: mean of the per-level values over the levels that both images have.</li>
 * </ol>
 * Real and fake may differ in size (but not in channel count).
 */
public final class PatchFd {
    public static final int PATCH = 7;
    public static final int MIN_SIDE = 16;
    public static final int DEFAULT_LEVELS = 3;
    public static final int DEFAULT_MAX_PATCHES = 4096;

    private final int levels;
    private final int maxPatches;
    private final long seed;

    /**
     * @param levels maximum pyramid levels (≥ 1)
     * @param maxPatches cap on patches per image per level (≥ 2)
     * @param seed seed of the patch subsampling
     */
    public PatchFd(int levels, int maxPatches, long seed) {
        if (levels < 1) throw new IllegalArgumentException("levels must be >= 1, got " + levels);
        if (maxPatches < 2) throw new IllegalArgumentException("maxPatches must be >= 2, got " + maxPatches);
        this.levels = levels;
        this.maxPatches = maxPatches;
        this.seed = seed;
    }

    /** 3 levels, 4096 patches per level, the given seed. */
    public static PatchFd withSeed(long seed) {
        return new PatchFd(DEFAULT_LEVELS, DEFAULT_MAX_PATCHES, seed);
    }

    /** Patch FD between one real and one fake image (mean over common pyramid levels). */
    public double distance(FloatImage real, FloatImage fake) {
        PatchSampler.checkImage(real, "real");
        PatchSampler.checkImage(fake, "fake");
        PatchSampler.sameChannels(real, fake);
        return distance(features(real, "real"), features(fake, "fake"));
    }

    /** Patch FD of every fake against the real image: per-fake values, their mean and population std. */
    public MeanStd distances(FloatImage real, List<FloatImage> fakes) {
        if (fakes == null || fakes.isEmpty()) throw new IllegalArgumentException("need at least one fake image");
        PatchSampler.checkImage(real, "real");
        for (int i = 0; i < fakes.size(); i++) {
            PatchSampler.checkImage(fakes.get(i), "fake " + i);
            PatchSampler.sameChannels(real, fakes.get(i));
        }
        List<double[][]> r = features(real, "real");
        double[] v = IntStream.range(0, fakes.size()).parallel()
                .mapToDouble(i -> distance(r, features(fakes.get(i), "fake " + i))).toArray();
        return MeanStd.of(v);
    }

    private static double distance(List<double[][]> r, List<double[][]> f) {
        int n = Math.min(r.size(), f.size());
        double s = 0;
        for (int l = 0; l < n; l++) s += FrechetDistance.ofFeatures(r.get(l), f.get(l));
        return s / n;
    }

    /** Per-level patch features of {@code img}. */
    List<double[][]> features(FloatImage img, String name) {
        List<FloatImage> pyr = pyramid(img, levels, name);
        List<double[][]> out = new ArrayList<>(pyr.size());
        for (int l = 0; l < pyr.size(); l++) out.add(PatchSampler.sample(pyr.get(l), PATCH, maxPatches, seed + l));
        return out;
    }

    /** Bicubic halving pyramid, levels kept while the short side is ≥ MIN_SIDE. */
    static List<FloatImage> pyramid(FloatImage img, int levels, String name) {
        if (Math.min(img.width(), img.height()) < MIN_SIDE) {
            throw new IllegalArgumentException(name + " image is " + img.width() + "x" + img.height()
                    + "; patch metrics need a short side of at least " + MIN_SIDE + " pixels");
        }
        List<FloatImage> pyr = new ArrayList<>();
        FloatImage cur = img;
        pyr.add(cur);
        while (pyr.size() < levels && Math.min(cur.width() / 2, cur.height() / 2) >= MIN_SIDE) {
            cur = Resize.bicubicFloat(cur, cur.width() / 2, cur.height() / 2);
            pyr.add(cur);
        }
        return pyr;
    }
}
