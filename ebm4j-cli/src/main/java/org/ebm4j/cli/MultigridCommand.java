package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridModel;
import org.ebm4j.method.multigrid.MultigridOutputs;
import org.ebm4j.method.multigrid.MultigridRun;
import org.ebm4j.method.multigrid.MultigridTrainer;
import org.ebm4j.run.OutputFolder;
import org.ebm4j.run.RunFolder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "multigrid", description = "Multi-grid minimal contrastive divergence (and its baselines) on an image data set.",
        subcommands = {MultigridCommand.Train.class, MultigridCommand.Sample.class})
final class MultigridCommand {

    @Command(name = "train", description = "Train on a data set (or --resume an interrupted run).")
    static final class Train implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--data", description = "fashion-mnist | mnist | a folder of images (default: the preset's, fashion-mnist).") String data;
        @Option(names = "--out", required = true, description = "Run folder to create (or resume).") Path out;
        @Option(names = "--method", description = "mcd | cd1 | pcd | single-grid (default: mcd).") String method;
        @Option(names = "--preset", defaultValue = "fast", description = "fast | paper | code (default: ${DEFAULT-VALUE}).") String preset;
        @Option(names = "--image-size", description = "Side the images are resized to (the finest grid).") Integer imageSize;
        @Option(names = "--grids", split = ",", description = "Grid sides from 1 to the image size, e.g. 1,4,16,64.") int[] grids;
        @Option(names = "--channels", description = "1 (grey) or 3 (RGB).") Integer channels;
        @Option(names = "--limit", description = "Train on a seeded random subset of this many images (0 = all).") Integer limit;
        @Option(names = "--epochs", description = "Passes over the training images.") Integer epochs;
        @Option(names = "--batch", description = "Images per iteration.") Integer batch;
        @Option(names = "--lr", description = "Adam learning rate.") Double lr;
        @Option(names = "--steps", description = "Langevin steps per grid (mcd; the baselines run grids-1 times as many).") Integer steps;
        @Option(names = "--delta", description = "Langevin step size delta of Eq. 8.") Double delta;
        @Option(names = "--width", description = "Channel multiplier of the nets (1 = the paper's widths).") Double width;
        @Option(names = "--inpaint", description = "Learn to inpaint: random square masks, only masked pixels move.") boolean inpaint;
        @Option(names = "--mask-size", description = "Side of the training masks (default: half the image size).") Integer maskSize;
        @Option(names = "--seed", description = "Seed of every random draw.") Long seed;
        @Option(names = "--resume", description = "Continue an interrupted run from its checkpoint.") boolean resume;
        @Option(names = "--force", description = "Overwrite an existing run folder.") boolean force;

        @Override
        public Integer call() throws Exception {
            ConsoleProgress progress = new ConsoleProgress(common.quiet);
            try (NDManager m = NDManager.newBaseManager()) {
                MultigridModel model;
                RunFolder run;
                if (resume) {
                    if (!Files.isDirectory(out)) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--resume: run folder '" + out + "' does not exist; start it without --resume");
                    }
                    run = RunFolder.open(out);
                    model = MultigridTrainer.resume(run, progress, m);
                } else {
                    MultigridConfig cfg = config();
                    ImageDataset train = MultigridTrainer.trainingData(cfg); // errors here leave nothing behind
                    run = RunFolder.create(out, force);
                    model = MultigridTrainer.trainNew(run, cfg, train, progress, m);
                }
                try (model) {
                    MultigridOutputs.writePlots(run, model);
                    MultigridOutputs.writeSamples(model, run.dir().resolve("samples"), 64, 0);
                }
            }
            System.out.println("trained: " + out + " (samples in " + out.resolve("samples") + ", plots in " + out.resolve("plots") + ")");
            return 0;
        }

        MultigridConfig config() {
            MultigridConfig base = MultigridConfig.preset(preset);
            MultigridConfig.Builder b = base.toBuilder();
            if (method != null) b.method(method);
            if (data != null) b.data(data);
            if (channels != null) b.channels(channels);
            if (limit != null) { Checks.atLeast(spec, "--limit", limit, 0); b.trainLimit(limit); }
            int size = imageSize != null ? imageSize : base.imageSize();
            if (imageSize != null) {
                Checks.atLeast(spec, "--image-size", imageSize, 2);
                b.imageSize(imageSize);
                if (grids == null) b.grids(MultigridConfig.defaultGrids(imageSize));
            }
            if (grids != null) b.grids(grids);
            if (epochs != null) { Checks.atLeast(spec, "--epochs", epochs, 1); b.epochs(epochs); }
            if (batch != null) { Checks.atLeast(spec, "--batch", batch, 2); b.batchSize(batch); }
            if (lr != null) { Checks.positive(spec, "--lr", lr); b.lr(lr).lrEnd(Math.min(base.lrEnd(), lr)); }
            if (steps != null) {
                Checks.atLeast(spec, "--steps", steps, 0);
                int grids1 = (grids != null ? grids.length : base.grids().length) - 1;
                b.steps(steps).baselineSteps(steps * grids1);
            }
            if (delta != null) { Checks.positive(spec, "--delta", delta); b.delta(delta); }
            if (width != null) { Checks.positive(spec, "--width", width); b.widthMult(width); }
            if (seed != null) b.seed(seed);
            b.inpaintTraining(inpaint);
            b.maskSize(maskSize != null ? maskSize : Math.max(1, size / 2));
            MultigridConfig cfg = b.build();
            try {
                return cfg.validate();
            } catch (org.ebm4j.core.EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + " (grids "
                        + Arrays.toString(cfg.grids()) + ")");
            }
        }
    }

    @Command(name = "sample", description = "Generate images from scratch (1x1 from the training histogram, then the chain).")
    static final class Sample implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true) Path run;
        @Option(names = "--out", required = true) Path out;
        @Option(names = "--n", defaultValue = "64") int n;
        @Option(names = "--seed", defaultValue = "0") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            OutputFolder.prepare(out);
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(run, m)) {
                var s = MultigridOutputs.writeSamples(model, out, n, seed);
                System.out.println("wrote " + s.size() + " samples of " + s.get(0).width() + "x" + s.get(0).height() + " to " + out);
            }
            return 0;
        }
    }
}
