package org.ebm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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

    private record Result(int code, String out, String err) { }

    private Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
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
        Result r = run("eval", "single-image", "--real", real.toString(), "--fake", fakes.toString(), "--seed", "5");
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
        Result r = run("eval", "single-image", "--real", real.toString(), "--fake", empty.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("no .png/.jpg").doesNotContain("at org.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingRealAndUnreadableFakeAreOneLineErrors() throws Exception {
        Path fakes = Files.createDirectories(tmp.resolve("fakes"));
        ImageFiles.writePng(fakes.resolve("s0.png"), texture(32, 32, 0));
        Result missing = run("eval", "single-image", "--real", tmp.resolve("nope.png").toString(), "--fake", fakes.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("nope.png").doesNotContain("at org.");

        Path real = tmp.resolve("real.png");
        ImageFiles.writePng(real, texture(32, 32, 0));
        Files.writeString(fakes.resolve("s1.png"), "not a png");
        Result broken = run("eval", "single-image", "--real", real.toString(), "--fake", fakes.toString());
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.err().strip().lines()).hasSize(1);
        assertThat(broken.err()).contains("s1.png");
    }

    @Test
    void missingFlagIsUsageError() {
        Result r = run("eval", "single-image", "--real", "x.png");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--fake");
    }
}
