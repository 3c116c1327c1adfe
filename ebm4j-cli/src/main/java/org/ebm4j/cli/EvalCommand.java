package org.ebm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ebm4j.eval.Auroc;
import org.ebm4j.eval.InpaintingEval;
import org.ebm4j.eval.MeanStd;
import org.ebm4j.eval.ScoreFiles;
import org.ebm4j.eval.SingleImageEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", description = "Evaluate generated images (see docs/METRICS.md).",
        subcommands = {EvalCommand.SingleImage.class, EvalCommand.Inpainting.class, EvalCommand.AurocCmd.class,
                EvalCommand.TrainFeatures.class, FidCommand.class})
final class EvalCommand {

    @Command(name = "single-image", description = "Patch FD, sliced Wasserstein distance and diversity of a folder "
            + "of samples against the one training image; prints one JSON object.")
    static final class SingleImage implements Callable<Integer> {
        @Option(names = "--real", required = true, description = "The training image.") Path real;
        @Option(names = "--fake", required = true, description = "Folder of generated *.png/*.jpg samples.") Path fake;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of patch subsampling and SWD directions (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            SingleImageEval.Report r = SingleImageEval.evaluate(real, fake, seed);
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            o.put("real", r.real().toString());
            o.put("n_fakes", r.fakes().size());
            o.set("patch_fd", meanStd(om, r.patchFd()));
            o.set("swd", meanStd(om, r.swd()));
            if (r.diversity() != null) {
                o.put("diversity", r.diversity());
            } else {
                o.putNull("diversity");
                o.put("diversity_skipped", r.diversitySkipped());
            }
            o.put("seed", r.seed());
            o.put("notes", SingleImageEval.NOTES);
            System.out.println(om.writeValueAsString(o));
            return 0;
        }

        private static ObjectNode meanStd(ObjectMapper om, MeanStd m) {
            ObjectNode n = om.createObjectNode();
            n.put("mean", m.mean());
            n.put("std", m.std());
            return n;
        }
    }

    @Command(name = "inpainting", description = "PSNR, masked SSIM and mean absolute error over the filled-in pixels; "
            + "files of the three folders are matched by name. Prints one JSON object.")
    static final class Inpainting implements Callable<Integer> {
        @Option(names = "--truth", required = true, description = "Folder of the original images.") Path truth;
        @Option(names = "--result", required = true, description = "Folder of the inpainted images (same names).") Path result;
        @Option(names = "--mask", required = true, description = "Folder of masks (same names), white where pixels were missing.") Path mask;

        @Override
        public Integer call() throws Exception {
            InpaintingEval.Report r = InpaintingEval.evaluate(truth, result, mask);
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            o.put("psnr", r.psnr());
            if (r.ssim() == null) o.putNull("ssim"); else o.put("ssim", r.ssim());
            o.put("error", r.error());
            o.put("n", r.n());
            o.put("masked_pixels", r.maskedPixels());
            o.put("psnr_mean_per_image", r.psnrMeanPerImage());
            o.put("ssim_skipped", r.ssimSkipped());
            o.put("notes", "masked pixels only, [0,1] scale (data range 1); psnr pooled over all images; "
                    + "error = mean |truth-result|; ssim = mean over images of masked Wang SSIM");
            System.out.println(om.writeValueAsString(o));
            return 0;
        }
    }

    @Command(name = "auroc", description = "AUROC of in-distribution vs out-of-distribution scores "
            + "(higher = more in-distribution); prints one JSON object.")
    static final class AurocCmd implements Callable<Integer> {
        @Option(names = "--in", required = true, description = "Scores of in-distribution samples: one a line, or CSV with a header.") Path in;
        @Option(names = "--out", required = true, description = "Scores of out-of-distribution samples (same format).") Path out;
        @Option(names = "--column", description = "CSV column holding the score (default: 'score', or the only column).") String column;
        @Option(names = "--lower-is-in", description = "Lower score = more in-distribution (e.g. raw energies E(x)); scores are negated.") boolean lowerIsIn;

        @Override
        public Integer call() throws Exception {
            double[] a = ScoreFiles.read(in, column);
            double[] b = ScoreFiles.read(out, column);
            if (lowerIsIn) {
                for (int i = 0; i < a.length; i++) a[i] = -a[i];
                for (int i = 0; i < b.length; i++) b[i] = -b[i];
            }
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            o.put("auroc", Auroc.of(a, b));
            o.put("n_in", a.length);
            o.put("n_out", b.length);
            o.put("positive", "in-distribution");
            o.put("score", lowerIsIn ? "-(given score)" : "given score (higher = more in-distribution)");
            o.put("notes", "AUROC = P(in > out) + 0.5 P(tie), Mann-Whitney with mid-ranks");
            System.out.println(om.writeValueAsString(o));
            return 0;
        }
    }

