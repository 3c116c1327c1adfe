package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.eval.Auroc;
import org.ebm4j.eval.ScoreFiles;
import org.ebm4j.method.dualmcmc.DualMcmcConfig;
import org.ebm4j.method.dualmcmc.DualMcmcEval;
import org.ebm4j.method.dualmcmc.DualMcmcModel;
import org.ebm4j.method.dualmcmc.DualMcmcOutputs;
import org.ebm4j.method.dualmcmc.DualMcmcRun;
import org.ebm4j.method.dualmcmc.DualMcmcTrainer;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.OutputFolder;
import org.ebm4j.run.RunFolder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "dualmcmc", description = "Dual-MCMC teaching (Cui & Han 2023): an EBM, a generator and an inference net "
        + "learned together with Langevin revision of images (T^x) and latents (T^z).",
        subcommands = {DualmcmcCommand.Train.class, DualmcmcCommand.Sample.class, DualmcmcCommand.Reconstruct.class,
                DualmcmcCommand.Inpaint.class, DualmcmcCommand.Score.class, DualmcmcCommand.Ood.class,
                DualmcmcCommand.Interpolate.class})
final class DualmcmcCommand {


    @Command(name = "train", description = "Train on a data set (or --resume an interrupted run).")
    static final class Train implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ConfigOptions config;
        @Option(names = "--preset", defaultValue = "fast", description = "fast | paper-cifar10 (paper) | paper-celeba64 (celeba64) (default: ${DEFAULT-VALUE}).") String preset;
        @Option(names = "--data", description = "fashion-mnist | mnist | a folder of images (grey or RGB, resized).") String data;
        @Option(names = "--out", description = "Run folder to create (or resume); required unless --print-config.") Path out;
        @Option(names = "--image-size", description = "Side the images are resized to (a power of two >= 8).") Integer imageSize;
        @Option(names = "--channels", description = "1 (grey) or 3 (RGB).") Integer channels;
        @Option(names = "--limit", description = "Train on a seeded random subset of this many images (0 = all).") Integer limit;
        @Option(names = "--epochs", description = "Passes over the training images.") Integer epochs;
        @Option(names = "--batch", description = "Images per iteration.") Integer batch;
        @Option(names = "--order", description = "official (G, I, then E on a fresh T^x chain) | paper (Alg. 1: E, G, I).") String order;
        @Option(names = "--seed", description = "Seed of every random draw.") Long seed;
        @Option(names = "--resume", description = "Continue an interrupted run from its checkpoint.") boolean resume;
        @Option(names = "--force", description = "Overwrite an existing run folder.") boolean force;

