package org.ebm4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path tmp;

    record Sampler(int steps, double stepSize) {}

    record Config(String name, double lr, Sampler sampler) {}

    private List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeCreatesParentsAndLeavesNoTempFiles() throws IOException {
        Path target = tmp.resolve("a/b/c.bin");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        assertThat(listNames(target.getParent())).containsExactly("c.bin");
    }

    @Test
    void replacesAnExistingFile() throws IOException {
        Path target = tmp.resolve("x.txt");
        Files.writeString(target, "old content that is longer");
        AtomicFiles.writeString(target, "new");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(listNames(tmp)).containsExactly("x.txt");
    }

    @Test
    void writesThroughAHiddenTempFileInTheSameDirectory() throws IOException {
        Path target = tmp.resolve("ckpt.bin");
        AtomicReference<List<String>> during = new AtomicReference<>();
        AtomicFiles.write(target, out -> {
            out.write(42);
            during.set(listNames(tmp));
        });
        assertThat(during.get()).singleElement().asString().startsWith(".ckpt.bin.tmp-");
        assertThat(listNames(tmp)).containsExactly("ckpt.bin");
    }

    @Test
    void failedWriteKeepsTheOldFileAndRemovesTheTempFile() throws IOException {
        Path target = tmp.resolve("config.json");
        Files.writeString(target, "{\"old\":true}");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    out.write("{\"new\":".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("disk full");
                }))
                .isInstanceOf(IOException.class)
                .hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("{\"old\":true}");
        assertThat(listNames(tmp)).containsExactly("config.json");

        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
                    throw new IllegalStateException("bug");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(listNames(tmp)).containsExactly("config.json");
    }

    @Test
    void jsonRoundTripOfRecordsIsPrettyPrinted() throws IOException {
        Path f = tmp.resolve("config.json");
        Config c = new Config("run", 1e-3, new Sampler(30, 0.01));
        AtomicFiles.writeJson(f, c);
        String text = Files.readString(f);
        assertThat(text).contains("\n  \"lr\" : 0.001").endsWith("}\n");
        assertThat(AtomicFiles.readJson(f, Config.class)).isEqualTo(c);
    }

    @Test
    void unknownPropertiesAreReportedWithFileAndPath() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"name\":\"r\",\"lr\":0.1,\"sampler\":{\"steps\":3,\"stpeSize\":0.1}}");
        assertThatThrownBy(() -> AtomicFiles.readJson(f, Config.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("stpeSize")
                .hasMessageContaining("[\"sampler\"]");
    }

    @Test
    void trailingGarbageIsAnError() throws IOException {
        Path f = tmp.resolve("m.json");
        Files.writeString(f, "{\"a\":1} x");
        assertThatThrownBy(() -> AtomicFiles.readJson(f, Map.class)).isInstanceOf(IOException.class);
    }
}
