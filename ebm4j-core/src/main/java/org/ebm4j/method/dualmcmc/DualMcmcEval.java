package org.ebm4j.method.dualmcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.Seeds;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.eval.InpaintingEval;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reconstruction, inpainting and energy scores of a trained Dual-MCMC model over image sets. */
public final class DualMcmcEval {
    private DualMcmcEval() {}

    /**
     * An image set prepared as the run's training data (resized to its size, converted to its
     * channels), at most n images (a seeded subset; 0 = all). An empty set is an error.
     */
    public static ImageDataset data(DualMcmcConfig cfg, String spec, Datasets.Split split, int n, long seed)
            throws IOException {
        return Datasets.loadNonEmpty(spec, split, new DataOptions(cfg.imageSize(), cfg.channels(), n, seed));
    }

    private static int[] range(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return idx;
    }

    /** Per-pixel MSE (on [−1, 1] images) of G(μ(x)) and of G(T^z(μ(x))), over the whole set. */
    public record ReconstructionResult(int n, int zSteps, double mseInference, double mseRevised) {
    }

    /**
     * Reconstructs every image in batches of the training batch size; writes the first batch as
     * {@code grid.png} (rows of data | inference | inference + T^z) into {@code out} when given.
     */
    public static ReconstructionResult reconstruct(DualMcmcModel model, ImageDataset data, int zSteps, long seed,
                                                   Path out) throws IOException {
        int b = model.config().batchSize();
        double sa = 0;
        double sb = 0;
        long count = 0;
        for (int i = 0, k = 0; i < data.size(); i += b, k++) {
            try (NDManager m = model.manager().newSubManager()) {
                NDArray x = data.batch(m, range(i, Math.min(data.size(), i + b)));
                try (DualMcmcModel.Reconstruction r = model.reconstruct(x, Seeds.derive(seed, k), zSteps)) {
                    sa += r.inference().sub(x).square().sum().getFloat();
                    sb += r.revised().sub(x).square().sum().getFloat();
                    count += x.getShape().size();
                    if (k == 0 && out != null) {
                        ImageFiles.writePng(out.resolve("grid.png"), DualMcmcOutputs.sideBySide(List.of(
                                DualMcmcOutputs.first(x, 30), DualMcmcOutputs.first(r.inference(), 30),
                                DualMcmcOutputs.first(r.revised(), 30)), 5));
                    }
                }
            }
        }
        return new ReconstructionResult(data.size(), zSteps, sa / count, sb / count);
    }

    /** The three pipelines' scores on the missing pixels (PSNR pooled, masked SSIM; images on [0, 1]). */
    public record InpaintingResult(String mask, double missingFraction, Map<String, InpaintingEval.Report> pipelines) {
    }

    /**
     * Inpaints every image with the named paper mask (M20 … R40, seeded per batch) and scores the
     * three pipelines; writes {@code MASK.png} (rows of masked input | Inf+Gen | +T^z | +T^z+T^x |
     * truth) into {@code out} when given.
     */
    public static InpaintingResult inpaint(DualMcmcModel model, ImageDataset data, String mask, long seed, Path out)
            throws IOException {
        DualMcmcConfig cfg = model.config();
        int b = cfg.batchSize();
        int size = cfg.imageSize();
        InpaintingMasks.paper(mask, 1, size, 0); // a bad name fails before any work
        List<FloatImage> truth = new ArrayList<>();
        List<FloatImage> masks = new ArrayList<>();
        Map<String, List<FloatImage>> results = new LinkedHashMap<>();
        for (String p : List.of("inf_gen", "inf_gen_tz", "inf_gen_tz_tx")) {
            results.put(p, new ArrayList<>());
        }
        double missing = 0;
        for (int i = 0, k = 0; i < data.size(); i += b, k++) {
            int n = Math.min(data.size(), i + b) - i;
            float[] host = InpaintingMasks.paper(mask, n, size, Seeds.derive(seed, k));
            missing += InpaintingMasks.missingFraction(host) * n;
            try (NDManager m = model.manager().newSubManager()) {
                NDArray x = data.batch(m, range(i, i + n));
                NDArray mm = InpaintingMasks.fromHost(m, n, size, host);
                try (DualMcmcModel.Inpainting r = model.inpaint(x, mm, Seeds.derive(seed, k, 1), cfg.chains().zSteps(),
                        cfg.chains().testXSteps(), cfg.chains().testXStepSize())) {
                    truth.addAll(ImageTensors.fromTensor(x));
                    masks.addAll(ImageTensors.fromTensor(mm)); // 0/1 masks, 1 = missing
                    results.get("inf_gen").addAll(ImageTensors.fromTensor(r.infGen()));
                    results.get("inf_gen_tz").addAll(ImageTensors.fromTensor(r.withZ()));
                    results.get("inf_gen_tz_tx").addAll(ImageTensors.fromTensor(r.withZX()));
                    if (k == 0 && out != null) {
                        NDArray shown = x.mul(mm.mul(-1).add(1)).add(mm); // missing pixels white
                        ImageFiles.writePng(out.resolve(mask.toUpperCase(java.util.Locale.ROOT) + ".png"),
                                DualMcmcOutputs.sideBySide(List.of(DualMcmcOutputs.first(shown, 20),
                                        DualMcmcOutputs.first(r.infGen(), 20), DualMcmcOutputs.first(r.withZ(), 20),
                                        DualMcmcOutputs.first(r.withZX(), 20), DualMcmcOutputs.first(x, 20)), 2));
                    }
                }
            }
        }
        Map<String, InpaintingEval.Report> reports = new LinkedHashMap<>();
        results.forEach((p, imgs) -> reports.put(p, InpaintingEval.evaluate(truth, imgs, masks)));
        return new InpaintingResult(mask.toUpperCase(java.util.Locale.ROOT), missing / data.size(), reports);
    }

    /** E(x) of every image of the set (evaluation mode), in batches of the training batch size. */
    public static double[] energies(DualMcmcModel model, ImageDataset data) {
        return data.perImage(model.manager(), model.config().batchSize(),
                x -> model.energy(x).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray());
    }

    /** Interpolation grids: interpolate.png (G) and interpolate_revised.png (T^x revised), one row per pair. */
    public static void writeInterpolation(DualMcmcModel model, Path out, int rows, int steps, long seed) throws IOException {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray g = model.interpolate(m, rows, steps, seed, false);
            ImageFiles.writePng(out.resolve("interpolate.png"),
                    Grid.tile(ImageTensors.fromTensor(g), steps, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
            NDArray r = model.interpolate(m, rows, steps, seed, true);
            ImageFiles.writePng(out.resolve("interpolate_revised.png"),
                    Grid.tile(ImageTensors.fromTensor(r), steps, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        }
    }
}
