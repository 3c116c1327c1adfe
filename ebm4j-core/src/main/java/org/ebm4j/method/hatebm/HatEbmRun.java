package org.ebm4j.method.hatebm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.optim.Adam;
import org.ebm4j.run.Checkpoints;
import org.ebm4j.run.RunFolder;
import org.ebm4j.sampling.PersistentBank;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.TrainingRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The on-disk form of a Hat EBM run: config.json ({@link Info}) and checkpoints/latest.ckpt with
 * both nets ("ebm", "gen"; a refine run keeps its frozen generator too, so the run stands alone),
 * their Adams ("adam_e", "adam_g"), the weight averages ("ema_ebm", "ema_gen") and the persistent
 * bank ("bank_z", "bank_x"), rewritten atomically as training goes on. A retrofit run also has
 * checkpoints/ae.ckpt, its autoencoder phase ("dec", "enc", "adam_dec", "adam_enc"); its "gen" in
 * latest.ckpt is the trained decoder.
 */
public final class HatEbmRun {
    public static final String METHOD = "hatebm";
    /** Prefix of the bank's tensors in a checkpoint. */
    static final String BANK = "bank_";

    /** config.json of a Hat EBM run; {@code parameters} counts each net's trainable scalars. */
    public record Info(String method, String ebm4jVersion, HatEbmConfig config, int trainImages,
                       Map<String, Long> parameters) {
    }

    /** The method's state in a checkpoint. */
    public record TrainState(long totalIterations) {
    }

    private HatEbmRun() {}

    public static Path checkpoint(RunFolder run) {
        return Checkpoints.of(run).pathFor("latest");
    }

    /** The retrofit's autoencoder phase checkpoint (decoder, encoder and their Adams). */
    public static Path aeCheckpoint(RunFolder run) {
        return Checkpoints.of(run).pathFor("ae");
    }

    public static Info readInfo(RunFolder run) {
        return TrainingRun.readInfo(run, METHOD, "hatebm", "hatebm train", Info.class);
    }

    /** The parts of a checkpoint: nets, averages, and when given the optimizers (E, G; G may be null) and the bank. */
    static Checkpoint parts(HatEbmModel model, Adam adamE, Adam adamG, PersistentBank bank) {
        Checkpoint c = new Checkpoint(METHOD).block("ebm", model.ebm()).block("gen", model.generator());
        if (adamE != null) {
            c.optimizer("adam_e", adamE);
        }
        if (adamG != null) {
            c.optimizer("adam_g", adamG);
        }
        if (model.emaEbm() != null) {
            c.ema("ema_ebm", model.emaEbm());
        }
        if (model.emaGen() != null) {
            c.ema("ema_gen", model.emaGen());
        }
        if (bank != null) {
            for (String n : bank.names()) {
                c.tensor(BANK + n, () -> bank.isFilled() ? bank.tensor(n) : null);
            }
        }
        return c;
    }

    /**
     * Loads a trained (or partly trained) run for sampling and scoring; with {@code averages} the
     * nets get their weight EMAs (App. J: 0.9999) instead of the raw weights.
     */
    public static HatEbmModel load(Path dir, NDManager manager, boolean averages) {
        RunFolder run = RunFolder.open(dir);
        Info info = readInfo(run);
        Path ck = checkpoint(run);
        if (!Files.exists(ck)) {
            String cmd = switch (info.config().mode()) {
                case SYNTHESIS -> "train";
                case REFINE -> "refine";
                case RETROFIT -> "retrofit"; // also while its autoencoder phase is unfinished
            };
            throw new EbmException("run '" + dir + "' has no checkpoint yet (checkpoints/latest.ckpt); "
                    + "resume its training first: ebm4j hatebm " + cmd + " --resume --out " + dir);
        }
        HatEbmModel model = new HatEbmModel(manager, info.config());
        try (NDManager tmp = manager.newSubManager()) {
            parts(model, null, null, null).load(ck, tmp, null).extras().values().forEach(NDArray::close);
            if (averages) {
                model.useAverages();
            }
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** The generator's tensors of a Hat EBM run ("gen." names stripped), for refining it; close them after use. */
    public static Map<String, NDArray> generatorTensors(Path dir, NDManager manager, boolean averages) {
        try (HatEbmModel model = load(dir, manager, averages)) {
            java.util.LinkedHashMap<String, NDArray> out = new java.util.LinkedHashMap<>();
            org.ebm4j.run.BlockTensors.put(out, "", model.generator());
            java.util.LinkedHashMap<String, NDArray> copies = new java.util.LinkedHashMap<>();
            out.forEach((k, v) -> {
                NDArray c = v.duplicate();
                c.attach(manager);
                copies.put(k, c);
            });
            return copies;
        }
    }
}
