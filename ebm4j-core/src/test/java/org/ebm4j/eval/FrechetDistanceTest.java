package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    @Test
    void f1OneDimensional() {
        double fid = FrechetDistance.of(new double[] {0}, new double[][] {{1}}, new double[] {1}, new double[][] {{4}});
        assertThat(fid).isCloseTo(2.0, within(1e-14));
    }

    @Test
    void f2TwoDimensional() {
        double fid = FrechetDistance.of(new double[] {0, 0}, new double[][] {{1, 0}, {0, 1}},
                new double[] {1, 2}, new double[][] {{2, 0.5}, {0.5, 1}});
        assertThat(fid).isCloseTo(5.247842043422972, within(1e-13));
    }

    @Test
    void f3FromFeaturesUsesUnbiasedCovariance() {
        double[][] x1 = {{1, 2, 0}, {2, 1, 1}, {0, 0, 2}, {3, 1, 1}, {1, 3, 0}};
        double[][] x2 = {{2, 2, 1}, {4, 0, 1}, {1, 1, 3}, {3, 3, 2}, {2, 0, 0}, {5, 2, 1}};
        double[] mu1 = FrechetDistance.mean(x1);
        assertThat(mu1).containsExactly(new double[] {1.4, 1.4, 0.8}, within(1e-15));
        double[][] s1 = FrechetDistance.covariance(x1, mu1);
        double[][] expected = {{1.3, .05, -.15}, {.05, 1.3, -.9}, {-.15, -.9, .7}};
        for (int i = 0; i < 3; i++) assertThat(s1[i]).containsExactly(expected[i], within(1e-14));
        double fid = FrechetDistance.ofFeatures(x1, x2);
        assertThat(fid).isCloseTo(3.8769878070652934, within(1e-13));
        assertThat(fid).isNotCloseTo(3.6202509867048533, within(1e-6)); // the ddof=0 value
    }

    @Test
    void f4Larger() {
        double[][] x1 = new double[40][8];
        double[][] x2 = new double[40][8];
        for (int i = 0; i < 40; i++) {
            for (int k = 0; k < 8; k++) {
                x1[i][k] = Math.sin(0.37 * (i + 1) * (k + 1));
                x2[i][k] = Math.cos(0.23 * (i + 2) * (k + 1)) + 0.1 * k;
            }
        }
        assertThat(FrechetDistance.ofFeatures(x1, x2)).isCloseTo(1.36264791446930, within(1e-12));
    }

    private static double[][] sifidF1() {
        double[][] f = new double[9][2];
        for (int h = 0; h < 3; h++) for (int w = 0; w < 3; w++) for (int c = 0; c < 2; c++) {
            f[3 * h + w][c] = ((3 * h + w) % 4) + 0.5 * c;
        }
        return f;
    }

    private static double[][] sifidF2() {
        double[][] f = new double[9][2];
        for (int h = 0; h < 3; h++) for (int w = 0; w < 3; w++) for (int c = 0; c < 2; c++) {
            f[3 * h + w][c] = ((h + 1) * (w + 2) + c) % 5;
        }
        return f;
    }

    @Test
    void s1SifidSingularCovariance() {
        double expected = 5.381320941380788;
        // Σ₁ is rank 1: metrics.md asks for ~1e-6 relative tolerance in the singular case
        assertThat(FrechetDistance.ofFeatures(sifidF1(), sifidF2())).isCloseTo(expected, within(1e-6 * expected));
    }

    @Test
    void s2SifidSameSetIsZero() {
        assertThat(FrechetDistance.ofFeatures(sifidF1(), sifidF1())).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void setWithItselfIsZero() {
        double[][] x = new double[30][5];
        for (int i = 0; i < 30; i++) for (int k = 0; k < 5; k++) x[i][k] = Math.sin(1.3 * i + 0.7 * k * k) * (k + 1);
        assertThat(FrechetDistance.ofFeatures(x, x)).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void fewerSamplesThanFeaturesIsFiniteAndNonNegative() {
        double[][] x1 = new double[4][12];
        double[][] x2 = new double[5][12];
        for (int i = 0; i < 4; i++) for (int k = 0; k < 12; k++) x1[i][k] = Math.sin(0.9 * (i + 1) * (k + 1));
        for (int i = 0; i < 5; i++) for (int k = 0; k < 12; k++) x2[i][k] = Math.cos(0.4 * (i + 3) * (k + 2));
        double fid = FrechetDistance.ofFeatures(x1, x2);
        assertThat(fid).isFinite().isGreaterThanOrEqualTo(0.0);
        assertThat(FrechetDistance.ofFeatures(x1, x1)).isFinite().isCloseTo(0.0, within(1e-8));
        // symmetric in its arguments
        assertThat(FrechetDistance.ofFeatures(x2, x1)).isCloseTo(fid, within(1e-8 * Math.max(1, fid)));
    }

    @Test
    void rejectsBadInput() {
        double[][] i2 = {{1, 0}, {0, 1}};
        assertThatThrownBy(() -> FrechetDistance.of(new double[] {0}, i2, new double[] {0, 0}, i2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> FrechetDistance.of(new double[] {0, 0}, new double[][] {{1, 0}}, new double[] {0, 0}, i2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigma1");
        assertThatThrownBy(() -> FrechetDistance.of(new double[0], new double[0][0], new double[0], new double[0][0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> FrechetDistance.ofFeatures(new double[][] {{1, 2}}, new double[][] {{1, 2}, {3, 4}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> FrechetDistance.ofFeatures(new double[][] {{1, 2}, {3}}, new double[][] {{1, 2}, {3, 4}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rectangular");
        assertThatThrownBy(() -> FrechetDistance.ofFeatures(new double[][] {{1, 2}, {3, 4}}, new double[][] {{1}, {3}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature dimension");
        assertThatThrownBy(() -> FrechetDistance.ofFeatures(new double[][] {{1, Double.NaN}, {3, 4}}, new double[][] {{1, 2}, {3, 4}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
    }
}
