package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KidTest {

    @Test
    void k1ByHand() {
        assertThat(Kid.mmd2Unbiased(new double[][] {{0}, {1}}, new double[][] {{1}, {2}})).isCloseTo(9.5, within(1e-13));
    }

    @Test
    void k2() {
        double[][] x = {{0, 1}, {1, 0}, {1, 1}};
        double[][] y = {{2, 1}, {0, 2}, {1, 3}};
        assertThat(Kid.mmd2Unbiased(x, y)).isCloseTo(20.875, within(1e-12));
    }

    @Test
    void k3SameSetIsNegativeAndNotClamped() {
        double[][] x = {{0.5, -1, 2}, {1, 0, 0}, {-1, 1, 1}, {0, 2, -1}};
        assertThat(Kid.mmd2Unbiased(x, x)).isCloseTo(-5.699146412037036, within(1e-12));
    }

    @Test
    void subsetsFullSizeEqualFullEstimateAndAreDeterministic() {
        double[][] x = new double[20][4];
        double[][] y = new double[25][4];
        for (int i = 0; i < 20; i++) for (int k = 0; k < 4; k++) x[i][k] = Math.sin(0.7 * (i + 1) * (k + 1));
        for (int i = 0; i < 25; i++) for (int k = 0; k < 4; k++) y[i][k] = Math.cos(0.3 * (i + 1) * (k + 2)) + 0.2;
        // subset size = |x|: each subset of x is a permutation of x, so with equal-size sets the value is fixed
        Kid.Result full = Kid.of(x, x, 5, 20, 1);
        assertThat(full.mean()).isCloseTo(Kid.mmd2Unbiased(x, x), within(1e-12));
        assertThat(full.std()).isCloseTo(0.0, within(1e-12));
        Kid.Result r1 = Kid.of(x, y, 10, 10, 2020);
        Kid.Result r2 = Kid.of(x, y, 10, 10, 2020);
        assertThat(r1).isEqualTo(r2);
        assertThat(r1.mean()).isFinite();
        assertThat(r1.std()).isFinite().isGreaterThan(0.0);
    }

    @Test
    void rejectsBadInput() {
        double[][] x = {{0}, {1}, {2}};
        assertThatThrownBy(() -> Kid.of(x, x, 0, 2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("subsets");
        assertThatThrownBy(() -> Kid.of(x, x, 1, 4, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> Kid.of(x, x, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("subsetSize");
        assertThatThrownBy(() -> Kid.mmd2Unbiased(x, new double[][] {{0, 1}, {1, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("feature dimension");
        assertThatThrownBy(() -> Kid.mmd2Unbiased(new double[][] {{0}}, x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Kid.mmd2Unbiased(new double[0][], x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one row");
    }
}
