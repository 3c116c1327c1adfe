package org.ebm4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets exit code 1 or 2, one line naming the problem, and leaves the user's files alone. */
class BadInputTest {
    @TempDir
    Path tmp;

    private record Result(int code, String err) { }

    private Result run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            int code = Main.run(args);
            return new Result(code, buf.toString());
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void missingImage() {
        Result r = run("patchgen", "train", "--image", tmp.resolve("nope.png").toString(), "--out", tmp.resolve("r").toString(), "--quiet");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not found").doesNotContain("at org.");
        assertThat(tmp.resolve("r")).doesNotExist();
    }

    @Test
    void demoWithoutItsImageSaysWhereToRunIt() {
        Result r = run("demo", "--image", tmp.resolve("nope.png").toString(), "--out", tmp.resolve("d").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("demo image").contains("repository root").doesNotContain("at org.");
        assertThat(tmp.resolve("d")).doesNotExist();
        // the default image is the bundled CC0 texture (the test runs in ebm4j-cli/)
        assertThat(java.nio.file.Path.of("../examples/skimage_brick.png")).exists();
    }

    @Test
    void notAnImage() throws Exception {
        Path f = Files.writeString(tmp.resolve("notes.png"), "hello, not a png");
        Result r = run("patchgen", "train", "--image", f.toString(), "--out", tmp.resolve("r").toString(), "--quiet");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("notes.png").doesNotContain("at org.");
        assertThat(Files.readString(f)).isEqualTo("hello, not a png");
    }

    @Test
    void absurdFlagsAreUsageErrors() {
        assertThat(run("patchgen", "train", "--image", "x.png", "--out", tmp.resolve("r").toString(), "--iters", "0").code()).isEqualTo(2);
        assertThat(run("patchgen", "train", "--image", "x.png", "--out", tmp.resolve("r").toString(), "--scales", "-1").code()).isEqualTo(2);
        assertThat(run("patchgen", "sample", "--run", "x", "--out", "y", "--n", "0").code()).isEqualTo(2);
        assertThat(run("patchgen", "sample", "--run", "x", "--out", "y", "--width-scale", "0").code()).isEqualTo(2);
        assertThat(run("bench", "--workload", "nope").code()).isEqualTo(2);
        assertThat(run("patchgen", "frobnicate").code()).isEqualTo(2);
    }

    @Test
    void usageErrorsAreOneLine() {
        Result r = run("patchgen", "sample", "--run", "x", "--out", "y", "--n", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("--n must be >= 1").contains("--help");
    }

    @Test
    void unwritableOutputFolder() throws Exception {
        Path notAFolder = Files.writeString(tmp.resolve("file.txt"), "x");
        Result r = run("patchgen", "sample", "--run", tmp.toString(), "--out", notAFolder.resolve("sub").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(Files.readString(notAFolder)).isEqualTo("x");
    }

    @Test
    void existingFolderIsNotOverwrittenWithoutForce() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Path precious = Files.writeString(out.resolve("thesis.txt"), "precious");
        Result r = run("patchgen", "train", "--image", "../examples/skimage_chelsea.png", "--out", out.toString(), "--quiet");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("already exists");
        assertThat(Files.readString(precious)).isEqualTo("precious");
    }

    @Test
    void sampleFromAFolderThatIsNotARun() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Result r = run("patchgen", "sample", "--run", dir.toString(), "--out", tmp.resolve("o").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not an ebm4j run");
    }

    /** Every unreadable image: exit 1, one line naming the file and what is wrong, no Java or engine text. */
    @Test
    void unreadableImagesGiveOneLineNamingTheFile() throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path good = tmp.resolve("good.png");
        javax.imageio.ImageIO.write(img, "png", good.toFile());
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(tmp.resolve("truncated.png"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
        Path text = Files.writeString(tmp.resolve("readme.png"), "# not an image\nsome text\n");
        java.util.Map<Path, String> expected = java.util.Map.of(truncated, "truncated", empty, "empty", text, "not a supported image");
        for (var e : expected.entrySet()) {
            Result r = run("patchgen", "train", "--image", e.getKey().toString(), "--out", tmp.resolve("r").toString(), "--quiet");
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            String err = r.err().strip();
            assertThat(err).as(err).startsWith("error: ").contains(e.getKey().getFileName().toString()).contains(e.getValue())
                    .doesNotContain("\n").doesNotContain("IIOException").doesNotContain("javax.").doesNotContain("at org.");
            assertThat(tmp.resolve("r")).doesNotExist();
        }
    }
}
