package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.data.Batches;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.eval.Psnr;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.run.OutputFolder;

import java.io.IOException;
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
        ImageDataset d = Datasets.load(spec, split, new DataOptions(cfg.imageSize(), cfg.channels(), n, seed));
        if (d.size() < 1) {
            throw new EbmException("data '" + spec + "' has no images");
        }
        return d;
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
            input.addAll(org.ebm4j.core.ImageTensors.fromTensor(unit.mul(keep))); // missing pixels shown as mid-grey (0)
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
}
