package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Resize;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.run.AtomicFiles;
import org.ebm4j.run.BlockTensors;
import org.ebm4j.run.RunFolder;
import org.ebm4j.run.TensorFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The on-disk form of a PatchGenCN run: config.json ({@link Info}), the training image as
 * source.png, one checkpoint per finished scale (checkpoints/scale-NN.ckpt) and at most one
 * mid-scale checkpoint (checkpoints/partial.ckpt).
 */
public final class PatchGenRun {
    public static final String METHOD = "patchgen";
    public static final String SOURCE = "source.png";

    /** config.json of a PatchGenCN run. */
    public record Info(String method, String ebm4jVersion, String sourceFile, int sourceWidth, int sourceHeight,
                       PatchGenConfig config, List<String> pyramid) {
    }

    /** Metadata stored inside every checkpoint. */
    public record CheckpointMeta(int scale, int iteration, int restart, long adamStep, boolean complete) {
    }

    private PatchGenRun() {}

    public static Path scaleCheckpoint(RunFolder run, int scale) {
        return run.checkpoints().resolve(String.format("scale-%02d.ckpt", scale));
    }

    public static Path partialCheckpoint(RunFolder run) {
        return run.checkpoints().resolve("partial.ckpt");
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
        try {
            Info info = AtomicFiles.readJson(run.configFile(), Info.class);
            if (!METHOD.equals(info.method())) {
                throw new EbmException("run '" + run.dir() + "' is a " + info.method()
                        + " run, not a PatchGenCN run; pass a folder written by 'patchgen train'");
            }
            return info;
        } catch (IOException e) {
            throw new EbmException("cannot read " + run.configFile() + " (" + e.getMessage()
                    + "); is '" + run.dir() + "' a PatchGenCN run folder?", e);
        }
    }

    /** Loads a trained (possibly partially trained) pyramid for sampling. */
    public static PatchGenModel load(Path dir, NDManager manager) {
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
        for (int s = 0; s < p.numScales(); s++) {
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

    /** Parameters of a net (SN state included) keyed as "net.NAME". */
    public static LinkedHashMap<String, NDArray> netTensors(PatchEnergyNet net) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        BlockTensors.put(out, "net.", net);
        return out;
    }

    /** Reads a checkpoint into a net; returns the checkpoint's tensors (the caller may read optimiser state). */
    public static TensorFile.Loaded loadInto(Path ck, PatchEnergyNet net, NDManager m) {
        TensorFile.Loaded loaded = BlockTensors.load(ck, m);
        BlockTensors.copyInto(loaded.tensors(), "net.", net, ck, "this scale's net");
        return loaded;
    }
}
