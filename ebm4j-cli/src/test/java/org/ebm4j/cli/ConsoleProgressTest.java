package org.ebm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress for log files: plain lines, rate-limited, no carriage returns. */
class ConsoleProgressTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    private ConsoleProgress lines(long intervalMs) {
        return new ConsoleProgress(ConsoleProgress.Mode.LINES, new PrintStream(buf, true, StandardCharsets.UTF_8),
                clock::get, intervalMs, true);
    }

    private List<String> output() {
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void linesAreRateLimitedAndHaveNoCarriageReturns() {
        ConsoleProgress p = lines(10_000);
        p.start("patchgen", 4000);
        for (int i = 1; i <= 4000; i++) {
            clock.addAndGet(25); // 100 s in all
            p.progress(i, "scale " + (i / 1000 + 1) + "/5 loss 0.0123");
        }
        p.end();
        String all = buf.toString(StandardCharsets.UTF_8);
        assertThat(all).doesNotContain("\r");
        List<String> out = output();
        // start + one per 10 s of the 100 s + nothing extra at the end (the last line shows 4000/4000 already)
        assertThat(out).hasSize(11);
        assertThat(out.get(0)).isEqualTo("[patchgen] 0/4000 (0%) 0s elapsed");
        assertThat(out.get(1)).isEqualTo("[patchgen] 400/4000 (10%) 10s elapsed, ETA 1m30s - scale 1/5 loss 0.0123");
        assertThat(out.get(10)).startsWith("[patchgen] 4000/4000 (100%) 1m40s elapsed - scale 5/5");
    }

    @Test
    void theEndLineShowsTheFinalCountAndMessagesPassThrough() {
        ConsoleProgress p = lines(10_000);
        p.start("multigrid", 100);
        clock.addAndGet(3_000);
        p.progress(60, "loss 1.5");
        p.message("resuming at iteration 60");
        clock.addAndGet(2_000);
        p.progress(100, "loss 1.2");
        p.end();
        assertThat(output()).containsExactly(
                "[multigrid] 0/100 (0%) 0s elapsed",
                "resuming at iteration 60",
                "[multigrid] 100/100 (100%) 5s elapsed - loss 1.2");
    }

    @Test
    void noneShowsNothingButMessagesAndQuietHidesThemToo() {
        ConsoleProgress none = new ConsoleProgress(ConsoleProgress.Mode.NONE, new PrintStream(buf, true), clock::get, 0, true);
        none.start("t", 10);
        none.progress(5, "x");
        none.message("a warning");
        none.end();
        assertThat(output()).containsExactly("a warning");
        CommonOptions o = new CommonOptions();
        o.quiet = true;
        o.progress = ConsoleProgress.Mode.BAR; // --quiet wins
        assertThat(ConsoleProgress.of(o).mode()).isEqualTo(ConsoleProgress.Mode.NONE);
    }

    @Test
    void theOptionChoosesTheModeAndABadValueIsAUsageError() {
        CommonOptions o = new CommonOptions();
        o.progress = ConsoleProgress.Mode.LINES;
        assertThat(ConsoleProgress.of(o).mode()).isEqualTo(ConsoleProgress.Mode.LINES);
        CliRun.Result r = CliRun.run("patchgen", "train", "--image", "x.png", "--out", "y", "--progress", "fancy");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).contains("expected bar, lines or none, got 'fancy'").doesNotContain("\n");
    }

    @Test
    void durations() {
        assertThat(ConsoleProgress.duration(59_999)).isEqualTo("59s");
        assertThat(ConsoleProgress.duration(130_000)).isEqualTo("2m10s");
        assertThat(ConsoleProgress.duration(3_723_000)).isEqualTo("1h02m03s");
    }
}
