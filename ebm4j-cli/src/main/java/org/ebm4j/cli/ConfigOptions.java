package org.ebm4j.cli;

import org.ebm4j.config.ConfigOverrides;
import org.ebm4j.config.ConfigType;
import org.ebm4j.core.EbmException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * --config, --set and --print-config of every train command: any setting of the method's config
 * record, by its JSON name (see {@link ConfigOverrides}). Order: preset, then --config, then each
 * --set in order, then the command's specific options (--iters, --seed, …).
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "JSON file of settings applied on the preset: the form of a run's config.json \"config\" object, "
                    + "all or some of its keys (a run's whole config.json works too).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set any setting by its JSON name, nested with dots (e.g. stepSize=0.02, cadence.logEvery=10); "
                    + "repeatable; applied after --config and before the specific options. --print-config lists the keys.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--print-config", description = "Print the resolved config as JSON and exit.")
    boolean print;

    /** Whether any of the three was given. */
    boolean given() {
        return file != null || !sets.isEmpty() || print;
    }

    /** The preset with --config and --set applied; a bad key, value or file is a usage error. */
    <T extends Record> T apply(CommandLine.Model.CommandSpec spec, ConfigType<T> type, T preset) {
        try {
            return ConfigOverrides.apply(type, preset, file, sets);
        } catch (EbmException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** --config, --set and --print-config make no sense with --resume: the run keeps its config.json. */
    void refuseWithResume(CommandLine.Model.CommandSpec spec) {
        if (given()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--config, --set and --print-config do not apply with --resume (the run keeps its config.json)");
        }
    }

    /**
     * The start every train command shares: with --resume no config options are allowed and the
     * run keeps its config (null is returned); otherwise the config is resolved and, with
     * --print-config, printed ({@code printed} is then true and the command exits 0). Without
     * --print-config, --out is required.
     */
    <T extends Record> Resolved<T> resolve(CommandLine.Model.CommandSpec spec, boolean resume, Path out,
                                           ConfigType<T> type, java.util.function.Supplier<T> build) {
        T cfg = null;
        if (resume) {
            refuseWithResume(spec);
        } else {
            cfg = build.get();
            if (print) {
                print(type, cfg);
                return new Resolved<>(cfg, true);
            }
        }
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--out=<out>'");
        }
        return new Resolved<>(cfg, false);
    }

    /** A train command's config (null on --resume) and whether --print-config already printed it. */
    record Resolved<T>(T config, boolean printed) {
    }

    /** The resolved config as JSON, for --print-config. */
    static <T extends Record> void print(ConfigType<T> type, T cfg) {
        System.out.println(type.toJson(cfg));
    }
}
