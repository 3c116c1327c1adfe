package org.ebm4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.core.EbmException;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.eval.ScoreFiles;
import org.ebm4j.method.dualmcmc.DualMcmcConfig;
import org.ebm4j.method.dualmcmc.DualMcmcModel;
import org.ebm4j.method.dualmcmc.DualMcmcRun;
import org.ebm4j.method.hatebm.HatEbmConfig;
import org.ebm4j.method.hatebm.HatEbmModel;
import org.ebm4j.method.hatebm.HatEbmOutputs;
import org.ebm4j.method.hatebm.HatEbmRun;
import org.ebm4j.method.hatebm.HatEbmTrainer;
import org.ebm4j.run.BlockTensors;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "hatebm", description = "Hat EBM (Hill et al. 2022): an EBM H(y + G(z)) on a generator's output; tandem "
        + "synthesis with a persistent bank, or refinement of a pretrained generator.",
        subcommands = {HatebmCommand.Train.class, HatebmCommand.Refine.class, HatebmCommand.Retrofit.class,
                HatebmCommand.Sample.class, HatebmCommand.Score.class})
final class HatebmCommand {


    /** The subcommand that trains a mode. */
    static String command(HatEbmConfig.Mode mode) {
        return switch (mode) {
            case SYNTHESIS -> "train";
            case REFINE -> "refine";
            case RETROFIT -> "retrofit";
        };
    }

    /** Options shared by train, refine and retrofit. */
    abstract static class TrainBase implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ConfigOptions config;
        @Option(names = "--data", description = "fashion-mnist | mnist | a folder of images (grey or RGB, resized).") String data;
        @Option(names = "--out", description = "Run folder to create (or resume); required unless --print-config.") Path out;
        @Option(names = "--limit", description = "Train on a seeded random subset of this many images (0 = all).") Integer limit;
        @Option(names = "--iters", description = "Training iterations.") Integer iters;
        @Option(names = "--batch", description = "Images per iteration.") Integer batch;
        @Option(names = "--seed", description = "Seed of every random draw.") Long seed;
        @Option(names = "--resume", description = "Continue an interrupted run from its checkpoint.") boolean resume;
        @Option(names = "--force", description = "Overwrite an existing run folder.") boolean force;
        @Option(names = "--hat", description = "A .npz or .safetensors file (PyTorch names as in docs/WEIGHT_IMPORT.md) "
                + "of the configuration's hat net H to start from instead of its random initialisation.") Path hat;

        abstract String preset();

        abstract HatEbmConfig.Mode mode();

        /** Options of the subcommand applied after the shared ones. */
        HatEbmConfig specific(HatEbmConfig c) {
            return c;
        }