        @Override
        public Integer call() throws Exception {
            ConfigOptions.Resolved<DualMcmcConfig> resolved = config.resolve(spec, resume, out, DualMcmcConfig.TYPE, this::config);
            if (resolved.printed()) {
                return 0;
            }
            DualMcmcConfig cfg = resolved.config();
            ConsoleProgress progress = ConsoleProgress.of(common);
            RunFolder run = null;
            try (NDManager m = NDManager.newBaseManager()) {
                DualMcmcModel model;
                if (resume) {
                    if (!Files.isDirectory(out)) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--resume: run folder '" + out + "' does not exist; start it without --resume");
                    }
                    run = RunFolder.openForWriting(out);
                    model = DualMcmcTrainer.resume(run, progress, m);
                } else {
                    ImageDataset train = DualMcmcTrainer.trainingData(cfg); // errors here leave nothing behind
                    run = RunFolder.create(out, force);
                    model = DualMcmcTrainer.trainNew(run, cfg, train, progress, m);
                }
                try (model) {
                    DualMcmcOutputs.writePlots(run);
                    DualMcmcConfig.Chains c = model.config().chains();
                    DualMcmcOutputs.writeSamples(model, run.dir().resolve("samples"), 100, 0, c.testXSteps(), c.testXStepSize());
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

        /** Preset, then --config, then --set, then the specific options. */
        DualMcmcConfig config() {
            DualMcmcConfig base;
            try {
                base = DualMcmcConfig.preset(preset);
            } catch (org.ebm4j.core.EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            base = config.apply(spec, DualMcmcConfig.TYPE, base);
            if (limit != null) Checks.atLeast(spec, "--limit", limit, 0);
            if (epochs != null) Checks.atLeast(spec, "--epochs", epochs, 1);
            if (batch != null) Checks.atLeast(spec, "--batch", batch, 2);
            try {
                DualMcmcConfig c = base.withData(data != null ? data : base.data(),
                        imageSize != null ? imageSize : base.imageSize(), channels != null ? channels : base.channels());
                c = c.withTraining(limit != null ? limit : c.trainLimit(), epochs != null ? epochs : c.epochs(),
                        batch != null ? batch : c.batchSize());
                if (order != null) c = c.withOrder(DualMcmcConfig.Order.of(order));
                if (seed != null) c = c.withSeed(seed);
                return c;
            } catch (org.ebm4j.core.EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "sample", description = "Generate G(z) and its EBM revision T^x(G(z)) side by side (test-time chain by default).")
    static final class Sample implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'dualmcmc train'.") Path run;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for generated.png, "
                + "revised.png, side_by_side.png and the single images in generated/ and revised/.") Path out;
        @Option(names = "--n", defaultValue = "100", description = "Samples (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--steps", description = "T^x steps (default: the run's test-time value, 70 officially).") Integer steps;
        @Option(names = "--step-size", description = "T^x step size s (default: the run's test-time value, 0.4 officially).") Double stepSize;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the latents z and the T^x chain (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            if (steps != null) Checks.atLeast(spec, "--steps", steps, 0);
            if (stepSize != null) Checks.positive(spec, "--step-size", stepSize);
            try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = DualMcmcRun.load(run, m)) {
                OutputFolder.prepare(out);
                DualMcmcConfig.Chains c = model.config().chains();
                DualMcmcOutputs.writeSamples(model, out, n, seed, steps != null ? steps : c.testXSteps(),
                        stepSize != null ? stepSize : c.testXStepSize());
                System.out.println("wrote " + n + " samples (generated.png, revised.png, side_by_side.png) to " + out);
            }
            return 0;
        }
    }

    @Command(name = "reconstruct", description = "Reconstruct test images: I(x) -> z -> T^z -> G; prints the MSE with and without T^z.")
    static final class Reconstruct implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'dualmcmc train'.") Path run;
        @Option(names = "--data", description = "Images to reconstruct (default: the run's data set, test split).") String data;
        @Option(names = "--n", defaultValue = "1000", description = "Images (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--z-steps", description = "T^z steps (default: the run's, 10 officially).") Integer zSteps;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for grid.png (first "
                + "batch: data | I(x) | with T^z) and reconstruction.json.") Path out;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the image subset and the T^z chain (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            if (zSteps != null) Checks.atLeast(spec, "--z-steps", zSteps, 0);
            try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = DualMcmcRun.load(run, m)) {
                String d = data != null ? data : model.config().data();
                ImageDataset set = DualMcmcEval.data(model.config(), d, Datasets.splitOf(d), n, seed);
                OutputFolder.prepare(out);
                var r = DualMcmcEval.reconstruct(model, set, zSteps != null ? zSteps : model.config().chains().zSteps(), seed, out);
                ObjectNode o = AtomicFiles.MAPPER.valueToTree(r);
                o.put("data", d);
                AtomicFiles.writeJson(out.resolve("reconstruction.json"), o);
                System.out.println(o);
            }
            return 0;
        }
    }

    @Command(name = "inpaint", description = "Inpaint test images with the paper's masks; PSNR/SSIM on the missing pixels "
            + "for Inf+Gen, +T^z and +T^z+T^x.")
    static final class Inpaint implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'dualmcmc train'.") Path run;
        @Option(names = "--mask", split = ",", defaultValue = "M20,M30,M40,R20,R30,R40",
                description = "Masks: M<pct> centre block, R<pct> random blocks (default: ${DEFAULT-VALUE}).") List<String> masks;
        @Option(names = "--data", description = "Images (default: the run's data set, test split).") String data;
        @Option(names = "--n", defaultValue = "500", description = "Images (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for one grid per mask (e.g. M20.png) and inpainting.json.") Path out;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the image subset, the R masks' blocks and the "
                + "chains (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            for (String k : masks) {
                try {
                    org.ebm4j.data.InpaintingMasks.paper(k, 1, 8, 0);
                } catch (org.ebm4j.core.EbmException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--mask: " + e.getMessage());
                }
            }
            try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = DualMcmcRun.load(run, m)) {
                String d = data != null ? data : model.config().data();
                ImageDataset set = DualMcmcEval.data(model.config(), d, Datasets.splitOf(d), n, seed);
                OutputFolder.prepare(out);
                List<DualMcmcEval.InpaintingResult> rows = new ArrayList<>();
                for (String k : masks) {
                    var r = DualMcmcEval.inpaint(model, set, k, seed, out);
                    rows.add(r);
                    for (var e : r.pipelines().entrySet()) {
                        System.out.printf("%-4s %-14s PSNR %7.3f  SSIM %s%n", r.mask(), e.getKey(), e.getValue().psnr(),
                                e.getValue().ssim() == null ? "n/a" : String.format("%.3f", e.getValue().ssim()));
                    }
                }
                AtomicFiles.writeJson(out.resolve("inpainting.json"), rows);
            }
            return 0;
        }
    }

    @Command(name = "score", description = "Per-image energy of an image set, as a CSV that 'eval auroc' reads "
            + "(column score = -E(x), higher = more in-distribution; column energy = E(x)).")
    static final class Score implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ScoreOptions o;

        @Override
        public Integer call() throws Exception {
            o.check(spec);
            try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = DualMcmcRun.load(o.run, m)) {
                ImageDataset set = DualMcmcEval.data(model.config(), o.data, Datasets.splitOf(o.data), o.n, o.seed);
                double[] e = DualMcmcEval.energies(model, set);
                double[] s = new double[e.length];
                for (int i = 0; i < e.length; i++) {
                    s[i] = -e[i];
                }
                ScoreFiles.writeIndexed(o.out, s);
                System.out.println("wrote " + e.length + " scores (-E(x)) of " + o.data + " to " + o.out);
            }
            return 0;
        }
    }

    @Command(name = "ood", description = "AUROC of in-distribution test images against out-of-distribution sets, scored by -E(x).")
    static final class Ood implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'dualmcmc train'.") Path run;
        @Option(names = "--in", description = "In-distribution images (default: the run's data set, test split).") String in;
        @Option(names = "--vs", required = true, split = ",", description = "Out-of-distribution sets: mnist, fashion-mnist, noise (uniform), folders.") List<String> vs;
        @Option(names = "--n", defaultValue = "1000", description = "Images of each set (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the image subsets and the noise images (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = DualMcmcRun.load(run, m)) {
                DualMcmcConfig cfg = model.config();
                String inSpec = in != null ? in : cfg.data();
                double[] ein = DualMcmcEval.energies(model, DualMcmcEval.data(cfg, inSpec, Datasets.splitOf(inSpec), n, seed));
                double[] sin = neg(ein);
                ObjectNode o = AtomicFiles.MAPPER.createObjectNode();
                o.put("in", inSpec);
                for (String v : vs) {
                    ImageDataset set = v.equals("noise") ? noise(cfg, n, seed) : DualMcmcEval.data(cfg, v, Datasets.splitOf(v), n, seed);
                    double a = Auroc.of(sin, neg(DualMcmcEval.energies(model, set)));
                    o.put(v, a);
                    System.out.printf("AUROC %s vs %s: %.4f%n", inSpec, v, a);
                }
                System.out.println(o);
            }
            return 0;
        }

        private static double[] neg(double[] e) {
            double[] s = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                s[i] = -e[i];
            }
            return s;
        }

        /** Uniform noise images of the run's shape, seeded. */
        private static ImageDataset noise(DualMcmcConfig cfg, int n, long seed) {
            int per = cfg.channels() * cfg.imageSize() * cfg.imageSize();
            byte[] px = new byte[n * per];
            new java.util.SplittableRandom(seed).nextBytes(px);
            return new ImageDataset("noise", cfg.channels(), cfg.imageSize(), cfg.imageSize(), px, new int[n], null);
        }
    }

    @Command(name = "interpolate", description = "Latent interpolation grids G((1-a) z1 + a z2), raw and T^x-revised.")
    static final class Interpolate implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'dualmcmc train'.") Path run;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for interpolate.png and interpolate_revised.png.") Path out;
        @Option(names = "--rows", defaultValue = "8", description = "Latent pairs z1, z2, one grid row each (default: ${DEFAULT-VALUE}).") int rows;
        @Option(names = "--steps", defaultValue = "10", description = "Images per row, the weight a going from 0 to 1 in "
                + "equal steps; at least 2 (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the latent pairs and the T^x chain (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--rows", rows, 1);
            Checks.atLeast(spec, "--steps", steps, 2);
            try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = DualMcmcRun.load(run, m)) {
                OutputFolder.prepare(out);
                DualMcmcEval.writeInterpolation(model, out, rows, steps, seed);
                System.out.println("wrote interpolate.png and interpolate_revised.png to " + out);
            }
            return 0;
        }
    }
}
