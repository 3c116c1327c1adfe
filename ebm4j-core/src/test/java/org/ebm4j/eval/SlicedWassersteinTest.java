package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.ebm4j.image.FloatImage;
import org.junit.jupiter.api.Test;

class SlicedWassersteinTest {
    private final FloatImage x = TestImages.texture(48, 56, 1);

    @Test
    void identicalImagesGiveExactlyZero() {
        assertThat(SlicedWasserstein.withSeed(3).distance(x, x.copy())).isEqualTo(0.0);
    }

    @Test
    void growsWithNoise() {
        SlicedWasserstein m = SlicedWasserstein.withSeed(0);
        double a = m.distance(x, TestImages.noisy(x, 0.02, 1));
        double b = m.distance(x, TestImages.noisy(x, 0.1, 1));
        double c = m.distance(x, TestImages.noisy(x, 0.5, 1));
        assertThat(a).isGreaterThan(0);
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
    }

    @Test
    void fakeOfAnotherSizeIsAllowed() {
        double d = SlicedWasserstein.withSeed(0).distance(x, TestImages.texture(64, 40, 2));
        assertThat(d).isFinite().isGreaterThan(0);
    }

    @Test
    void laplacianPyramidReconstructs() {
        List<FloatImage> lap = SlicedWasserstein.laplacian(x, 3, "x");
        assertThat(lap).hasSize(2); // 48x56, 24x28 (12x14 too small)
        FloatImage rec = SlicedWasserstein.up(lap.get(1), 48, 56);
        for (int i = 0; i < rec.data().length; i++) {
            assertThat(rec.data()[i] + lap.get(0).data()[i]).isCloseTo(x.data()[i], within(1e-5f));
        }
    }

    @Test
    void blurKeepsConstantImages() {
        FloatImage c = new FloatImage(1, 17, 19, filled(17 * 19, 0.25f));
        for (float v : SlicedWasserstein.blur(c, 1.0).data()) assertThat(v).isCloseTo(0.25f, within(1e-6f));
        for (float v : SlicedWasserstein.down(c).data()) assertThat(v).isCloseTo(0.25f, within(1e-6f));
    }

    @Test
    void slicedOneDimensionalIsWassersteinOne() {
        double[][] a = {{0}, {1}, {2}};
        double[][] b = {{3}, {1.5}, {0.5}};
        // sorted: 0,1,2 vs 0.5,1.5,3 -> (0.5+0.5+1)/3
        assertThat(SlicedWasserstein.sliced(a, b, new double[][] {{1}})).isCloseTo(2.0 / 3, within(1e-15));
    }

    @Test
    void badInput() {
        SlicedWasserstein m = SlicedWasserstein.withSeed(0);
        assertThatThrownBy(() -> m.distances(x, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.distance(x, TestImages.texture(8, 8, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> new SlicedWasserstein(3, 0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