        /** Preset, then --config, then --set, then the specific options. */
        HatEbmConfig config() {
            HatEbmConfig base;
            try {
                base = HatEbmConfig.preset(preset());
            } catch (EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            base = config.apply(spec, HatEbmConfig.TYPE, base);
            if (limit != null) Checks.atLeast(spec, "--limit", limit, 0);
            if (iters != null) Checks.atLeast(spec, "--iters", iters, 1);
            if (batch != null) Checks.atLeast(spec, "--batch", batch, 1);
            try {
                HatEbmConfig c = base.withData(data != null ? data : base.data(), base.imageSize(), base.channels());
                c = c.withTraining(limit != null ? limit : c.trainLimit(), iters != null ? iters : c.iterations(),
                        batch != null ? batch : c.batchSize());
                if (seed != null) c = c.withSeed(seed);
                if (hat != null) c = c.withHat(hat.toString());
                c = specific(c);
                if (c.mode() != mode()) {
                    throw new EbmException("preset '" + c.preset() + "' is a " + c.mode() + " configuration; use 'hatebm "
                            + command(c.mode()) + "' for it");
                }
                return c;
            } catch (EbmException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        /** The pretrained generator's tensors (refine; null for synthesis), in {@code m}. */
        Map<String, NDArray> pretrained(HatEbmConfig cfg, NDManager m) {
            return null;
        }

        @Override
        public Integer call() throws Exception {
            ConfigOptions.Resolved<HatEbmConfig> resolved = config.resolve(spec, resume, out, HatEbmConfig.TYPE, this::config);
            if (resolved.printed()) {
                return 0;
            }
            HatEbmConfig cfg = resolved.config();
            ConsoleProgress progress = ConsoleProgress.of(common);
            RunFolder run = null;
            try (NDManager m = NDManager.newBaseManager()) {
                HatEbmModel model;
                if (resume) {
                    if (!Files.isDirectory(out)) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--resume: run folder '" + out + "' does not exist; start it without --resume");
                    }
                    run = RunFolder.openForWriting(out);
                    model = HatEbmTrainer.resume(run, progress, m);
                } else {
                    ImageDataset train = HatEbmTrainer.trainingData(cfg); // errors here leave nothing behind
                    HatEbmTrainer.checkHat(cfg, m);
                    Map<String, NDArray> gen = pretrained(cfg, m);
                    if (cfg.batchSize() > train.size()) {
                        throw new EbmException("batch " + cfg.batchSize() + " is larger than the " + train.size()
                                + " training images");
                    }
                    run = RunFolder.create(out, force);
                    model = new HatEbmTrainer(cfg, progress).start(run, train, gen, m);
                }
                try (model) {
                    HatEbmOutputs.writePlots(run);
                    HatEbmOutputs.writeSamples(model, run.dir().resolve("samples"), 100, 0, model.config().chains().testSteps());
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
    }

    @Command(name = "train", description = "Tandem synthesis training (Alg. 1): EBM on G(z) + y, generator on a persistent bank "
            + "(or --resume an interrupted run).")
    static final class Train extends TrainBase {
        @Option(names = "--preset", defaultValue = "fast", description = "fast | paper-cifar10 (paper) | code-cifar10 (code) "
                + "(default: ${DEFAULT-VALUE}).") String preset;
        @Option(names = "--image-size", description = "Side the images are resized to (a power of two >= 8).") Integer imageSize;
        @Option(names = "--channels", description = "1 (grey) or 3 (RGB).") Integer channels;
        @Option(names = "--generator-target", description = "historical (persistent bank, Eq. 11) | current (this "
                + "iteration's samples: the App. F ablation).") String target;
        @Option(names = "--no-residual", description = "The App. H ablation: U = H(G(z)), Langevin on z, no residual image.")
        boolean noResidual;

        @Override
        String preset() {
            return preset;
        }

        @Override
        HatEbmConfig.Mode mode() {
            return HatEbmConfig.Mode.SYNTHESIS;
        }

        @Override
        HatEbmConfig specific(HatEbmConfig c) {
            c = c.withData(c.data(), imageSize != null ? imageSize : c.imageSize(), channels != null ? channels : c.channels());
            HatEbmConfig.Train t = c.train();
            if (target != null || noResidual) {
                c = c.withTrain(new HatEbmConfig.Train(t.dataEpsilon(), t.bankSize(), t.genLossFactor(),
                        target != null ? HatEbmConfig.GenTarget.of(target) : t.generatorTarget(), !noResidual && t.residual(), t.explodeThreshold()));
            }
            return c;
        }
    }

    @Command(name = "refine", description = "Joint Hat EBM on a frozen pretrained generator (a hatebm or dualmcmc run): "
            + "z and y sampled together, only the EBM learns.")
    static final class Refine extends TrainBase {
        @Option(names = "--preset", defaultValue = "fast-refine", description = "fast-refine | paper-cifar10-refine "
                + "(paper-refine) | code-cifar10-refine (code-refine) (default: ${DEFAULT-VALUE}).") String preset;
        @Option(names = "--generator", description = "Run folder whose generator is refined: a 'hatebm train' or "
                + "'dualmcmc train' run (its image size, channels and generator shape are used); or a weights file "
                + "(.npz or .safetensors, PyTorch names as in docs/WEIGHT_IMPORT.md) of the configuration's hat "
                + "generator (nets.latent, nets.genWidth, nets.genFactor, imageSize, channels).") Path generator;
        @Option(names = "--generator-ema", description = "With a hatebm run: take its generator's weight average.")
        boolean generatorEma;

        @Override
        String preset() {
            return preset;
        }

        @Override
        HatEbmConfig.Mode mode() {
            return HatEbmConfig.Mode.REFINE;
        }

        /** Whether --generator names a weights file rather than a run folder. */
        private boolean weightsFile() {
            return generator != null && Files.isRegularFile(generator);
        }

        /** The source run's method, refusing anything but hatebm and dualmcmc. */
        private String sourceMethod() {
            if (generator == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "refine needs --generator RUN (a hatebm or "
                        + "dualmcmc run folder) or --generator FILE (.npz or .safetensors)");
            }
            if (!Files.exists(generator)) {
                throw new EbmException("--generator: '" + generator + "' does not exist (a run folder or a .npz/.safetensors file)");
            }
            if (!Files.isRegularFile(generator.resolve(RunFolder.CONFIG))) {
                throw new EbmException("--generator: '" + generator + "' is not an ebm4j run folder (no config.json)");
            }
            JsonNode node;
            try {
                node = AtomicFiles.readTree(generator.resolve(RunFolder.CONFIG));
            } catch (java.io.IOException e) {
                throw new EbmException("--generator: cannot read " + generator.resolve(RunFolder.CONFIG) + ": " + e.getMessage());
            }
            String method = node.path("method").asText("unknown");
            if (!method.equals(HatEbmRun.METHOD) && !method.equals(DualMcmcRun.METHOD)) {
                throw new EbmException("--generator: '" + generator + "' is a " + method + " run, which has no generator; "
                        + "pass a hatebm or dualmcmc run folder");
            }
            return method;
        }

        @Override
        HatEbmConfig specific(HatEbmConfig c) {
            if (generator == null) { // --print-config of a preset; a run needs it (see pretrained)
                return c;
            }
            if (weightsFile()) { // the configuration's hat generator, its weights from the file (checked in pretrained)
                if (generatorEma) {
                    throw new EbmException("--generator-ema needs a hatebm run folder; '" + generator + "' is a weights file");
                }
                HatEbmConfig.Nets n = c.nets();
                return c.withGenerator(generator.toString(), new HatEbmConfig.Nets(n.latent(), n.ebmWidth(), n.genWidth(),
                        n.genFactor(), HatEbmConfig.GenLayout.HAT));
            }
            String method = sourceMethod();
            if (generatorEma && !method.equals(HatEbmRun.METHOD)) {
                throw new EbmException("--generator-ema needs a hatebm run; '" + generator + "' is a " + method + " run");
            }
            RunFolder src = RunFolder.open(generator);
            HatEbmConfig.Nets n = c.nets();
            if (method.equals(HatEbmRun.METHOD)) {
                HatEbmConfig s = HatEbmRun.readInfo(src).config();
                return c.withData(c.data(), s.imageSize(), s.channels()).withGenerator(generator.toString(),
                        new HatEbmConfig.Nets(s.nets().latent(), n.ebmWidth(), s.nets().genWidth(), s.nets().genFactor(),
                                s.nets().genLayout()));
            }
            DualMcmcConfig s = DualMcmcRun.readInfo(src).config();
            HatEbmConfig.GenLayout layout = s.nets().layout() == DualMcmcConfig.Layout.CIFAR
                    ? HatEbmConfig.GenLayout.DUALMCMC_CIFAR : HatEbmConfig.GenLayout.DUALMCMC_CELEBA;
            // Dual-MCMC's generator ends in tanh: outputs in [-1, 1], gen_factor 1 as the paper's refinement
            return c.withData(c.data(), s.imageSize(), s.channels()).withGenerator(generator.toString(),
                    new HatEbmConfig.Nets(s.nets().latent(), n.ebmWidth(), s.nets().genWidth(), 1.0, layout));
        }

        @Override
        Map<String, NDArray> pretrained(HatEbmConfig cfg, NDManager m) {
            if (weightsFile()) {
                return fileGenerator(cfg, generator, m);
            }
            if (sourceMethod().equals(HatEbmRun.METHOD)) {
                return HatEbmRun.generatorTensors(generator, m, generatorEma);
            }
            try (DualMcmcModel d = DualMcmcRun.load(generator, m)) {
                LinkedHashMap<String, NDArray> live = new LinkedHashMap<>();
                BlockTensors.put(live, "", d.generator());
                Map<String, NDArray> copies = new LinkedHashMap<>();
                live.forEach((k, v) -> {
                    NDArray c = v.duplicate();
                    c.attach(m);
                    copies.put(k, c);
                });
                return copies;
            }
        }
    }

    /**
     * The generator of {@code cfg} with its weights from {@code --generator FILE} (WeightImport's name
     * table); a missing or extra name, or a tensor of another shape, is refused in one line naming
     * the tensor (and both shapes) before anything is written.
     */
    private static Map<String, NDArray> fileGenerator(HatEbmConfig cfg, Path file, NDManager m) {
        try (NDManager tmp = m.newSubManager()) {
            org.ebm4j.nn.Generator g = new org.ebm4j.nn.Generator(cfg.generatorConfig()).init(tmp, ai.djl.ndarray.types.DataType.FLOAT32);
            g.setBnMode(org.ebm4j.nn.BatchNorm2d.Mode.RUNNING);
            org.ebm4j.run.WeightImport.load(file, g, "generator");
            LinkedHashMap<String, NDArray> live = new LinkedHashMap<>();
            BlockTensors.put(live, "", g);
            Map<String, NDArray> copies = new LinkedHashMap<>();
            live.forEach((k, v) -> {
                NDArray c = v.duplicate();
                c.attach(m);
                copies.put(k, c);
            });
            return copies;
        }
    }

    @Command(name = "retrofit", description = "The retrofit (Hill et al. 2022): a deterministic autoencoder with a 16x16x1 "
            + "latent on the sphere (phase 1), then a joint Hat EBM on its frozen decoder (phase 2, as refine); "
            + "one run folder, --resume continues either phase.")
    static final class Retrofit extends TrainBase {
        @Option(names = "--preset", defaultValue = "fast-retrofit", description = "fast-retrofit | paper-cifar10-retrofit (paper-retrofit) | code-cifar10-retrofit (code-retrofit); the last two need --data (default: ${DEFAULT-VALUE}).")
        String preset;
        @Option(names = "--image-size", description = "Side the images are resized to (a power of two >= 8; the latent's side is half of it).")
        Integer imageSize;
        @Option(names = "--channels", description = "1 (grey) or 3 (RGB).") Integer channels;
        @Option(names = "--ae-iters", description = "Autoencoder iterations (phase 1; --iters sets the EBM's).") Integer aeIters;

        @Override
        String preset() {
            return preset;
        }

        @Override
        HatEbmConfig.Mode mode() {
            return HatEbmConfig.Mode.RETROFIT;
        }

        @Override
        HatEbmConfig specific(HatEbmConfig c) {
            if (aeIters != null) Checks.atLeast(spec, "--ae-iters", aeIters, 1);
            int size = imageSize != null ? imageSize : c.imageSize();
            HatEbmConfig.Nets n = c.nets();
            if (imageSize != null && n.genLayout() == HatEbmConfig.GenLayout.RETROFIT) { // the latent 1×(S/2)×(S/2) follows the size
                n = new HatEbmConfig.Nets((size / 2) * (size / 2), n.ebmWidth(), n.genWidth(), n.genFactor(), n.genLayout());
            }
            c = new HatEbmConfig(c.preset(), c.mode(), c.data(), size, channels != null ? channels : c.channels(),
                    c.trainLimit(), c.iterations(), c.batchSize(), c.seed(), c.generator(), n, c.chains(), c.train(),
                    c.optim(), c.maxRollbacks(), c.cadence(), c.ae(), c.hat());
            if (aeIters != null && c.ae() != null) {
                HatEbmConfig.Ae a = c.ae();
                c = c.withAe(new HatEbmConfig.Ae(aeIters, a.lr(), a.latentNoise(), a.lossFactor()));
            }
            return c;
        }
    }

    @Command(name = "sample", description = "Generate G(z) and its EBM refinement G(z) + Y (test-time chain) side by side.")
    static final class Sample implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Option(names = "--run", required = true, description = "Run folder written by 'hatebm train', 'refine' or 'retrofit'.") Path run;
        @Option(names = "--out", required = true, description = "Output folder (created if needed) for generated.png, "
                + "refined.png, side_by_side.png and the single images in generated/ and refined/.") Path out;
        @Option(names = "--n", defaultValue = "100", description = "Samples (default: ${DEFAULT-VALUE}).") int n;
        @Option(names = "--steps", description = "Langevin steps (default: the run's test-time value).") Integer steps;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the latents and the chain (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--ema", description = "Sample with the weight averages of both nets instead of the raw weights.") boolean ema;

        @Override
        public Integer call() throws Exception {
            Checks.atLeast(spec, "--n", n, 1);
            if (steps != null) Checks.atLeast(spec, "--steps", steps, 0);
            try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = HatEbmRun.load(run, m, ema)) {
                OutputFolder.prepare(out);
                HatEbmOutputs.writeSamples(model, out, n, seed, steps != null ? steps : model.config().chains().testSteps());
                String what = model.config().mode() == HatEbmConfig.Mode.RETROFIT
                        ? "generated.png = decoder on sphere noise, refined.png = joint chain" : "generated.png, refined.png";
                System.out.println("wrote " + n + " samples (" + what + ", side_by_side.png) to " + out);
            }
            return 0;
        }
    }

    @Command(name = "score", description = "Per-image energy of an image set, as a CSV that 'eval auroc' reads "
            + "(column score = -H(x), higher = more in-distribution).")
    static final class Score implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;
        @Mixin CommonOptions common;
        @Mixin ScoreOptions o;
        @Option(names = "--ema", description = "Score with the EBM's weight average.") boolean ema;

        @Override
        public Integer call() throws Exception {
            o.check(spec);
            try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = HatEbmRun.load(o.run, m, ema)) {
                ImageDataset set = HatEbmModel.data(model.config(), o.data, Datasets.splitOf(o.data), o.n, o.seed);
                double[] e = model.energies(set);
                double[] s = new double[e.length];
                for (int i = 0; i < e.length; i++) {
                    s[i] = -e[i];
                }
                ScoreFiles.writeIndexed(o.out, s);
                System.out.println("wrote " + e.length + " scores (-H(x)) of " + o.data + " to " + o.out);
            }
            return 0;
        }
    }
}
