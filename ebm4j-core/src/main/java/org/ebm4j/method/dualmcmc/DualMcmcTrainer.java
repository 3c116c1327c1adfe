package org.ebm4j.method.dualmcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Version;
import org.ebm4j.data.Batches;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Encoder;
import org.ebm4j.nn.Nets;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.RunFolder;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.DivergencePolicy;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Dual-MCMC teaching (Cui, Han 2023) on the shared training loop. One iteration, in the official
 * order ({@code train.py fit}):
 * <ol>
 *   <li>z ~ N(0, I), x̂ = G(z), x̃ = T^x(x̂); ẑ ~ q(z|x), z̃ = T^z(ẑ | x);</li>
 *   <li>G: L_G = g·Σ‖G(z̃) − x‖²/B + S·Σ‖G(z) − x̃‖²/B (Eq. 10 with p(x|z) Gaussian);</li>
 *   <li>I: L_I = mean NLL(z̃ | I(x)) + w·mean NLL(z | I(x̃)) (Eq. 15);</li>
 *   <li>E: a fresh T^x chain from the updated G gives x̃'; L_E = (mean E(x) − mean E(x̃'))/T (Eq. 8,
 *       T = (n/s)²).</li>
 * </ol>
 * The paper's Alg. 1 order (E on x̃, then G, then I) is {@link DualMcmcConfig.Order#PAPER}. Three
 * Adams, learning rates decayed by γ once per epoch. The official explosion test
 * (|mean E(x) − mean E(x̃)| above the threshold, or a non-finite loss) goes to the shared divergence
 * guard, which rolls back to the last checkpoint with halved learning rates instead of aborting.
 *
 * <p>Every random draw is keyed by (seed, iteration): a resumed run equals an uninterrupted one.
 */
public final class DualMcmcTrainer {
    private final DualMcmcConfig cfg;
    private final ProgressListener progress;
    private LongPredicate faultAt = it -> false;

