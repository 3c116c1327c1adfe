package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SsimTest {
    private static final double TOL = 1e-12;

    private static double[][] ax() {
        double[][] x = new double[16][16];
        for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) x[i][j] = 16 * i + j;
        return x;
    }

    private static double[][] ay() {
        double[][] y = new double[16][16];
        for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) {
            y[i][j] = Math.min(255, Math.max(0, 16 * i + j + ((7 * i + 3 * j) % 11) - 5));
        }
        return y;
    }

    @Test
    void aGradientWithNoise() {
        assertThat(ay()[0]).containsExactly(0, 0, 3, 7, 0, 4, 8, 12, 5, 9, 13, 6, 10, 14, 18, 11);
        assertThat(Ssim.of(ax(), ay(), 255)).isCloseTo(0.9918357672075037, within(TOL));
    }

    @Test
    void bCheckerboardAffine() {
        double[][] x = new double[16][16];
        double[][] y = new double[16][16];
        for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) {
            x[i][j] = 200 * ((i / 2 + j / 2) % 2) + 20;
            y[i][j] = 0.5 * x[i][j] + 64;
        }
        assertThat(Ssim.of(x, y, 255)).isCloseTo(0.8005004948668331, within(TOL));
    }

    @Test
    void cConstantImages() {
        double[][] x = new double[16][16];
        double[][] y = new double[16][16];
        for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) {
            x[i][j] = 100;
            y[i][j] = 150;
        }
        double c1 = 6.5025;
        assertThat(Ssim.of(x, y, 255)).isCloseTo(0.9230923105307931, within(TOL))
                .isCloseTo((30000 + c1) / (32500 + c1), within(TOL));
    }

    @Test
    void dIdenticalIsOne() {
        assertThat(Ssim.of(ax(), ax(), 255)).isCloseTo(1.0, within(1e-15));
        double[][][] rgb = {ax(), ay(), ax()};
        assertThat(Ssim.ofChannels(rgb, rgb, 255)).isCloseTo(1.0, within(1e-15));
    }

    @Test
    void eBrickCropAndMasked() throws Exception {
        double[][] img = BrickImage.load();
        double[][] x = BrickImage.crop(img, 0, 0, 64, 64);
        double[][] y = BrickImage.crop(img, 1, 1, 64, 64);
        assertThat(Ssim.map(x, y, 255)).hasDimensions(54, 54);
        assertThat(Ssim.of(x, y, 255)).isCloseTo(0.8038441019085525, within(TOL));
        assertThat(Ssim.masked(x, y, BrickImage.squareMask(64, 64, 16, 47), 255))
                .isCloseTo(0.7960867695381192, within(TOL));
    }

    @Test
    void multiChannelIsMeanOfChannels() {
        double[][][] a = {ax(), ax()};
        double[][][] b = {ay(), ax()};
        assertThat(Ssim.ofChannels(a, b, 255)).isCloseTo((0.9918357672075037 + 1.0) / 2, within(TOL));
        double[][] mask = BrickImage.squareMask(16, 16, 0, 15);
        assertThat(Ssim.maskedChannels(a, b, mask, 255)).isCloseTo((0.9918357672075037 + 1.0) / 2, within(TOL));
    }

    @Test
    void maskedWithFullMaskEqualsMean() {
        double[][] mask = BrickImage.squareMask(16, 16, 0, 15);
        assertThat(Ssim.masked(ax(), ay(), mask, 255)).isCloseTo(Ssim.of(ax(), ay(), 255), within(TOL));
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Ssim.of(new double[10][10], new double[10][10], 255))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 11x11");
        assertThatThrownBy(() -> Ssim.of(ax(), new double[16][15], 255))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same shape");
        assertThatThrownBy(() -> Ssim.of(ax(), ay(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataRange");
        double[][] borderOnly = BrickImage.squareMask(16, 16, 0, 4);
        assertThatThrownBy(() -> Ssim.masked(ax(), ay(), borderOnly, 255))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no valid window centre");
        assertThatThrownBy(() -> Ssim.ofChannels(new double[][][] {ax()}, new double[][][] {ax(), ax()}, 255))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel count");
    }
}
