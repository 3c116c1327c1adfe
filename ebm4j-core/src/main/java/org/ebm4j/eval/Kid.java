package org.ebm4j.eval;

import java.util.SplittableRandom;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018), {@code metrics.md} §4.2: the unbiased MMD²
 * with the cubic polynomial kernel k(a,b) = (aᵀb/d + 1)³,
 *
 * <pre>  MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(n(n−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ)/(mn)</pre>
 *
 * averaged over random subsets (torch-fidelity defaults: 100 subsets of size 1000, each drawn
 * without replacement independently from X and from Y). The estimate is unbiased and may be
 * negative; it is <b>not</b> clamped. The reported std is the population std (ddof 0) over
 * subsets, like torch-fidelity's {@code np.std}. The random stream is a {@link SplittableRandom}
 * seeded with {@code seed}, so values are reproducible in Java but do not reproduce numpy's draws.
 */
public final class Kid {
    private Kid() {}

    /** KID summary over subsets. */
    public record Result(double mean, double std) {}

    /**
     * KID of feature sets {@code x} and {@code y} (rows = samples, same feature dimension d).
     *
     * @param subsets number of random subsets (≥ 1)
     * @param subsetSize samples per subset from each set (≥ 2 and ≤ both set sizes)
     * @param seed RNG seed
     * @throws IllegalArgumentException on empty/ragged/non-finite input, dimension mismatch, or bad
     *     subset parameters
     */
    public static Result of(double[][] x, double[][] y, int subsets, int subsetSize, long seed) {
        int dx = Checks.matrix(x, "x");
        int dy = Checks.matrix(y, "y");
        if (dx != dy) throw new IllegalArgumentException("x and y differ in feature dimension: " + dx + " vs " + dy);
        if (subsets < 1) throw new IllegalArgumentException("subsets must be >= 1, got " + subsets);
        if (subsetSize < 2) throw new IllegalArgumentException("subsetSize must be >= 2, got " + subsetSize);
        if (subsetSize > x.length || subsetSize > y.length) {
            throw new IllegalArgumentException("subsetSize " + subsetSize + " exceeds the number of samples (x: "
                    + x.length + ", y: " + y.length + ")");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] mmds = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            double[][] xs = sample(x, subsetSize, rng);
            double[][] ys = sample(y, subsetSize, rng);
            mmds[s] = mmd2(xs, ys, dx);
        }
        double mean = 0;
        for (double v : mmds) mean += v;
        mean /= subsets;
        double var = 0;
        for (double v : mmds) var += (v - mean) * (v - mean);
        var /= subsets;
        return new Result(mean, Math.sqrt(var));
    }

    /**
     * Unbiased MMD²ᵤ of {@code x} (m ≥ 2 rows) and {@code y} (n ≥ 2 rows) with k(a,b) = (aᵀb/d + 1)³,
     * on the full sets (no subsampling).
     */
    public static double mmd2Unbiased(double[][] x, double[][] y) {
        int dx = Checks.matrix(x, "x");
        int dy = Checks.matrix(y, "y");
        if (dx != dy) throw new IllegalArgumentException("x and y differ in feature dimension: " + dx + " vs " + dy);
        if (x.length < 2 || y.length < 2) {
            throw new IllegalArgumentException("unbiased MMD² needs at least 2 samples per set, got "
                    + x.length + " and " + y.length);
        }
        return mmd2(x, y, dx);
    }

    /** Cubic polynomial kernel (aᵀb/d + 1)³. */
    static double kernel(double[] a, double[] b, int d) {
        double dot = 0;
        for (int k = 0; k < d; k++) dot += a[k] * b[k];
        double t = dot / d + 1.0;
        return t * t * t;
    }

    private static double mmd2(double[][] x, double[][] y, int d) {
        int m = x.length;
        int n = y.length;
        double kxx = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) kxx += kernel(x[i], x[j], d);
        }
        double kyy = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) kyy += kernel(y[i], y[j], d);
        }
        double kxy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) kxy += kernel(x[i], y[j], d);
        }
        return 2 * kxx / ((double) m * (m - 1)) + 2 * kyy / ((double) n * (n - 1)) - 2 * kxy / ((double) m * n);
    }

    /** Partial Fisher–Yates: {@code k} distinct rows drawn without replacement. */
    private static double[][] sample(double[][] src, int k, SplittableRandom rng) {
        int n = src.length;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        double[][] out = new double[k][];
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[i] = src[idx[i]];
        }
        return out;
    }
}
