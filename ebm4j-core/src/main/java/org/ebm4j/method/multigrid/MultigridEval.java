package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.data.Batches;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.eval.Psnr;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.OutputFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluations of a trained multi-grid run: inpainting (paper §7.4) and the score table (Table 1). */
public final class MultigridEval {
    private MultigridEval() {}

    /** The run's data set, split, at the run's size and channels; n images (seeded subset; 0 = all). */
    public static ImageDataset data(MultigridConfig cfg, String spec, Datasets.Split split, int n, long seed) throws IOException {
        return Datasets.loadNonEmpty(spec, split, new DataOptions(cfg.imageSize(), cfg.channels(), n, seed));
    }

    /**
     * The run's held-out validation images (valHoldout images of its training split, which training
     * skipped), at the run's size and channels; n of them (a seeded subset; 0 or more than there are
     * = all, in index order). A run that held nothing out is refused: its training split was all
     * trained on.
     */
    public static ImageDataset heldOut(MultigridConfig cfg, int n, long seed) throws IOException {
        if (cfg.valHoldout() == 0) {
            throw new org.ebm4j.core.EbmException("this run held no training images out (valHoldout 0): every image of its "
                    + "training split was trained on; train with --val-holdout N to keep N out, or use --split test");
        }
        return Datasets.load(cfg.data(), Datasets.Split.TRAIN, new DataOptions(cfg.imageSize(), cfg.channels(), n, seed),
                MultigridTrainer.holdout(cfg), Datasets.Part.HELD_OUT);
    }

    /** The evaluation splits: the test split, or validation images of the training split. */
    public static final List<String> SPLITS = List.of("test", "val");

    private static void requireSplit(String split) {
        if (!SPLITS.contains(split)) {
            throw new org.ebm4j.core.EbmException("split must be test or val, got '" + split + "'");
        }
    }

    /**
     * The images an evaluation (inpainting) reads: {@code "test"} = n images of the test split,
     * {@code "val"} = n of the run's held-out training images ({@link #heldOut}, refused for a run
     * that held none out). Both a seeded subset (0 = all).
     */
    public static ImageDataset images(MultigridConfig cfg, String split, int n, long seed) throws IOException {
        requireSplit(split);
        return split.equals("val") ? heldOut(cfg, n, seed) : data(cfg, cfg.data(), Datasets.Split.TEST, n, seed);
    }

    /**
     * The labelled pool a feature classifier draws its labels from, and the images its error is
     * measured on.
     */
    public record FeatureSets(ImageDataset pool, ImageDataset evaluation) {}

    /**
     * The two image sets of the learned-feature classification ({@link MultigridFeatures#evaluate}):
     * <ul>
     *   <li>{@code "test"}: the pool is the whole training split, the evaluation images the first
     *       n of a fixed subset of the test split (the paper's protocol; seed unused);
     *   <li>{@code "val"}, for choosing settings without the test split: if the run held images
     *       out (valHoldout), the pool is what training used and the evaluation n of the held-out
     *       images; otherwise the training split is cut in two with the seed
     *       ({@link MultigridFeatures#validationSplit}). The two sets never share an image.
     * </ul>
     */
    public static FeatureSets featureSets(MultigridConfig cfg, String split, int n, long seed) throws IOException {
        requireSplit(split);
        if (split.equals("test")) {
            return new FeatureSets(data(cfg, cfg.data(), Datasets.Split.TRAIN, 0, 0),
                    data(cfg, cfg.data(), Datasets.Split.TEST, n, 0));
        }
        if (cfg.valHoldout() > 0) {
            ImageDataset pool = Datasets.load(cfg.data(), Datasets.Split.TRAIN,
                    new DataOptions(cfg.imageSize(), cfg.channels(), 0, 0), MultigridTrainer.holdout(cfg), Datasets.Part.REST);
            return new FeatureSets(pool, heldOut(cfg, n, 0));
        }
        ImageDataset[] parts = MultigridFeatures.validationSplit(data(cfg, cfg.data(), Datasets.Split.TRAIN, 0, 0), n, seed);
        return new FeatureSets(parts[0], parts[1]);
    }

    /**
     * Per-image −𝓔 (Eq. 2: f(Y) − ‖Y‖²/2σ², see {@link MultigridModel#negativeEnergies}) of every
     * image of a set at one grid, in the set's order, in batches of the training batch size: the
     * score of {@code multigrid score}, higher = more in-distribution, for {@code eval auroc}.
     */
    public static double[] negativeEnergies(MultigridModel model, ImageDataset data, int grid) {
        return data.perImage(model.manager(), model.config().batchSize(),
                x -> model.negativeEnergies(grid, model.toPixels(x)));
    }

