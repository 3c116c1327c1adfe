package org.ebm4j.method.dualmcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.image.ImageTensors;
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

/** Image grids and plots of Dual-MCMC runs (the official code's 10-per-row grids, in [−1, 1]). */
public final class DualMcmcOutputs {
    /** Tiles per row of the official grids. */
    static final int PER_ROW = 10;

    private DualMcmcOutputs() {}

    /** The first k images of a batch. */
    static List<FloatImage> first(NDArray x, int k) {
        long n = Math.min(k, x.getShape().get(0));
        try (NDArray part = x.get("0:" + n)) {
            return ImageTensors.fromTensor(part);
        }
    }

    /** Pairs a_i, b_i, … side by side, one pair (or triple) after another, {@code groups} per row. */
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

    /**
     * The training snapshots of iteration it (train.py's imgs/rec and imgs/syn): rec_IT.png (data and
     * G(z̃) side by side), gen_IT.png (G(z)) and syn_IT.png (the revised x̃).
     */
    static void writeTrainingGrids(RunFolder run, long it, NDArray x, NDArray rec, NDArray gen, NDArray revised)
            throws IOException {
        Path dir = run.images();
        ImageFiles.writePng(dir.resolve(String.format("rec_%06d.png", it)),
                sideBySide(List.of(first(x, 50), first(rec, 50)), PER_ROW / 2));
        ImageFiles.writePng(dir.resolve(String.format("gen_%06d.png", it)),
                Grid.tile(first(gen, 100), PER_ROW, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        ImageFiles.writePng(dir.resolve(String.format("syn_%06d.png", it)),
                Grid.tile(first(revised, 100), PER_ROW, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
    }

    /**
     * Writes DIR/generated.png (G(z)), DIR/revised.png (T^x(G(z))), DIR/side_by_side.png (each G(z)
     * next to its revision), and the single images DIR/generated/sample_000.png … and
     * DIR/revised/sample_000.png … in folders of their own, so that {@code eval fid --fake DIR/revised}
     * sees the samples and no grid.
     */
    public static List<FloatImage> writeSamples(DualMcmcModel model, Path dir, int n, long seed, int steps,
                                                double stepSize) throws IOException {
        int size = model.config().imageSize();
        double bytes = 4.0 * n * size * size * (4.0 * model.config().channels() + 3);
        org.ebm4j.core.MemoryLimit.requireImages("--n " + n, n + " samples", size, size, bytes);
        OutputFolder.prepare(dir);
        List<FloatImage> gen;
        List<FloatImage> rev;
        try (NDManager m = model.manager().newSubManager(); DualMcmcModel.Samples s = model.sample(m, n, seed, steps, stepSize)) {
            gen = ImageTensors.fromTensor(s.generated());
            rev = ImageTensors.fromTensor(s.revised());
        }
        for (int i = 0; i < rev.size(); i++) {
            String name = String.format("sample_%03d.png", i);
            ImageFiles.writePng(dir.resolve("generated").resolve(name), gen.get(i));
            ImageFiles.writePng(dir.resolve("revised").resolve(name), rev.get(i));
        }
        int cols = Math.min(PER_ROW, n);
        ImageFiles.writePng(dir.resolve("generated.png"), Grid.tile(gen, cols, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        ImageFiles.writePng(dir.resolve("revised.png"), Grid.tile(rev, cols, Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
        ImageFiles.writePng(dir.resolve("side_by_side.png"), sideBySide(List.of(gen, rev), Math.max(1, Math.min(5, n))));
        return rev;
    }

    /** plots/energy.png, plots/losses.png and plots/reconstruction.png from the run's log. */
    public static void writePlots(RunFolder run) throws IOException {
        List<JsonNode> rows = JsonlLog.read(run.logFile());
        double[] it = rows.stream().mapToDouble(r -> r.get("iter").asDouble()).toArray();
        Path plots = run.dir().resolve("plots");
        Map<String, double[][]> energy = new LinkedHashMap<>();
        energy.put("mean E(x) data", new double[][] {it, col(rows, "e_pos")});
        energy.put("mean E(x~) revised", new double[][] {it, col(rows, "e_neg")});
        Plots.linePlot(plots.resolve("energy.png"), "dualmcmc: energy of data and of revised samples", "iteration", "E", energy);
        Map<String, double[][]> losses = new LinkedHashMap<>();
        losses.put("L_G / 1000", new double[][] {it, scale(col(rows, "loss_g"), 1e-3)});
        losses.put("L_I", new double[][] {it, col(rows, "loss_i")});
        Plots.linePlot(plots.resolve("losses.png"), "dualmcmc: generator and inference losses", "iteration", "loss", losses);
        Map<String, double[][]> rec = new LinkedHashMap<>();
        rec.put("MSE G(z~) vs x", new double[][] {it, col(rows, "rec_mse")});
        rec.put("MSE G(z) vs x~", new double[][] {it, col(rows, "revision_mse")});
        Plots.linePlot(plots.resolve("reconstruction.png"), "dualmcmc: per-pixel squared errors", "iteration", "MSE", rec);
    }

    private static double[] scale(double[] v, double f) {
        double[] o = v.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] *= f;
        }
        return o;
    }

    private static double[] col(List<JsonNode> rs, String key) {
        return rs.stream().mapToDouble(r -> r.has(key) && r.get(key).isNumber() ? r.get(key).asDouble() : Double.NaN).toArray();
    }
}
