package org.ebm4j.eval;

import java.util.Arrays;

/**
 * Area under the ROC curve by the Mann–Whitney U statistic, {@code metrics.md} §4.6:
 *
 * <pre>  AUROC = P(s⁺ &gt; s⁻) + ½·P(s⁺ = s⁻) = (R⁺ − n⁺(n⁺+1)/2) / (n⁺·n⁻)</pre>
 *
 * where R⁺ is the sum of the positives' ranks in the pooled sample with <b>mid-ranks for ties</b>
 * (equal to sklearn's {@code roc_auc_score}). O(n log n). All scores equal gives 0.5.
 *
 * <p>Convention (as in JEM/IGEBM): the in-distribution set is the positive class, scored with
 * −E(x) so that higher means "more in-distribution". Using OOD as positive with score E(x) gives
 * the same number.
 */
public final class Auroc {
    private Auroc() {}

    /**
     * AUROC of in-distribution (positive) scores versus OOD (negative) scores.
     *
     * @throws IllegalArgumentException if either array is null/empty or holds NaN/infinite scores
     */
    public static double of(double[] inScores, double[] outScores) {
        if (inScores == null || inScores.length == 0) {
            throw new IllegalArgumentException("inScores must not be empty: AUROC is undefined with no positives");
        }
        if (outScores == null || outScores.length == 0) {
            throw new IllegalArgumentException("outScores must not be empty: AUROC is undefined with no negatives");
        }
        Checks.finite(inScores, "inScores");
        Checks.finite(outScores, "outScores");
        int np = inScores.length;
        int nn = outScores.length;
        double[] pooled = new double[np + nn];
        // "+ 0.0" maps -0.0 to 0.0 so the two compare as tied
        for (int i = 0; i < np; i++) pooled[i] = inScores[i] + 0.0;
        for (int i = 0; i < nn; i++) pooled[np + i] = outScores[i] + 0.0;
        Arrays.sort(pooled);
        double rankSum = 0;
        for (double s : inScores) {
            double v = s + 0.0;
            int lo = lowerBound(pooled, v);
            int hi = upperBound(pooled, v);
            // positions lo..hi-1 (0-based) hold ranks lo+1..hi; mid-rank is their mean
            rankSum += 0.5 * ((lo + 1) + hi);
        }
        return (rankSum - np * (np + 1.0) / 2.0) / ((double) np * nn);
    }

    private static int lowerBound(double[] a, double v) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int upperBound(double[] a, double v) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
