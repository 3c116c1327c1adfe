package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.ebm4j.image.FloatImage;
import org.junit.jupiter.api.Test;

class PatchFdTest {
    private final FloatImage x = TestImages.texture(48, 56, 1);

    @Test
    void identicalImagesGiveZero() {
        double fd = PatchFd.withSeed(0).distance(x, x.copy());
        assertThat(fd).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void shuffledOrNoisedImagesGivePositiveAndOrderedScores() {
        PatchFd m = PatchFd.withSeed(0);
        double shuffled = m.distance(x, TestImages.shuffled(x, 7));
        double small = m.distance(x, TestImages.noisy(x, 0.05, 3));
        double big = m.distance(x, TestImages.noisy(x, 0.3, 3));
        assertThat(shuffled).isGreaterThan(1.0);
        assertThat(small).isGreaterThan(1e-3);
        assertThat(big).isGreaterThan(small);
    }

    @Test
    void fakeOfAnotherSizeIsAllowed() {
        double fd = PatchFd.withSeed(0).distance(x, TestImages.texture(40, 80, 2));
        assertThat(fd).isFinite().isGreaterThanOrEqualTo(0);
    }

    @Test
    void subsamplingIsSeededAndCapped() {
        FloatImage big = TestImages.texture(64, 64, 5);
        PatchFd a = new PatchFd(2, 300, 42);
        assertThat(a.features(big, "x").get(0)).hasNumberOfRows(300);
        assertThat(a.features(big, "x").get(0)[0].length).isEqualTo(147);
        FloatImage other = TestImages.noisy(big, 0.1, 9);
        assertThat(a.distance(big, other)).isEqualTo(new PatchFd(2, 300, 42).distance(big, other));
    }

    @Test
    void pyramidSkipsLevelsBelowSixteen() {
        assertThat(PatchFd.pyramid(TestImages.texture(48, 56, 1), 3, "x")).hasSize(2); // 48, 24 (12 dropped)
        assertThat(PatchFd.pyramid(TestImages.texture(64, 64, 1), 3, "x")).hasSize(3);
    }

    @Test
    void folderStatistics() {
        MeanStd s = PatchFd.withSeed(0).distances(x, List.of(x, TestImages.noisy(x, 0.2, 1)));
        assertThat(s.values()).hasSize(2);
        assertThat(s.values()[0]).isCloseTo(0.0, within(1e-6));
        assertThat(s.mean()).isCloseTo(s.values()[1] / 2, within(1e-6));
        assertThat(s.std()).isCloseTo(s.values()[1] / 2, within(1e-6));
    }

    @Test
    void badInput() {
        PatchFd m = PatchFd.withSeed(0);
        assertThatThrownBy(() -> m.distances(x, List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one fake");
        assertThatThrownBy(() -> m.distance(x, TestImages.texture(10, 40, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> m.distance(x, FloatImage.zeros(1, 32, 32))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channel");
        assertThatThrownBy(() -> new PatchFd(0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
