package org.ebm4j.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of every method's {@code score} command (per-image scores of an image set as a CSV
 * that {@code eval auroc} reads): one definition, so the commands take and check them alike.
 */
final class ScoreOptions {
    @Option(names = "--run", required = true, description = "Run folder trained with this method.") Path run;
    @Option(names = "--data", required = true, description = "fashion-mnist[:train|:test] | mnist[...] | a folder.") String data;
    @Option(names = "--n", defaultValue = "0", description = "At most this many images (0 = all).") int n;
    @Option(names = "--out", required = true, description = "CSV file to write.") Path out;
    @Option(names = "--force", description = "Overwrite an existing file.") boolean force;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subset when --n is below the set's size (default: ${DEFAULT-VALUE}).") long seed;

    /** Refuses a negative --n and an existing --out without --force, before anything is loaded. */
    void check(CommandLine.Model.CommandSpec spec) {
        Checks.atLeast(spec, "--n", n, 0);
        Checks.mayWrite(spec, out, force);
    }
}
