package org.ebm4j.method.dualmcmc;

import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.optim.Adam;
import org.ebm4j.run.Checkpoints;
import org.ebm4j.run.RunFolder;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.TrainingRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The on-disk form of a Dual-MCMC run: config.json ({@link Info}) and checkpoints/latest.ckpt with
 * the three nets ("ebm", "gen", "inf": weights, BN running averages, spectral-norm vectors) and
 * their three Adams ("adam_e", "adam_g", "adam_i"), rewritten atomically as training goes on, and
 * copies of the last {@link #KEEP_EPOCHS} epoch ends as checkpoints/epoch-NNNN.ckpt.
 */
public final class DualMcmcRun {
    public static final String METHOD = "dualmcmc";

    /** Per-epoch checkpoints kept, as the official code (which deletes all but the last ten). */
    public static final int KEEP_EPOCHS = 10;

    /** config.json of a Dual-MCMC run; {@code parameters} counts each net's trainable scalars. */
    public record Info(String method, String ebm4jVersion, DualMcmcConfig config, int trainImages,
                       int iterationsPerEpoch, Map<String, Long> parameters) {
    }

    /** The method's state in a checkpoint. */
    public record TrainState(long totalIterations) {
    }

    private DualMcmcRun() {}

    public static Path checkpoint(RunFolder run) {
        return Checkpoints.of(run).pathFor("latest");
    }

    public static Info readInfo(RunFolder run) {
        return TrainingRun.readInfo(run, METHOD, "dualmcmc", "dualmcmc train", Info.class);
    }

    /** The parts of a checkpoint: the three nets, and the three optimizers when given (E, G, I order). */
    static Checkpoint parts(DualMcmcModel model, Adam[] adams) {
        Checkpoint c = new Checkpoint(METHOD)
                .block("ebm", model.ebm())
                .block("gen", model.generator())
                .block("inf", model.inference());
        if (adams != null) {
            c.optimizer("adam_e", adams[0]).optimizer("adam_g", adams[1]).optimizer("adam_i", adams[2]);
        }
        return c;
    }

    /** Loads a trained (or partly trained) run for sampling and evaluation (nets in evaluation mode). */
    public static DualMcmcModel load(Path dir, NDManager manager) {
        RunFolder run = RunFolder.open(dir);
        Info info = readInfo(run);
        Path ck = checkpoint(run);
        if (!Files.exists(ck)) {
            throw new EbmException("run '" + dir + "' has no checkpoint yet (checkpoints/latest.ckpt); "
                    + "resume its training first: ebm4j dualmcmc train --resume --out " + dir);
        }
        DualMcmcModel model = new DualMcmcModel(manager, info.config());
        try (NDManager tmp = manager.newSubManager()) {
            parts(model, null).load(ck, tmp, null).extras().values().forEach(a -> a.close());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
