package org.ebm4j.method.hatebm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.TensorCopy;
import org.ebm4j.core.Torch;
import org.ebm4j.core.Version;
import org.ebm4j.data.Batches;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.Nets;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.nn.RetrofitEncoder;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.GradClip;
import org.ebm4j.optim.Gradients;
import org.ebm4j.pretrain.AutoencoderTrainer;
import org.ebm4j.run.RunFolder;
import org.ebm4j.sampling.PersistentBank;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.DivergencePolicy;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;

/**
 * Hat EBM training (Hill et al. 2022) on the shared training loop.
 *
 * <p><b>Synthesis</b> (appendix G, Alg. 1), one iteration:
 * <ol>
 *   <li>X⁺ = data + data_ε·N(0, I); Z ~ N(0, I); Y₀ = 0; Y_K by K steps of Eq. 6 with Z fixed;
 *       X⁻ = G(Z) + Y_K;</li>
 *   <li>H: L(θ) = [mean H(X⁺) − mean H(X⁻)]/T (Eq. 8), optional per-tensor gradient clip, Adam;</li>
 *   <li>G: B unique random bank indices i, L(φ) = 1000·mean((G(Z_i) − X_i)²) (Eq. 11), Adam;</li>
 *   <li>bank[i] ← (Z, X⁻); both weight EMAs updated.</li>
 * </ol>
 * The bank (N rounded down to a multiple of B) starts as Z_i ~ N(0, I), X_i = G(Z_i; φ₀).
 * Ablations: {@code generatorTarget=current} regresses G(Z) onto this iteration's X⁻ (no bank;
 * App. F); {@code residual=false} runs Langevin on Z under H(G(Z)) and regresses G(Z₀) onto
 * X⁻ = G(Z_K) (App. H).
 *
 * <p><b>Refine</b>: the generator is a frozen pretrained one; X⁻ = G(Z_K) + Y_K from joint
 * sampling (Z then Y at every step, from Z₀ ~ N(0, I), Y₀ = 0); only H learns.
 *
 * <p><b>Retrofit</b>: phase 1 trains the deterministic autoencoder whose decoder is the generator
 * ({@link #pretrainDecoder}); phase 2 is the refine iteration on the frozen decoder, with
 * Z₀ = project(N(0, I)) on the sphere of radius √D (App. A).
 *
 * <p>Every random draw is keyed by (seed, iteration): a resumed run equals an uninterrupted one.
 * A non-finite loss goes to the shared divergence guard (rollback with halved learning rates).
 */
public final class HatEbmTrainer {
    private final HatEbmConfig cfg;
    private final ProgressListener progress;
    private LongPredicate faultAt = it -> false;

