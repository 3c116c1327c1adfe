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
}
