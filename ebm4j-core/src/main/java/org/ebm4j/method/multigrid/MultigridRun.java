package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.optim.Adam;
import org.ebm4j.run.Checkpoints;
import org.ebm4j.run.RunFolder;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.TrainingRun;
import com.fasterxml.jackson.databind.JsonNode;

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

    /** config.json of a multi-grid run. */
    public record Info(String method, String ebm4jVersion, MultigridConfig config, int trainImages,
                       int iterationsPerEpoch, Map<String, String> nets) {
    }

    /** The method's state in a checkpoint. */
    public record TrainState(long totalIterations) {
    }

    private MultigridRun() {}

    public static Path checkpoint(RunFolder run) {
        return Checkpoints.of(run).pathFor("latest");
    }

    public static Info readInfo(RunFolder run) {
        return TrainingRun.readInfo(run, METHOD, "multigrid", "multigrid train", Info.class);
    }

    /** The parts of a checkpoint: every net ("net{g}"), its optimizer ("adam{g}") when given, and p⁽⁰⁾. */
    static Checkpoint checkpoint(MultigridModel model, Map<Integer, Adam> adams) {
        Checkpoint c = new Checkpoint(METHOD);
        for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
            c.block("net" + e.getKey(), e.getValue());
        }
        c.tensor("p0", model::p0);
        if (adams != null) {
            adams.forEach((g, a) -> c.optimizer("adam" + g, a));
        }
        return c;
    }

    /** Metadata of checkpoints written before the shared format: {nextIteration, totalIterations, adamSteps{g}, complete}. */
    static Checkpoint.Meta legacyMeta(JsonNode n) {
        Map<String, Long> steps = new LinkedHashMap<>();
        n.path("adamSteps").fields().forEachRemaining(e -> steps.put("adam" + e.getKey(), e.getValue().asLong()));
        return new Checkpoint.Meta("legacy", METHOD, n.path("nextIteration").asLong(), n.path("complete").asBoolean(),
                steps, AtomicFiles.MAPPER.valueToTree(new TrainState(n.path("totalIterations").asLong())), null);
    }

    /** Copies a checkpoint's nets and p⁽⁰⁾ into the model (and the optimizers' state when given); returns it with its other tensors. */
    static Checkpoint.Loaded loadInto(Path ck, MultigridModel model, Map<Integer, Adam> adams, NDManager m) {
        Checkpoint.Loaded ld = checkpoint(model, adams).load(ck, m, MultigridRun::legacyMeta);
        NDArray p0 = ld.extras().get("p0");
        if (p0 != null) {
            model.setP0(p0);
        }
        return ld;
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
            loadInto(ck, model, null, tmp);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }
}
