package org.ebm4j.cli;

import picocli.CommandLine;

/** Validation of flag values: a bad value is a usage error (exit 2) with a one-line message. */
final class Checks {
    private Checks() {}

    static void positive(CommandLine.Model.CommandSpec spec, String flag, double v) {
        if (!(v > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + " must be > 0, got " + v);
        }
    }

    /** An output file that exists is a usage error unless --force was given (nothing is touched). */
    static void mayWrite(CommandLine.Model.CommandSpec spec, java.nio.file.Path out, boolean force) {
        if (java.nio.file.Files.exists(out) && !force) {
            throw new CommandLine.ParameterException(spec.commandLine(), out + " exists; pass --force to overwrite it");
        }
    }

    static void atLeast(CommandLine.Model.CommandSpec spec, String flag, long v, long min) {
        if (v < min) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + " must be >= " + min + ", got " + v);
        }
    }
}
