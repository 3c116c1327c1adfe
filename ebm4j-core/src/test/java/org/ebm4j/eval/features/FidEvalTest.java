package org.ebm4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FidEvalTest {
    static double[][] gauss(int n, int d, double shift, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) for (int k = 0; k < d; k++) row[k] = shift + gaussian(r);
        return x;
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @Test
    void aSetAgainstItselfScoresZero() {
        double[][] a = gauss(300, 128, 0, 1);
        FidEval.Scores s = FidEval.scores(a, a, 0);
        assertThat(s.fid()).isCloseTo(0.0, within(1e-6));
        // unbiased MMD² of a set with itself is slightly negative (metrics.md K3): only near 0
        assertThat(s.kid()).isCloseTo(0.0, within(0.1));
        FidEval.Scores far = FidEval.scores(a, gauss(300, 128, 0.5, 2), 0);
        assertThat(far.fid()).isGreaterThan(128 * 0.25 * 0.9); // ≈ ‖Δμ‖² = 128·0.25 plus sampling noise
        assertThat(far.kid()).isGreaterThan(10 * Math.abs(s.kid()));
    }

    @Test
    void fewerSamplesThanFeaturesGivesNoFid() {
        FidEval.Scores s = FidEval.scores(gauss(100, 128, 0, 1), gauss(100, 128, 0, 2), 0);
        assertThat(s.fid()).isNull();
        assertThat(s.fidSkipped()).contains("n=100").contains("feature dimension 128");
        assertThat(s.kid()).isFinite();
    }
}
