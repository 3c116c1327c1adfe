package org.ebm4j.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ebm4j.core.ProgressListener;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Renders library progress on stderr in one of three {@link Mode}s: a terminal bar with ETA, plain
 * lines (one every few seconds, for log files: no carriage returns), or nothing.
 *
 * <p>The mode comes from {@code --progress}, else the {@value #ENV} environment variable, else
 * stderr itself: a bar on a terminal, lines otherwise. {@code --quiet} means none and also hides
 * {@link #message} lines; {@code --progress none} keeps those.
 */
final class ConsoleProgress implements ProgressListener {
    /** Environment variable choosing the mode when {@code --progress} is not given. */
    static final String ENV = "EBM4J_PROGRESS";
    /** Environment variable with the seconds between two progress lines (default 10). */
    static final String ENV_SECONDS = "EBM4J_PROGRESS_SECONDS";
    static final long DEFAULT_INTERVAL_MS = 10_000;

    /** How progress is shown. */
    enum Mode {
        BAR, LINES, NONE;

        static Mode parse(String s) {
            try {
                return Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected bar, lines or none, got '" + s + "'");
            }
        }
    }

    /** picocli converter of {@code --progress}: a bad value is a usage error naming the choices. */
    static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private final Mode mode;
    private final PrintStream sink;
    private final LongSupplier clockMillis;
    private final long intervalMillis;
    private final boolean messages;

    private ProgressBar bar;
    // lines mode
    private String task;
    private long total;
    private long done;
    private String status;
    private long startMillis;
    private long lastLineMillis;
    private boolean lineShowsCurrent;

    /**
     * @param mode how to show progress
     * @param sink where lines or the bar go (stderr in the CLI)
     * @param clockMillis time source (milliseconds; injectable for tests)
     * @param intervalMillis least time between two progress lines in {@link Mode#LINES}
     * @param messages whether {@link #message} lines (warnings, phase results) are shown
     */
    ConsoleProgress(Mode mode, PrintStream sink, LongSupplier clockMillis, long intervalMillis, boolean messages) {
        this.mode = mode;
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.intervalMillis = intervalMillis;
        this.messages = messages;
    }

    /** The CLI's progress for a command's common options, on {@code System.err}. */
    static ConsoleProgress of(CommonOptions common) {
        Mode mode = common.quiet ? Mode.NONE : common.progress != null ? common.progress : fromEnvironment();
        return new ConsoleProgress(mode, System.err, System::currentTimeMillis, intervalFromEnvironment(), !common.quiet);
    }

    Mode mode() {
        return mode;
    }

    private static Mode fromEnvironment() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            try {
                return Mode.parse(env);
            } catch (IllegalArgumentException e) {
                System.err.println("warning: " + ENV + ": " + e.getMessage() + "; ignored");
            }
        }
        return stderrIsTerminal() ? Mode.BAR : Mode.LINES;
    }

    private static long intervalFromEnvironment() {
        String env = System.getenv(ENV_SECONDS);
        if (env != null && !env.isBlank()) {
            try {
                double s = Double.parseDouble(env.trim());
                if (s >= 0 && Double.isFinite(s)) {
                    return Math.round(s * 1000);
                }
            } catch (NumberFormatException e) {
                // fall through to the warning
            }
            System.err.println("warning: " + ENV_SECONDS + " must be a number of seconds >= 0, got '" + env + "'; using 10");
        }
        return DEFAULT_INTERVAL_MS;
    }

    /**
     * Whether the descriptor {@code System.err} writes to is a terminal. On Linux the descriptor's
     * link in /proc names its device (a pty or tty); elsewhere {@link System#console()} (stdin and
     * stdout are a terminal) is the best available proxy.
     */
    static boolean stderrIsTerminal() {
        Path link = Path.of("/proc/self/fd/" + StdErr.descriptor());
        try {
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is hidden: use the proxy below
        }
        return System.console() != null;
    }

    @Override
    public void start(String task, long total) {
        end();
        switch (mode) {
            case BAR -> bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(sink)).build();
            case LINES -> {
                this.task = task;
                this.total = total;
                this.done = 0;
                this.status = null;
                this.startMillis = clockMillis.getAsLong();
                printLine(startMillis);
            }
            case NONE -> { }
        }
    }

    @Override
    public void progress(long done, String status) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(status);
        } else if (task != null) {
            this.done = done;
            this.status = status;
            lineShowsCurrent = false;
            long now = clockMillis.getAsLong();
            if (now - lastLineMillis >= intervalMillis) {
                printLine(now);
            }
        }
    }

    @Override
    public void message(String line) {
        if (messages) {
            sink.println(line);
        }
    }

    @Override
    public void end() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        if (task != null) {
            if (!lineShowsCurrent) {
                printLine(clockMillis.getAsLong()); // the final count, unless the last line already showed it
            }
            task = null;
        }
    }

    /** {@code [task] 1200/4000 (30%) 2m10s elapsed, ETA 5m03s - status}: ASCII only, no carriage return. */
    private void printLine(long now) {
        long elapsed = Math.max(0, now - startMillis);
        StringBuilder b = new StringBuilder("[").append(task).append("] ").append(done).append('/').append(total);
        if (total > 0) {
            b.append(" (").append(Math.min(100, Math.round(100.0 * done / total))).append("%)");
        }
        b.append(' ').append(duration(elapsed)).append(" elapsed");
        if (done > 0 && done < total) {
            b.append(", ETA ").append(duration(Math.round(elapsed * (double) (total - done) / done)));
        }
        if (status != null && !status.isBlank()) {
            b.append(" - ").append(status.replace('\r', ' ').replace('\n', ' '));
        }
        sink.println(b);
        sink.flush();
        lastLineMillis = now;
        lineShowsCurrent = true;
    }

    /** 5s, 2m10s, 1h02m03s. */
    static String duration(long millis) {
        long s = millis / 1000;
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    }
}
