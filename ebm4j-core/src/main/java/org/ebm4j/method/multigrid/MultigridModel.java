package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.BlockResample;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.sampling.Langevin;
import org.ebm4j.sampling.LangevinConfig;
import org.ebm4j.sampling.LangevinStep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The energy models of a multi-grid run and their chains. For mcd one net per grid above 1×1
 * (paper 004 Alg. 1: each grid's chain starts from the up-scaled sample of the grid below); for
 * the baselines one net at the finest grid. States are in pixel units (see
 * {@link MultigridConfig#pixelScale()}).
 */
public final class MultigridModel implements AutoCloseable {
    private final MultigridConfig cfg;
    private final NDManager manager;
    private final Map<Integer, ConvEnergyNet> nets = new LinkedHashMap<>();
    /** p⁽⁰⁾: the 1×1 versions of the training images [N, C] in pixel units (their empirical distribution). */
    private NDArray p0;

    public MultigridModel(NDManager parent, MultigridConfig cfg) {
        this.cfg = cfg.validate();
        this.manager = parent.newSubManager();
        for (int g : cfg.netGrids()) {
            nets.put(g, new ConvEnergyNet(cfg.channels(), g, cfg.netSpec(g), cfg.leakyRelu(), cfg.init().label(),
                    (float) cfg.bnMomentum(), cfg.batchNorm()).init(manager, DataType.FLOAT32));
        }
    }

    public MultigridConfig config() {
        return cfg;
    }

    public NDManager manager() {
        return manager;
    }

    /** Grid side → net, coarse to fine. */
    public Map<Integer, ConvEnergyNet> nets() {
        return nets;
    }

    public NDArray p0() {
        return p0;
    }

    /** Sets p⁽⁰⁾ from the 1×1 versions of the training images [N, C] (copied). */
    public void setP0(NDArray ones) {
        if (p0 != null) {
            p0.close();
        }
        p0 = Torch.scopedCopy(ones, manager);
    }

    /** [−1, 1] images → pixel units. */
    public NDArray toPixels(NDArray unit) {
        double s = cfg.pixelScale();
        return s == 1.0 ? unit.duplicate() : unit.add(1).mul(s);
    }

    /** Pixel units → [−1, 1] images. */
    public NDArray toUnit(NDArray pixels) {
        double s = cfg.pixelScale();
        return s == 1.0 ? pixels.duplicate() : pixels.div(s).sub(1);
    }

    /**
     * Eq. 8: Y ← Y − (δ²/2)(Y/σ² − ∂f/∂Y) + δU ({@link LangevinStep#fromDelta}; noise 0 when
     * configured off), clipped to the pixel range when configured.
     */
    public LangevinConfig langevin(int steps) {
        LangevinStep step = LangevinStep.fromDelta(cfg.delta());
        if (!cfg.noise()) {
            step = step.withNoise(0);
        }
        double lo = cfg.clip() ? (cfg.pixelScale() == 1.0 ? -1 : 0) : Double.NaN;
        double hi = cfg.clip() ? (cfg.pixelScale() == 1.0 ? 1 : 255) : Double.NaN;
        return LangevinConfig.of(steps, step, cfg.referenceSigma(), 0, lo, hi, false);
    }

    /** Runs one net's chain (parameters frozen, BN on batch statistics that are not recorded). */
    public NDArray chain(ConvEnergyNet net, NDArray y0, int steps, NDArray mask, Langevin.StepListener listener) {
        net.setTrainable(false);
        net.setBnMode(BatchNorm2d.Mode.BATCH);
        return Langevin.run(net::langevinTarget, y0, langevin(steps), mask, listener);
    }

    /**
     * What to condition a chain on: the observed image and its missing-pixel mask [B,1,H,W]
     * (1 = missing). On a coarse grid a pixel counts as observed when all pixels of its block are
     * (anyObserved false, the default) or when at least one is (anyObserved true); it then holds
     * the average of the block's observed pixels.
     */
    public record Observation(NDArray image, NDArray mask, boolean anyObserved) {
        public Observation(NDArray image, NDArray mask) {
            this(image, mask, false);
        }
    }

    /**
     * The chain from 1×1 images {@code start} [B, C, 1, 1] up to the finest grid; returns the state
     * at each net's grid (coarse to fine). mcd: up-scale, then {@code steps} Langevin steps, at
     * every grid; the baselines: up-scale straight to the image size, then {@code baselineSteps}.
     * With an observation, pixels it observes are set to their (block-averaged) values at every
     * grid and only missing pixels move.
     */
    public List<NDArray> synthesize(NDArray start, Observation obs) {
        List<NDArray> out = new ArrayList<>();
        NDArray y = start;
        int prev = 1;
        for (Map.Entry<Integer, ConvEnergyNet> e : nets.entrySet()) {
            int g = e.getKey();
            NDArray up = BlockResample.up(y, g / prev);
            int k = cfg.multiGrid() ? cfg.steps() : cfg.baselineSteps();
            out.add(chainAt(e.getValue(), up, g, k, obs));
            up.close();
            y = out.get(out.size() - 1);
            prev = g;
        }
        return out;
    }

    /** One net's chain from y0 at grid g, conditioned on obs when given. */
    public NDArray chainAt(ConvEnergyNet net, NDArray y0, int g, int steps, Observation obs) {
        if (obs == null) {
            return chain(net, y0, steps, null, null);
        }
        int f = cfg.imageSize() / g;
        try (NDManager tmp = y0.getManager().newSubManager()) {
            NDArray m;
            if (obs.anyObserved() && f > 1) { // missing only where the whole block is missing
                try (NDArray known = obs.mask().mul(-1).add(1); NDArray anyKnown = BlockResample.downMask(known, f)) {
                    m = anyKnown.mul(-1).add(1);
                }
            } else {
                m = BlockResample.downMask(obs.mask(), f);
            }
            NDArray known = m.mul(-1).add(1);
            NDArray observed = observedAt(obs, f);
            NDArray init = y0.mul(m).add(observed.mul(known));
            init.attach(tmp);
            m.attach(tmp);
            known.attach(tmp);
            observed.attach(tmp);
            NDArray r = chain(net, init, steps, m, null);
            r.attach(y0.getManager());
            return r;
        }
    }

    /** The average of the observed pixels of each f×f block (where a block has none, 0). */
    static NDArray observedAt(Observation obs, int f) {
        NDArray known = obs.mask().mul(-1).add(1);
        NDArray num = BlockResample.down(obs.image().mul(known), f);
        NDArray den = BlockResample.down(known, f);
        NDArray out = num.div(den.maximum(1e-8f));
        known.close();
        num.close();
        den.close();
        return out;
    }

    /** The 1×1 start of an inpainting chain: the mean of each image's observed pixels. */
    public static NDArray observedMean(Observation obs) {
        int h = (int) obs.image().getShape().get(2);
        return observedAt(obs, h);
    }

    /** n 1×1 images drawn from p⁽⁰⁾ with the seed: [n, C, 1, 1]. */
    public NDArray drawStart(NDManager m, int n, long seed) {
        int count = (int) p0.getShape().get(0);
        SplittableRandom r = new SplittableRandom(seed);
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = r.nextInt(count);
        }
        try (NDArray ix = m.create(idx)) {
            NDArray picked = p0.get(ix);
            NDArray out = picked.reshape(n, cfg.channels(), 1, 1);
            out.attach(m);
            picked.close();
            return out;
        }
    }

    /**
     * n samples from scratch at the finest grid (pixel units), generated in batches of the
     * training batch size: BN uses batch statistics as in training, so a chain must run in a batch
     * like the ones it was trained in.
     */
    public NDArray sample(NDManager m, int n, long seed) {
        int b = cfg.batchSize();
        return inBatches(m, n, (it, k, lo, hi) -> {
            org.ebm4j.core.Torch.seed(org.ebm4j.core.Seeds.derive(seed, k, 1));
            NDArray start = drawStart(it, b, org.ebm4j.core.Seeds.derive(seed, k, 0));
            return synthesize(start, null);
        });
    }

    /**
     * ONE 1×1 image drawn from p⁽⁰⁾ with the seed, repeated {@code rows} times: [rows, C, 1, 1]. It
     * is the first start {@link #sample} draws with the same seed.
     */
    public NDArray oneStart(NDManager m, int rows, long seed) {
        try (NDArray one = drawStart(m, 1, seed)) {
            return one.repeat(0, rows);
        }
    }

    /**
     * n samples whose chains all start from the same 1×1 image, drawn once from p⁽⁰⁾ (paper Fig. 5:
     * how diverse the Langevin dynamics of Eq. 8 makes samples of one start). Only the noise term δ·U
     * can separate them: without it (config noise false) every chain is the same deterministic
     * ascent and all n samples are equal. Runs in batches of the training batch size, each with its
     * own noise (see {@link #sample}).
     */
    public NDArray sampleSameStart(NDManager m, int n, long seed) {
        int b = cfg.batchSize();
        return inBatches(m, n, (it, k, lo, hi) -> {
            org.ebm4j.core.Torch.seed(org.ebm4j.core.Seeds.derive(seed, k, 1));
            NDArray start = oneStart(it, b, org.ebm4j.core.Seeds.derive(seed, 0, 0)); // the same draw for every batch
            return synthesize(start, null);
        });
    }

    /**
     * Fills the missing pixels of images (pixel units, [B, C, H, W]) with mask [B, 1, H, W]
     * (1 = missing): the chain starts from each image's observed mean at 1×1 and observed pixels
     * stay fixed at every grid. Runs in batches of the training batch size (see {@link #sample}).
     */
    public NDArray inpaint(NDArray images, NDArray mask, long seed) {
        return inpaint(images, mask, seed, false);
    }

    /** As {@link #inpaint(NDArray, NDArray, long)}, choosing how masks go down the grids (see {@link Observation}). */
    public NDArray inpaint(NDArray images, NDArray mask, long seed, boolean anyObserved) {
        NDManager m = images.getManager();
        int n = (int) images.getShape().get(0);
        int b = cfg.batchSize();
        return inBatches(m, n, (it, k, lo, hi) -> {
            org.ebm4j.core.Torch.seed(org.ebm4j.core.Seeds.derive(seed, k, 2));
            NDArray img = padBatch(images.get(lo + ":" + hi), b);
            NDArray msk = padBatch(mask.get(lo + ":" + hi), b);
            img.attach(it);
            msk.attach(it);
            Observation obs = new Observation(img, msk, anyObserved);
            return synthesize(observedMean(obs), obs);
        });
    }

    /** One batch of chains: its manager, index k, rows lo..hi of the request; returns the chain's states. */
    @FunctionalInterface
    private interface BatchChain {
        List<NDArray> run(NDManager it, int k, int lo, int hi);
    }

    /**
     * Runs chains in batches of the training batch size (BN uses batch statistics, so a chain must
     * run in a batch like those it was trained in) and concatenates the first hi − lo rows of each
     * batch's finest state, attached to m.
     */
    private NDArray inBatches(NDManager m, int n, BatchChain chain) {
        int b = cfg.batchSize();
        List<NDArray> parts = new ArrayList<>();
        for (int lo = 0, k = 0; lo < n; lo += b, k++) {
            int hi = Math.min(n, lo + b);
            try (NDManager it = m.newSubManager()) {
                List<NDArray> states = chain.run(it, k, lo, hi);
                parts.add(Torch.scopedCopy(states.get(states.size() - 1).get("0:" + (hi - lo)), m));
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray out = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
        parts.forEach(NDArray::close);
        return out;
    }

    /** Repeats the rows of a short last batch cyclically up to b rows (their outputs are dropped). */
    private static NDArray padBatch(NDArray x, int b) {
        long n = x.getShape().get(0);
        if (n == b) {
            return x;
        }
        long reps = (b + n - 1) / n;
        Shape s = x.getShape();
        long[] tile = new long[s.dimension()];
        java.util.Arrays.fill(tile, 1);
        tile[0] = reps;
        NDArray t = x.tile(tile);
        NDArray out = t.get("0:" + b);
        return out;
    }

    /** f of images (pixel units) with BN on its running averages, in batches: one score per image. */
    public float[] scores(int grid, NDArray images) {
        ConvEnergyNet net = nets.get(grid);
        net.setBnMode(BatchNorm2d.Mode.RUNNING);
        net.setTrainable(false);
        int n = (int) images.getShape().get(0);
        float[] out = new float[n];
        int b = cfg.batchSize();
        for (int i = 0; i < n; i += b) {
            try (NDManager it = images.getManager().newSubManager()) {
                NDArray part = images.get(i + ":" + Math.min(n, i + b));
                part.attach(it);
                NDArray down = BlockResample.down(part, cfg.imageSize() / grid);
                float[] f = net.output(down).toFloatArray();
                System.arraycopy(f, 0, out, i, f.length);
            }
        }
        net.setBnMode(BatchNorm2d.Mode.BATCH);
        return out;
    }

    /**
     * −𝓔(Y) = f(Y) − ‖Y‖²/2σ² of images (pixel units) at a grid: minus the energy of Eq. 2, i.e. the
     * log-density of Eq. 1 up to log Z, higher for images the model finds more likely. Each image is
     * block-averaged down to the grid first, the state that grid's chain moves. Without a Gaussian
     * reference (σ ≤ 0, a uniform p₀) the reference term is a constant and this is f alone. BN uses
     * its running averages (as {@link #scores}), so every image is scored on its own.
     *
     * @param grid a grid side with a net ({@link #nets()}); the finest grid is the image size
     */
    public double[] negativeEnergies(int grid, NDArray images) {
        if (!nets.containsKey(grid)) {
            throw new org.ebm4j.core.EbmException("grid " + grid + " has no net; the grids with a net are " + nets.keySet());
        }
        float[] f = scores(grid, images);
        double[] out = new double[f.length];
        double sigma = cfg.referenceSigma();
        if (sigma <= 0) {
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        int n = f.length;
        try (NDArray down = BlockResample.down(images, cfg.imageSize() / grid)) {
            float[] y = down.toFloatArray();
            int per = y.length / n;
            for (int i = 0; i < n; i++) {
                double sq = 0; // in double: on the uint8 scale ‖Y‖² reaches 10⁸ at 64 px
                for (int k = i * per; k < (i + 1) * per; k++) {
                    sq += (double) y[k] * y[k];
                }
                out[i] = f[i] - sq / (2 * sigma * sigma);
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
