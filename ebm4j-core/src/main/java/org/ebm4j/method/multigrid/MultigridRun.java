package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.run.AtomicFiles;
import org.ebm4j.run.BlockTensors;
import org.ebm4j.run.RunFolder;
import org.ebm4j.run.TensorFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The on-disk form of a multi-grid run: config.json ({@link Info}) and one checkpoint,
 * checkpoints/latest.ckpt, holding every net (BN running averages included), the Adam moments,
 * p⁽⁰⁾ and the persistent chains of PCD, rewritten atomically as training goes on.
 */
public final class MultigridRun {
    public static final String METHOD = "multigrid";
    public static final String VERSION = "0.1.0";

    /** config.json of a multi-grid run. */
    public record Info(String method, String ebm4jVersion, MultigridConfig config, int trainImages,
                       int iterationsPerEpoch, Map<String, String> nets) {
    }

    /** Metadata inside the checkpoint: the next iteration to run, the Adam step counts. */
    public record CheckpointMeta(long nextIteration, long totalIterations, Map<String, Long> adamSteps, boolean complete) {
    }

    private MultigridRun() {}

    public static Path checkpoint(RunFolder run) {
        return run.checkpoints().resolve("latest.ckpt");
    }

    public static Info readInfo(RunFolder run) {
        try {
            Info info = AtomicFiles.readJson(run.configFile(), Info.class);
            if (!METHOD.equals(info.method())) {
                throw new EbmException("run '" + run.dir() + "' is a " + info.method()
                        + " run, not a multigrid run; pass a folder written by 'multigrid train'");
            }
            return info;
        } catch (IOException e) {
            throw new EbmException("cannot read " + run.configFile() + " (" + e.getMessage()
                    + "); is '" + run.dir() + "' a multigrid run folder?", e);
        }
    }

    /** Every tensor of the model: net{g}.{name} for the nets, p0. */
    public static LinkedHashMap<String, NDArray> modelTensors(MultigridModel model) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
            BlockTensors.put(out, "net" + e.getKey() + ".", e.getValue());
        }
        if (model.p0() != null) {
            out.put("p0", model.p0());
        }
        return out;
    }

    /** Copies the checkpoint's nets and p⁽⁰⁾ into the model; returns the loaded file (caller reads the rest, then closes it). */
    public static TensorFile.Loaded loadInto(Path ck, MultigridModel model, NDManager m) {
        TensorFile.Loaded loaded = BlockTensors.load(ck, m);
        Map<String, NDArray> t = loaded.tensors();
        for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
            BlockTensors.copyInto(t, "net" + e.getKey() + ".", e.getValue(), ck, "the nets of this configuration");
        }
        NDArray p0 = t.get("p0");
        if (p0 != null) {
            model.setP0(p0);
        }
        return loaded;
    }

    /** Loads a trained (or partly trained) run for sampling and evaluation. */
    public static MultigridModel load(Path dir, NDManager manager) {
        RunFolder run = RunFolder.open(dir);
        Info info = readInfo(run);
        Path ck = checkpoint(run);
        if (!Files.exists(ck)) {
            throw new EbmException("run '" + dir + "' has no checkpoint yet (checkpoints/latest.ckpt); "
                    + "resume its training first: ebm4j multigrid train --resume --out " + dir);
        }
        MultigridModel model = new MultigridModel(manager, info.config());
        try (NDManager tmp = manager.newSubManager()) {
            loadInto(ck, model, tmp);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
