package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.data.Batches;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.BlockResample;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.RunFolder;
import org.ebm4j.sampling.PersistentBank;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Alg. 1 of paper 004 (multi-grid minimal CD) and its baselines with the same nets and budget:
 * each iteration synthesizes from the batch's own 1×1 images (mcd, single-grid), from the data
 * (cd1) or from persistent chains (pcd: by default the paper's, one chain per training image that
 * starts at the image and continues at its next visit; {@link MultigridConfig#pcdChains}), then
 * updates every net simultaneously on
 * mean f(syn) − mean f(obs) (Eq. 9), each with its own Adam.
 *
 * <p>Every random draw is keyed by (seed, iteration), so a resumed run equals an uninterrupted one.
 */
public final class MultigridTrainer {
    /** The PCD bank's tensor, also its checkpoint key. */
    static final String PCD_BANK = "pcd_bank";

    private final MultigridConfig cfg;
    private final ProgressListener progress;

    public MultigridTrainer(MultigridConfig cfg, ProgressListener progress) {
        this.cfg = cfg.validate();
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Loads the configured training data (resized, converted, subset): the training split without
     * its {@link MultigridConfig#valHoldout} held-out images (they are never in a batch, nor in
     * p⁽⁰⁾), then trainLimit of the rest. This is the data {@link #trainNew} expects.
     */
    public static ImageDataset trainingData(MultigridConfig cfg) throws IOException {
        return Datasets.load(cfg.data(), Datasets.Split.TRAIN,
                new DataOptions(cfg.imageSize(), cfg.channels(), cfg.trainLimit(), cfg.seed()), holdout(cfg), Datasets.Part.REST);
    }

    /** The held-out part of the training split a config names (none when valHoldout is 0). */
    public static org.ebm4j.data.Holdout holdout(MultigridConfig cfg) {
        return new org.ebm4j.data.Holdout(cfg.valHoldout(), cfg.seed());
    }

    /** Starts a new run on {@code data}, normally {@link #trainingData}(cfg) (refused if runDir exists, unless force). */
    public static MultigridModel trainNew(RunFolder run, MultigridConfig cfg, ImageDataset data,
                                          ProgressListener progress, NDManager manager) throws IOException {
        cfg.validate();
        checkData(cfg, data);
        Map<String, String> nets = new LinkedHashMap<>();
        for (int g : cfg.netGrids()) {
            nets.put(g + "x" + g, cfg.netSpec(g).toString());
        }
        AtomicFiles.writeJson(run.configFile(), new MultigridRun.Info(MultigridRun.METHOD, org.ebm4j.core.Version.VERSION, cfg,
                data.size(), Batches.perEpoch(data.size(), cfg.batchSize()), nets));
        return new MultigridTrainer(cfg, progress).train(run, data, manager);
    }

    /** Continues an interrupted run from its checkpoint. */
    public static MultigridModel resume(RunFolder run, ProgressListener progress, NDManager manager) throws IOException {
        MultigridConfig cfg = MultigridRun.readInfo(run).config();
        return new MultigridTrainer(cfg, progress).train(run, trainingData(cfg), manager);
    }

    static void checkData(MultigridConfig cfg, ImageDataset data) {
        data.requireTraining(cfg.channels(), cfg.imageSize(), cfg.batchSize());
    }

    /** The learning-rate schedule: constant, or log-linear from lr to lrEnd in steps of 10 iterations (paper §7.1). */
    static LrSchedule schedule(MultigridConfig cfg, long total) {
        if (cfg.lrSchedule() == MultigridConfig.Schedule.CONSTANT || total <= 10) {
            return LrSchedule.constant(cfg.lr());
        }
        long stages = Math.max(1, (total - 1) / 10);
        double ratio = Math.log(cfg.lrEnd() / cfg.lr());
        return s -> cfg.lr() * Math.exp(ratio * Math.min(1.0, (s / 10) / (double) stages));
    }

    /**
     * Persistent CD's bank of chains for n training images, or null for the other methods:
     * per-image (the paper) holds one chain per training image, batch one batch of chains that
     * every iteration advances (filled from the first batch's 1×1 images by {@link #step}).
     */
    static PersistentBank pcdBank(MultigridModel model, int n) {
        MultigridConfig cfg = model.config();
        if (cfg.method() != MultigridConfig.Method.PCD) {
            return null;
        }
        return cfg.pcdChains() == MultigridConfig.PcdChains.PER_IMAGE
                ? new PersistentBank(model.manager(), n, 1, PCD_BANK)
                : new PersistentBank(model.manager(), cfg.batchSize(), cfg.batchSize(), PCD_BANK);
    }

    /** Fills a per-image PCD bank with the training images themselves (pixel units): entry i is image i. */
    static void fillWithImages(MultigridModel model, PersistentBank bank, ImageDataset data) {
        int[] all = new int[data.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        try (NDManager tmp = model.manager().newSubManager()) {
            bank.fill(Map.of(PCD_BANK, model.toPixels(data.batch(tmp, all))));
        }
    }

    /** Trains from the checkpoint in run (if any) to the last iteration. */
    public MultigridModel train(RunFolder run, ImageDataset data, NDManager manager) throws IOException {
        checkData(cfg, data);
        int n = data.size();
        int perEpoch = Batches.perEpoch(n, cfg.batchSize());
        long total = (long) perEpoch * cfg.epochs();
        Torch.seed(Seeds.derive(cfg.seed(), -1));
        MultigridModel model = new MultigridModel(manager, cfg);
        Map<Integer, Adam> adams = new LinkedHashMap<>();
        PersistentBank bank = pcdBank(model, n);
        try {
            for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
                adams.put(e.getKey(), new Adam(model.manager(), e.getValue().trainableParameters(), schedule(cfg, total),
                        cfg.beta1(), cfg.beta2(), 1e-8, cfg.weightDecay()));
            }
            long start = 0;
            if (Files.exists(MultigridRun.checkpoint(run))) {
                try (NDManager tmp = manager.newSubManager()) {
                    Checkpoint.Loaded ld = MultigridRun.loadInto(MultigridRun.checkpoint(run), model, adams, tmp);
                    if (bank != null && bank.isIn(ld.extras(), "")) {
                        bank.load(ld.extras(), "");
                    }
                    start = ld.meta().iteration();
                }
                if (start >= total) {
                    progress.message("run already complete (" + total + " iterations)");
                    return model;
                }
                progress.message("resuming at iteration " + start + " of " + total);
            } else {
                try (NDArray ones = oneByOne(model, data)) {
                    model.setP0(ones);
                }
            }
            if (bank != null && !bank.isFilled() && cfg.pcdChains() == MultigridConfig.PcdChains.PER_IMAGE) {
                fillWithImages(model, bank, data); // each image's chain starts at the image (paper §6, after Tieleman 2008)
            }
            Checkpoint parts = MultigridRun.checkpoint(model, adams);
            if (bank != null) { // "pcd_bank", once the first iteration has filled it
                parts.tensor(PCD_BANK, () -> bank.isFilled() ? bank.toTensors("").get(PCD_BANK) : null);
            }
            long keepLogUpTo = start;
            progress.start("multigrid " + cfg.method() + " (" + cfg.epochs() + " epochs of " + perEpoch + " iterations)", total - start);
            int[][] perm = new int[1][];
            long[] permEpoch = {-1};
            // a resumed log equals an uninterrupted one
            try (TrainingRun tr = TrainingRun.open(run, progress, r -> r.get("iter").asLong() < keepLogUpTo)) {
                TrainingLoop.Step step = ctx -> {
                    long it = ctx.index();
                    long epoch = it / perEpoch;
                    if (epoch != permEpoch[0]) {
                        perm[0] = Batches.permutation(n, cfg.seed(), epoch);
                        permEpoch[0] = epoch;
                    }
                    int[] idx = Batches.batch(perm[0], (int) (it % perEpoch), cfg.batchSize());
                    Map<String, Object> row = ctx.row();
                    iteration(model, adams, data, idx, it, bank, ctx, row);
                    @SuppressWarnings("unchecked")
                    List<NDArray> syn = (List<NDArray>) row.remove("_syn");
                    if (ctx.due(cfg.sampleEvery())) {
                        MultigridOutputs.writeChainGrid(model, syn, run.images().resolve(String.format("syn_%06d.png", it)));
                    }
                    if (!ctx.logDue()) {
                        row.clear();
                    }
                    ctx.status(String.format("epoch %d/%d loss %s", epoch + 1, cfg.epochs(),
                            row.getOrDefault("loss_" + cfg.imageSize(), "?")));
                };
                TrainingLoop.builder(tr, model.manager(), step)
                        .task("multigrid " + cfg.method())
                        .iterations(start, total)
                        .seedKey(it -> Seeds.derive(cfg.seed(), it))
                        .logEvery(cfg.logEvery())
                        .timing((row, ms) -> {
                            row.put("ms_per_iter", Math.round(ms * 10) / 10.0);
                            row.put("images_per_s", Math.round(cfg.batchSize() / (ms / 1000.0) * 10) / 10.0);
                        })
                        .checkpoint(parts, MultigridRun.checkpoint(run), next -> new MultigridRun.TrainState(total),
                                cfg.checkpointEvery(), perEpoch, true)
                        .legacy(MultigridRun::legacyMeta)
                        .onRestore(ld -> {
                            if (bank != null && bank.isIn(ld.extras(), "")) {
                                bank.load(ld.extras(), "");
                            }
                            NDArray p0 = ld.extras().get("p0");
                            if (p0 != null) {
                                model.setP0(p0);
                            }
                        })
                        .build()
                        .run();
            }
            progress.end();
            return model;
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        } finally {
            adams.values().forEach(Adam::close);
            if (bank != null) {
                bank.close();
            }
        }
    }

    /** One iteration (updates the PCD bank). Puts the log fields and the synthesized states ("_syn") in row. */
    private void iteration(MultigridModel model, Map<Integer, Adam> adams, ImageDataset data, int[] idx, long it,
                           PersistentBank bank, TrainingLoop.Iteration ctx, Map<String, Object> row) {
        NDManager m = ctx.scope();
        NDArray unit = data.batch(m, idx);
        NDArray y = model.toPixels(unit);
        MultigridModel.Observation obs = cfg.inpaintTraining()
                ? new MultigridModel.Observation(y, InpaintingMasks.of("random-square", m, cfg.batchSize(),
                        cfg.imageSize(), cfg.maskSize(), Seeds.derive(cfg.seed(), it, 7)))
                : null;
        StepResult r = step(model, adams, bank, idx, y, obs, m);
        row.put("iter", it);
        row.put("epoch", it / Batches.perEpoch(data.size(), cfg.batchSize()));
        for (Map.Entry<Integer, Update> e : r.updates().entrySet()) {
            int g = e.getKey();
            Update u = e.getValue();
            if (!Double.isFinite(u.loss())) { // the update was skipped: the weights are intact, the run is not
                ctx.diverged(String.format("grid %dx%d diverged at iteration %d: the loss is %s; the last "
                        + "checkpoint is kept. Lower --lr or --delta and start again", g, g, it, u.loss()), true);
            }
            row.put("f_obs_" + g, u.fObs());
            row.put("f_syn_" + g, u.fSyn());
            row.put("loss_" + g, u.loss());
            // paper Fig. 4's convergence monitor: Σ|∂L/∂θ| over this grid's parameters of Eq. 9's loss,
            // as the step computed it (before Adam; the coupled weight decay is not part of it)
            row.put("grad_l1_" + g, u.gradL1());
        }
        row.put("lr", r.lr());
        row.put("ms_chains", Math.round(r.chainNanos() / 1e5) / 10.0);
        row.put("ms_updates", Math.round(r.updateNanos() / 1e5) / 10.0);
        row.put("_syn", r.syn());
    }

    /**
     * What the chains and updates of one iteration produced.
     *
     * @param syn         the synthesized states, one per grid net (coarsest first) or one for the
     *                    single-chain methods (cd1, pcd: the finest grid's)
     * @param updates     each grid's update, in the order of {@link MultigridModel#nets()}; ends at
     *                    the first grid whose loss was not finite (that and the later nets untouched)
     * @param lr          the learning rate of the last Adam step taken
     * @param chainNanos  wall time of the chains
     * @param updateNanos wall time of the updates
     */
    public record StepResult(List<NDArray> syn, Map<Integer, Update> updates, double lr, long chainNanos,
                             long updateNanos) {
    }

    /**
     * The chains and the updates of one training iteration on a batch {@code y} (pixel units), for
     * the model's configured method: multi-grid or single-grid CD from the batch's 1×1 images
     * (Alg. 1), CD-k from the data, or persistent CD from {@code bank} (read, then overwritten;
     * per-image chains need the batch's image indices: {@link #step(MultigridModel, Map, PersistentBank,
     * int[], NDArray, MultigridModel.Observation, NDManager)});
     * then one Adam step per grid net on mean f(syn) − mean f(obs) (Eq. 9, {@link #update}).
     * Used by the trainer and by the benchmark, so both run the same iteration.
     *
     * @param adams the optimizer of each grid's net, keyed by grid size
     * @param bank  the persistent chains (pcd only; null otherwise)
     * @param obs   the observed part of the batch when training for inpainting, else null
     * @param m     the iteration's manager; {@code y} should belong to it, so what is computed is freed with it
     */
    public static StepResult step(MultigridModel model, Map<Integer, Adam> adams, PersistentBank bank, NDArray y,
                                  MultigridModel.Observation obs, NDManager m) {
        return step(model, adams, bank, null, y, obs, m);
    }

    /**
     * As {@link #step(MultigridModel, Map, PersistentBank, NDArray, MultigridModel.Observation, NDManager)},
     * with {@code idx}, the training-set index of each image of {@code y}: per-image persistent CD
     * continues the chain of image idx[i] (entry idx[i] of the bank) and writes it back; the other
     * methods ignore it (may be null).
     */
    public static StepResult step(MultigridModel model, Map<Integer, Adam> adams, PersistentBank bank, int[] idx,
                                  NDArray y, MultigridModel.Observation obs, NDManager m) {
        MultigridConfig cfg = model.config();
        List<NDArray> syn;
        long tChain = System.nanoTime();
        ConvEnergyNet finest = model.nets().get(cfg.imageSize());
        switch (cfg.method()) {
            case MCD, SINGLE_GRID -> {
                NDArray start = obs == null ? BlockResample.down(y, cfg.imageSize()) : MultigridModel.observedMean(obs);
                syn = model.synthesize(start, obs);
            }
            case CD1 -> syn = List.of(model.chainAt(finest, y, cfg.imageSize(), cfg.cd1Steps(), obs));
            case PCD -> {
                if (bank == null) {
                    throw new IllegalArgumentException("persistent CD needs its bank of chains, got none");
                }
                if (cfg.pcdChains() == MultigridConfig.PcdChains.PER_IMAGE) {
                    if (idx == null || idx.length != y.getShape().get(0)) {
                        throw new IllegalArgumentException("per-image persistent CD needs the training-set index of each of the "
                                + y.getShape().get(0) + " images of the batch, got " + (idx == null ? "none" : idx.length));
                    }
                    if (!bank.isFilled()) {
                        throw new IllegalStateException("per-image persistent CD needs its bank filled with the training images");
                    }
                    // image idx[i]'s chain: from the image itself at its first visit, else from where it stopped
                    NDArray from = bank.read(idx, m).get(PCD_BANK);
                    NDArray next = model.chainAt(finest, from, cfg.imageSize(), cfg.baselineSteps(), obs);
                    bank.write(idx, Map.of(PCD_BANK, next));
                    syn = List.of(next);
                } else { // batch: one batch of chains, all advanced every iteration
                    if (!bank.isFilled()) { // they start like single-grid CD, from the first batch's 1×1 images
                        NDArray start = BlockResample.down(y, cfg.imageSize());
                        bank.fill(Map.of(PCD_BANK, BlockResample.up(start, cfg.imageSize())));
                    }
                    // every chain of the bank, in order, on copies in this iteration's scope; overwritten after use
                    NDArray next = model.chainAt(finest, bank.readAll(m).get(PCD_BANK), cfg.imageSize(), cfg.baselineSteps(), obs);
                    bank.writeAll(Map.of(PCD_BANK, next));
                    syn = List.of(next);
                }
            }
            default -> throw new IllegalStateException(cfg.method().label());
        }
        syn.get(syn.size() - 1).getFloat(0, 0, 0, 0); // wait for the chain before reading the clock
        long tUpdate = System.nanoTime();
        Map<Integer, Update> updates = new LinkedHashMap<>();
        int k = 0;
        double lr = Double.NaN;
        for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
            int g = e.getKey();
            ConvEnergyNet net = e.getValue();
            NDArray obsG = BlockResample.down(y, cfg.imageSize() / g);
            NDArray synG = syn.get(k++);
            Adam adam = adams.get(g);
            lr = adam.currentLr();
            Update u = update(net, adam, obsG, synG, m);
            updates.put(g, u);
            net.setTrainable(false);
            if (!Double.isFinite(u.loss())) { // a poisoned iteration: the later nets are not updated either
                break;
            }
        }
        return new StepResult(syn, updates, lr, tUpdate - tChain, System.nanoTime() - tUpdate);
    }

    /** The outcome of one net's update. */
    public record Update(double fObs, double fSyn, double loss, double gradL1) {
    }

    /**
     * One Adam step of a grid's net on mean f(syn) − mean f(obs) (Eq. 9). BN uses batch
     * statistics on both halves; only the observed half updates the running averages. A non-finite
     * loss is returned without touching the weights.
     */
    public static Update update(ConvEnergyNet net, Adam adam, NDArray obs, NDArray syn, NDManager m) {
        List<Parameter> params = net.trainableParameters();
        net.setTrainable(true);
        float[] f = new float[2];
        try (Gradients.Result gr = Gradients.of(m, params, () -> {
            net.setBnMode(BatchNorm2d.Mode.BATCH_UPDATE); // running averages follow the data only
            NDArray fObs = net.output(obs).mean();
            net.setBnMode(BatchNorm2d.Mode.BATCH);
            NDArray fSyn = net.output(syn).mean();
            f[0] = fObs.getFloat();
            f[1] = fSyn.getFloat();
            return fSyn.sub(fObs);
        })) {
            net.setTrainable(false);
            if (!Double.isFinite(gr.loss())) {
                return new Update(f[0], f[1], gr.loss(), Double.NaN);
            }
            double l1 = 0;
            for (NDArray gg : gr.grads()) {
                try (NDArray a = gg.abs(); NDArray s = a.sum()) {
                    l1 += s.getFloat();
                }
            }
            adam.update(gr.grads());
            return new Update(f[0], f[1], gr.loss(), l1);
        }
    }

    /** p⁽⁰⁾: the 1×1 version (mean colour) of every training image, in pixel units [N, C]. */
    static NDArray oneByOne(MultigridModel model, ImageDataset data) {
        int n = data.size();
        int c = data.channels();
        float[] out = new float[n * c];
        int b = 500;
        for (int i = 0; i < n; i += b) {
            int[] idx = new int[Math.min(b, n - i)];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = i + j;
            }
            try (NDManager m = model.manager().newSubManager()) {
                NDArray px = model.toPixels(data.batch(m, idx));
                float[] v = px.reshape(idx.length, c, -1).mean(new int[] {2}).toFloatArray();
                System.arraycopy(v, 0, out, i * c, v.length);
            }
        }
        try (NDArray w = model.manager().create(out, new ai.djl.ndarray.types.Shape(n, c))) {
            return w.duplicate();
        }
    }

    /** Random generator of a run's draws outside libtorch. */
    static SplittableRandom random(long seed, long... keys) {
        return new SplittableRandom(Seeds.derive(seed, keys));
    }

    static List<Integer> gridsOf(MultigridModel model) {
        return new ArrayList<>(model.nets().keySet());
    }
}
