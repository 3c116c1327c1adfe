package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Plots;
import org.ebm4j.nn.BlockResample;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.OutputFolder;
import org.ebm4j.run.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Files a user wants from a multi-grid run: sample grids, the coarse-to-fine chain, plots. */
public final class MultigridOutputs {
    /** Rows of the chain picture. */
    private static final int CHAIN_ROWS = 8;

    private MultigridOutputs() {}

    /** Pixel-unit batch → images in [−1, 1]. */
    public static List<FloatImage> images(MultigridModel model, NDArray pixels) {
        try (NDArray unit = model.toUnit(pixels)) {
            return ImageTensors.fromTensor(unit);
        }
    }

    /**
     * One picture of a chain: for mcd, each row is one sample at every grid (up-scaled by block
     * replication to the image size), coarse to fine; for the baselines, a grid of the samples.
     */
    public static void writeChainGrid(MultigridModel model, List<NDArray> states, Path png) throws IOException {
        int size = model.config().imageSize();
        if (states.size() == 1) {
            NDArray s = states.get(0);
            long n = Math.min(64, s.getShape().get(0));
            try (NDArray part = s.get("0:" + n)) {
                ImageFiles.writePng(png, Grid.tile(images(model, part)));
            }
            return;
        }
        List<FloatImage> tiles = new ArrayList<>();
        List<List<FloatImage>> perGrid = new ArrayList<>();
        for (NDArray s : states) {
            long n = Math.min(CHAIN_ROWS, s.getShape().get(0));
            try (NDArray part = s.get("0:" + n);
                 NDArray up = BlockResample.up(part, size / (int) s.getShape().get(2))) {
                perGrid.add(images(model, up));
            }
        }
        for (int r = 0; r < perGrid.get(0).size(); r++) {
            for (List<FloatImage> g : perGrid) {
                tiles.add(g.get(r));
            }
        }
        ImageFiles.writePng(png, Grid.tile(tiles, states.size(), Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE));
    }

    /** Writes DIR/sample_000.png …, DIR/grid.png (and DIR/chain.png for mcd); returns the samples. */
    public static List<FloatImage> writeSamples(MultigridModel model, Path dir, int n, long seed) throws IOException {
        return writeSamples(model, dir, n, seed, false);
    }

    /**
     * As {@link #writeSamples(MultigridModel, Path, int, long)}; with {@code sameStart} every chain
     * (those of chain.png too) starts from one 1×1 image drawn once ({@link MultigridModel#sampleSameStart},
     * paper Fig. 5), and DIR/start.png shows that image up-scaled.
     */
    public static List<FloatImage> writeSamples(MultigridModel model, Path dir, int n, long seed, boolean sameStart)
            throws IOException {
        // refused before allocating; a lower bound: the n chains' states and gradients at the finest grid,
        // plus the grid tile of all samples (3 channels)
        int size = model.config().imageSize();
        double bytes = 4.0 * n * size * size * (2.0 * model.config().channels() + 3);
        org.ebm4j.core.MemoryLimit.requireImages("--n " + n, n + " samples", size, size, bytes);
        OutputFolder.prepare(dir);
        List<FloatImage> out;
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = sameStart ? model.sampleSameStart(m, n, seed) : model.sample(m, n, seed);
            out = images(model, x);
            int b = model.config().batchSize();
            long startKey = org.ebm4j.core.Seeds.derive(seed, 0, 0);
            if (sameStart) {
                try (NDArray one = model.oneStart(m, 1, startKey);
                     NDArray up = BlockResample.up(one, model.config().imageSize())) {
                    ImageFiles.writePng(dir.resolve("start.png"), images(model, up).get(0));
                }
            }
            if (model.config().multiGrid()) {
                org.ebm4j.core.Torch.seed(org.ebm4j.core.Seeds.derive(seed, 0, 1));
                NDArray start = sameStart ? model.oneStart(m, b, startKey) : model.drawStart(m, b, startKey);
                writeChainGrid(model, model.synthesize(start, null), dir.resolve("chain.png"));
            }
        }
        for (int i = 0; i < out.size(); i++) {
            ImageFiles.writePng(dir.resolve(String.format("sample_%03d.png", i)), out.get(i));
        }
        ImageFiles.writePng(dir.resolve("grid.png"), Grid.tile(out));
        return out;
    }

    /** plots/loss.png, plots/scores.png and plots/grad_l1.png (paper Fig. 4) from the log, one curve per grid. */
    public static void writePlots(RunFolder run, MultigridModel model) throws IOException {
        List<JsonNode> rows = JsonlLog.read(run.logFile());
        double[] it = rows.stream().mapToDouble(r -> r.get("iter").asDouble()).toArray();
        Map<String, double[][]> loss = new LinkedHashMap<>();
        Map<String, double[][]> scores = new LinkedHashMap<>();
        Map<String, double[][]> grads = new LinkedHashMap<>();
        for (int g : model.nets().keySet()) {
            loss.put(g + "x" + g, new double[][] {it, col(rows, "loss_" + g)});
            scores.put("f(obs) " + g + "x" + g, new double[][] {it, col(rows, "f_obs_" + g)});
            scores.put("f(syn) " + g + "x" + g, new double[][] {it, col(rows, "f_syn_" + g)});
            grads.put(g + "x" + g, new double[][] {it, col(rows, "grad_l1_" + g)});
        }
        Path plots = run.dir().resolve("plots");
        String m = model.config().method().label();
        Plots.linePlot(plots.resolve("loss.png"), m + ": mean f(syn) − mean f(obs) per grid", "iteration", "loss", loss);
        Plots.linePlot(plots.resolve("scores.png"), m + ": mean score of observed vs synthesized", "iteration", "f", scores);
        Plots.linePlot(plots.resolve("grad_l1.png"), m + ": ℓ1 norm of the parameter gradient per grid", "iteration",
                "ℓ1 norm", grads);
    }

    private static double[] col(List<JsonNode> rs, String key) {
        return rs.stream().mapToDouble(r -> r.has(key) && r.get(key).isNumber() ? r.get(key).asDouble() : Double.NaN).toArray();
    }
}
