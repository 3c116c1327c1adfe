package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.RunFolder;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.DivergencePolicy;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Alg. 1 of the supplement as the official train.py runs it: scales are trained one after the
 * other; at each iteration a synthesis chain (from noise at scale 0, from the upsampled coarser
 * sample above) and a recovery chain (from the blurred image) feed the loss
 * mean f(syn) − mean f(obs) + λ·(mean f(rec) − mean f(obs)), minimised with Adam (Eq. 5).
 *
 * <p>Every random draw is seeded from (seed, scale, iteration, restart), so a run resumed from any
 * checkpoint produces the same numbers as an uninterrupted one.
 */
public final class PatchGenTrainer {
    private final PatchGenConfig cfg;
    private final ProgressListener progress;

    public PatchGenTrainer(PatchGenConfig cfg, ProgressListener progress) {
        this.cfg = cfg.validate();
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /** Starts a new run in {@code runDir} (refused if it exists, unless force) from the image file. */
    public static PatchGenModel trainNew(Path image, Path runDir, boolean force, PatchGenConfig cfg,
                                         ProgressListener progress, NDManager manager) throws IOException {
        cfg.validate();
        FloatImage source = ImageFiles.readRgb(image);
        checkSize(source, cfg, image);
        try (RunFolder run = RunFolder.create(runDir, force)) { // holds the run's write lock while training
            ImageFiles.writePng(run.file(PatchGenRun.SOURCE), source);
            Pyramid p = Pyramid.of(source.width(), source.height(), cfg.numScales(), cfg.minSize(), cfg.maxSize());
            AtomicFiles.writeJson(run.configFile(), new PatchGenRun.Info(PatchGenRun.METHOD, org.ebm4j.core.Version.VERSION,
                    image.getFileName().toString(), source.width(), source.height(), cfg, p.describe()));
            return new PatchGenTrainer(cfg, progress).train(run, manager);
        }
    }

    /** Continues an interrupted run from its last checkpoint (or from the start when none was written). */
    public static PatchGenModel resume(Path runDir, ProgressListener progress, NDManager manager) throws IOException {
        try (RunFolder run = RunFolder.openForWriting(runDir)) { // refused while another process trains it
            PatchGenRun.Info info = PatchGenRun.readInfo(run);
            return new PatchGenTrainer(info.config(), progress).train(run, manager);
        }
    }

    static void checkSize(FloatImage img, PatchGenConfig cfg, Path file) {
        int shortSide = Math.min(img.width(), img.height());
        if (shortSide < cfg.minSize()) {
            throw new EbmException("image " + file + " is " + img.width() + "x" + img.height()
                    + ", smaller than the minimum size " + cfg.minSize() + " of its shorter side; "
                    + "use a larger image or pass --min-size " + shortSide);
        }
    }

    /** Trains every scale not yet finished in {@code run}. */
    public PatchGenModel train(RunFolder run, NDManager manager) throws IOException {
        FloatImage source = ImageFiles.readRgb(run.file(PatchGenRun.SOURCE));
        Pyramid p = Pyramid.of(source.width(), source.height(), cfg.numScales(), cfg.minSize(), cfg.maxSize());
        PatchGenModel model = new PatchGenModel(manager, cfg, p, PatchGenRun.reals(source, p, cfg.quantize8()));
        try {
            for (int s = 0; s < p.numScales(); s++) {
                ImageFiles.writePng(run.images().resolve("real_scale_" + s + ".png"), model.reals().get(s));
            }
            int start = 0;
            while (start < p.numScales() && Files.exists(PatchGenRun.scaleCheckpoint(run, start))) {
                PatchEnergyNet net = model.newNet(start);
                PatchGenRun.loadInto(PatchGenRun.scaleCheckpoint(run, start), net, model.manager());
                net.freezeSpectralState();
                model.setNet(start, net);
                start++;
            }
            Checkpoint.Meta partial = readPartial(run, start);
            int resumeScale = start;
            long resumeNext = partial == null ? 0 : partial.iteration();
            // a resumed log must equal an uninterrupted one: drop lines written after the checkpoint
            try (TrainingRun tr = TrainingRun.open(run, progress, n -> n.get("scale").asInt() < resumeScale
                    || (n.get("scale").asInt() == resumeScale && n.get("iter").asInt() < resumeNext))) {
                // progress in cost-weighted iterations, counted from where this process starts, so
                // that the ETA follows time on scales of different cost and after a resume
                TrainingCost cost = TrainingCost.of(cfg, p);
                double origin = cost.unitsAt(start, resumeNext);
                progress.start("PatchGenCN " + p.numScales() + " scales, cost-weighted iterations",
                        Math.round(cost.total() - origin));
                for (int s = start; s < p.numScales(); s++) {
                    int scale = s;
                    trainScale(tr, model, s, s == start ? partial : null,
                            done -> Math.round(cost.unitsAt(scale, done) - origin));
                }
            }
            progress.end();
            Files.deleteIfExists(PatchGenRun.partialCheckpoint(run));
            return model;
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
    }

    private Checkpoint.Meta readPartial(RunFolder run, int scale) {
        Path ck = PatchGenRun.partialCheckpoint(run);
        if (!Files.exists(ck)) {
            return null;
        }
        Checkpoint.Meta meta = new Checkpoint(PatchGenRun.METHOD).readMeta(ck, PatchGenRun::legacyMeta);
        // a stale partial of a finished scale is ignored
        return meta.state(PatchGenRun.ScaleState.class).scale() == scale ? meta : null;
    }

    private void trainScale(TrainingRun tr, PatchGenModel model, int s, Checkpoint.Meta partial, LongUnaryOperator progressUnits)
            throws IOException {
        RunFolder run = tr.folder();
        int restart = partial == null ? 0 : partial.state(PatchGenRun.ScaleState.class).restart();
        long firstIter = partial == null ? 0 : partial.iteration();
        while (true) {
            Torch.seed(Seeds.derive(cfg.seed(), s, -1, restart));
            PatchEnergyNet net = model.newNet(s);
            if (firstIter == 0 && warmStarts(model, s)) {
                // the coarser scale's trained net (as loaded from its checkpoint, so a resumed run
                // starts from the same numbers) as the starting point; a resume past iteration 0
                // loads the partial below instead
                copyInto(model.net(s - 1), net);
            }
            model.setNet(s, net);
            Adam adam = PatchGenStep.newAdam(cfg, s, model.manager(), net);
            Checkpoint parts = PatchGenRun.checkpoint(net, adam);
            if (firstIter > 0) {
                try (NDManager tmp = model.manager().newSubManager()) {
                    parts.load(PatchGenRun.partialCheckpoint(run), tmp, PatchGenRun::legacyMeta).extras().values()
                            .forEach(NDArray::close);
                }
                progress.message("resuming scale " + s + " at iteration " + firstIter);
            }
            TrainingLoop.Outcome outcome = trainScaleOnce(tr, model, net, adam, parts, s, restart, firstIter, progressUnits);
            adam.close();
            if (outcome.completed()) {
                break;
            }
            closeParameters(net);
            String why = outcome.divergence().getMessage();
            if (cfg.earlyStop() == PatchGenConfig.EarlyStop.RESTART && restart < cfg.maxRestarts()) {
                restart++;
                firstIter = 0;
                progress.message(why + "; restarting scale " + s + " with a new initialisation (restart "
                        + restart + " of " + cfg.maxRestarts() + ")");
                continue;
            }
            throw new EbmException(why + "; training stopped with scales 0.." + (s - 1) + " saved. "
                    + "Start again with another --seed, or pass --early-stop warn to train through it");
        }
        PatchEnergyNet trained = model.net(s);
        trained.freezeSpectralState();
        PatchGenRun.checkpoint(trained, null).save(PatchGenRun.scaleCheckpoint(run, s), cfg.iterationsAt(s), true,
                new PatchGenRun.ScaleState(s, restart));
        Files.deleteIfExists(PatchGenRun.partialCheckpoint(run));
        // Continue with the net as saved: the next scales then see exactly what a resumed run loads
        // (fresh tensors, no autograd history), so both paths give the same numbers.
        PatchEnergyNet saved = model.newNet(s);
        PatchGenRun.loadInto(PatchGenRun.scaleCheckpoint(run, s), saved, model.manager());
        saved.freezeSpectralState();
        model.setNet(s, saved);
        closeParameters(trained);
    }

    /** Whether scale s starts from scale s − 1's trained net (scaleInit coarser). */
    static boolean warmStarts(PatchGenModel model, int s) {
        return s > 0 && model.config().scaleInit() == PatchGenConfig.ScaleInit.COARSER;
    }

    /**
     * Copies every parameter of {@code from} into {@code to}. When {@code to} is wider (net (b)
     * after net (a)), the coarser net fills the leading channels of each tensor and the rest keeps
     * its fresh N(0, initStd) draw: those extra channels start nearly silent, so the wider net
     * starts out computing nearly what the narrower one did (spectral norm divides by a largest
     * singular value that the small extra entries hardly change; its power-iteration vector is
     * copied with zeros in the extra channels).
     */
    static void copyInto(PatchEnergyNet from, PatchEnergyNet to) {
        var src = from.getParameters();
        for (var e : to.getParameters()) {
            NDArray d = e.getValue().getArray();
            NDArray a = src.get(e.getKey()).getArray();
            long[] ds = d.getShape().getShape();
            long[] as = a.getShape().getShape();
            if (ds.length != as.length) {
                throw new EbmException("cannot start " + e.getKey() + " " + d.getShape() + " from " + a.getShape());
            }
            StringBuilder idx = new StringBuilder();
            for (int i = 0; i < ds.length; i++) {
                if (as[i] > ds[i]) {
                    throw new EbmException("cannot start " + e.getKey() + " " + d.getShape() + " from the wider " + a.getShape());
                }
                idx.append(i == 0 ? "" : ",").append("0:").append(as[i]);
            }
            if (e.getValue().getType() == ai.djl.nn.Parameter.Type.OTHER) {
                // spectral norm's power-iteration vector: zero outside the copy, so it starts at the
                // coarser net's converged direction instead of a random mix
                d.muli(0);
            }
            d.set(new ai.djl.ndarray.index.NDIndex(idx.toString()), a);
        }
    }

    private static void closeParameters(PatchEnergyNet net) {
        net.getParameters().values().forEach(p -> p.getArray().close());
    }

    /**
     * Runs the iterations of one scale on the shared loop. The early-stop guard is the loop's
     * divergence guard: "restart" hands the divergence back (the scale is re-initialised), "stop"
     * stops, "warn" continues after an explosion (a non-finite loss still stops).
     */
    private TrainingLoop.Outcome trainScaleOnce(TrainingRun tr, PatchGenModel model, PatchEnergyNet net, Adam adam,
                                                Checkpoint parts, int s, int restart, long firstIter, LongUnaryOperator progressUnits)
            throws IOException {
        RunFolder run = tr.folder();
        int w = model.pyramid().widths()[s];
        int h = model.pyramid().heights()[s];
        int pad = cfg.pad();
        DivergencePolicy policy = switch (cfg.earlyStop()) {
            case WARN -> DivergencePolicy.WARN;
            case STOP -> DivergencePolicy.STOP;
            case RESTART -> DivergencePolicy.RESTART;
        };
        try (NDManager scaleMgr = model.manager().newSubManager()) {
            NDArray obsScale = Torch.pad(ImageTensors.toTensor(scaleMgr, model.reals().get(s)), pad);
            // the recovery chain's start is fixed for the whole scale (official: computed at iteration 0)
            NDArray recInit;
            try (NDManager tmp = scaleMgr.newSubManager()) {
                NDArray blurred = ImageTensors.toTensor(tmp, model.blurredCoarsest());
                NDArray init = s == 0 ? blurred : model.multiScale(blurred, s, true, 0.0, 1.0, 1.0, true);
                recInit = Torch.pad(init, pad);
                recInit.attach(scaleMgr);
            }
            PatchGenStep scaleStep = new PatchGenStep(cfg, s, net, adam, obsScale, recInit);
            TrainingLoop.Step step = ctx -> {
                int it = (int) ctx.index();
                NDManager itMgr = ctx.scope();
                NDArray init;
                if (s == 0) {
                    init = model.initialNoise(itMgr, 1, h, w);
                } else {
                    int w0 = model.pyramid().widths()[0];
                    int h0 = model.pyramid().heights()[0];
                    NDArray z = model.initialNoise(itMgr, 1, h0, w0);
                    init = model.multiScale(z, s, false, cfg.noiseMin(), 1.0, 1.0, true);
                }
                PatchGenStep.Result r = scaleStep.run(itMgr, it, init);
                // a NaN step would poison the weights for good: the step skipped the update, the loop stops
                ctx.requireFinite(r.loss(), "scale " + s);
                NDArray obs = r.obs();
                NDArray syn = r.syn();
                NDArray rec = r.rec();
                if (ctx.logDue()) {
                    double recMse = rec.sub(obs).square().sum().getFloat();
                    double randMse = syn.sub(obs).square().sum().getFloat();
                    Map<String, Object> row = ctx.row();
                    row.put("scale", s);
                    row.put("iter", it);
                    row.put("loss", r.loss());
                    row.put("f_obs", r.fObs());
                    row.put("f_syn", r.fSyn());
                    row.put("f_rec", r.fRec());
                    row.put("rec_mse", recMse);
                    row.put("rand_mse", randMse);
                    row.put("lr", r.lr());
                    row.put("noise", r.noise());
                    row.put("restart", restart);
                    // the official early-stop test: the recovery chain no longer finds the image
                    if (recMse / ((double) h * w) > cfg.earlyStopThreshold()) {
                        ctx.diverged(String.format("scale %d diverged at iteration %d: rec_mse/(h*w) = %.2f > %.2f",
                                s, it, recMse / ((double) h * w), cfg.earlyStopThreshold()), false);
                    }
                }
                if (ctx.due(cfg.imageEvery())) {
                    Path dir = run.images().resolve("scale_" + s);
                    ImageFiles.writePng(dir.resolve(String.format("syn_%05d.png", it)),
                            ImageTensors.fromTensor(Torch.unpad(syn, pad)).get(0));
                    ImageFiles.writePng(dir.resolve(String.format("rec_%05d.png", it)),
                            ImageTensors.fromTensor(Torch.unpad(rec, pad)).get(0));
                }
                ctx.status(String.format("scale %d/%d iteration %d/%d loss %.4f", s + 1, model.pyramid().numScales(), it + 1,
                        cfg.iterationsAt(s), r.loss()));
            };
            return TrainingLoop.builder(tr, scaleMgr, step)
                    .task("scale " + s)
                    .iterations(firstIter, cfg.iterationsAt(s))
                    .seedKey(it -> Seeds.derive(cfg.seed(), s, it, restart))
                    .logEvery(cfg.logEvery())
                    .checkpoint(parts, PatchGenRun.partialCheckpoint(run), next -> new PatchGenRun.ScaleState(s, restart),
                            cfg.checkpointEvery(), 0, false)
                    .legacy(PatchGenRun::legacyMeta)
                    .divergence(policy, 0, 1.0)
                    .phaseRows(n -> n.path("scale").asInt() == s && n.path("restart").asInt() == restart)
                    .progressUnits(progressUnits)
                    .build()
                    .run();
        }
    }
}