    @Command(name = "train-features", description = "Train the small CNN classifier whose penultimate features define "
            + "FID-FMNIST / FID-MNIST; writes it in ebm4j's tensor format and prints one JSON object.")
    static final class TrainFeatures implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @picocli.CommandLine.Mixin CommonOptions common;
        @picocli.CommandLine.Mixin ConfigOptions config;
        @Option(names = "--data", description = "fashion-mnist | mnist | DIR (with train/ and test/, one sub-folder per class); required unless --print-config.") String data;
        @Option(names = "--out", description = "File to write (.ebt); required unless --print-config.") Path out;
        @Option(names = "--seed", description = "Seed of init and batch order (default: 1).") Long seed;
        @Option(names = "--epochs", description = "default: 4") Integer epochs;
        @Option(names = "--batch", description = "default: 128") Integer batch;
        @Option(names = "--lr", description = "Adam learning rate at the start of the cosine decay (default: 0.002).") Double lr;
        @Option(names = "--limit", defaultValue = "0", description = "Train on a seeded subset of this many images (0 = all).") int limit;
        @Option(names = "--force", description = "Overwrite --out.") boolean force;

        @Override
        public Integer call() throws Exception {
            if (epochs != null) Checks.atLeast(spec, "--epochs", epochs, 1);
            if (batch != null) Checks.atLeast(spec, "--batch", batch, 1);
            Checks.atLeast(spec, "--limit", limit, 0);
            if (lr != null) Checks.positive(spec, "--lr", lr);
            // defaults, then --config, then --set, then the specific options
            org.ebm4j.eval.features.FeatureNet.TrainConfig c = config.apply(spec, org.ebm4j.eval.features.FeatureNet.TrainConfig.TYPE,
                    org.ebm4j.eval.features.FeatureNet.TrainConfig.defaults());
            c = new org.ebm4j.eval.features.FeatureNet.TrainConfig(seed != null ? seed : c.seed(), epochs != null ? epochs : c.epochs(),
                    batch != null ? batch : c.batchSize(), lr != null ? lr : c.lr());
            if (config.print) {
                ConfigOptions.print(org.ebm4j.eval.features.FeatureNet.TrainConfig.TYPE, c);
                return 0;
            }
            if (data == null || out == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: '"
                        + (data == null ? "--data=<data>" : "--out=<out>") + "'");
            }
            long seed = c.seed();
            int epochs = c.epochs();
            if (java.nio.file.Files.exists(out) && !force) {
                throw new org.ebm4j.core.EbmException(out + " exists; pass --force to overwrite it");
            }
            org.ebm4j.data.DataOptions opts = new org.ebm4j.data.DataOptions(0, 0, limit, seed);
            org.ebm4j.data.ImageDataset train = org.ebm4j.eval.features.FeatureNet.prepare(
                    org.ebm4j.data.Datasets.load(data, org.ebm4j.data.Datasets.Split.TRAIN, opts));
            org.ebm4j.data.ImageDataset test = org.ebm4j.eval.features.FeatureNet.prepare(
                    org.ebm4j.data.Datasets.load(data, org.ebm4j.data.Datasets.Split.TEST, org.ebm4j.data.DataOptions.native_()));
            ConsoleProgress progress = ConsoleProgress.of(common);
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                 org.ebm4j.eval.features.FeatureNet net = org.ebm4j.eval.features.FeatureNet.train(train, test, data,
                         c, progress, m)) {
                net.save(out);
                byte[] bytes = java.nio.file.Files.readAllBytes(out);
                ObjectMapper om = new ObjectMapper();
                ObjectNode o = om.createObjectNode();
                o.put("data", data);
                o.put("train_images", train.size());
                o.put("test_images", test.size());
                o.put("test_accuracy", net.meta().testAccuracy());
                o.put("seconds", Math.round(net.meta().trainSeconds() * 10) / 10.0);
                o.put("seed", seed);
                o.put("epochs", epochs);
                o.put("out", out.toString());
                o.put("bytes", bytes.length);
                o.put("sha256", org.ebm4j.eval.features.FeatureNet.sha256(bytes));
                System.out.println(om.writeValueAsString(o));
            }
            return 0;
        }
    }
}
