package org.ebm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    @TempDir Path tmp;

    private static BufferedImage readPng(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        assertThat(b).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        BufferedImage img = ImageIO.read(p.toFile());
        assertThat(img).isNotNull();
        return img;
    }

    @Test
    void writesValidPngSkippingNonFinitePoints() throws IOException {
        double[] xs = new double[200];
        double[] ys = new double[200];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i;
            ys[i] = Math.exp(-i / 50.0);
        }
        ys[10] = Double.NaN;
        ys[11] = Double.POSITIVE_INFINITY;
        xs[12] = Double.NEGATIVE_INFINITY;
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("loss", new double[][] {xs, ys});
        series.put("energy gap", new double[][] {{0, 100, 199}, {0.5, -0.2, 0.1}});
        Path p = tmp.resolve("plots/loss.png");
        Plots.linePlot(p, "Training", "iteration", "value", series);
        BufferedImage img = readPng(p);
        assertThat(img.getWidth()).isGreaterThan(100);
        assertThat(img.getHeight()).isGreaterThan(100);
        try (Stream<Path> files = Files.list(p.getParent())) {
            assertThat(files).containsExactly(p); // temp file renamed away
        }
    }

    @Test
    void emptyAndSinglePointSeriesDoNotThrow() throws IOException {
        Path empty = tmp.resolve("empty.png");
        Plots.linePlot(empty, "nothing yet", "x", "y", Map.of());
        readPng(empty);

        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("one", new double[][] {{3}, {7}});
        series.put("none", new double[][] {{}, {}});
        series.put("all NaN", new double[][] {{1, 2}, {Double.NaN, Double.NaN}});
        Path one = tmp.resolve("one.png");
        Plots.linePlot(one, null, null, null, series);
        readPng(one);

        Path onlyEmpty = tmp.resolve("only-empty.png");
        Plots.linePlot(onlyEmpty, "t", "x", "y", Map.of("e", new double[][] {{}, {}}));
        readPng(onlyEmpty);
    }

    @Test
    void rejectsMalformedSeries() {
        assertThatThrownBy(
                        () ->
                                Plots.linePlot(tmp.resolve("bad.png"), "t", "x", "y",
                                        Map.of("bad", new double[][] {{1, 2}, {1}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad");
    }
}