    public HatEbmTrainer(HatEbmConfig cfg, ProgressListener progress) {
        this.cfg = cfg;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /** Test hook: when the predicate accepts an iteration, its EBM loss is made NaN before any update. */
    public HatEbmTrainer injectNanAt(LongPredicate at) {
        faultAt = at;
        return this;
    }

    /** Loads the configured training data (resized to imageSize, converted to channels, subset). */
    public static ImageDataset trainingData(HatEbmConfig cfg) throws IOException {
        if (cfg.data().isBlank()) {
            throw new EbmException("preset '" + cfg.preset() + "' has no data set; pass --data (fashion-mnist, mnist "
                    + "or a folder of images)");
        }
        return Datasets.load(cfg.data(), Datasets.Split.TRAIN,
                new DataOptions(cfg.imageSize(), cfg.channels(), cfg.trainLimit(), cfg.seed()));
    }

    /**
     * Starts a new run: writes config.json, puts the pretrained generator's tensors (refine; names as
     * the generator block's parameters, null for synthesis) into the model, then trains.
     */
    public HatEbmModel start(RunFolder run, ImageDataset data, Map<String, NDArray> pretrained, NDManager manager)
            throws IOException {
        checkData(data);
        if ((cfg.mode() == HatEbmConfig.Mode.REFINE) != (pretrained != null)) {
            throw new EbmException(cfg.mode() == HatEbmConfig.Mode.REFINE
                    ? "refine needs a pretrained generator (--generator RUN)"
                    : "synthesis trains its own generator; a pretrained generator is only for refine");
        }
        Map<String, Long> params = new LinkedHashMap<>();
        params.put("ebm", Nets.parameterCount(new org.ebm4j.nn.ResidualEbm(cfg.ebmConfig())));
        params.put("gen", Nets.parameterCount(cfg.nets().genLayout() == HatEbmConfig.GenLayout.RETROFIT
                ? new org.ebm4j.nn.RetrofitDecoder(cfg.decoderConfig()) : new org.ebm4j.nn.Generator(cfg.generatorConfig())));
        if (cfg.mode() == HatEbmConfig.Mode.RETROFIT) {
            params.put("enc", Nets.parameterCount(new org.ebm4j.nn.RetrofitEncoder(cfg.encoderConfig())));
        }
        HatEbmModel model = new HatEbmModel(manager, cfg);
        try {
            if (pretrained != null) {
                setGenerator(model, pretrained, cfg.generator());
            }
            startHat(run, model);
            AtomicFiles.writeJson(run.configFile(), new HatEbmRun.Info(HatEbmRun.METHOD, Version.VERSION, cfg,
                    data.size(), params));
            pretrainDecoder(run, data, model);
            return train(run, data, model);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
    }

    /** Starts a new synthesis run. */
    public static HatEbmModel trainNew(RunFolder run, HatEbmConfig cfg, ImageDataset data, ProgressListener progress,
                                       NDManager manager) throws IOException {
        return new HatEbmTrainer(cfg, progress).start(run, data, null, manager);
    }

    /** Continues an interrupted run from its checkpoint. */
    public static HatEbmModel resume(RunFolder run, ProgressListener progress, NDManager manager) throws IOException {
        return resume(run, trainingData(HatEbmRun.readInfo(run).config()), progress, manager);
    }

    /** {@link #resume} on given training data (tests). */
    static HatEbmModel resume(RunFolder run, ImageDataset data, ProgressListener progress, NDManager manager)
            throws IOException {
        HatEbmConfig cfg = HatEbmRun.readInfo(run).config();
        HatEbmTrainer t = new HatEbmTrainer(cfg, progress);
        t.checkData(data);
        HatEbmModel model = new HatEbmModel(manager, cfg);
        try {
            t.startHat(run, model);
            t.pretrainDecoder(run, data, model);
            return t.train(run, data, model);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Checks {@code hat} (when set) against this configuration's H without touching anything: a
     * missing or extra tensor or one of another shape is refused in one line naming it.
     */
    public static void checkHat(HatEbmConfig cfg, NDManager manager) {
        if (cfg.hat().isEmpty()) {
            return;
        }
        try (NDManager tmp = manager.newSubManager()) {
            org.ebm4j.nn.ResidualEbm h = new org.ebm4j.nn.ResidualEbm(cfg.ebmConfig()).init(tmp, ai.djl.ndarray.types.DataType.FLOAT32);
            org.ebm4j.run.WeightImport.load(java.nio.file.Path.of(cfg.hat()), h, "hat net");
        }
    }

    /**
     * H ← the weights of {@code hat} (WeightImport's name table), its average restarted there, when
     * the setting is given and the run has no checkpoint yet (a checkpoint holds H already).
     */
    void startHat(RunFolder run, HatEbmModel model) {
        if (cfg.hat().isEmpty() || Files.exists(HatEbmRun.checkpoint(run))) {
            return;
        }
        org.ebm4j.run.WeightImport.load(java.nio.file.Path.of(cfg.hat()), model.ebm(), "hat net");
        if (model.emaEbm() != null) { // the average starts at the loaded weights, as a fresh one at init
            model.emaEbm().load(emaStart(model.ebm()), "");
        }
    }

    /** Whether a log row belongs to the retrofit's autoencoder phase. */
    static boolean aePhase(com.fasterxml.jackson.databind.JsonNode row) {
        return AutoencoderTrainer.PHASE.equals(row.path("phase").asText());
    }

    /**
     * Retrofit, phase 1 (phase "ae" of the run): trains the model's generator — the retrofit decoder
     * D — with a fresh encoder E by L = λ·mean((D(project(E(x)) + σ·ξ) − x)²) on the shared loop
     * ({@link AutoencoderTrainer}), checkpointed in checkpoints/ae.ckpt and resumed from it. A
     * finished phase only reloads D's weights (the joint phase's checkpoint, when there is one,
     * holds D again). The encoder is drawn from (seed, "ae", −1) and is discarded afterwards, as in
     * the official code. No-op for synthesis and refine.
     */
    void pretrainDecoder(RunFolder run, ImageDataset data, HatEbmModel model) throws IOException {
        if (cfg.mode() != HatEbmConfig.Mode.RETROFIT) {
            return;
        }
        AutoencoderTrainer.Config ac = cfg.autoencoder();
        RetrofitDecoder decoder = (RetrofitDecoder) model.generator();
        java.nio.file.Path ck = HatEbmRun.aeCheckpoint(run);
        try (NDManager m = model.manager().newSubManager()) {
            Torch.seed(Seeds.derive(cfg.seed(), AutoencoderTrainer.SEED_TAG, -1));
            RetrofitEncoder encoder = new RetrofitEncoder(cfg.encoderConfig()).init(m, ai.djl.ndarray.types.DataType.FLOAT32);
            try (AutoencoderTrainer t = new AutoencoderTrainer(ac, decoder, encoder, m, HatEbmRun.METHOD)) {
                long start = t.resumeIteration(ck);
                if (start >= ac.iterations()) {
                    try (NDManager tmp = m.newSubManager()) {
                        t.parts().load(ck, tmp, null).extras().values().forEach(NDArray::close);
                    }
                    return;
                }
                if (start > 0) {
                    progress.message("resuming the autoencoder at iteration " + start + " of " + ac.iterations());
                }
                progress.start("hatebm retrofit, phase 1: autoencoder (" + ac.iterations() + " iterations)",
                        ac.iterations() - start);
                // phase 1 runs before any EBM row exists: keep only this phase's rows before its resume point
                try (TrainingRun tr = TrainingRun.open(run, progress, r -> aePhase(r) && r.get("iter").asLong() < start)) {
                    t.train(tr, ck, data, 0);
                }
                progress.end();
            }
        } finally {
            Nets.setTrainable(decoder, false); // frozen from here on: only H learns (joint phase)
        }
    }

    void checkData(ImageDataset data) {
        data.requireTraining(cfg.channels(), cfg.imageSize(), cfg.batchSize());
    }

    /**
     * Copies a pretrained generator's tensors into the model's generator; a missing tensor or a
     * shape mismatch is refused naming the tensor and both shapes.
     */
    static void setGenerator(HatEbmModel model, Map<String, NDArray> tensors, String source) {
        for (var e : model.generator().getParameters()) {
            NDArray dst = e.getValue().getArray();
            NDArray src = tensors.get(e.getKey());
            if (src == null) {
                throw new EbmException("generator of '" + source + "' has no tensor '" + e.getKey()
                        + "' that this configuration's generator needs");
            }
            if (!src.getShape().equals(dst.getShape())) {
                throw new EbmException("generator tensor '" + e.getKey() + "' of '" + source + "' has shape "
                        + src.getShape() + ", this configuration's generator needs " + dst.getShape());
            }
            TensorCopy.copyInto(src, dst);
        }
        if (model.emaGen() != null) { // the averages start at the pretrained weights, as fresh ones start at init
            model.emaGen().load(emaStart(model.generator()), "");
        }
    }

    private static Map<String, NDArray> emaStart(ai.djl.nn.Block net) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        List<Parameter> ps = Nets.trainableParameters(net);
        for (int i = 0; i < ps.size(); i++) {
            m.put(String.valueOf(i), ps.get(i).getArray());
        }
        return m;
    }

    /** The two Adams (β of the config, piecewise-constant rates); the second is null for refine. */
    public static Adam[] optimizers(HatEbmModel model) {
        HatEbmConfig.Optim o = model.config().optim();
        Adam e = new Adam(model.manager(), Nets.trainableParameters(model.ebm()), o.schedule(o.lrE()), o.beta1(),
                o.beta2(), 1e-8, 0);
        Adam g = model.config().mode() == HatEbmConfig.Mode.SYNTHESIS
                ? new Adam(model.manager(), Nets.trainableParameters(model.generator()), o.schedule(o.lrG()), o.beta1(),
                o.beta2(), 1e-8, 0) : null;
        return new Adam[] {e, g};
    }

    /** Whether this configuration keeps a bank (synthesis with historical targets). */
    boolean usesBank() {
        return cfg.mode() == HatEbmConfig.Mode.SYNTHESIS && cfg.train().generatorTarget() == HatEbmConfig.GenTarget.HISTORICAL;
    }

    /** A bank of (z, x) pairs sized for this configuration (empty until filled or loaded); null when unused. */
    public PersistentBank newBank(NDManager m) {
        return usesBank() ? new PersistentBank(m, cfg.train().bankSize(), cfg.batchSize(), "z", "x") : null;
    }

    /** Alg. 1's initial bank: Z_i ~ N(0, I), X_i = G(Z_i) with the initial generator, seeded by (seed, −2). */
    public void fillBank(HatEbmModel model, PersistentBank bank) {
        int n = bank.capacity();
        int b = cfg.batchSize();
        try (NDManager s = model.manager().newSubManager()) {
            Torch.seed(Seeds.derive(cfg.seed(), -2));
            NDArray z = s.randomNormal(new Shape(n, cfg.nets().latent()));
            List<NDArray> xs = new java.util.ArrayList<>();
            for (int i = 0; i < n; i += b) {
                try (NDArray zb = z.get(i + ":" + (i + b))) {
                    xs.add(model.generate(zb));
                }
            }
            NDArray x = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(xs));
            Map<String, NDArray> init = new LinkedHashMap<>();
            init.put("z", z);
            init.put("x", x);
            bank.fill(init);
        }
    }

    /** Trains the model from the run's checkpoint (if any) to the last iteration. */
    HatEbmModel train(RunFolder run, ImageDataset data, HatEbmModel model) throws IOException {
        int n = data.size();
        int perEpoch = Batches.perEpoch(n, cfg.batchSize());
        long total = cfg.iterations();
        Adam[] adams = optimizers(model);
        PersistentBank bank = newBank(model.manager());
        try {
            Checkpoint parts = HatEbmRun.parts(model, adams[0], adams[1], bank);
            long start = 0;
            if (Files.exists(HatEbmRun.checkpoint(run))) {
                try (NDManager tmp = model.manager().newSubManager()) {
                    Checkpoint.Loaded ld = parts.load(HatEbmRun.checkpoint(run), tmp, null);
                    if (bank != null) {
                        bank.load(ld.extras(), HatEbmRun.BANK);
                    }
                    ld.extras().values().forEach(NDArray::close);
                    start = ld.meta().iteration();
                }
                if (start >= total) {
                    progress.message("run already complete (" + total + " iterations)");
                    return model;
                }
                if (start > 0) {
                    progress.message("resuming at iteration " + start + " of " + total);
                }
            } else if (bank != null) {
                fillBank(model, bank);
            }
            long keepLogUpTo = start;
            progress.start((cfg.mode() == HatEbmConfig.Mode.RETROFIT ? "hatebm retrofit, phase 2: joint Hat EBM"
                    : "hatebm " + cfg.mode()) + " (" + total + " iterations)", total - start);
            int[][] perm = new int[1][];
            long[] permEpoch = {-1};
            try (TrainingRun tr = TrainingRun.open(run, progress, r -> aePhase(r) || r.get("iter").asLong() < keepLogUpTo)) {
                TrainingLoop.Step step = ctx -> {
                    long it = ctx.index();
                    long epoch = it / perEpoch;
                    if (epoch != permEpoch[0]) {
                        perm[0] = Batches.permutation(n, cfg.seed(), epoch);
                        permEpoch[0] = epoch;
                    }
                    int[] idx = Batches.batch(perm[0], (int) (it % perEpoch), cfg.batchSize());
                    NDArray x = data.batch(ctx.scope(), idx);
                    Map<String, Object> row = ctx.row();
                    row.put("iter", it);
                    iterate(model, adams, bank, x, new It(ctx.scope(), it, row, ctx::diverged),
                            ctx.due(cfg.imageEvery()) ? run : null);
                    ctx.status(String.format("H(x+)-H(x-) %s", row.getOrDefault("e_gap", "?")));
                    if (!ctx.logDue()) {
                        row.clear();
                    }
                };
                TrainingLoop.builder(tr, model.manager(), step)
                        .task("hatebm")
                        .iterations(start, total)
                        .seedKey(it -> Seeds.derive(cfg.seed(), it))
                        .logEvery(cfg.logEvery())
                        .timing((row, ms) -> {
                            row.put("ms_per_iter", Math.round(ms * 10) / 10.0);
                            row.put("images_per_s", Math.round(cfg.batchSize() / (ms / 1000.0) * 10) / 10.0);
                        })
                        .checkpoint(parts, HatEbmRun.checkpoint(run), next -> new HatEbmRun.TrainState(total),
                                cfg.checkpointEvery(), 0, true)
                        .onRestore(ld -> {
                            if (bank != null) {
                                bank.load(ld.extras(), HatEbmRun.BANK);
                            }
                        })
                        .divergence(DivergencePolicy.ROLLBACK, cfg.maxRollbacks(), 0.5)
                        .phaseRows(r -> !aePhase(r)) // a rollback never drops the retrofit's autoencoder rows
                        .build()
                        .run();
            }
            progress.end();
            return model;
        } finally {
            for (Adam a : adams) {
                if (a != null) {
                    a.close();
                }
            }
            if (bank != null) {
                bank.close();
            }
        }
    }

    /** Where an iteration reports divergence (the loop's guard, or an exception outside it). */
    private interface Guard {
        void diverged(String message, boolean poisoned);
    }

    private record It(NDManager scope, long index, Map<String, Object> row, Guard guard) {
        void requireFinite(double loss, String what) {
            if (!Double.isFinite(loss)) {
                guard.diverged(what + " diverged at iteration " + index + ": the loss is " + loss, true);
            }
        }
    }

    /** What one iteration outside the loop did: its log row and the bank indices its generator step used. */
    public record StepResult(Map<String, Object> row, int[] bankIndices) {
    }

    /**
     * One training iteration on the batch x outside the training loop (benchmarks, tests): the
     * chain, the EBM update, the generator update and the bank overwrite. Divergence throws.
     * {@code adams} as from {@link #optimizers}; {@code bank} filled (or null when the
     * configuration keeps none).
     */
    public StepResult step(HatEbmModel model, Adam[] adams, PersistentBank bank, NDArray x, NDManager scope, long index) {
        Map<String, Object> row = new LinkedHashMap<>();
        try {
            int[] idx = iterate(model, adams, bank, x, new It(scope, index, row, (msg, poisoned) -> {
                throw new EbmException(msg);
            }), null);
            return new StepResult(row, idx);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The bank indices of iteration {@code it}: B unique ones, from a generator keyed by (seed, it). */
    public int[] bankIndices(PersistentBank bank, long it) {
        return bank.drawIndices(new SplittableRandom(Seeds.derive(cfg.seed(), it, 11)));
    }

    /** The body of an iteration; returns the bank indices used (null without a bank). */
    private int[] iterate(HatEbmModel model, Adam[] adams, PersistentBank bank, NDArray x, It ctx, RunFolder images)
            throws IOException {
        NDManager m = ctx.scope();
        Map<String, Object> row = ctx.row();
        HatEbmConfig.Chains c = cfg.chains();
        row.put("lr_e", adams[0].currentLr());
        if (adams[1] != null) {
            row.put("lr_g", adams[1].currentLr());
        }
        int b = (int) x.getShape().get(0);
        NDArray xPos = cfg.train().dataEpsilon() > 0
                ? x.add(m.randomNormal(x.getShape()).mul(cfg.train().dataEpsilon())) : x;
        NDArray z = model.drawLatents(m, b);
        long t0 = System.nanoTime();
        HatEbmModel.Negatives neg = model.negatives(z, m.zeros(x.getShape()), c.steps(), c.temperature(), true);
        row.put("ms_chains", Math.round((System.nanoTime() - t0) / 1e5) / 10.0);
        try (NDArray r2 = neg.residual().reshape(b, -1).norm(new int[] {1})) {
            row.put("residual_norm", r2.mean().getFloat()); // mean per-sample ‖X⁻ − G(Z₀)‖
        }
        if (cfg.joint()) {
            row.put("z_norm", neg.latentNorm()); // mean per-sample ‖Z_K‖ (retrofit: √D at the start)
        }
        updateEbm(model, adams[0], xPos, neg.x(), ctx, row);
        int[] idx = null;
        if (cfg.mode() == HatEbmConfig.Mode.SYNTHESIS) {
            idx = updateGenerator(model, adams[1], bank, z, neg.x(), ctx, row);
        }
        if (images != null) {
            HatEbmOutputs.writeTrainingGrids(images, ctx.index(), x, neg.generated(), neg.x());
        }
        return idx;
    }

    /** Eq. 8: L(θ) = [mean H(X⁺) − mean H(X⁻)]/T; optional per-tensor clip; Adam; EMA. */
    private void updateEbm(HatEbmModel model, Adam adam, NDArray xPos, NDArray xNeg, It ctx, Map<String, Object> row) {
        List<Parameter> params = Nets.trainableParameters(model.ebm());
        double t = cfg.chains().temperature();
        double[] e = new double[2];
        boolean fault = faultAt.test(ctx.index());
        try (Gradients.Result gr = Gradients.of(ctx.scope(), params, () -> {
            NDArray pos = HatEbmModel.mean(model.energy(xPos));
            NDArray negE = HatEbmModel.mean(model.energy(xNeg));
            e[0] = pos.getFloat();
            e[1] = negE.getFloat();
            NDArray loss = pos.sub(negE).div(t);
            return fault ? loss.mul(Float.NaN) : loss;
        })) {
            Nets.setTrainable(model.ebm(), false);
            row.put("e_pos", e[0]);
            row.put("e_neg", e[1]);
            row.put("e_gap", e[0] - e[1]);
            row.put("loss_e", gr.loss());
            ctx.requireFinite(gr.loss(), "the EBM");
            double limit = cfg.train().explodeThreshold();
            if (limit > 0 && Math.abs(e[0] - e[1]) > limit) {
                ctx.guard().diverged(String.format("the EBM exploded at iteration %d: |mean H(x+) - mean H(x-)| = %.4g > %.4g",
                        ctx.index(), Math.abs(e[0] - e[1]), limit), false);
            }
            if (cfg.optim().ebmGradClip() > 0) {
                GradClip.perTensor(gr.grads(), cfg.optim().ebmGradClip()); // tf.clip_by_norm per tensor
            }
            adam.update(gr.grads());
        }
        if (model.emaEbm() != null) {
            model.emaEbm().update();
        }
    }

    /**
     * Eq. 11: L(φ) = factor·mean((G(Z_i) − X_i)²) on B unique bank pairs (historical), or on this
     * iteration's (Z, X⁻) (current); then the bank overwrite bank[i] ← (Z, X⁻). Returns the indices.
     */
    private int[] updateGenerator(HatEbmModel model, Adam adam, PersistentBank bank, NDArray z, NDArray xNeg, It ctx,
                                  Map<String, Object> row) {
        List<Parameter> params = Nets.trainableParameters(model.generator());
        NDArray zt;
        NDArray xt;
        int[] idx = null;
        if (bank != null) {
            idx = bankIndices(bank, ctx.index());
            Map<String, NDArray> pairs = bank.read(idx, ctx.scope());
            zt = pairs.get("z");
            xt = pairs.get("x");
        } else {
            zt = z;
            xt = xNeg;
        }
        double factor = cfg.train().genLossFactor() / xt.getShape().size();
        double[] mse = new double[1];
        try (Gradients.Result gr = Gradients.of(ctx.scope(), params, () -> {
            NDArray d = model.generate(zt).sub(xt);
            // Σ(factor/n · d²) rather than mean(): a dense gradient (see HatEbmModel.mean)
            NDArray loss = d.square().mul(factor).sum();
            mse[0] = loss.getFloat() / cfg.train().genLossFactor();
            return loss;
        })) {
            Nets.setTrainable(model.generator(), false);
            row.put("loss_g", gr.loss());
            row.put("gen_mse", mse[0]);
            ctx.requireFinite(gr.loss(), "the generator");
            adam.update(gr.grads());
        }
        if (model.emaGen() != null) {
            model.emaGen().update();
        }
        if (bank != null) {
            Map<String, NDArray> fresh = new LinkedHashMap<>();
            fresh.put("z", z);
            fresh.put("x", xNeg);
            bank.write(idx, fresh);
        }
        return idx;
    }
}
