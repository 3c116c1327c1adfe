package org.ebm4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlLogTest {

    @TempDir Path tmp;

    record Step(long iteration, double loss, String note) {}

    private static Map<String, Object> line(long it) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iteration", it);
        m.put("loss", 1.0 / (it + 1));
        return m;
    }

    @Test
    void appendsOneObjectPerLine() throws IOException {
        Path f = tmp.resolve("run/log.jsonl");
        try (JsonlLog log = JsonlLog.open(f)) {
            log.append(line(1));
            log.append(new Step(2, Double.NaN, "multi\nline"));
        }
        assertThat(Files.readString(f)).isEqualTo(
                "{\"iteration\":1,\"loss\":0.5}\n{\"iteration\":2,\"loss\":\"NaN\",\"note\":\"multi\\nline\"}\n");
        List<JsonNode> rows = JsonlLog.read(f);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("note").asText()).isEqualTo("multi\nline");
    }

    @Test
    void eachLineIsVisibleWithoutClosing() throws IOException {
        Path f = tmp.resolve("log.jsonl");
        try (JsonlLog log = JsonlLog.open(f)) {
            log.append(line(1));
            assertThat(JsonlLog.read(f)).hasSize(1);
            log.sync();
        }
    }

    @Test
    void rejectsRecordsThatAreNotObjects() throws IOException {
        try (JsonlLog log = JsonlLog.open(tmp.resolve("log.jsonl"))) {
            assertThatThrownBy(() -> log.append(List.of(1, 2))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readIgnoresATornLastLine() throws IOException {
        Path f = tmp.resolve("log.jsonl");
        Files.writeString(f, "{\"iteration\":1}\n{\"iteration\":2}\n{\"iterat");
        assertThat(JsonlLog.read(f)).extracting(n -> n.get("iteration").asInt()).containsExactly(1, 2);

        // a complete-looking object without its newline is also a torn write (the '\n' is the commit)
        Files.writeString(f, "{\"iteration\":1}\n{\"iteration\":2}");
        assertThat(JsonlLog.read(f)).hasSize(1);
    }

    @Test
    void reopeningAfterACrashCutsTheTornTailBeforeAppending() throws IOException {
        Path f = tmp.resolve("log.jsonl");
        Files.writeString(f, "{\"iteration\":1}\n{\"iteration\":2,\"lo");
        try (JsonlLog log = JsonlLog.open(f)) {
            log.append(line(2));
        }
        assertThat(Files.readString(f)).isEqualTo("{\"iteration\":1}\n{\"iteration\":2,\"loss\":0.3333333333333333}\n");
    }

    @Test
    void corruptLineInTheMiddleIsAnErrorWithItsLineNumber() throws IOException {
        Path f = tmp.resolve("log.jsonl");
        Files.writeString(f, "{\"iteration\":1}\n\n{oops\n{\"iteration\":2}\n");
        assertThatThrownBy(() -> JsonlLog.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("line 3");
    }

    @Test
    void missingLogReadsAsEmpty() throws IOException {
        assertThat(JsonlLog.read(tmp.resolve("nope.jsonl"))).isEmpty();
        assertThat(JsonlLog.truncateAfter(tmp.resolve("nope.jsonl"), n -> true)).isZero();
        assertThat(tmp.resolve("nope.jsonl")).doesNotExist();
    }

    @Test
    void resumedLogEqualsAnUninterruptedOne() throws IOException {
        Path uninterrupted = tmp.resolve("a/log.jsonl");
        try (JsonlLog log = JsonlLog.open(uninterrupted)) {
            for (int it = 1; it <= 10; it++) log.append(line(it));
        }

        // Crash: checkpoint at 5, logged up to 7, killed in the middle of line 8.
        Path resumed = tmp.resolve("b/log.jsonl");
        try (JsonlLog log = JsonlLog.open(resumed)) {
            for (int it = 1; it <= 7; it++) log.append(line(it));
        }
        Files.write(resumed, "{\"iteration\":8,\"lo".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        int dropped = JsonlLog.truncateAfter(resumed, n -> n.path("iteration").asLong() <= 5);
        assertThat(dropped).isEqualTo(2);
        assertThat(JsonlLog.read(resumed)).extracting(n -> n.get("iteration").asInt()).containsExactly(1, 2, 3, 4, 5);
        try (JsonlLog log = JsonlLog.open(resumed)) {
            for (int it = 6; it <= 10; it++) log.append(line(it));
        }
        assertThat(Files.readAllBytes(resumed)).isEqualTo(Files.readAllBytes(uninterrupted));
        assertThat(tmp.resolve("b").toFile().list()).containsExactly("log.jsonl");
    }

    @Test
    void truncateKeepsLinesByteForByte() throws IOException {
        Path f = tmp.resolve("log.jsonl");
        String kept = "{ \"iteration\" : 1,   \"x\": 1.50 }\n";
        Files.writeString(f, kept + "{\"iteration\":2}\n");
        JsonlLog.truncateAfter(f, n -> n.get("iteration").asInt() == 1);
        assertThat(Files.readString(f)).isEqualTo(kept);
    }
}
