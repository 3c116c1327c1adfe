package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenModel;
import org.ebm4j.method.patchgen.PatchGenOutputs;
import org.ebm4j.method.patchgen.PatchGenRun;
import org.ebm4j.method.patchgen.PatchGenTrainer;
import org.ebm4j.run.OutputFolder;
import org.ebm4j.run.RunFolder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "patchgen", description = "PatchGenCN: learn a pyramid of patch EBMs from one image.",
        subcommands = {PatchgenCommand.Train.class, PatchgenCommand.Sample.class, PatchgenCommand.Reconstruct.class})
final class PatchgenCommand {

    @Command(name = "train", description = "Train on one image (or --resume an interrupted run).")
    static final class Train implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--image", description = "Training image (PNG/JPEG).") Path image;
        @Option(names = "--out", required = true, description = "Run folder to create (or resume).") Path out;
        @Option(names = "--preset", defaultValue = "fast", description = "fast | paper (default: ${DEFAULT-VALUE}).") String preset;
        @Option(names = "--max-size", description = "Longest side of the finest scale.") Integer maxSize;
        @Option(names = "--min-size", description = "Shortest side of the coarsest scale.") Integer minSize;
        @Option(names = "--scales", description = "Number of pyramid scales.") Integer scales;
        @Option(names = "--iters", description = "Training iterations per scale.") Integer iters;
        @Option(names = "--seed", description = "Seed of every random draw.") Long seed;
        @Option(names = "--early-stop", description = "restart | warn | stop when the recovery error explodes.") String earlyStop;
        @Option(names = "--resume", description = "Continue an interrupted run from its last checkpoint.") boolean resume;
        @Option(names = "--force", description = "Overwrite an existing run folder.") boolean force;

        @Override
        public Integer call() throws Exception {
            if (maxSize != null) Checks.atLeast(spec, "--max-size", maxSize, 8);
            if (minSize != null) Checks.atLeast(spec, "--min-size", minSize, 8);
            if (scales != null) Checks.atLeast(spec, "--scales", scales, 1);
            if (iters != null) Checks.atLeast(spec, "--iters", iters, 1);
            ConsoleProgress progress = new ConsoleProgress(common.quiet);
            try (NDManager m = NDManager.newBaseManager()) {
                PatchGenModel model;
                if (resume) {
                    if (!Files.isDirectory(out)) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--resume: run folder '" + out + "' does not exist; start it without --resume");
                    }
                    model = PatchGenTrainer.resume(out, progress, m);
                } else {
                    if (image == null) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--image is required (unless --resume)");
                    }
                    PatchGenConfig cfg = PatchGenConfig.preset(preset);
                    cfg = cfg.withScales(scales != null ? scales : cfg.numScales(), minSize != null ? minSize : cfg.minSize(),
                            maxSize != null ? maxSize : cfg.maxSize());
                    if (iters != null) cfg = cfg.withIterations(iters);
                    if (seed != null) cfg = cfg.withSeed(seed);
                    if (earlyStop != null) cfg = cfg.withEarlyStop(earlyStop, cfg.earlyStopThreshold());
                    model = PatchGenTrainer.trainNew(image, out, force, cfg, progress, m);
                }
                try (model) {
                    RunFolder run = RunFolder.open(out);
                    PatchGenOutputs.writePlots(run);
                    PatchGenOutputs.writeSamples(model, run.dir().resolve("samples"), 4, 0, 1.0, 1.0);
                }
            }
            System.out.println("trained: " + out + " (samples in " + out.resolve("samples") + ", plots in " + out.resolve("plots") + ")");
            return 0;
        }
    }

    @Command(name = "sample", description = "Draw random samples of any size from a trained run.")
    static final class Sample implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true) Path run;
        @Option(names = "--out", required = true, description = "Output folder.") Path out;
        @Option(names = "--n", defaultValue = "8") int n;
        @Option(names = "--seed", defaultValue = "0") long seed;
        @Option(names = "--width-scale", defaultValue = "1.0") double widthScale;
        @Option(names = "--height-scale", defaultValue = "1.0") double heightScale;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            Checks.positive(spec, "--width-scale", widthScale);
            Checks.positive(spec, "--height-scale", heightScale);
            OutputFolder.prepare(out);
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
                var s = PatchGenOutputs.writeSamples(model, out, n, seed, widthScale, heightScale);
                System.out.println("wrote " + s.size() + " samples of " + s.get(0).width() + "x" + s.get(0).height()
                        + " to " + out);
            }
            return 0;
        }
    }

    @Command(name = "reconstruct", description = "Run the deterministic recovery chain from the blurred image.")
    static final class Reconstruct implements Callable<Integer> {
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true) Path run;
        @Option(names = "--out", required = true) Path out;

        @Override
        public Integer call() throws Exception {
            OutputFolder.prepare(out);
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
                double mse = PatchGenOutputs.writeReconstruction(model, out);
                System.out.printf("{\"mse\": %.6f, \"out\": \"%s\"}%n", mse, out.resolve("reconstruction.png"));
            }
            return 0;
        }
    }
}
