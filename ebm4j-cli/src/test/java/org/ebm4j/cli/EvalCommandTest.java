package org.ebm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ebm4j eval single-image}: one JSON object on stdout, or one error line and exit 1. */
class EvalCommandTest {
    @TempDir
    Path tmp;

    private CliRun.Result run(String... args) {
        return CliRun.run(args);
    }

    private static FloatImage texture(int h, int w, double phase) {
        FloatImage img = FloatImage.zeros(3, h, w);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.set(c, y, x, (float) (0.6 * Math.sin(0.5 * x + phase + c) * Math.cos(0.3 * y - phase)));
                }
            }
        }
        return img;
    }

    @Test
    void happyPathPrintsOneJsonObject() throws Exception {
        Path real = tmp.resolve("real.png");
        ImageFiles.writePng(real, texture(32, 32, 0));
        Path fakes = Files.createDirectories(tmp.resolve("fakes"));
        ImageFiles.writePng(fakes.resolve("s0.png"), texture(32, 32, 0));
        ImageFiles.writePng(fakes.resolve("s1.png"), texture(32, 32, 0.7));
        ImageFiles.writePng(fakes.resolve("s2.png"), texture(32, 32, 1.9));
        CliRun.Result r = run("eval", "single-image", "--real", real.toString(), "--fake", fakes.toString(), "--seed", "5");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out().strip().lines()).hasSize(1);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("real").asText()).isEqualTo(real.toString());
        assertThat(j.get("n_fakes").asInt()).isEqualTo(3);
        assertThat(j.get("patch_fd").get("mean").asDouble()).isGreaterThan(0);
        assertThat(j.get("patch_fd").get("std").asDouble()).isGreaterThan(0);
        assertThat(j.get("swd").get("mean").asDouble()).isGreaterThan(0);
        assertThat(j.get("swd").has("std")).isTrue();
        assertThat(j.get("diversity").asDouble()).isGreaterThan(0);
        assertThat(j.get("seed").asLong()).isEqualTo(5);
        assertThat(j.get("notes").asText()).isEqualTo("raw 7x7 patch features, not Inception (SIFID)");
    }

    @Test
    void emptyFakeFolderIsOneLineError() throws Exception {
        Path real = tmp.resolve("real.png");
        ImageFiles.writePng(real, texture(32, 32, 0));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun.Result r = run("eval", "single-image", "--real", real.toString(), "--fake", empty.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("no .png/.jpg").doesNotContain("at org.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingRealAndUnreadableFakeAreOneLineErrors() throws Exception {
        Path fakes = Files.createDirectories(tmp.resolve("fakes"));
        ImageFiles.writePng(fakes.resolve("s0.png"), texture(32, 32, 0));
        CliRun.Result missing = run("eval", "single-image", "--real", tmp.resolve("nope.png").toString(), "--fake", fakes.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("nope.png").doesNotContain("at org.");

        Path real = tmp.resolve("real.png");
        ImageFiles.writePng(real, texture(32, 32, 0));
        Files.writeString(fakes.resolve("s1.png"), "not a png");
        CliRun.Result broken = run("eval", "single-image", "--real", real.toString(), "--fake", fakes.toString());
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.err().strip().lines()).hasSize(1);
        assertThat(broken.err()).contains("s1.png");
    }

    @Test
    void missingFlagIsUsageError() {
        CliRun.Result r = run("eval", "single-image", "--real", "x.png");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--fake");
    }

    @Test
    void aurocPrintsJsonAndRejectsBadScores() throws Exception {
        Path in = Files.writeString(tmp.resolve("in.txt"), "0.5\n0.5\n0.9\n");
        Path out = Files.writeString(tmp.resolve("out.csv"), "id,score\n1,0.5\n2,0.1\n");
        CliRun.Result r = run("eval", "auroc", "--in", in.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("auroc").asDouble()).isEqualTo(0.8333333333333334); // metrics.md A2
        assertThat(j.get("n_in").asInt()).isEqualTo(3);
        assertThat(j.get("n_out").asInt()).isEqualTo(2);
        // energies: lower = in-distribution
        Path ein = Files.writeString(tmp.resolve("ein.txt"), "3.2\n1.0\n2.5\n0.7\n");
        Path eout = Files.writeString(tmp.resolve("eout.txt"), "4.1\n1.0\n5.0\n");
        CliRun.Result e = run("eval", "auroc", "--in", ein.toString(), "--out", eout.toString(), "--lower-is-in");
        assertThat(new ObjectMapper().readTree(e.out()).get("auroc").asDouble()).isEqualTo(0.7916666666666666); // A4

        Path nan = Files.writeString(tmp.resolve("nan.txt"), "0.1\nnan\n");
        CliRun.Result bad = run("eval", "auroc", "--in", in.toString(), "--out", nan.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).contains("nan.txt line 2").doesNotContain("at org.");
        assertThat(bad.out()).isEmpty();
        Path words = Files.writeString(tmp.resolve("words.txt"), "0.1\nhello\n");
        assertThat(run("eval", "auroc", "--in", words.toString(), "--out", out.toString()).err()).contains("'hello' is not a number");
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        assertThat(run("eval", "auroc", "--in", empty.toString(), "--out", out.toString()).code()).isEqualTo(1);
        assertThat(run("eval", "auroc", "--in", in.toString()).code()).isEqualTo(2);
    }

    @Test
    void inpaintingPrintsJsonAndRejectsMismatches() throws Exception {
        Path truth = Files.createDirectories(tmp.resolve("truth"));
        Path result = Files.createDirectories(tmp.resolve("result"));
        Path mask = Files.createDirectories(tmp.resolve("mask"));
        FloatImage t = texture(24, 24, 0);
        FloatImage m = FloatImage.zeros(1, 24, 24);
        java.util.Arrays.fill(m.data(), -1f);
        FloatImage filled = t.copy();
        for (int y = 8; y < 16; y++) {
            for (int x = 8; x < 16; x++) {
                m.set(0, y, x, 1f);
                for (int c = 0; c < 3; c++) filled.set(c, y, x, 0f);
            }
        }
        ImageFiles.writePng(truth.resolve("x.png"), t);
        ImageFiles.writePng(result.resolve("x.png"), filled);
        ImageFiles.writePng(mask.resolve("x.png"), m);
        CliRun.Result r = run("eval", "inpainting", "--truth", truth.toString(), "--result", result.toString(), "--mask", mask.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("n").asInt()).isEqualTo(1);
        assertThat(j.get("masked_pixels").asInt()).isEqualTo(64);
        assertThat(j.get("psnr").asDouble()).isBetween(5.0, 40.0);
        assertThat(j.get("error").asDouble()).isBetween(0.01, 0.5);
        assertThat(j.get("ssim").asDouble()).isLessThan(1.0);
        // identical result: error 0, SSIM 1, PSNR infinite (written as the string "Infinity")
        ImageFiles.writePng(result.resolve("x.png"), t);
        JsonNode same = new ObjectMapper().readTree(run("eval", "inpainting", "--truth", truth.toString(),
                "--result", result.toString(), "--mask", mask.toString()).out());
        assertThat(same.get("error").asDouble()).isEqualTo(0.0);
        assertThat(same.get("ssim").asDouble()).isEqualTo(1.0);
        assertThat(same.get("psnr").asText()).isEqualTo("Infinity");

        ImageFiles.writePng(result.resolve("y.png"), t);
        CliRun.Result bad = run("eval", "inpainting", "--truth", truth.toString(), "--result", result.toString(), "--mask", mask.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).contains("y (no truth");
    }
}
