package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.MemoryLimit;
import org.ebm4j.core.Torch;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Plots;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.OutputFolder;
import org.ebm4j.run.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Files a user wants from a trained pyramid: samples and their grid, reconstructions, plots. */
public final class PatchGenOutputs {
    private PatchGenOutputs() {}

    /**
     * Writes DIR/sample_000.png … and DIR/grid.png (the training image at the finest scale in the
     * first cell, the samples beside it); returns the samples.
     */
    public static List<FloatImage> writeSamples(PatchGenModel model, Path dir, int n, long seed,
                                                double widthScale, double heightScale) throws IOException {
        return writeSamples(model, dir, n, seed, widthScale, heightScale, 0);
    }

    /**
     * Like {@link #writeSamples(PatchGenModel, Path, int, long, double, double)}, but from scale
     * {@code startScale} (see {@link PatchGenModel#sampleFromScale}). Above scale 0 the only source of
     * variety is the Langevin noise, so those chains run with the training-time noise std
     * max(noiseMin, noiseInit) instead of noiseMin.
     */
    public static List<FloatImage> writeSamples(PatchGenModel model, Path dir, int n, long seed,
                                                double widthScale, double heightScale, int startScale)
            throws IOException {
        return writeSamples(model, dir, n, seed, widthScale, heightScale, startScale, 1.0);
    }

    /**
     * Like {@link #writeSamples(PatchGenModel, Path, int, long, double, double, int)}, with every
     * chain's Langevin step count multiplied by {@code stepsScale} (1 = the training chains' lengths).
     */
    public static List<FloatImage> writeSamples(PatchGenModel model, Path dir, int n, long seed,
                                                double widthScale, double heightScale, int startScale,
                                                double stepsScale) throws IOException {
        if (!(stepsScale > 0)) {
            throw new EbmException("steps scale must be > 0, got " + stepsScale);
        }
        checkSampleSize(model, n, widthScale, heightScale,
                "width scale " + widthScale + " and height scale " + heightScale);
        OutputFolder.prepare(dir);
        Torch.seed(seed);
        List<FloatImage> out;
        try (NDManager m = model.manager().newSubManager()) {
            PatchGenConfig c = model.config();
            double noise = startScale == 0 ? c.noiseMin() : Math.max(c.noiseMin(), c.noiseInit());
            NDArray x = model.sampleFromScale(m, n, startScale, widthScale, heightScale, noise, stepsScale);
            out = ImageTensors.fromTensor(x);
        }
        for (int i = 0; i < out.size(); i++) {
            ImageFiles.writePng(dir.resolve(String.format("sample_%03d.png", i)), out.get(i));
        }
        // the training image beside its samples: what a reader compares them with
        FloatImage real = model.reals().get(model.trainedScales() - 1); // the scale the samples end at
        ImageFiles.writePng(dir.resolve("grid.png"), Grid.withReference(real, out, 0, Grid.DEFAULT_PADDING,
                Grid.DEFAULT_PAD_VALUE));
        return out;
    }

    /**
     * Refuses, before anything is allocated, samples whose finest scale cannot fit in memory
     * ({@link MemoryLimit}). The estimate counts, per pixel of the padded finest scale, the chain's
     * state and gradient (3 + 3 floats) and every hidden layer's activation and gradient (2 floats
     * per channel), for all {@code n} samples at once, as one Langevin step holds them.
     *
     * @param asked the request in the user's terms, e.g. "--width-scale 1e6"
     */
    public static void checkSampleSize(PatchGenModel model, int n, double widthScale, double heightScale, String asked) {
        Pyramid p = model.pyramid();
        int s = model.trainedScales() - 1;
        double w = Math.max(3, Math.rint(p.widths()[s] * widthScale));
        double h = Math.max(3, Math.rint(p.heights()[s] * heightScale));
        int pad = model.config().pad();
        long channels = 0;
        for (int c : model.config().netWidths(p.widths()[s], p.heights()[s])) {
            channels += c;
        }
        double bytes = 4.0 * n * (w + 2 * pad) * (h + 2 * pad) * (6 + 2 * channels);
        MemoryLimit.requireImages(asked, n + (n == 1 ? " sample" : " samples"), w, h, bytes);
    }

    /** Writes DIR/reconstruction.png and DIR/real.png; returns the mean squared error per pixel value. */
    public static double writeReconstruction(PatchGenModel model, Path dir) throws IOException {
        OutputFolder.prepare(dir);
        FloatImage rec;
        try (NDManager m = model.manager().newSubManager()) {
            rec = ImageTensors.fromTensor(model.reconstruct(m)).get(0);
        }
        FloatImage real = model.reals().get(model.trainedScales() - 1);
        ImageFiles.writePng(dir.resolve("reconstruction.png"), rec);
        ImageFiles.writePng(dir.resolve("real.png"), real);
        double se = 0;
        for (int i = 0; i < rec.data().length; i++) {
            double d = rec.data()[i] - real.data()[i];
            se += d * d;
        }
        return se / rec.data().length;
    }

    /** plots/loss.png and plots/energies.png from the run's log (one curve per scale). */
    public static void writePlots(RunFolder run) throws IOException {
        List<JsonNode> rows = JsonlLog.read(run.logFile());
        Map<String, double[][]> loss = new LinkedHashMap<>();
        Map<String, double[][]> energies = new LinkedHashMap<>();
        Map<Integer, List<JsonNode>> byScale = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            byScale.computeIfAbsent(r.get("scale").asInt(), k -> new ArrayList<>()).add(r);
        }
        for (var e : byScale.entrySet()) {
            List<JsonNode> rs = e.getValue();
            double[] it = rs.stream().mapToDouble(r -> r.get("iter").asDouble()).toArray();
            loss.put("scale " + e.getKey(), new double[][] {it, col(rs, "loss")});
            energies.put("f(obs) s" + e.getKey(), new double[][] {it, col(rs, "f_obs")});
            energies.put("f(syn) s" + e.getKey(), new double[][] {it, col(rs, "f_syn")});
        }
        Path plots = run.dir().resolve("plots");
        Plots.linePlot(plots.resolve("loss.png"), "PatchGenCN loss per scale", "iteration", "loss", loss);
        Plots.linePlot(plots.resolve("energies.png"), "mean score of observed vs synthesized", "iteration", "f", energies);
    }

    private static double[] col(List<JsonNode> rs, String key) {
        return rs.stream().mapToDouble(r -> r.get(key).isNumber() ? r.get(key).asDouble() : Double.NaN).toArray();
    }
}
