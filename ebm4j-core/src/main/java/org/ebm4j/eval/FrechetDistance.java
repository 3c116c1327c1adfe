package org.ebm4j.eval;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Fréchet distance between two Gaussians, the quantity behind FID (Heusel et al. 2017) and SIFID
 * (Shaham et al. 2019), as defined in {@code metrics.md} §4.1:
 *
 * <pre>  d² = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^{1/2})</pre>
 *
 * <p>The value returned is d² (the usual "FID" number, no square root), as in pytorch-fid's
 * {@code calculate_frechet_distance}.
 *
 * <p><b>Matrix square root.</b> Instead of a general (Schur) {@code sqrtm} of the non-symmetric
 * product Σ₁Σ₂, Tr((Σ₁Σ₂)^{1/2}) is computed as Σᵢ √λᵢ(A Σ₂ A) with A = Σ₁^{1/2}, using two symmetric
 * eigendecompositions (commons-math {@link EigenDecomposition}). Σ₁Σ₂ is similar to A Σ₂ A, which is
 * symmetric positive semi-definite, so both give the same value in exact arithmetic.
 *
 * <p><b>Singular / rank-deficient covariances</b> (e.g. fewer samples than features): the inputs are
 * symmetrised ((M+Mᵀ)/2) before each eigendecomposition, and eigenvalues that come out slightly
 * negative from rounding are clipped to 0 before taking square roots. No ε·I regularisation is
 * needed, so the result is always finite for finite input. Because the exact value is ≥ 0, a final
 * result that is negative only through rounding is clamped to 0. For singular Σ, agreement with
 * scipy's {@code sqrtm} is only about 1e-6 relative (metrics.md).
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /**
     * Fréchet distance d² between N(mu1, sigma1) and N(mu2, sigma2).
     *
     * @throws IllegalArgumentException on null/empty input, non-finite values, non-square covariances,
     *     or dimension mismatch
     */
    public static double of(double[] mu1, double[][] sigma1, double[] mu2, double[][] sigma2) {
        Checks.notEmpty(mu1, "mu1");
        Checks.notEmpty(mu2, "mu2");
        Checks.finite(mu1, "mu1");
        Checks.finite(mu2, "mu2");
        int d = mu1.length;
        if (mu2.length != d) {
            throw new IllegalArgumentException("mu1 and mu2 differ in dimension: " + d + " vs " + mu2.length);
        }
        checkCov(sigma1, "sigma1", d);
        checkCov(sigma2, "sigma2", d);

        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        double tr1 = 0;
        double tr2 = 0;
        for (int i = 0; i < d; i++) {
            tr1 += sigma1[i][i];
            tr2 += sigma2[i][i];
        }
        double result = meanTerm + tr1 + tr2 - 2.0 * traceSqrtProduct(sigma1, sigma2);
        return Math.max(0.0, result);
    }

    /**
     * Fréchet distance between Gaussians fitted to two feature sets (rows = samples, columns =
     * features): μ is the column mean and Σ the <b>unbiased (N−1)</b> covariance, as
     * {@code np.cov(act, rowvar=False)} in pytorch-fid.
     *
     * @throws IllegalArgumentException if a set is empty, ragged, has fewer than 2 rows, contains
     *     non-finite values, or the feature dimensions differ
     */
    public static double ofFeatures(double[][] feats1, double[][] feats2) {
        int d1 = Checks.matrix(feats1, "feats1");
        int d2 = Checks.matrix(feats2, "feats2");
        if (d1 != d2) {
            throw new IllegalArgumentException("feats1 and feats2 differ in feature dimension: " + d1 + " vs " + d2);
        }
        if (feats1.length < 2 || feats2.length < 2) {
            throw new IllegalArgumentException("each feature set needs at least 2 samples for an unbiased covariance, got "
                    + feats1.length + " and " + feats2.length);
        }
        double[] mu1 = mean(feats1);
        double[] mu2 = mean(feats2);
        return of(mu1, covariance(feats1, mu1), mu2, covariance(feats2, mu2));
    }

    /** Column means of {@code x} (rows = samples). */
    public static double[] mean(double[][] x) {
        int d = Checks.matrix(x, "x");
        double[] mu = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) mu[k] += row[k];
        }
        for (int k = 0; k < d; k++) mu[k] /= x.length;
        return mu;
    }

    /** Unbiased (N−1) covariance of {@code x} (rows = samples) around {@code mu}. */
    public static double[][] covariance(double[][] x, double[] mu) {
        int d = Checks.matrix(x, "x");
        if (mu == null || mu.length != d) {
            throw new IllegalArgumentException("mu must have length " + d);
        }
        if (x.length < 2) throw new IllegalArgumentException("covariance needs at least 2 samples, got " + x.length);
        double[][] c = new double[d][d];
        double[] centred = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) centred[k] = row[k] - mu[k];
            for (int a = 0; a < d; a++) {
                double ca = centred[a];
                for (int b = a; b < d; b++) c[a][b] += ca * centred[b];
            }
        }
        double n1 = x.length - 1;
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                c[a][b] /= n1;
                c[b][a] = c[a][b];
            }
        }
        return c;
    }

    /** Tr((Σ₁Σ₂)^{1/2}) = Σᵢ √max(0, λᵢ(A Σ₂ A)), A = Σ₁^{1/2}. */
    static double traceSqrtProduct(double[][] sigma1, double[][] sigma2) {
        int d = sigma1.length;
        RealMatrix s1 = symmetrised(sigma1);
        RealMatrix s2 = symmetrised(sigma2);
        EigenDecomposition e1 = new EigenDecomposition(s1);
        double[] l1 = e1.getRealEigenvalues();
        RealMatrix v = e1.getV();
        double[][] vs = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++) vs[i][k] = v.getEntry(i, k) * Math.sqrt(Math.max(0.0, l1[k]));
        }
        RealMatrix a = new Array2DRowRealMatrix(vs, false).multiply(v.transpose());
        RealMatrix m = a.multiply(s2).multiply(a);
        EigenDecomposition e2 = new EigenDecomposition(symmetrised(m.getData()));
        double tr = 0;
        for (double l : e2.getRealEigenvalues()) tr += Math.sqrt(Math.max(0.0, l));
        return tr;
    }

    private static RealMatrix symmetrised(double[][] m) {
        int d = m.length;
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) s[i][j] = 0.5 * (m[i][j] + m[j][i]);
        }
        return new Array2DRowRealMatrix(s, false);
    }

    private static void checkCov(double[][] s, String name, int d) {
        int cols = Checks.matrix(s, name);
        if (s.length != d || cols != d) {
            throw new IllegalArgumentException(name + " must be " + d + "x" + d + ", got " + s.length + "x" + cols);
        }
    }
}
