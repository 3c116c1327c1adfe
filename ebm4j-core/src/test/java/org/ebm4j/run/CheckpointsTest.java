package org.ebm4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

    @TempDir Path tmp;

    @Test
    void namesCheckpointsInsideTheRun() {
        RunFolder run = RunFolder.create(tmp.resolve("r"), false);
        Checkpoints c = Checkpoints.of(run);
        assertThat(c.pathFor("scale-03")).isEqualTo(run.checkpoints().resolve("scale-03.ckpt"));
        assertThat(c.pathFor("scale-", 3, 2)).isEqualTo(run.checkpoints().resolve("scale-03.ckpt"));
        assertThat(c.pathFor("iter-", 1234, 2)).isEqualTo(run.checkpoints().resolve("iter-1234.ckpt"));
        assertThatThrownBy(() -> c.pathFor("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.pathFor(".hidden")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void latestIsChosenByNumberNotByName() throws IOException {
        Checkpoints c = new Checkpoints(tmp.resolve("checkpoints"));
        assertThat(c.latest("scale-")).isEmpty(); // directory does not exist yet
        Files.createDirectories(c.dir());
        for (String n : new String[] {
            "scale-9.ckpt", "scale-10.ckpt", "scale-02.ckpt",
            ".scale-11.ckpt.tmp-1234", // interrupted atomic write
            "scale-99.ckpt.bak", "other-50.ckpt", "scale-x.ckpt", "scale-.ckpt"
        }) {
            Files.writeString(c.dir().resolve(n), n);
        }
        assertThat(c.latest("scale-")).contains(c.dir().resolve("scale-10.ckpt"));
        assertThat(c.latest("other-")).contains(c.dir().resolve("other-50.ckpt"));
        assertThat(c.latest("nothing-")).isEmpty();
        assertThat(c.list("scale-")).extracting(p -> p.getFileName().toString())
                .containsExactly("scale-02.ckpt", "scale-9.ckpt", "scale-10.ckpt");
        assertThat(Checkpoints.numberOf(c.dir().resolve("scale-010.ckpt"), "scale-")).contains(10L);
    }

    @Test
    void keepLastDeletesOnlyOlderCheckpointsOfThatPrefix() throws IOException {
        Checkpoints c = new Checkpoints(tmp.resolve("checkpoints"));
        Files.createDirectories(c.dir());
        for (int i = 1; i <= 5; i++) Files.writeString(c.pathFor("iter-", i * 100, 6), "x");
        Files.writeString(c.pathFor("scale-01"), "keep me");

        assertThat(c.keepLast(2, "iter-")).extracting(p -> p.getFileName().toString())
                .containsExactly("iter-000100.ckpt", "iter-000200.ckpt", "iter-000300.ckpt");
        assertThat(c.list("iter-")).extracting(p -> p.getFileName().toString())
                .containsExactly("iter-000400.ckpt", "iter-000500.ckpt");
        assertThat(c.pathFor("scale-01")).exists();
        assertThat(c.keepLast(5, "iter-")).isEmpty();
        assertThatThrownBy(() -> c.keepLast(-1, "iter-")).isInstanceOf(IllegalArgumentException.class);
    }
}