    public DualMcmcTrainer(DualMcmcConfig cfg, ProgressListener progress) {
        this.cfg = cfg;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Test hook: when the predicate accepts an iteration, that iteration's EBM loss is made NaN
     * (before any update), as a diverging run's would be.
     */
    public DualMcmcTrainer injectNanAt(LongPredicate at) {
        faultAt = at;
        return this;
    }

    /** Loads the configured training data (resized to imageSize, converted to channels, subset). */
    public static ImageDataset trainingData(DualMcmcConfig cfg) throws IOException {
        if (cfg.data().isBlank()) {
            throw new EbmException("preset '" + cfg.preset() + "' has no data set; pass --data (fashion-mnist, mnist "
                    + "or a folder of images)");
        }
        return Datasets.load(cfg.data(), Datasets.Split.TRAIN,
                new DataOptions(cfg.imageSize(), cfg.channels(), cfg.trainLimit(), cfg.seed()));
    }

    /** Starts a new run in a freshly created run folder. */
    public static DualMcmcModel trainNew(RunFolder run, DualMcmcConfig cfg, ImageDataset data, ProgressListener progress,
                                         NDManager manager) throws IOException {
        return new DualMcmcTrainer(cfg, progress).start(run, data, manager);
    }

    /** Writes config.json, then trains. */
    public DualMcmcModel start(RunFolder run, ImageDataset data, NDManager manager) throws IOException {
        checkData(cfg, data);
        Map<String, Long> params = new LinkedHashMap<>();
        params.put("ebm", Nets.parameterCount(new org.ebm4j.nn.ResidualEbm(cfg.ebmConfig())));
        params.put("gen", Nets.parameterCount(new org.ebm4j.nn.Generator(cfg.generatorConfig())));
        params.put("inf", Nets.parameterCount(new Encoder(cfg.encoderConfig())));
        AtomicFiles.writeJson(run.configFile(), new DualMcmcRun.Info(DualMcmcRun.METHOD, Version.VERSION, cfg,
                data.size(), Batches.perEpoch(data.size(), cfg.batchSize()), params));
        return train(run, data, manager);
    }

    /** Continues an interrupted run from its checkpoint. */
    public static DualMcmcModel resume(RunFolder run, ProgressListener progress, NDManager manager) throws IOException {
        DualMcmcConfig cfg = DualMcmcRun.readInfo(run).config();
        return new DualMcmcTrainer(cfg, progress).train(run, trainingData(cfg), manager);
    }

    static void checkData(DualMcmcConfig cfg, ImageDataset data) {
        data.requireTraining(cfg.channels(), cfg.imageSize(), cfg.batchSize());
    }

    /** Trains from the run's checkpoint (if any) to the last iteration; returns the model in evaluation mode. */
    public DualMcmcModel train(RunFolder run, ImageDataset data, NDManager manager) throws IOException {
        checkData(cfg, data);
        int n = data.size();
        int perEpoch = Batches.perEpoch(n, cfg.batchSize());
        long total = (long) perEpoch * cfg.epochs();
        DualMcmcModel model = new DualMcmcModel(manager, cfg);
        Adam[] adams = new Adam[3];
        try {
            // ExponentialLR(γ) stepped once per epoch = lr·γ^(step / perEpoch): one Adam step per iteration
            Adam[] made = optimizers(model, perEpoch);
            System.arraycopy(made, 0, adams, 0, 3);
            Checkpoint parts = DualMcmcRun.parts(model, adams);
            long start = 0;
            if (Files.exists(DualMcmcRun.checkpoint(run))) {
                try (NDManager tmp = manager.newSubManager()) {
                    Checkpoint.Loaded ld = parts.load(DualMcmcRun.checkpoint(run), tmp, null);
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
            }
            long keepLogUpTo = start;
            progress.start("dualmcmc (" + cfg.epochs() + " epochs of " + perEpoch + " iterations)", total - start);
            int[][] perm = new int[1][];
            long[] permEpoch = {-1};
            model.setTraining(true);
            try (TrainingRun tr = TrainingRun.open(run, progress, r -> r.get("iter").asLong() < keepLogUpTo)) {
                TrainingLoop.Step step = ctx -> {
                    long it = ctx.index();
                    long epoch = it / perEpoch;
                    if (epoch != permEpoch[0]) {
                        perm[0] = Batches.permutation(n, cfg.seed(), epoch);
                        permEpoch[0] = epoch;
                    }
                    int[] idx = Batches.batch(perm[0], (int) (it % perEpoch), cfg.batchSize());
                    iteration(model, adams, data, idx, ctx, run);
                    Map<String, Object> row = ctx.row();
                    ctx.status(String.format("epoch %d/%d E(x)-E(x~) %s", epoch + 1, cfg.epochs(), row.getOrDefault("e_gap", "?")));
                    if (!ctx.logDue()) {
                        row.clear();
                    }
                };
                TrainingLoop.builder(tr, model.manager(), step)
                        .task("dualmcmc")
                        .iterations(start, total)
                        .seedKey(it -> Seeds.derive(cfg.seed(), it))
                        .logEvery(cfg.logEvery())
                        .timing((row, ms) -> {
                            row.put("ms_per_iter", Math.round(ms * 10) / 10.0);
                            row.put("images_per_s", Math.round(cfg.batchSize() / (ms / 1000.0) * 10) / 10.0);
                        })
                        .checkpoint(parts, DualMcmcRun.checkpoint(run), next -> new DualMcmcRun.TrainState(total),
                                cfg.checkpointEvery(), perEpoch, true)
                        .keepEpochs(DualMcmcRun.KEEP_EPOCHS)
                        .divergence(DivergencePolicy.ROLLBACK, cfg.maxRollbacks(), 0.5)
                        .build()
                        .run();
            }
            progress.end();
            model.setTraining(false);
            return model;
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        } finally {
            for (Adam a : adams) {
                if (a != null) {
                    a.close();
                }
            }
        }
    }

    /**
     * The three Adams of a model (E, G, I): β and weight decays of the config, learning rates
     * decayed by γ once every {@code perEpoch} steps (ExponentialLR stepped per epoch, one Adam step
     * per iteration).
     */
    public static Adam[] optimizers(DualMcmcModel model, int perEpoch) {
        DualMcmcConfig.Optim o = model.config().optim();
        return new Adam[] {
            new Adam(model.manager(), Nets.trainableParameters(model.ebm()),
                    LrSchedule.exponential(o.lrE(), o.lrGamma(), perEpoch), o.beta1(), o.beta2(), 1e-8, o.wdE()),
            new Adam(model.manager(), Nets.trainableParameters(model.generator()),
                    LrSchedule.exponential(o.lrG(), o.lrGamma(), perEpoch), o.beta1(), o.beta2(), 1e-8, o.wdG()),
            new Adam(model.manager(), Nets.trainableParameters(model.inference()),
                    LrSchedule.exponential(o.lrI(), o.lrGamma(), perEpoch), o.beta1(), o.beta2(), 1e-8, o.wdI())};
    }

    /** Where an iteration reports divergence (the loop's guard, or an exception outside it). */
    private interface Guard {
        void diverged(String message, boolean poisoned);
    }

    /** What an iteration sees: its scope, number, log row and guard. */
    private record It(NDManager scope, long index, Map<String, Object> row, Guard guard) {
        void requireFinite(double loss, String what) {
            if (!Double.isFinite(loss)) {
                guard.diverged(what + " diverged at iteration " + index + ": the loss is " + loss, true);
            }
        }
    }

    /**
     * One training iteration on the batch x outside the training loop (benchmarks, experiments):
     * chains, then the three updates in the configured order, with the model in training mode;
     * returns the log row. Divergence throws an {@link EbmException}.
     */
    public Map<String, Object> step(DualMcmcModel model, Adam[] adams, NDArray x, NDManager scope, long index) {
        Map<String, Object> row = new LinkedHashMap<>();
        boolean was = model.training();
        model.setTraining(true);
        try {
            iterate(model, adams, x, new It(scope, index, row, (msg, poisoned) -> {
                throw new EbmException(msg);
            }), null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            model.setTraining(was);
        }
        return row;
    }

    /** One iteration in the configured order; fills the log row and writes the due image grids. */
    private void iteration(DualMcmcModel model, Adam[] adams, ImageDataset data, int[] idx, TrainingLoop.Iteration ctx,
                           RunFolder run) throws IOException {
        Map<String, Object> row = ctx.row();
        row.put("iter", ctx.index());
        row.put("epoch", ctx.index() / Batches.perEpoch(data.size(), cfg.batchSize()));
        NDArray x = data.batch(ctx.scope(), idx);
        iterate(model, adams, x, new It(ctx.scope(), ctx.index(), row, ctx::diverged),
                ctx.due(cfg.imageEvery()) ? run : null);
    }

    /** The body of an iteration; writes the training grids into {@code images} when given. */
    private void iterate(DualMcmcModel model, Adam[] adams, NDArray x, It ctx, RunFolder images) throws IOException {
        NDManager m = ctx.scope();
        long it = ctx.index();
        Map<String, Object> row = ctx.row();
        row.put("lr_e", adams[0].currentLr()); // the rates this iteration's updates use
        row.put("lr_g", adams[1].currentLr());
        row.put("lr_i", adams[2].currentLr());
        int b = (int) x.getShape().get(0);
        long t0 = System.nanoTime();
        NDArray z = m.randomNormal(new Shape(b, cfg.nets().latent()));
        NDArray xHat = model.generate(z);
        NDArray xTilde = model.reviseX(xHat);
        NDArray zHat = model.inferSample(x);
        NDArray zTilde = model.reviseZ(zHat, x, cfg.chains().zSteps(), null);
        long chains = System.nanoTime() - t0;
        boolean official = cfg.order() == DualMcmcConfig.Order.OFFICIAL;
        NDArray[] negatives = {xHat, xTilde};
        if (!official) {
            updateE(model, adams[0], x, xTilde, ctx, row);
        }
        updateG(model, adams[1], z, zTilde, x, xTilde, ctx, row);
        updateI(model, adams[2], x, z, zTilde, xTilde, ctx, row);
        if (official) { // fine_tune: negatives from a fresh chain started at the updated generator
            long t1 = System.nanoTime();
            NDArray xHat2 = model.generate(z);
            NDArray xTilde2 = model.reviseX(xHat2);
            chains += System.nanoTime() - t1;
            updateE(model, adams[0], x, xTilde2, ctx, row);
            negatives = new NDArray[] {xHat2, xTilde2};
        }
        row.put("ms_chains", Math.round(chains / 1e5) / 10.0);
        if (images != null) {
            try (NDArray rec = model.generate(zTilde)) {
                DualMcmcOutputs.writeTrainingGrids(images, it, x, rec, negatives[0], negatives[1]);
            }
        }
    }

    private static void freezeAll(DualMcmcModel model) {
        Nets.setTrainable(model.ebm(), false);
        Nets.setTrainable(model.generator(), false);
        Nets.setTrainable(model.inference(), false);
    }

    /** L_E = (mean E(x) − mean E(x̃))/T (Eq. 8, code form); the explosion test before the update. */
    private void updateE(DualMcmcModel model, Adam adam, NDArray x, NDArray neg, It ctx,
                         Map<String, Object> row) {
        List<Parameter> params = Nets.trainableParameters(model.ebm());
        double t = model.temperature();
        double[] e = new double[2];
        boolean fault = faultAt.test(ctx.index());
        try (Gradients.Result gr = Gradients.of(ctx.scope(), params, () -> {
            NDArray pos = mean(model.energy(x));
            NDArray negE = mean(model.energy(neg));
            e[0] = pos.getFloat();
            e[1] = negE.getFloat();
            NDArray loss = pos.sub(negE).div(t);
            return fault ? loss.mul(Float.NaN) : loss;
        })) {
            freezeAll(model);
            row.put("e_pos", e[0]);
            row.put("e_neg", e[1]);
            row.put("e_gap", e[0] - e[1]);
            row.put("loss_e", gr.loss());
            ctx.requireFinite(gr.loss(), "the EBM");
            if (Math.abs(e[0] - e[1]) > cfg.explodeThreshold()) { // train.py: "explode" when |ΔE| > 1e4
                ctx.guard().diverged(String.format("the EBM exploded at iteration %d: |mean E(x) - mean E(x~)| = %.4g > %.4g",
                        ctx.index(), Math.abs(e[0] - e[1]), cfg.explodeThreshold()), false);
            }
            adam.update(gr.grads());
        }
    }

    /**
     * The mean of a per-image vector as Σ(e/N). mean() would hand the EBM's final linear layer a
     * stride-0 (expanded) gradient, with which libtorch 2.7.1's CPU matmul backward gives weight
     * gradients that change from call to call (uninitialised memory); the product makes it dense.
     */
    static NDArray mean(NDArray e) {
        try (NDArray scaled = e.mul(1.0f / e.getShape().get(0))) {
            return scaled.sum();
        }
    }

    /** L_G = g·Σ‖G(z̃) − x‖²/B + S·Σ‖G(z) − x̃‖²/B (train.py; Eq. 10 with p(x|z) Gaussian). */
    private void updateG(DualMcmcModel model, Adam adam, NDArray z, NDArray zTilde, NDArray x, NDArray xTilde,
                         It ctx, Map<String, Object> row) {
        List<Parameter> params = Nets.trainableParameters(model.generator());
        long b = x.getShape().get(0);
        double pixels = x.getShape().size() / (double) b;
        double[] v = new double[2];
        DualMcmcConfig.Weights w = cfg.weights();
        try (Gradients.Result gr = Gradients.of(ctx.scope(), params, () -> {
            NDArray rec = model.generate(zTilde);
            // x̂ = G(z) is one forward in train.py: recomputed here for its graph without moving BN's averages again
            model.generator().setBnMode(BatchNorm2d.Mode.BATCH);
            NDArray gen = model.generate(z);
            model.generator().setBnMode(BatchNorm2d.Mode.BATCH_UPDATE);
            NDArray recSum = rec.sub(x).square().sum().div(b);
            NDArray revSum = gen.sub(xTilde).square().sum().div(b);
            v[0] = recSum.getFloat();
            v[1] = revSum.getFloat();
            return recSum.mul(w.gen()).add(revSum.mul(w.revision()));
        })) {
            freezeAll(model);
            row.put("loss_g", gr.loss());
            row.put("rec_mse", v[0] / pixels);
            row.put("revision_mse", v[1] / pixels);
            ctx.requireFinite(gr.loss(), "the generator");
            adam.update(gr.grads());
        }
    }

    /** L_I = mean NLL(z̃ | μ(x), log σ²(x)) + w·mean NLL(z | μ(x̃), log σ²(x̃)) (train.py; Eq. 15). */
    private void updateI(DualMcmcModel model, Adam adam, NDArray x, NDArray z, NDArray zTilde, NDArray xTilde,
                         It ctx, Map<String, Object> row) {
        List<Parameter> params = Nets.trainableParameters(model.inference());
        double[] v = new double[2];
        double wi = cfg.weights().inference();
        try (Gradients.Result gr = Gradients.of(ctx.scope(), params, () -> {
            NDList q1 = model.infer(x);
            NDList q2 = model.infer(xTilde);
            NDArray a = Encoder.gaussianNll(zTilde, q1.get(0), q1.get(1)).mean();
            NDArray c = Encoder.gaussianNll(z, q2.get(0), q2.get(1)).mean();
            v[0] = a.getFloat();
            v[1] = c.getFloat();
            return a.add(c.mul(wi));
        })) {
            freezeAll(model);
            row.put("loss_i", gr.loss());
            row.put("nll_data", v[0]);
            row.put("nll_revised", v[1]);
            ctx.requireFinite(gr.loss(), "the inference net");
            adam.update(gr.grads());
        }
    }
}
