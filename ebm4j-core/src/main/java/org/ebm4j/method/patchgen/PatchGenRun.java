package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Resize;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.run.Checkpoints;
import org.ebm4j.run.RunFolder;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The on-disk form of a PatchGenCN run: config.json ({@link Info}), the training image as
 * source.png, one checkpoint per finished scale (checkpoints/scale-NN.ckpt) and at most one
 * mid-scale checkpoint (checkpoints/partial.ckpt), each a {@link Checkpoint} with the scale's net
 * ("net") and, mid-scale, its optimizer ("adam").
 */
public final class PatchGenRun {
    public static final String METHOD = "patchgen";
    public static final String SOURCE = "source.png";

    /** config.json of a PatchGenCN run. */
    public record Info(String method, String ebm4jVersion, String sourceFile, int sourceWidth, int sourceHeight,
                       PatchGenConfig config, List<String> pyramid) {
    }

    /** The method's state in a checkpoint: which scale, and which restart of it. */
    public record ScaleState(int scale, int restart) {
    }

    private PatchGenRun() {}

    public static Path scaleCheckpoint(RunFolder run, int scale) {
        return Checkpoints.of(run).pathFor("scale-", scale, 2);
    }

    public static Path partialCheckpoint(RunFolder run) {
        return Checkpoints.of(run).pathFor("partial");
    }

    /** The parts of a scale's checkpoint: its net, and its optimizer when given. */
    static Checkpoint checkpoint(PatchEnergyNet net, Adam adam) {
        Checkpoint c = new Checkpoint(METHOD).block("net", net);
        return adam == null ? c : c.optimizer("adam", adam);
    }

    /**
     * Metadata of checkpoints written before the shared format: {scale, iteration (the last one
     * done), restart, adamStep, complete}.
     */
    static Checkpoint.Meta legacyMeta(JsonNode n) {
        return new Checkpoint.Meta("legacy", METHOD, n.path("iteration").asLong() + 1, n.path("complete").asBoolean(),
                Map.of("adam", n.path("adamStep").asLong()),
                org.ebm4j.core.AtomicFiles.MAPPER.valueToTree(new ScaleState(n.path("scale").asInt(), n.path("restart").asInt())),
                null);
    }

    /** The pyramid of training images: the finest is the source resized to the capped size, the rest are resized from it. */
    public static List<FloatImage> reals(FloatImage source, Pyramid p, boolean quantize8) {
        FloatImage finest = (source.width() == p.width() && source.height() == p.height()) ? source
                : Resize.bicubicPil(source, p.width(), p.height());
        List<FloatImage> out = new ArrayList<>();
        for (int s = 0; s < p.numScales(); s++) {
            out.add(Resize.resize(finest, p.widths()[s], p.heights()[s], quantize8));
        }
        return out;
    }

    public static Info readInfo(RunFolder run) {
        return TrainingRun.readInfo(run, METHOD, "PatchGenCN", "patchgen train", Info.class);
    }

    /** Loads a trained (possibly partially trained) pyramid for sampling. */
    public static PatchGenModel load(Path dir, NDManager manager) {
        return load(dir, manager, Integer.MAX_VALUE);
    }

    /**
     * Loads at most the {@code maxScales} coarsest trained nets: the model then samples, reconstructs
     * and reports as if training had stopped after them, so a sample's path up the pyramid can be
     * looked at scale by scale (up to the last loaded scale the same random draws are made, so the
     * same seed gives the same coarse chains).
     */
    public static PatchGenModel load(Path dir, NDManager manager, int maxScales) {
        if (maxScales < 1) {
            throw new IllegalArgumentException("maxScales must be >= 1, got " + maxScales);
        }
        RunFolder run = RunFolder.open(dir);
        Info info = readInfo(run);
        PatchGenConfig cfg = info.config();
        FloatImage source;
        try {
            source = ImageFiles.readRgb(run.file(SOURCE));
        } catch (IOException e) {
            throw new EbmException("run '" + dir + "' lacks a readable " + SOURCE + ": " + e.getMessage(), e);
        }
        Pyramid p = Pyramid.of(source.width(), source.height(), cfg.numScales(), cfg.minSize(), cfg.maxSize());
        PatchGenModel model = new PatchGenModel(manager, cfg, p, reals(source, p, cfg.quantize8()));
        for (int s = 0; s < Math.min(p.numScales(), maxScales); s++) {
            Path ck = scaleCheckpoint(run, s);
            if (!Files.exists(ck)) {
                break;
            }
            PatchEnergyNet net = model.newNet(s);
            loadInto(ck, net, model.manager());
            net.freezeSpectralState();
            model.setNet(s, net);
        }
        if (model.trainedScales() == 0) {
            throw new EbmException("run '" + dir + "' has no trained scale yet (no checkpoints/scale-00.ckpt); "
                    + "finish or resume its training first: ebm4j patchgen train --resume --out " + dir);
        }
        return model;
    }

    /** Reads a scale's net from a checkpoint (its optimizer state, if any, is ignored). */
    public static Checkpoint.Meta loadInto(Path ck, PatchEnergyNet net, NDManager m) {
        try (NDManager tmp = m.newSubManager()) {
            Checkpoint.Loaded ld = checkpoint(net, null).load(ck, tmp, PatchGenRun::legacyMeta);
            ld.extras().values().forEach(NDArray::close);
            return ld.meta();
        }
    }
}
