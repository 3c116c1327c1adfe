package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AurocTest {

    @Test
    void a1NoTies() {
        assertThat(Auroc.of(new double[] {0.9, 0.8, 0.4}, new double[] {0.7, 0.3, 0.2, 0.1}))
                .isCloseTo(0.9166666666666666, within(1e-15));
    }

    @Test
    void a2TiesCountHalf() {
        assertThat(Auroc.of(new double[] {0.5, 0.5, 0.9}, new double[] {0.5, 0.1}))
                .isCloseTo(0.8333333333333334, within(1e-15));
    }

    @Test
    void a3AllEqualIsHalf() {
        assertThat(Auroc.of(new double[] {1, 1, 1}, new double[] {1, 1})).isEqualTo(0.5);
    }

    @Test
    void a4NegativeEnergyScores() {
        assertThat(Auroc.of(new double[] {-3.2, -1.0, -2.5, -0.7}, new double[] {-4.1, -1.0, -5.0}))
                .isCloseTo(0.7916666666666666, within(1e-15));
    }

    @Test
    void perfectAndInvertedSeparation() {
        assertThat(Auroc.of(new double[] {3, 4}, new double[] {1, 2})).isEqualTo(1.0);
        assertThat(Auroc.of(new double[] {1, 2}, new double[] {3, 4})).isEqualTo(0.0);
        assertThat(Auroc.of(new double[] {0.0}, new double[] {-0.0})).isEqualTo(0.5);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Auroc.of(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inScores");
        assertThatThrownBy(() -> Auroc.of(new double[] {1}, new double[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outScores");
        assertThatThrownBy(() -> Auroc.of(null, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Auroc.of(new double[] {Double.NaN}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
        assertThatThrownBy(() -> Auroc.of(new double[] {1}, new double[] {Double.NEGATIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outScores[0]");
    }
}
