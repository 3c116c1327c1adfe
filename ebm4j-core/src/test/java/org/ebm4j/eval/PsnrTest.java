package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PsnrTest {

    @Test
    void p1() {
        assertThat(Psnr.of(new double[][] {{0, 0}, {0, 0}}, new double[][] {{0, 0}, {0, 255}}, 255))
                .isCloseTo(6.020599913279624, within(1e-12));
    }

    @Test
    void p2() {
        assertThat(Psnr.of(new double[][] {{0, .5}, {1, .25}}, new double[][] {{.1, .5}, {.8, .25}}, 1))
                .isCloseTo(19.030899869919438, within(1e-12));
    }

    private static double[][] p3x() {
        double[][] x = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) x[i][j] = 30 * (3 * i + j);
        return x;
    }

    private static double[][] p3mask() {
        double[][] m = new double[3][3];
        for (int i = 1; i <= 2; i++) for (int j = 1; j <= 2; j++) m[i][j] = 1;
        return m;
    }

    @Test
    void p3MaskedVersusWhole() {
        double[][] x = p3x();
        double[][] y = p3x();
        y[0][0] = 10;
        y[1][1] = 140;
        y[2][2] = 190;
        assertThat(Psnr.masked(x, y, p3mask(), 255)).isCloseTo(19.527423542969167, within(1e-12));
        assertThat(Psnr.of(x, y, 255)).isCloseTo(22.902016155875728, within(1e-12));
    }

    @Test
    void p4RgbMaskRepeatedPerChannel() {
        double[][] x = p3x();
        double[][] m = p3mask();
        // HWC interleaved flattening
        double[] xs = new double[27];
        double[] ys = new double[27];
        double[] ms = new double[27];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int c = 0; c < 3; c++) {
            int k = (3 * i + j) * 3 + c;
            xs[k] = x[i][j] + c;
            ys[k] = xs[k];
            ms[k] = m[i][j];
        }
        ys[(3 * 1 + 1) * 3] += 20;
        ys[(3 * 2 + 2) * 3 + 2] -= 50;
        assertThat(Psnr.masked(xs, ys, ms, 255)).isCloseTo(24.29863609016579, within(1e-12));
    }

    @Test
    void p5BrickShift() throws Exception {
        double[][] img = BrickImage.load();
        double[][] x = BrickImage.crop(img, 0, 0, 64, 64);
        double[][] y = BrickImage.crop(img, 1, 1, 64, 64);
        assertThat(Psnr.of(x, y, 255)).isCloseTo(24.13131304931089, within(1e-12));
        assertThat(Psnr.masked(x, y, BrickImage.squareMask(64, 64, 16, 47), 255))
                .isCloseTo(23.852067613799317, within(1e-12));
    }

    @Test
    void identicalIsPositiveInfinity() {
        double[] a = {0.1, 0.2, 0.3};
        assertThat(Psnr.of(a, a.clone(), 1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Psnr.masked(a, new double[] {0.1, 0.9, 0.3}, new double[] {1, 0, 1}, 1))
                .isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void rejectsBadInput() {
        double[] a = {1, 2};
        assertThatThrownBy(() -> Psnr.of(a, new double[] {1}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length");
        assertThatThrownBy(() -> Psnr.of(new double[0], new double[0], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Psnr.of(a, a, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataRange");
        assertThatThrownBy(() -> Psnr.of(a, new double[] {1, Double.NaN}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not finite");
        assertThatThrownBy(() -> Psnr.masked(a, a, new double[] {1}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mask");
        assertThatThrownBy(() -> Psnr.masked(a, a, new double[] {0, 0.5}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no pixels");
    }
}
