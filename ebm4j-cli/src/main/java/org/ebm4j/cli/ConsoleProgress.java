package org.ebm4j.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ebm4j.core.ProgressListener;

/** Renders library progress as a terminal bar with ETA (or nothing with --quiet). */
final class ConsoleProgress implements ProgressListener {
    private final boolean quiet;
    private ProgressBar bar;

    ConsoleProgress(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void start(String task, long total) {
        end();
        if (!quiet) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
        }
    }

    @Override
    public void progress(long done, String status) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(status);
        }
    }

    @Override
    public void message(String line) {
        if (!quiet) {
            System.err.println(line);
        }
    }

    @Override
    public void end() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
