package org.ebm4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.ImageReadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleImageEvalTest {
    @TempDir
    Path tmp;

    @Test
    void evaluatesAFolder() throws Exception {
        FloatImage x = TestImages.texture(32, 32, 1);
        Path real = tmp.resolve("real.png");
        ImageFiles.writePng(real, x);
        Path dir = Files.createDirectories(tmp.resolve("fakes"));
        ImageFiles.writePng(dir.resolve("b.png"), TestImages.noisy(x, 0.2, 1));
        ImageFiles.writePng(dir.resolve("a.png"), x);
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        SingleImageEval.Report r = SingleImageEval.evaluate(real, dir, 0);
        assertThat(r.fakes()).extracting(p -> p.getFileName().toString()).containsExactly("a.png", "b.png");
        assertThat(r.patchFd().values()[0]).isLessThan(1e-6);
        assertThat(r.patchFd().values()[1]).isGreaterThan(r.patchFd().values()[0]);
        assertThat(r.swd().values()[0]).isEqualTo(0.0);
        assertThat(r.diversity()).isNotNull().isGreaterThan(0);
    }

    @Test
    void diversityIsSkippedForOneFakeOrMixedSizes() {
        FloatImage x = TestImages.texture(32, 32, 1);
        Path p = Path.of("x.png");
        SingleImageEval.Report one = SingleImageEval.evaluate(p, x, List.of(p), List.of(x), 0);
        assertThat(one.diversity()).isNull();
        assertThat(one.diversitySkipped()).contains("at least 2");
        SingleImageEval.Report mixed = SingleImageEval.evaluate(p, x, List.of(p, p),
                List.of(x, TestImages.texture(40, 32, 2)), 0);
        assertThat(mixed.diversity()).isNull();
        assertThat(mixed.diversitySkipped()).contains("differ in size");
        assertThat(mixed.patchFd().values()).hasSize(2);
    }

    @Test
    void badFolders() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> SingleImageEval.listFakes(empty)).isInstanceOf(EbmException.class)
                .hasMessageContaining("no .png/.jpg");
        assertThatThrownBy(() -> SingleImageEval.listFakes(tmp.resolve("missing"))).isInstanceOf(EbmException.class)
                .hasMessageContaining("not found");
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(dir.resolve("broken.png"), "not a png");
        Path real = tmp.resolve("real.png");
        ImageFiles.writePng(real, TestImages.texture(32, 32, 1));
        assertThatThrownBy(() -> SingleImageEval.evaluate(real, dir, 0)).isInstanceOf(ImageReadException.class)
                .hasMessageContaining("broken.png");
        Path small = Files.createDirectories(tmp.resolve("small"));
        ImageFiles.writePng(small.resolve("s.png"), TestImages.texture(8, 8, 1));
        assertThatThrownBy(() -> SingleImageEval.evaluate(real, small, 0)).isInstanceOf(EbmException.class)
                .hasMessageContaining("at least 16");
    }
}
