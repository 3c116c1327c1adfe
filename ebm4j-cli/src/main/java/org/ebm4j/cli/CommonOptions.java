package org.ebm4j.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {
    @Option(names = "--quiet", description = "No progress output (for scripts).")
    boolean quiet;

    @Option(names = "--progress", paramLabel = "bar|lines|none", converter = ConsoleProgress.ModeConverter.class,
            description = "How to show progress: a bar, a plain line every 10 s (for log files; EBM4J_PROGRESS_SECONDS "
                    + "sets the interval) or none. Default: the EBM4J_PROGRESS environment variable, else a bar when "
                    + "stderr is a terminal and lines otherwise.")
    ConsoleProgress.Mode progress;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;
}
