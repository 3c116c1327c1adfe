package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ImageTensors;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.GradClip;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.run.AtomicFiles;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.ebm4j.run.TensorFile;
import org.ebm4j.sampling.NoiseSchedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        RunFolder run = RunFolder.create(runDir, force);
        ImageFiles.writePng(run.file(PatchGenRun.SOURCE), source);
        Pyramid p = Pyramid.of(source.width(), source.height(), cfg.numScales(), cfg.minSize(), cfg.maxSize());
        AtomicFiles.writeJson(run.configFile(), new PatchGenRun.Info(PatchGenRun.METHOD, Version.VERSION,
                image.getFileName().toString(), source.width(), source.height(), cfg, p.describe()));
        return new PatchGenTrainer(cfg, progress).train(run, manager);
    }

    /** Continues an interrupted run from its last checkpoint (or from the start when none was written). */
    public static PatchGenModel resume(Path runDir, ProgressListener progress, NDManager manager) throws IOException {
        RunFolder run = RunFolder.open(runDir);
        PatchGenRun.Info info = PatchGenRun.readInfo(run);
        return new PatchGenTrainer(info.config(), progress).train(run, manager);
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
            PatchGenRun.CheckpointMeta partial = readPartial(run, start);
            int resumeScale = start;
            int resumeIter = partial == null ? -1 : partial.iteration();
            // a resumed log must equal an uninterrupted one: drop lines written after the checkpoint
            if (Files.exists(run.logFile())) {
                JsonlLog.truncateAfter(run.logFile(), n -> n.get("scale").asInt() < resumeScale
                        || (n.get("scale").asInt() == resumeScale && n.get("iter").asInt() <= resumeIter));
            }
            progress.start("PatchGenCN " + p.numScales() + " scales", (long) cfg.iterations() * (p.numScales() - start));
            try (JsonlLog log = JsonlLog.open(run.logFile())) {
                for (int s = start; s < p.numScales(); s++) {
                    trainScale(run, model, s, s == start ? partial : null, log, (long) (s - start) * cfg.iterations());
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

    private PatchGenRun.CheckpointMeta readPartial(RunFolder run, int scale) throws IOException {
        Path ck = PatchGenRun.partialCheckpoint(run);
        if (!Files.exists(ck)) {
            return null;
        }
        try (NDManager tmp = NDManager.newBaseManager()) {
            PatchGenRun.CheckpointMeta meta = TensorFile.load(ck, tmp).metadata(PatchGenRun.CheckpointMeta.class);
            return meta.scale() == scale ? meta : null; // a stale partial of a finished scale is ignored
        }
    }

    private void trainScale(RunFolder run, PatchGenModel model, int s, PatchGenRun.CheckpointMeta partial,
                            JsonlLog log, long progressBase) throws IOException {
        int restart = partial == null ? 0 : partial.restart();
        int firstIter = partial == null ? 0 : partial.iteration() + 1;
        while (true) {
            Torch.seed(Seeds.derive(cfg.seed(), s, -1, restart));
            PatchEnergyNet net = model.newNet(s);
            model.setNet(s, net);
            List<Parameter> params = net.trainableParameters();
            Adam adam = new Adam(model.manager(), params,
                    LrSchedule.linearToFloor(cfg.lrInit(), cfg.lrMin(), cfg.lrDecayIters()),
                    cfg.beta1(), cfg.beta2(), 1e-8, 0);
            if (firstIter > 0) {
                TensorFile.Loaded ld = PatchGenRun.loadInto(PatchGenRun.partialCheckpoint(run), net, model.manager());
                adam.load(ld.tensors(), "adam.", partial.adamStep());
                ld.tensors().values().forEach(NDArray::close);
                progress.message("resuming scale " + s + " at iteration " + firstIter);
            }
            String outcome = trainScaleOnce(run, model, net, adam, s, restart, firstIter, log, progressBase);
            adam.close();
            if (outcome == null) {
                break;
            }
            closeParameters(net);
            if (cfg.earlyStop() == PatchGenConfig.EarlyStop.RESTART && restart < cfg.maxRestarts()) {
                restart++;
                firstIter = 0;
                progress.message(outcome + "; restarting scale " + s + " with a new initialisation (restart "
                        + restart + " of " + cfg.maxRestarts() + ")");
                continue;
            }
            throw new EbmException(outcome + "; training stopped with scales 0.." + (s - 1) + " saved. "
                    + "Start again with another --seed, or pass --early-stop warn to train through it");
        }
        PatchEnergyNet trained = model.net(s);
        trained.freezeSpectralState();
        LinkedHashMap<String, NDArray> tensors = PatchGenRun.netTensors(trained);
        TensorFile.save(PatchGenRun.scaleCheckpoint(run, s), AtomicFiles.MAPPER.writeValueAsString(
                new PatchGenRun.CheckpointMeta(s, cfg.iterations() - 1, restart, 0, true)), tensors);
        Files.deleteIfExists(PatchGenRun.partialCheckpoint(run));
        // Continue with the net as saved: the next scales then see exactly what a resumed run loads
        // (fresh tensors, no autograd history), so both paths give the same numbers.
        PatchEnergyNet saved = model.newNet(s);
        PatchGenRun.loadInto(PatchGenRun.scaleCheckpoint(run, s), saved, model.manager()).tensors().values()
                .forEach(NDArray::close);
        saved.freezeSpectralState();
        model.setNet(s, saved);
        closeParameters(trained);
    }

    private static void closeParameters(PatchEnergyNet net) {
        net.getParameters().values().forEach(p -> p.getArray().close());
    }

    /** Runs the iterations of one scale; returns null when done or a message when the early-stop guard fired. */
    private String trainScaleOnce(RunFolder run, PatchGenModel model, PatchEnergyNet net, Adam adam, int s,
                                  int restart, int firstIter, JsonlLog log, long progressBase) throws IOException {
        int w = model.pyramid().widths()[s];
        int h = model.pyramid().heights()[s];
        int pad = cfg.pad();
        NoiseSchedule noise = NoiseSchedule.linearDecay(cfg.noiseInit(), cfg.noiseMin(), cfg.noiseDecayIters());
        List<Parameter> params = net.trainableParameters();
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
            long t0 = System.nanoTime();
            for (int it = firstIter; it < cfg.iterations(); it++) {
                Torch.seed(Seeds.derive(cfg.seed(), s, it, restart));
                try (NDManager itMgr = scaleMgr.newSubManager()) {
                    // per-iteration copies of the scale's tensors, so what is computed from them is freed
                    // with this iteration and not kept until the scale ends (see Torch.scopedCopy)
                    NDArray obs = Torch.scopedCopy(obsScale, itMgr);
                    NDArray recStart = Torch.scopedCopy(recInit, itMgr);
                    NDArray init;
                    if (s == 0) {
                        init = model.initialNoise(itMgr, 1, h, w);
                    } else {
                        int w0 = model.pyramid().widths()[0];
                        int h0 = model.pyramid().heights()[0];
                        NDArray z = model.initialNoise(itMgr, 1, h0, w0);
                        init = model.multiScale(z, s, false, cfg.noiseMin(), 1.0, 1.0, true);
                    }
                    double sigma = noise.std(it);
                    NDArray syn = model.chain(s, Torch.pad(init, pad), cfg.stepsAt(s), sigma);
                    NDArray rec = model.chain(s, recStart, cfg.stepsRec(), 0.0);
                    net.setTrainable(true);
                    float[] f = new float[3];
                    try (Gradients.Result g = Gradients.of(itMgr, params, () -> {
                        NDArray fObs = net.output(obs).mean();
                        NDArray fSyn = net.output(syn).mean();
                        NDArray fRec = net.output(rec).mean();
                        f[0] = fObs.getFloat();
                        f[1] = fSyn.getFloat();
                        f[2] = fRec.getFloat();
                        return fSyn.sub(fObs).add(fRec.sub(fObs).mul(cfg.lambdaRec()));
                    })) {
                        if (!Double.isFinite(g.loss())) { // a NaN step would poison the weights for good
                            String msg = String.format("scale %d diverged at iteration %d: the loss is %s", s, it, g.loss());
                            if (cfg.earlyStop() != PatchGenConfig.EarlyStop.WARN) {
                                return msg;
                            }
                            throw new EbmException(msg + "; the weights cannot recover from a non-finite loss. "
                                    + "Lower the learning rate or step size and start again");
                        }
                        GradClip.perTensor(g.grads(), cfg.gradClamp());
                        double lr = adam.currentLr();
                        adam.update(g.grads());
                        boolean last = it == cfg.iterations() - 1;
                        if (it % cfg.logEvery() == 0 || last) {
                            double recMse = rec.sub(obs).square().sum().getFloat();
                            double randMse = syn.sub(obs).square().sum().getFloat();
                            double msPerIter = (System.nanoTime() - t0) / 1e6 / (it - firstIter + 1);
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("scale", s);
                            row.put("iter", it);
                            row.put("loss", g.loss());
                            row.put("f_obs", f[0]);
                            row.put("f_syn", f[1]);
                            row.put("f_rec", f[2]);
                            row.put("rec_mse", recMse);
                            row.put("rand_mse", randMse);
                            row.put("lr", lr);
                            row.put("noise", sigma);
                            row.put("restart", restart);
                            row.put("ms_per_iter", Math.round(msPerIter * 10) / 10.0);
                            log.append(row);
                            if (recMse / ((double) h * w) > cfg.earlyStopThreshold()) {
                                String msg = String.format("scale %d diverged at iteration %d: rec_mse/(h*w) = %.2f > %.2f",
                                        s, it, recMse / ((double) h * w), cfg.earlyStopThreshold());
                                if (cfg.earlyStop() != PatchGenConfig.EarlyStop.WARN) {
                                    return msg;
                                }
                                progress.message("warning: " + msg + " (continuing: --early-stop warn)");
                            }
                        }
                        if (it % cfg.imageEvery() == 0 || last) {
                            Path dir = run.images().resolve("scale_" + s);
                            ImageFiles.writePng(dir.resolve(String.format("syn_%05d.png", it)),
                                    ImageTensors.fromTensor(Torch.unpad(syn, pad)).get(0));
                            ImageFiles.writePng(dir.resolve(String.format("rec_%05d.png", it)),
                                    ImageTensors.fromTensor(Torch.unpad(rec, pad)).get(0));
                        }
                        if (cfg.checkpointEvery() > 0 && (it + 1) % cfg.checkpointEvery() == 0 && !last) {
                            LinkedHashMap<String, NDArray> t = PatchGenRun.netTensors(net);
                            t.putAll(adam.state("adam."));
                            log.sync();
                            TensorFile.save(PatchGenRun.partialCheckpoint(run), AtomicFiles.MAPPER.writeValueAsString(
                                    new PatchGenRun.CheckpointMeta(s, it, restart, adam.step(), false)), t);
                        }
                        progress.progress(progressBase + it + 1, String.format("scale %d/%d loss %.4f",
                                s + 1, model.pyramid().numScales(), g.loss()));
                    }
                }
            }
        }
        return null;
    }
}