    /** Inpainting outcome on the missing pixels, on the [0, 1] scale of 8-bit images. */
    public record InpaintResult(String mask, int n, double missingFraction, double error, double psnr, Path dir) {
    }

    /**
     * Inpaints n test images with masks of a kind (square = the centred half-side square,
     * doodle ≈ 25 %, pepper ≈ 60 % missing). Writes DIR/truth.png, DIR/input.png (missing pixels
     * grey), DIR/result.png (grids of the first 64) and per-image PNGs under DIR/result, DIR/truth,
     * DIR/mask (white = missing) for `eval inpainting`. Error = mean |result − truth| and PSNR over the
     * missing pixels of all images, both on 8-bit images scaled to [0, 1] (metrics.md §4.4).
     */
    public static InpaintResult inpaint(MultigridModel model, ImageDataset test, String kind, long seed, Path dir) throws IOException {
        return inpaint(model, test, kind, seed, dir, false);
    }

    /** As above; anyObserved chooses how the mask goes down the grids (see MultigridModel.Observation). */
    public static InpaintResult inpaint(MultigridModel model, ImageDataset test, String kind, long seed, Path dir,
                                        boolean anyObserved) throws IOException {
        MultigridConfig cfg = model.config();
        OutputFolder.prepare(dir);
        int n = test.size();
        int size = cfg.imageSize();
        List<FloatImage> truth = new ArrayList<>();
        List<FloatImage> input = new ArrayList<>();
        List<FloatImage> result = new ArrayList<>();
        float[] maskHost;
        try (NDManager m = model.manager().newSubManager()) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            NDArray unit = test.batch(m, idx);
            NDArray mask = InpaintingMasks.of(kind, m, n, size, Math.max(1, size / 2), seed);
            maskHost = mask.toFloatArray();
            NDArray filled = model.inpaint(model.toPixels(unit), mask, seed, anyObserved);
            truth.addAll(MultigridOutputs.images(model, model.toPixels(unit)));
            result.addAll(MultigridOutputs.images(model, filled));
            NDArray keep = mask.mul(-1).add(1);
            input.addAll(org.ebm4j.image.ImageTensors.fromTensor(unit.mul(keep))); // missing pixels shown as mid-grey (0)
        }
        int plane = size * size;
        int c = cfg.channels();
        double[] a = new double[n * c * plane];
        double[] b = new double[a.length];
        double[] w = new double[a.length];
        double abs = 0;
        long count = 0;
        for (int i = 0; i < n; i++) {
            byte[] t = truth.get(i).toUint8();
            byte[] r = result.get(i).toUint8();
            for (int k = 0; k < c * plane; k++) {
                int p = k / c; // HWC byte order: pixel index
                int o = i * c * plane + k;
                a[o] = (t[k] & 0xFF) / 255.0;
                b[o] = (r[k] & 0xFF) / 255.0;
                w[o] = maskHost[i * plane + p];
                if (w[o] > 0.5) {
                    abs += Math.abs(a[o] - b[o]);
                    count++;
                }
            }
            String name = String.format("%05d.png", i);
            ImageFiles.writePng(dir.resolve("result").resolve(name), result.get(i));
            ImageFiles.writePng(dir.resolve("truth").resolve(name), truth.get(i));
            float[] mk = new float[plane];
            for (int p = 0; p < plane; p++) {
                mk[p] = maskHost[i * plane + p] > 0.5 ? 1f : -1f;
            }
            ImageFiles.writePng(dir.resolve("mask").resolve(name), new FloatImage(1, size, size, mk));
        }
        int show = Math.min(64, n);
        ImageFiles.writePng(dir.resolve("truth.png"), Grid.tile(truth.subList(0, show)));
        ImageFiles.writePng(dir.resolve("input.png"), Grid.tile(input.subList(0, show)));
        ImageFiles.writePng(dir.resolve("result.png"), Grid.tile(result.subList(0, show)));
        double psnr = Psnr.masked(a, b, w, 1.0);
        return new InpaintResult(kind, n, InpaintingMasks.missingFraction(maskHost), abs / count, psnr, dir);
    }

    /** mean ± sd of f at one grid over one set of images. */
    public record Score(String images, int grid, int n, double mean, double sd) {
    }

    /**
     * The score table (paper Table 1): mean ± sd of f at every grid on training, test,
     * synthesized and (optionally) negative images, n of each; BN on its running averages, so every
     * image is scored alone.
     */
    public static List<Score> scoreTable(MultigridModel model, ImageDataset train, ImageDataset test,
                                         ImageDataset negative, int n, long seed) {
        List<Score> out = new ArrayList<>();
        try (NDManager m = model.manager().newSubManager()) {
            Map<String, NDArray> sets = new LinkedHashMap<>();
            sets.put("training", model.toPixels(train.batch(m, Batches.subset(train.size(), n, seed))));
            sets.put("testing", model.toPixels(test.batch(m, Batches.subset(test.size(), n, seed))));
            sets.put("synthesized", model.sample(m, Math.min(n, Math.max(n, 1)), seed));
            if (negative != null) {
                sets.put("negative", model.toPixels(negative.batch(m, Batches.subset(negative.size(), n, seed))));
            }
            for (Map.Entry<String, NDArray> e : sets.entrySet()) {
                for (int g : model.nets().keySet()) {
                    float[] f = model.scores(g, e.getValue());
                    double mean = 0;
                    for (float v : f) {
                        mean += v;
                    }
                    mean /= f.length;
                    double var = 0;
                    for (float v : f) {
                        var += (v - mean) * (v - mean);
                    }
                    out.add(new Score(e.getKey(), g, f.length, mean, Math.sqrt(var / Math.max(1, f.length - 1))));
                }
            }
        }
        return out;
    }

    /**
     * Writes the JSON line of an inpainting evaluation to {@code out}/inpaint.json and returns it.
     *
     * @param coarseObserved "any" or "all": how the mask went down the grids
     */
    public static String writeInpaintReport(Path run, MultigridConfig cfg, InpaintResult r, String coarseObserved, Path out)
            throws IOException {
        return writeInpaintReport(run, cfg, r, coarseObserved, "test", out);
    }

    /** As above, naming the images inpainted: "test" (the test split) or "val" (the run's held-out training images). */
    public static String writeInpaintReport(Path run, MultigridConfig cfg, InpaintResult r, String coarseObserved, String split,
                                            Path out) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("run", run.toString());
        o.put("method", cfg.method().label());
        o.put("split", split);
        o.put("mask", r.mask());
        o.put("n", r.n());
        o.put("coarse_observed", coarseObserved);
        o.put("missing_fraction", r.missingFraction());
        o.put("error", r.error());
        o.put("psnr", r.psnr());
        o.put("out", out.toString());
        String line = AtomicFiles.MAPPER.writeValueAsString(o);
        AtomicFiles.writeString(out.resolve("inpaint.json"), line + "\n");
        return line;
    }

    /** Writes the JSON line of a feature evaluation to {@code run}/metrics/features-{labels}.json and returns it. */
    public static String writeFeaturesReport(Path run, MultigridConfig cfg, MultigridFeatures.Result r) throws IOException {
        return writeFeaturesReport(run, cfg, r, "test");
    }

    /**
     * Writes the feature result as JSON to {@code run}/metrics/features-[val-][raw-]LABELS.json (raw: not
     * standardised) and returns it.
     *
     * @param split "test" or "val": where the error was measured (a validation result gets its own file)
     */
    public static String writeFeaturesReport(Path run, MultigridConfig cfg, MultigridFeatures.Result r, String split) throws IOException {
        Map<String, Object> o = MultigridFeatures.toJson(r, run.toString());
        o.put("method", cfg.method().label());
        o.put("split", split);
        String line = AtomicFiles.MAPPER.writeValueAsString(o);
        Path metrics = run.resolve("metrics");
        Files.createDirectories(metrics);
        AtomicFiles.writeString(metrics.resolve("features-" + (split.equals("val") ? "val-" : "")
                + (r.standardized() ? "" : "raw-") + r.labels() + ".json"), line + "\n");
        return line;
    }

    /**
     * Writes the score table as JSON to {@code run}/metrics/scores.json and returns the JSON.
     *
     * @param negative the negative data spec, or null
     */
    public static String writeScoresReport(Path run, MultigridConfig cfg, String negative, List<Score> rows) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("run", run.toString());
        o.put("method", cfg.method().label());
        o.put("negative", negative);
        o.put("scores", rows);
        String json = AtomicFiles.MAPPER.writeValueAsString(o);
        Path metrics = run.resolve("metrics");
        Files.createDirectories(metrics);
        AtomicFiles.writeString(metrics.resolve("scores.json"), json + "\n");
        return json;
    }

    /** The score table as text: one row per kind of images, "mean ± sd" per grid. */
    public static List<String> scoreTableText(MultigridModel model, List<Score> rows) {
        List<String> out = new ArrayList<>();
        StringBuilder t = new StringBuilder(String.format("%-12s", "images"));
        for (int g : model.nets().keySet()) {
            t.append(String.format("  %22s", "grid " + g + "x" + g));
        }
        out.add(t.toString());
        int k0 = model.nets().size();
        for (int i = 0; i < rows.size(); i += k0) {
            StringBuilder line = new StringBuilder(String.format("%-12s", rows.get(i).images()));
            for (int k = 0; k < k0; k++) {
                Score r = rows.get(i + k);
                line.append(String.format("  %10.4g ± %-9.3g", r.mean(), r.sd()));
            }
            out.add(line.toString());
        }
        return out;
    }
}
