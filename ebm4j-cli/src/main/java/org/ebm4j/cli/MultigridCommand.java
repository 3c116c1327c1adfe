package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.eval.ScoreFiles;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridEval;
import org.ebm4j.method.multigrid.MultigridFeatures;
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
import java.util.concurrent.Callable;

@Command(name = "multigrid", description = "Multi-grid minimal contrastive divergence (and its baselines) on an image data set.",
        subcommands = {MultigridCommand.Train.class, MultigridCommand.Sample.class, MultigridCommand.Inpaint.class,
                MultigridCommand.Features.class, MultigridCommand.Scores.class, MultigridCommand.Score.class})
final class MultigridCommand {

    @Command(name = "train", description = "Train on a data set (or --resume an interrupted run).")
    static final class Train implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ConfigOptions config;
        @Option(names = "--data", description = "fashion-mnist | mnist | a folder of images (default: the preset's, fashion-mnist).") String data;
        @Option(names = "--out", description = "Run folder to create (or resume); required unless --print-config.") Path out;
        @Option(names = "--method", description = "mcd | cd1 | pcd | single-grid (default: mcd). pcd keeps one chain per training image "
                + "(the paper; --set pcdChains=batch: one batch of chains advanced every iteration).") String method;
        @Option(names = "--preset", defaultValue = "fast", description = "fast | fast-nonoise (fast's values: no noise term, no BatchNorm; kept if fast changes) | fast-eq8 (fast with Eq. 8's noise term, smaller delta) | long-eq8 (fast-eq8 on 10,000 images, 1,800 iterations, decaying lr; ~40 min on one core) | paper | code (default: ${DEFAULT-VALUE}).") String preset;
        @Option(names = "--image-size", description = "Side the images are resized to (the finest grid).") Integer imageSize;
        @Option(names = "--grids", split = ",", description = "Grid sides from 1 to the image size, e.g. 1,4,16,64.") int[] grids;
        @Option(names = "--channels", description = "1 (grey) or 3 (RGB).") Integer channels;
        @Option(names = "--limit", description = "Train on a seeded random subset of this many images (0 = all).") Integer limit;
        @Option(names = "--val-holdout", arity = "0..1", fallbackValue = "1000", paramLabel = "N",
                description = "Hold N seeded training images out of training (alone: 1000; default: the config's, 0 = none) "
                        + "for 'inpaint --split val'.") Integer valHoldout;
        @Option(names = "--epochs", description = "Passes over the training images.") Integer epochs;
        @Option(names = "--batch", description = "Images per iteration.") Integer batch;
        @Option(names = "--lr", description = "Adam learning rate.") Double lr;
        @Option(names = "--steps", description = "Langevin steps per grid (mcd; the baselines run grids-1 times as many).") Integer steps;
        @Option(names = "--delta", description = "Langevin step size delta of Eq. 8.") Double delta;
        @Option(names = "--pixel-range", description = "unit ([-1, 1]) | uint8 ([0, 255], as the TF code).") String pixelRange;
        @Option(names = "--sigma", description = "Std of the Gaussian reference in pixel units (<= 0: none).") Double sigma;
        @Option(names = "--noise", negatable = true, description = "Add the delta*U noise of Eq. 8 (--no-noise: gradient ascent, as the TF code).") Boolean noise;
        @Option(names = "--batch-norm", negatable = true, description = "BatchNorm after every conv (--no-batch-norm: conv + ReLU only).") Boolean batchNorm;
        @Option(names = "--clip", negatable = true, description = "Clip chain states to the pixel range.") Boolean clip;
        @Option(names = "--width", description = "Channel multiplier of the nets (1 = the paper's widths).") Double width;
        @Option(names = "--inpaint", description = "Learn to inpaint: random square masks, only masked pixels move.") boolean inpaint;
        @Option(names = "--mask-size", description = "Side of the training masks (default: half the image size).") Integer maskSize;
        @Option(names = "--seed", description = "Seed of every random draw.") Long seed;
        @Option(names = "--resume", description = "Continue an interrupted run from its checkpoint.") boolean resume;
        @Option(names = "--force", description = "Overwrite an existing run folder.") boolean force;

