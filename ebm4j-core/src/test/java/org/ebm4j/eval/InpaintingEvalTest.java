package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.md P3/P4/P5/E through the inpainting evaluation (files and in memory). */
class InpaintingEvalTest {
    @TempDir
    Path tmp;

    /** A [-1,1] image from uint8 values [c][y][x]. */
    static FloatImage fromU8(int[][][] u) {
        int c = u.length, h = u[0].length, w = u[0][0].length;
        int[] hwc = new int[c * h * w];
        for (int k = 0; k < c; k++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) hwc[(y * w + x) * c + k] = u[k][y][x];
        return FloatImage.fromUint8(hwc, c, h, w);
    }

    static FloatImage mask(int h, int w, int lo, int hi) {
        FloatImage m = FloatImage.zeros(1, h, w);
        for (int y = lo; y <= hi; y++) for (int x = lo; x <= hi; x++) m.set(0, y, x, 1f);
        return m;
    }

    /** Exact 8-bit grey PNG (FloatImage's reference uint8 rule is not a lossless round trip). */
    static void writeGrey(Path file, int[][] u) throws java.io.IOException {
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(u[0].length, u.length,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < u.length; y++) for (int x = 0; x < u[0].length; x++) bi.getRaster().setSample(x, y, 0, u[y][x]);
        javax.imageio.ImageIO.write(bi, "png", file.toFile());
    }

    @Test
    void p3MaskedPsnrAndError() {
        int[][][] x = new int[1][3][3];
        for (int i = 0; i < 9; i++) x[0][i / 3][i % 3] = 30 * i;
        int[][][] y = new int[1][3][3];
        for (int i = 0; i < 9; i++) y[0][i / 3][i % 3] = 30 * i;
        y[0][0][0] = 10;
        y[0][1][1] = 140;
        y[0][2][2] = 190;
        InpaintingEval.Report r = InpaintingEval.evaluate(List.of(fromU8(x)), List.of(fromU8(y)), List.of(mask(3, 3, 1, 2)));
        assertThat(r.psnr()).isCloseTo(19.527423542969167, within(1e-9));
        // hole (1,1),(1,2),(2,1),(2,2): |120-140| + 0 + 0 + |240-190| over 4 pixels
        assertThat(r.error()).isCloseTo(70.0 / 4 / 255, within(1e-12));
        assertThat(r.n()).isEqualTo(1);
        assertThat(r.maskedPixels()).isEqualTo(4);
        assertThat(r.ssim()).isNull(); // 3x3 is under the 11x11 window
        assertThat(r.ssimSkipped()).isEqualTo(1);
    }

    @Test
    void p4RgbMaskAppliesToEveryChannel() {
        int[][][] x = new int[3][3][3];
        for (int c = 0; c < 3; c++) for (int i = 0; i < 9; i++) x[c][i / 3][i % 3] = 30 * i + c;
        int[][][] y = new int[3][3][3];
        for (int c = 0; c < 3; c++) for (int i = 0; i < 9; i++) y[c][i / 3][i % 3] = x[c][i / 3][i % 3];
        y[0][1][1] += 20;
        y[2][2][2] -= 50;
        InpaintingEval.Report r = InpaintingEval.evaluate(List.of(fromU8(x)), List.of(fromU8(y)), List.of(mask(3, 3, 1, 2)));
        assertThat(r.psnr()).isCloseTo(24.29863609016579, within(1e-9));
        assertThat(r.error()).isCloseTo(70.0 / 12 / 255, within(1e-12));
    }

    @Test
    void brickCropFromFilesMatchesP5AndE() throws Exception {
        double[][] brick = BrickImage.load();
        int[][][] x = new int[1][64][64];
        int[][][] y = new int[1][64][64];
        for (int r = 0; r < 64; r++) {
            for (int c = 0; c < 64; c++) {
                x[0][r][c] = (int) brick[r][c];
                y[0][r][c] = (int) brick[r + 1][c + 1];
            }
        }
        Path t = Files.createDirectories(tmp.resolve("truth"));
        Path res = Files.createDirectories(tmp.resolve("result"));
        Path m = Files.createDirectories(tmp.resolve("mask"));
        writeGrey(t.resolve("a.png"), x[0]);
        writeGrey(res.resolve("a.png"), y[0]);
        FloatImage mk = mask(64, 64, 16, 47);
        for (int i = 0; i < mk.data().length; i++) mk.data()[i] = mk.data()[i] * 2 - 1; // to [-1,1] for writing
        ImageFiles.writePng(m.resolve("a.png"), mk);
        InpaintingEval.Report r = InpaintingEval.evaluate(t, res, m);
        assertThat(r.psnr()).isCloseTo(23.852067613799317, within(1e-9));
        assertThat(r.ssim()).isCloseTo(0.7960867695381192, within(1e-9));
        assertThat(r.n()).isEqualTo(1);
        assertThat(r.maskedPixels()).isEqualTo(32 * 32);

        // a second, identical pair: pooled PSNR over both images is unchanged; SSIM mean includes 1.0
        writeGrey(t.resolve("b.png"), x[0]);
        writeGrey(res.resolve("b.png"), x[0]);
        ImageFiles.writePng(m.resolve("b.png"), mk);
        InpaintingEval.Report two = InpaintingEval.evaluate(t, res, m);
        assertThat(two.n()).isEqualTo(2);
        assertThat(two.psnr()).isCloseTo(23.852067613799317 + 10 * Math.log10(2), within(1e-9));
        assertThat(two.ssim()).isCloseTo((0.7960867695381192 + 1) / 2, within(1e-9));
    }

    @Test
    void badFoldersAreRejected() throws Exception {
        Path t = Files.createDirectories(tmp.resolve("truth"));
        Path res = Files.createDirectories(tmp.resolve("result"));
        Path m = Files.createDirectories(tmp.resolve("mask"));
        assertThatThrownBy(() -> InpaintingEval.evaluate(t, res, m)).isInstanceOf(EbmException.class)
                .hasMessageContaining("holds no .png/.jpg");
        FloatImage img = FloatImage.zeros(3, 16, 16);
        ImageFiles.writePng(t.resolve("a.png"), img);
        ImageFiles.writePng(res.resolve("a.png"), FloatImage.zeros(3, 16, 12));
        ImageFiles.writePng(m.resolve("b.png"), mask(16, 16, 4, 11));
        assertThatThrownBy(() -> InpaintingEval.evaluate(t, res, m)).hasMessageContaining("unmatched").hasMessageContaining("a (no mask");
        Files.move(m.resolve("b.png"), m.resolve("a.png"));
        assertThatThrownBy(() -> InpaintingEval.evaluate(t, res, m)).hasMessageContaining("result is 12x16 but truth is 16x16");
        ImageFiles.writePng(res.resolve("a.png"), img);
        FloatImage black = FloatImage.zeros(1, 16, 16);
        java.util.Arrays.fill(black.data(), -1f);
        ImageFiles.writePng(m.resolve("a.png"), black);
        assertThatThrownBy(() -> InpaintingEval.evaluate(t, res, m)).hasMessageContaining("no white pixels");
    }
}
