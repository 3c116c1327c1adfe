package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.ebm4j.image.FloatImage;
import org.junit.jupiter.api.Test;

class DiversityTest {
    private final FloatImage real = TestImages.texture(32, 32, 1);

    @Test
    void identicalFakesGiveZero() {
        FloatImage f = TestImages.texture(32, 40, 4);
        assertThat(Diversity.of(real, List.of(f, f.copy(), f.copy()))).isEqualTo(0.0);
    }

    @Test
    void handComputedValue() {
        // real: values -1, 1 -> std 1. Fakes (1 channel, 1x2): per-pixel values {0, 1} and {0, 0.5}
        FloatImage r = new FloatImage(1, 1, 2, new float[] {-1, 1});
        FloatImage f1 = new FloatImage(1, 1, 2, new float[] {0, 0});
        FloatImage f2 = new FloatImage(1, 1, 2, new float[] {1, 0.5f});
        // per-pixel population std: 0.5 and 0.25 -> mean 0.375
        assertThat(Diversity.of(r, List.of(f1, f2))).isCloseTo(0.375, within(1e-12));
    }

    @Test
    void independentSamplesAreDiverse() {
        double d = Diversity.of(real, List.of(TestImages.shuffled(real, 1), TestImages.shuffled(real, 2), real));
        assertThat(d).isGreaterThan(0.5);
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> Diversity.of(real, List.of(real))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Diversity.of(real, List.of(real, TestImages.texture(32, 33, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one size");
        FloatImage flat = FloatImage.zeros(3, 32, 32);
        assertThatThrownBy(() -> Diversity.of(flat, List.of(real, real))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("constant");
    }
}
