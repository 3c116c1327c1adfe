package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import org.ebm4j.method.patchgen.PatchGenApplications;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenModel;
import org.ebm4j.method.patchgen.PatchGenOutputs;
import org.ebm4j.method.patchgen.PatchGenRun;
import org.ebm4j.method.patchgen.PatchGenTrainer;
import org.ebm4j.run.OutputFolder;
import org.ebm4j.report.RunReport;
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
        subcommands = {PatchgenCommand.Train.class, PatchgenCommand.Sample.class, PatchgenCommand.Reconstruct.class,
                PatchgenCommand.SuperResolve.class, PatchgenCommand.Edit.class, PatchgenCommand.Harmonize.class,
                PatchgenCommand.Paint2Image.class, PatchgenCommand.StyleTransfer.class})
final class PatchgenCommand {

    @Command(name = "train", description = "Train on one image (or --resume an interrupted run).")
    static final class Train implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ConfigOptions config;
        @Option(names = "--image", description = "Training image (PNG/JPEG).") Path image;
        @Option(names = "--out", description = "Run folder to create (or resume); required unless --print-config.") Path out;
        @Option(names = "--preset", defaultValue = "fast", description = "fast | long | quality | paper (default: ${DEFAULT-VALUE}).") String preset;
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
            ConfigOptions.Resolved<PatchGenConfig> resolved = config.resolve(spec, resume, out, PatchGenConfig.TYPE, this::config);
            if (resolved.printed()) {
                return 0;
            }
            PatchGenConfig cfg = resolved.config();
            ConsoleProgress progress = ConsoleProgress.of(common);
            Path report;
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
                    model = PatchGenTrainer.trainNew(image, out, force, cfg, progress, m);
                }
                // the trainer released the run's write lock; take it again for the outputs and the report
                try (model; RunFolder run = RunFolder.openForWriting(out)) {
                    PatchGenOutputs.writePlots(run);
                    PatchGenOutputs.writeSamples(model, run.dir().resolve("samples"), 4, 0, 1.0, 1.0);
                    report = RunReport.write(out);
                }
            }
            System.out.println("trained: " + out + " (samples in " + out.resolve("samples") + ", plots in " + out.resolve("plots")
                    + ", report " + report + ")");
            return 0;
        }

        /** Preset, then --config, then --set, then the specific options (--iters also rescales the decays). */
        PatchGenConfig config() {
            PatchGenConfig cfg = config.apply(spec, PatchGenConfig.TYPE, PatchGenConfig.preset(preset));
            try {
                cfg = cfg.withScales(scales != null ? scales : cfg.numScales(), minSize != null ? minSize : cfg.minSize(),
                        maxSize != null ? maxSize : cfg.maxSize());
                if (iters != null) cfg = cfg.withIterations(iters);
                if (seed != null) cfg = cfg.withSeed(seed);
                if (earlyStop != null) cfg = cfg.withEarlyStop(PatchGenConfig.EarlyStop.of(earlyStop), cfg.earlyStopThreshold());
                return cfg;
            } catch (org.ebm4j.core.EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "sample", description = "Draw random samples of any size from a trained run.")
    static final class Sample implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'patchgen train'.") Path run;
        @Option(names = "--out", description = "Output folder (required unless --scales-info).") Path out;
        @Option(names = "--n", defaultValue = "8", description = "Samples to draw (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial noise and the Langevin chains (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--width-scale", defaultValue = "1.0", description = "Width of the samples as a multiple of the "
                + "training image's, at every scale (default: ${DEFAULT-VALUE}).") double widthScale;
        @Option(names = "--height-scale", defaultValue = "1.0", description = "Height of the samples as a multiple of the "
                + "training image's, at every scale (default: ${DEFAULT-VALUE}).") double heightScale;
        @Option(names = "--start-scale", defaultValue = "0",
                description = "Begin at this scale from the training image of the scale below (0 = from noise).")
        int startScale;
        @Option(names = "--end-scale", description = "Stop after this scale: samples at its size, as if training had "
                + "stopped there; with the same --seed, the coarse stages of the full samples (default: the finest trained scale).")
        Integer endScale;
        @Option(names = "--steps-scale", defaultValue = "1.0",
                description = "Multiply every chain's Langevin steps by F (default: ${DEFAULT-VALUE}, the training chains' lengths).")
        double stepsScale;
        @Option(names = "--scales-info", description = "Print the pyramid's sizes per scale and exit.") boolean scalesInfo;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            Checks.positive(spec, "--steps-scale", stepsScale);
            Checks.positive(spec, "--width-scale", widthScale);
            Checks.positive(spec, "--height-scale", heightScale);
            Checks.atLeast(spec, "--start-scale", startScale, 0);
            if (endScale != null) {
                Checks.atLeast(spec, "--end-scale", endScale, 0);
                if (startScale > endScale) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--start-scale (" + startScale
                            + ") must not be above --end-scale (" + endScale + ")");
                }
            }
            if (!scalesInfo && out == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--out is required (unless --scales-info)");
            }
            int scales = endScale == null ? Integer.MAX_VALUE : endScale + 1;
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m, scales)) {
                if (scalesInfo) {
                    PatchGenApplications.scalesInfo(model).forEach(System.out::println);
                    return 0;
                }
                if (endScale != null && endScale > model.trainedScales() - 1) {
                    // fewer nets than asked were loaded: all that the run has
                    throw new CommandLine.ParameterException(spec.commandLine(), "--end-scale must be in 0.."
                            + (model.trainedScales() - 1) + " for this run, got " + endScale);
                }
                if (startScale > model.trainedScales() - 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--start-scale must be in 0.."
                            + (model.trainedScales() - 1) + " for this run, got " + startScale);
                }
                // a size that cannot fit is refused before the output folder is made
                PatchGenOutputs.checkSampleSize(model, n, widthScale, heightScale, asked(spec, "--width-scale", "--height-scale", "--n"));
                OutputFolder.prepare(out);
                var s = PatchGenOutputs.writeSamples(model, out, n, seed, widthScale, heightScale, startScale, stepsScale);
                System.out.println("wrote " + s.size() + " samples of " + s.get(0).width() + "x" + s.get(0).height()
                        + " to " + out);
            }
            return 0;
        }
    }

    /** The size-asking options the user gave, as typed ("--width-scale 1e6"), for error messages. */
    static String asked(CommandLine.Model.CommandSpec spec, String... names) {
        StringBuilder b = new StringBuilder();
        for (String name : names) {
            var o = spec.commandLine().getParseResult().matchedOption(name);
            if (o != null) {
                if (b.length() > 0) b.append(' ');
                b.append(name).append(' ').append(String.join(",", o.stringValues()));
            }
        }
        return b.length() > 0 ? b.toString() : "this request";
    }

    @Command(name = "reconstruct", description = "Run the deterministic recovery chain from the blurred image.")
    static final class Reconstruct implements Callable<Integer> {
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'patchgen train'.") Path run;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for reconstruction.png and real.png.") Path out;

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

    /** --start-scale must be in 1..trainedScales−1: a usage error naming the range otherwise. */
    static void checkStartScale(CommandLine.Model.CommandSpec spec, PatchGenModel model, int startScale) {
        int max = model.trainedScales() - 1;
        if (startScale < 1 || startScale > max) {
            throw new CommandLine.ParameterException(spec.commandLine(), max < 1
                    ? "--start-scale: this run has a single trained scale; injection needs at least 2"
                    : "--start-scale must be in 1.." + max + " for this run, got " + startScale);
        }
    }

    @Command(name = "super-resolve", description = "Super-resolution as in the official exps/sr_exp.py.")
    static final class SuperResolve implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'patchgen train'.") Path run;
        @Option(names = "--image", required = true, description = "Low-resolution image.") Path image;
        @Option(names = "--factor", defaultValue = "4", description = "Upscaling factor > 1 (default: ${DEFAULT-VALUE}).") double factor;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for sr.png and bicubic.png.") Path out;
        @Option(names = "--net-scale", description = "Scale whose net runs (default: the third-finest trained).") Integer netScale;
        @Option(names = "--force", description = "Overwrite sr.png / bicubic.png in --out.") boolean force;

        @Override
        public Integer call() throws Exception {
            if (!(factor > 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--factor must be > 1, got " + factor);
            }
            if (netScale != null) Checks.atLeast(spec, "--net-scale", netScale, 0);
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
                if (netScale != null && netScale > model.trainedScales() - 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--net-scale must be in 0.."
                            + (model.trainedScales() - 1) + " for this run, got " + netScale);
                }
                var r = PatchGenApplications.writeSuperResolution(model, image, factor, netScale == null ? -1 : netScale, out,
                        force);
                System.out.println("wrote " + out.resolve("sr.png") + " (" + r.sr().width() + "x" + r.sr().height()
                        + ", net of scale " + r.netScale() + ", " + r.steps() + " upsampling steps) and "
                        + out.resolve("bicubic.png"));
            }
            return 0;
        }
    }

    /** Shared body of edit and harmonize. */
    abstract static class Blend implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'patchgen train'.") Path run;
        @Option(names = "--ref", required = true, description = "Reference image (training image's aspect ratio).") Path ref;
        @Option(names = "--mask", required = true, description = "Grey mask: white = region to regenerate.") Path mask;
        @Option(names = "--start-scale", required = true, description = "Injection scale, 1..trained scales − 1.") int startScale;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for blended.png, raw.png and strip.png.") Path out;
        @Option(names = "--force", description = "Overwrite blended.png / raw.png / strip.png in --out.") boolean force;

        abstract PatchGenApplications.Mode mode();

        @Override
        public Integer call() throws Exception {
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
                checkStartScale(spec, model, startScale);
                PatchGenApplications.writeInjectAndBlend(model, ref, mask, startScale, mode(), out, force);
            }
            System.out.println("wrote " + out.resolve("blended.png") + ", raw.png and strip.png");
            return 0;
        }
    }

    @Command(name = "edit", description = "Editing per SinGAN protocol: re-synthesise the masked region of an edited image.")
    static final class Edit extends Blend {
        @Override
        PatchGenApplications.Mode mode() {
            return PatchGenApplications.Mode.EDIT;
        }
    }

    @Command(name = "harmonize", description = "Harmonization per SinGAN protocol: blend a pasted object into the image's style.")
    static final class Harmonize extends Blend {
        @Override
        PatchGenApplications.Mode mode() {
            return PatchGenApplications.Mode.HARMONIZE;
        }
    }

    @Command(name = "paint2image", description = "Paint-to-image per SinGAN protocol: turn a coarse painting into an image.")
    static final class Paint2Image implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'patchgen train'.") Path run;
        @Option(names = "--paint", required = true, description = "Painting (training image's aspect ratio).") Path paint;
        @Option(names = "--start-scale", required = true, description = "Injection scale, 1..trained scales − 1.") int startScale;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for raw.png and strip.png.") Path out;
        @Option(names = "--force", description = "Overwrite raw.png / strip.png in --out.") boolean force;

        @Override
        public Integer call() throws Exception {
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
                checkStartScale(spec, model, startScale);
                PatchGenApplications.writePaintToImage(model, paint, startScale, out, force);
            }
            System.out.println("wrote " + out.resolve("raw.png") + " and strip.png");
            return 0;
        }
    }

    @Command(name = "style-transfer",
            description = "Style transfer per SinGAN protocol: redraw a content image with the run's (style) image's patches.")
    static final class StyleTransfer implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run trained on the style image.") Path run;
        @Option(names = "--content", required = true,
                description = "Content image (any aspect ratio: resized to the finest scale's pixel count, aspect kept).")
        Path content;
        @Option(names = "--start-scale", required = true, description = "Injection scale, 1..trained scales − 1.") int startScale;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for stylized.png and strip.png.") Path out;
        @Option(names = "--steps-scale", defaultValue = "1.0",
                description = "Multiply every chain's Langevin steps by F (default: ${DEFAULT-VALUE}).") double stepsScale;
        @Option(names = "--noise", description = "Run the chains with the training-time noise (default: noise-free).")
        boolean noise;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the noise (with --noise).") long seed;
        @Option(names = "--force", description = "Overwrite stylized.png / strip.png in --out.") boolean force;

        @Override
        public Integer call() throws Exception {
            Checks.positive(spec, "--steps-scale", stepsScale);
            try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
                checkStartScale(spec, model, startScale);
                var r = PatchGenApplications.writeStyleTransfer(model, content, startScale, stepsScale, noise, seed,
                        out, force);
                System.out.println("wrote " + out.resolve("stylized.png") + " (" + r.stylized().width() + "x"
                        + r.stylized().height() + ") and strip.png");
            }
            return 0;
        }
    }
}