        @Override
        public Integer call() throws Exception {
            ConfigOptions.Resolved<MultigridConfig> resolved = config.resolve(spec, resume, out, MultigridConfig.TYPE, this::config);
            if (resolved.printed()) {
                return 0;
            }
            MultigridConfig cfg = resolved.config();
            ConsoleProgress progress = ConsoleProgress.of(common);
            RunFolder run = null; // holds the run's write lock from creation until the report is written
            try (NDManager m = NDManager.newBaseManager()) {
                MultigridModel model;
                if (resume) {
                    if (!Files.isDirectory(out)) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--resume: run folder '" + out + "' does not exist; start it without --resume");
                    }
                    run = RunFolder.openForWriting(out); // refused while another process writes it
                    model = MultigridTrainer.resume(run, progress, m);
                } else {
                    ImageDataset train = MultigridTrainer.trainingData(cfg); // errors here leave nothing behind
                    run = RunFolder.create(out, force);
                    model = MultigridTrainer.trainNew(run, cfg, train, progress, m);
                }
                try (model) {
                    MultigridOutputs.writePlots(run, model);
                    MultigridOutputs.writeSamples(model, run.dir().resolve("samples"), 64, 0);
                }
                org.ebm4j.report.RunReport.write(run.dir());
            } finally {
                if (run != null) {
                    run.close();
                }
            }
            System.out.println("trained: " + out + " (samples in " + out.resolve("samples") + ", plots in " + out.resolve("plots") + ")");
            return 0;
        }

        /**
         * Preset, then --config, then --set, then the specific options; the rules that tie settings
         * together (default grids and mask for an image size, the baselines' step count, the lr
         * floor) are the library's (MultigridConfig.Builder).
         */
        MultigridConfig config() {
            MultigridConfig base = config.apply(spec, MultigridConfig.TYPE, MultigridConfig.preset(preset));
            if (limit != null) Checks.atLeast(spec, "--limit", limit, 0);
            if (valHoldout != null) Checks.atLeast(spec, "--val-holdout", valHoldout, 0);
            if (imageSize != null) Checks.atLeast(spec, "--image-size", imageSize, 2);
            if (epochs != null) Checks.atLeast(spec, "--epochs", epochs, 1);
            if (batch != null) Checks.atLeast(spec, "--batch", batch, 2);
            if (lr != null) Checks.positive(spec, "--lr", lr);
            if (steps != null) Checks.atLeast(spec, "--steps", steps, 0);
            if (delta != null) Checks.positive(spec, "--delta", delta);
            if (width != null) Checks.positive(spec, "--width", width);
            MultigridConfig.Builder b = base.toBuilder();
            try {
                if (method != null) b.method(method);
                if (data != null) b.data(data);
                if (channels != null) b.channels(channels);
                if (limit != null) b.trainLimit(limit);
                if (valHoldout != null) b.valHoldout(valHoldout);
                if (imageSize != null) b.imageSizeWithDefaults(imageSize);
                if (grids != null) b.grids(grids);
                if (maskSize != null) b.maskSize(maskSize);
                if (epochs != null) b.epochs(epochs);
                if (batch != null) b.batchSize(batch);
                if (lr != null) b.lrWithFloor(lr);
                if (steps != null) b.stepsPerGrid(steps);
                if (delta != null) b.delta(delta);
                if (width != null) b.widthMult(width);
                if (pixelRange != null) b.pixelRange(pixelRange);
                if (sigma != null) b.referenceSigma(sigma);
                if (noise != null) b.noise(noise);
                if (clip != null) b.clip(clip);
                if (batchNorm != null) b.batchNorm(batchNorm);
                if (seed != null) b.seed(seed);
                if (inpaint) b.inpaintTraining(true);
                return b.build();
            } catch (org.ebm4j.core.EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "sample", description = "Generate images from scratch (1x1 from the training histogram, then the chain).")
    static final class Sample implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'multigrid train'.") Path run;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for sample_NNN.png, grid.png and, for mcd, chain.png.") Path out;
        @Option(names = "--n", defaultValue = "64", description = "Samples to draw (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the 1x1 starts and the chains (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--same-start", description = "Start every chain from ONE 1x1 image drawn from the histogram "
                + "(paper Fig. 5: how different the samples of one start are; also writes start.png).") boolean sameStart;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            OutputFolder.prepare(out);
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(run, m)) {
                if (sameStart && n > 1 && !model.config().noise()) {
                    // without Eq. 8's delta*U term the chain is deterministic: n copies of one image
                    System.err.println("warning: this run has no noise term (noise false), so all " + n
                            + " chains from the same start are identical; only a run trained with --noise shows Fig. 5's diversity");
                }
                var s = MultigridOutputs.writeSamples(model, out, n, seed, sameStart);
                System.out.println("wrote " + s.size() + " samples of " + s.get(0).width() + "x" + s.get(0).height()
                        + (sameStart ? " from one 1x1 start" : "") + " to " + out);
            }
            return 0;
        }
    }

    @Command(name = "inpaint", description = "Fill masked test images; prints a JSON line with the error and PSNR on the missing pixels.")
    static final class Inpaint implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'multigrid train'.") Path run;
        @Option(names = "--mask", required = true, description = "square | doodle | pepper (| random-square).") String mask;
        @Option(names = "--n", defaultValue = "1000", description = "Images to inpaint, a seeded subset (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--split", defaultValue = "test", description = "test (the test split) | val (the training images "
                + "the run held out with --val-holdout) (default: ${DEFAULT-VALUE}).") String split;
        @Option(names = "--coarse-observed", defaultValue = "any", description = "A coarse-grid pixel is observed when any (default) or all of its block's pixels are.") String coarse;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for truth.png, input.png, "
                + "result.png, the single images under result/, truth/ and mask/ (for 'eval inpainting') and inpaint.json.") Path out;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the image subset, the random masks and the chains (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            if (!InpaintingMasks.KINDS.contains(mask)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mask must be one of "
                        + InpaintingMasks.KINDS + ", got '" + mask + "'");
            }
            if (!coarse.equals("all") && !coarse.equals("any")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--coarse-observed must be all or any, got '" + coarse + "'");
            }
            if (!MultigridEval.SPLITS.contains(split)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--split must be test or val, got '" + split + "'");
            }
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(run, m)) {
                MultigridConfig cfg = model.config();
                var images = MultigridEval.images(cfg, split, n, seed);
                OutputFolder.prepare(out); // after the images are found: a refused --split val leaves nothing behind
                var r = MultigridEval.inpaint(model, images, mask, seed, out, coarse.equals("any"));
                String line = MultigridEval.writeInpaintReport(run, cfg, r, coarse, split, out);
                System.out.println(line);
            }
            return 0;
        }
    }

    @Command(name = "features", description = "Test error of a classifier on the learned features, trained with a few labels (paper Table 2).")
    static final class Features implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'multigrid train'.") Path run;
        @Option(names = "--labels", defaultValue = "1000", description = "Labelled training images (default: ${DEFAULT-VALUE}).") int labels;
        @Option(names = "--epochs", defaultValue = "60", description = "Classifier epochs (default: ${DEFAULT-VALUE}).") int epochs;
        @Option(names = "--test", defaultValue = "10000", description = "Test images (default: all ${DEFAULT-VALUE}).") int test;
        @Option(names = "--supervised", description = "Also train the same structure end to end on the labels (the comparison).") boolean supervised;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the labelled subset, the classifiers' "
                + "initialisation and batch order (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--split", defaultValue = "test", description = "test (the test split) | val (--test images of the "
                + "training split that the labelled images are not drawn from: the run's held-out images when it has "
                + "some, else a seeded subset), for choosing settings without the test images (default: ${DEFAULT-VALUE}).") String split;
        @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Standardise every feature channel by its mean and sd over the labelled images "
                        + "(--no-standardize: raw features) (default: ${DEFAULT-VALUE}).") boolean standardize;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--labels", labels, 10);
            Checks.atLeast(spec, "--epochs", epochs, 1);
            Checks.atLeast(spec, "--test", test, 1);
            if (!MultigridEval.SPLITS.contains(split)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--split must be test or val, got '" + split + "'");
            }
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(run, m)) {
                MultigridConfig cfg = model.config();
                var sets = MultigridEval.featureSets(cfg, split, test, seed);
                var s = MultigridFeatures.Settings.defaults(labels, seed).withEpochs(epochs)
                        .withStandardize(standardize);
                var r = MultigridFeatures.evaluate(model, sets.pool(), sets.evaluation(), s, supervised);
                System.out.println(MultigridEval.writeFeaturesReport(run, cfg, r, split));
            }
            return 0;
        }
    }

    @Command(name = "scores", description = "Mean and sd of f on training, test, synthesized and negative images (paper Table 1).")
    static final class Scores implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'multigrid train'.") Path run;
        @Option(names = "--negative", description = "mnist | fashion-mnist | a folder: out-of-distribution images.") String negative;
        @Option(names = "--n", defaultValue = "1000", description = "Images of each kind (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the image subsets and the synthesized images (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 2);
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(run, m)) {
                MultigridConfig cfg = model.config();
                var train = MultigridEval.data(cfg, cfg.data(), Datasets.Split.TRAIN, n, seed);
                var testSet = MultigridEval.data(cfg, cfg.data(), Datasets.Split.TEST, n, seed);
                var neg = negative == null ? null : MultigridEval.data(cfg, negative,
                        negative.endsWith(":train") ? Datasets.Split.TRAIN : Datasets.Split.TEST, n, seed);
                var rows = MultigridEval.scoreTable(model, train, testSet, neg, n, seed);
                String json = MultigridEval.writeScoresReport(run, cfg, negative, rows);
                MultigridEval.scoreTableText(model, rows).forEach(System.out::println);
                System.out.println(json);
            }
            return 0;
        }
    }

    @Command(name = "score", description = "Per-image scores of an image set, as a CSV that 'eval auroc' reads "
            + "(column score = -energy = f(Y) - |Y|^2/(2 sigma^2) of Eq. 2 at one grid, higher = more in-distribution; "
            + "'scores' prints the Table 1 summary instead).")
    static final class Score implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ScoreOptions o;
        @Option(names = "--grid", description = "Grid side whose net scores (default: the finest grid, the image size).") Integer grid;

        @Override
        public Integer call() throws Exception {
            o.check(spec);
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(o.run, m)) {
                MultigridConfig cfg = model.config();
                int g = grid != null ? grid : cfg.imageSize();
                if (!model.nets().containsKey(g)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--grid must be one of "
                            + model.nets().keySet() + " (the grids of this run with a net), got " + g);
                }
                var set = MultigridEval.data(cfg, o.data, Datasets.splitOf(o.data), o.n, o.seed);
                double[] s = MultigridEval.negativeEnergies(model, set, g);
                ScoreFiles.writeIndexed(o.out, s);
                String what = cfg.referenceSigma() > 0 ? "f - |Y|^2/2sigma^2" : "f";
                System.out.println("wrote " + s.length + " scores (" + what + " at grid " + g + "x" + g + ") of " + o.data + " to " + o.out);
            }
            return 0;
        }
    }
}
