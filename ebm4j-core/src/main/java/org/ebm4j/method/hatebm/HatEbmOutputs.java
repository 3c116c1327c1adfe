package org.ebm4j.method.hatebm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.ImageTensors;
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

/**
 * Image grids and plots of Hat EBM runs. Images are shown on [−1, 1] (the synthesis generator's
 * range is [−2, 2] with gen_factor 2; values outside [−1, 1] are clipped for display only).
 */
public final class HatEbmOutputs {
    static final int PER_ROW = 10;

    private HatEbmOutputs() {}

    static List<FloatImage> first(NDArray x, int k) {
        long n = Math.min(k, x.getShape().get(0));
        try (NDArray part = x.get("0:" + n); NDArray c = part.clip(-1, 1)) {
            return ImageTensors.fromTensor(c);
        }
    }

    static FloatImage sideBySide(List<List<FloatImage>> columns, int groups) {
        List<FloatImage> tiles = new ArrayList<>();
        int n = columns.get(0).size();
        for (int i = 0; i < n; i++) {
            for (List<FloatImage> c : columns) {
                tiles.add(c.get(i));
            }
        }
        return Grid.tile(tiles, columns.size() * groups, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE);
    }

    /** Snapshots of iteration it: data_IT.png, gen_IT.png (G(Z)) and syn_IT.png (X⁻ after the chain). */
    static void writeTrainingGrids(RunFolder run, long it, NDArray x, NDArray gen, NDArray neg) throws IOException {
        Path dir = run.images();
        if (it == 0) {
            ImageFiles.writePng(dir.resolve("data.png"), Grid.tile(first(x, 100), PER_ROW, Grid.DEFAULT_PADDING,
                    Grid.DEFAULT_PAD_VALUE));
        }
        ImageFiles.writePng(dir.resolve(String.format("gen_%06d.png", it)),
                Grid.tile(first(gen, 100), PER_ROW, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        ImageFiles.writePng(dir.resolve(String.format("syn_%06d.png", it)),
                Grid.tile(first(neg, 100), PER_ROW, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
    }

    /**
     * Writes DIR/generated.png (G(z)), DIR/refined.png (G(z) + Y after the chain), DIR/side_by_side.png
     * (each pair), and the single images DIR/generated/sample_000.png … and DIR/refined/sample_000.png …
     * in folders of their own, so that {@code eval fid --fake DIR/refined} compares exactly one set.
     */
    public static void writeSamples(HatEbmModel model, Path dir, int n, long seed, int steps) throws IOException {
        int size = model.config().imageSize();
        double bytes = 4.0 * n * size * size * (4.0 * model.config().channels() + 3);
        org.ebm4j.core.MemoryLimit.requireImages("--n " + n, n + " samples", size, size, bytes);
        OutputFolder.prepare(dir);
        List<FloatImage> gen;
        List<FloatImage> ref;
        try (NDManager m = model.manager().newSubManager(); HatEbmModel.Samples s = model.sample(m, n, seed, steps)) {
            gen = first(s.generated(), n);
            ref = first(s.refined(), n);
        }
        for (int i = 0; i < ref.size(); i++) {
            String name = String.format("sample_%03d.png", i);
            ImageFiles.writePng(dir.resolve("generated").resolve(name), gen.get(i));
            ImageFiles.writePng(dir.resolve("refined").resolve(name), ref.get(i));
        }
        int cols = Math.min(PER_ROW, n);
        ImageFiles.writePng(dir.resolve("generated.png"), Grid.tile(gen, cols, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        ImageFiles.writePng(dir.resolve("refined.png"), Grid.tile(ref, cols, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        ImageFiles.writePng(dir.resolve("side_by_side.png"), sideBySide(List.of(gen, ref), Math.max(1, Math.min(5, n))));
    }

    /**
     * plots/energy.png, plots/losses.png and plots/residual.png from the run's log (the EBM's rows);
     * a retrofit run also gets plots/autoencoder.png from its phase-1 rows.
     */
    public static void writePlots(RunFolder run) throws IOException {
        List<JsonNode> all = JsonlLog.read(run.logFile());
        List<JsonNode> ae = all.stream().filter(HatEbmTrainer::aePhase).toList();
        List<JsonNode> rows = all.stream().filter(r -> !HatEbmTrainer.aePhase(r)).toList();
        Path plots = run.dir().resolve("plots");
        if (!ae.isEmpty()) {
            Map<String, double[][]> mse = new LinkedHashMap<>();
            mse.put("reconstruction MSE", new double[][] {ae.stream().mapToDouble(r -> r.get("iter").asDouble()).toArray(),
                    col(ae, "mse")});
            Plots.linePlot(plots.resolve("autoencoder.png"), "hatebm retrofit: autoencoder (phase 1)", "iteration", "MSE", mse);
        }
        if (rows.isEmpty()) {
            return;
        }
        double[] it = rows.stream().mapToDouble(r -> r.get("iter").asDouble()).toArray();
        Map<String, double[][]> energy = new LinkedHashMap<>();
        energy.put("mean H(x+) data", new double[][] {it, col(rows, "e_pos")});
        energy.put("mean H(x-) samples", new double[][] {it, col(rows, "e_neg")});
        Plots.linePlot(plots.resolve("energy.png"), "hatebm: energy of data and of samples", "iteration", "H", energy);
        Map<String, double[][]> losses = new LinkedHashMap<>();
        losses.put("generator MSE (Eq. 11 / factor)", new double[][] {it, col(rows, "gen_mse")});
        Plots.linePlot(plots.resolve("losses.png"), "hatebm: generator regression error", "iteration", "MSE", losses);
        Map<String, double[][]> res = new LinkedHashMap<>();
        res.put("mean ||X- - G(Z0)||", new double[][] {it, col(rows, "residual_norm")});
        Plots.linePlot(plots.resolve("residual.png"), "hatebm: size of the Langevin residual", "iteration", "L2", res);
    }

    private static double[] col(List<JsonNode> rs, String key) {
        return rs.stream().mapToDouble(r -> r.has(key) && r.get(key).isNumber() ? r.get(key).asDouble() : Double.NaN).toArray();
    }
}
