package org.ebm4j.method.patchgen;

import org.ebm4j.image.Masks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.Torch;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Grid;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Resize;
import org.ebm4j.run.OutputFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PatchGenCN applications. Super-resolution follows the official {@code exps/sr_exp.py}; editing,
 * harmonization, paint-to-image and style transfer follow SinGAN's protocol (injection of a resized reference at
 * scale n, the chains of scales ≥ n, then mask blending), as the paper's exact protocol is not
 * published.
 */
public final class PatchGenApplications {
    /** Largest relative difference between the aspect ratios of a reference and the training image. */
    public static final double ASPECT_TOLERANCE = 0.02;
    /** SinGAN's dilation radii (harmonization 7, editing 20) and blur σ 5 are for images of this longest side. */
    public static final double SINGAN_SIZE = 250.0;

    /** What an injection application is for: sets the mask dilation (SinGAN: 20 px editing, 7 px harmonization). */
    public enum Mode {
        EDIT(20), HARMONIZE(7), PAINT(0);

        final int singanRadius;

        Mode(int singanRadius) {
            this.singanRadius = singanRadius;
        }
    }

    /** Super-resolution result and the plain bicubic baseline (both factor× the input). */
    public record SuperResolution(FloatImage sr, FloatImage bicubic, int netScale, int steps) {
    }

    /** An injection result: the reference at the output size, the raw chain output, the blend (null for paint) and mask. */
    public record Injection(FloatImage reference, FloatImage raw, FloatImage blended, FloatImage mask) {
    }

    /** A style transfer result: the content as injected (at the output size), the result, the chains' noise std. */
    public record StyleTransfer(FloatImage content, FloatImage stylized, double noise) {
    }

    private PatchGenApplications() {}

    /** The official default net of super-resolution: the third-finest trained scale (trainedScales − 3, at least 0). */
    public static int defaultNetScale(PatchGenModel model) {
        return Math.max(0, model.trainedScales() - 3);
    }

    /** Number of ×(1/r) upsampling steps for a factor: floor(log(factor) / log(1/r)). */
    public static int srSteps(double factor, double r) {
        if (!(r < 1.0)) {
            throw new EbmException("this run's pyramid has a single scale (scale factor 1); super-resolution needs "
                    + "a pyramid of at least 2 scales");
        }
        return (int) Math.floor(Math.log(factor) / Math.log(1.0 / r) + 1e-9);
    }

    /**
     * Image sizes (w, h) at which the super-resolution chains run, in order, as in the official
     * {@code exps/sr_exp.py}: n = floor(log(factor)/log(1/r)) steps, step i upsampling by (1/r)^i,
     * except the last, which resizes to exactly round(factor × size) so that the final Langevin
     * steps run at the output size (no plain bicubic resize after the last chain). Where the official
     * script does no step at all (factor &lt; 1/r, n = 0, so it returns the input unchanged), ebm4j
     * runs one step at the exact output size.
     */
    public static int[][] srSizes(int lrWidth, int lrHeight, double factor, double r) {
        int n = Math.max(1, srSteps(factor, r));
        int[][] sizes = new int[n][];
        for (int i = 1; i <= n; i++) {
            double f = i == n ? factor : Math.pow(1.0 / r, i);
            sizes[i - 1] = new int[] {Math.max(1, (int) Math.rint(lrWidth * f)), Math.max(1, (int) Math.rint(lrHeight * f))};
        }
        return sizes;
    }

    /**
     * Super-resolution as in {@code exps/sr_exp.py}: from the LR image, upsample through
     * {@link #srSizes} (bicubic, 8-bit quantised when the run quantises) and after each resize run
     * stepsRec noise-free Langevin steps of one scale's net on the zero-padded image.
     *
     * @param netScale the scale whose net runs, or negative for {@link #defaultNetScale}
     */
    public static SuperResolution superResolve(PatchGenModel model, FloatImage lr, double factor, int netScale) {
        if (!(factor > 1.0)) {
            throw new EbmException("super-resolution factor must be > 1, got " + factor);
        }
        int scale = netScale < 0 ? defaultNetScale(model) : netScale;
        if (scale >= model.trainedScales()) {
            throw new EbmException("net scale " + scale + " is not trained; valid: 0.." + (model.trainedScales() - 1));
        }
        PatchGenConfig cfg = model.config();
        double r = model.pyramid().scaleFactor();
        int[][] sizes = srSizes(lr.width(), lr.height(), factor, r);
        // refused before allocating: the last chain runs on the factor x image (see PatchGenOutputs.checkSampleSize)
        double bigW = Math.rint(factor * lr.width());
        double bigH = Math.rint(factor * lr.height());
        long channels = 0;
        for (int c : cfg.netWidths(model.pyramid().widths()[scale], model.pyramid().heights()[scale])) {
            channels += c;
        }
        org.ebm4j.core.MemoryLimit.requireImages("super-resolution factor " + factor, "an image", bigW, bigH,
                4.0 * (bigW + 2 * cfg.pad()) * (bigH + 2 * cfg.pad()) * (6 + 2 * channels));
        int outW = (int) Math.rint(factor * lr.width());
        int outH = (int) Math.rint(factor * lr.height());
        FloatImage result;
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = ImageTensors.toTensor(m, lr);
            for (int[] size : sizes) {
                NDArray up = ImageTensors.resize(x, size[0], size[1], cfg.quantize8());
                NDArray padded = Torch.pad(up, cfg.pad());
                NDArray out = model.chain(scale, padded, cfg.stepsRec(), 0.0);
                x = Torch.unpad(out, cfg.pad());
            }
            result = ImageTensors.fromTensor(x).get(0);
        }
        FloatImage bicubic = Resize.resize(lr, outW, outH, cfg.quantize8());
        return new SuperResolution(result, bicubic, scale, sizes.length);
    }

    /** Writes DIR/sr.png and DIR/bicubic.png (existing ones are kept unless {@code force}). */
    public static SuperResolution writeSuperResolution(PatchGenModel model, Path lrFile, double factor, int netScale,
                                                       Path dir, boolean force) throws IOException {
        FloatImage lr = ImageFiles.readRgb(lrFile);
        OutputFolder.requireAbsent(dir, List.of("sr.png", "bicubic.png"), force);
        OutputFolder.prepare(dir);
        SuperResolution sr = superResolve(model, lr, factor, netScale);
        ImageFiles.writePng(dir.resolve("sr.png"), sr.sr());
        ImageFiles.writePng(dir.resolve("bicubic.png"), sr.bicubic());
        return sr;
    }

    /** Valid injection start scales: 1..trainedScales−1. */
    public static void checkStartScale(PatchGenModel model, int startScale) {
        if (model.trainedScales() < 2) {
            throw new EbmException("this run has a single trained scale; injection needs at least 2");
        }
        if (startScale < 1 || startScale > model.trainedScales() - 1) {
            throw new EbmException("start scale " + startScale + " out of range; valid: 1.."
                    + (model.trainedScales() - 1));
        }
    }

    /** Width and height of the output: the finest trained scale. */
    public static int[] outputSize(PatchGenModel model) {
        int last = model.trainedScales() - 1;
        return new int[] {model.pyramid().widths()[last], model.pyramid().heights()[last]};
    }

    /**
     * A reference image at the output size, resized if it has another size than the training image.
     *
     * @throws EbmException if its aspect ratio differs from the training image's by more than 2 %
     */
    public static FloatImage fitReference(PatchGenModel model, FloatImage ref, String name) {
        Pyramid p = model.pyramid();
        double want = (double) p.width() / p.height();
        double got = (double) ref.width() / ref.height();
        if (Math.abs(got - want) / want > ASPECT_TOLERANCE) {
            throw new EbmException(String.format("'%s' is %dx%d, an aspect ratio of %.3f; the training image's is "
                    + "%.3f (%dx%d): crop or pad it to that shape", name, ref.width(), ref.height(), got, want,
                    p.width(), p.height()));
        }
        int[] wh = outputSize(model);
        return (ref.width() == wh[0] && ref.height() == wh[1]) ? ref
                : Resize.resize(ref, wh[0], wh[1], model.config().quantize8());
    }

    /**
     * Injection at scale n (SinGAN): the reference (at the output size) is resized to scale n−1's
     * size, upsampled to scale n's, and the chains of scales n..last run on it, noise-free as at
     * sampling time. Returns the raw output at the finest trained scale's size.
     */
    public static FloatImage inject(PatchGenModel model, FloatImage reference, int startScale) {
        return inject(model, reference, startScale, model.config().noiseMin(), 1.0);
    }

    /**
     * Injection with a chosen Langevin noise std and chain lengths scaled by {@code stepsScale}. The
     * reference may have any size: each scale then runs at its size times reference / finest scale
     * (per axis, as {@code sample --width-scale}), so the output has the reference's size.
     */
    public static FloatImage inject(PatchGenModel model, FloatImage reference, int startScale, double noise,
                                    double stepsScale) {
        checkStartScale(model, startScale);
        Pyramid p = model.pyramid();
        boolean q = model.config().quantize8();
        int[] wh = outputSize(model);
        double wf = (double) reference.width() / wh[0];
        double hf = (double) reference.height() / wh[1];
        FloatImage below = Resize.resize(reference, PatchGenModel.sizeAt(p.widths()[startScale - 1], wf),
                PatchGenModel.sizeAt(p.heights()[startScale - 1], hf), q);
        FloatImage init = Resize.resize(below, PatchGenModel.sizeAt(p.widths()[startScale], wf),
                PatchGenModel.sizeAt(p.heights()[startScale], hf), q);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = ImageTensors.toTensor(m, init);
            NDArray out = model.fromScale(x, startScale, noise, wf, hf, stepsScale);
            return ImageTensors.fromTensor(out).get(0);
        }
    }

    /** The dilation radius and blur σ of a mode at the output size (SinGAN's values scaled by longest side / 250). */
    public static double[] maskParams(Mode mode, int w, int h) {
        double k = Math.max(w, h) / SINGAN_SIZE;
        int radius = Math.max(1, (int) Math.rint(mode.singanRadius * k));
        double sigma = Math.max(0.5, 5.0 * k);
        return new double[] {radius, sigma};
    }

    /** Editing or harmonization: injection at startScale, then (1 − m)·reference + m·raw with the prepared mask. */
    public static Injection injectAndBlend(PatchGenModel model, FloatImage reference, FloatImage maskLuminance,
                                           int startScale, Mode mode, String refName, String maskName) {
        checkStartScale(model, startScale);
        FloatImage ref = fitReference(model, reference, refName);
        int w = ref.width();
        int h = ref.height();
        if (Math.abs((double) maskLuminance.width() / maskLuminance.height() - (double) w / h) / ((double) w / h)
                > ASPECT_TOLERANCE) {
            throw new EbmException("mask '" + maskName + "' is " + maskLuminance.width() + "x" + maskLuminance.height()
                    + ", another shape than the reference (" + reference.width() + "x" + reference.height() + ")");
        }
        double[] mp = maskParams(mode, w, h);
        FloatImage mask = Masks.prepare(maskLuminance, w, h, (int) mp[0], mp[1], maskName);
        FloatImage raw = inject(model, ref, startScale);
        return new Injection(ref, raw, Masks.blend(ref, raw, mask), mask);
    }

    /** Paint-to-image: injection of a (coarse, flat-coloured) painting at startScale, no blending. */
    public static Injection paintToImage(PatchGenModel model, FloatImage paint, int startScale, String name) {
        checkStartScale(model, startScale);
        FloatImage ref = fitReference(model, paint, name);
        return new Injection(ref, inject(model, ref, startScale), null, null);
    }

    /**
     * A content image at the style pyramid's finest scale: resized to (about) the same number of
     * pixels, keeping the content's own aspect ratio (the nets are fully convolutional, so unlike a
     * paint or edit reference it need not have the style image's shape).
     */
    public static FloatImage fitContent(PatchGenModel model, FloatImage content) {
        int[] wh = outputSize(model);
        double area = (double) wh[0] * wh[1];
        double aspect = (double) content.width() / content.height();
        int w = Math.max(3, (int) Math.rint(Math.sqrt(area * aspect)));
        int h = Math.max(3, (int) Math.rint(Math.sqrt(area / aspect)));
        return (content.width() == w && content.height() == h) ? content
                : Resize.resize(content, w, h, model.config().quantize8());
    }

    /**
     * Style transfer (SinGAN protocol): the pyramid was trained on the style image; the content,
     * fitted by {@link #fitContent}, is injected at startScale and the chains of scales
     * startScale..last run on it. {@code noisy} false: noise-free as at sampling (deterministic);
     * true: with the training-time noise std max(noiseMin, noiseInit), seeded by {@code seed}.
     */
    public static StyleTransfer styleTransfer(PatchGenModel model, FloatImage content, int startScale,
                                              double stepsScale, boolean noisy, long seed) {
        checkStartScale(model, startScale);
        if (!(stepsScale > 0)) {
            throw new EbmException("steps scale must be > 0, got " + stepsScale);
        }
        PatchGenConfig c = model.config();
        double noise = noisy ? Math.max(c.noiseMin(), c.noiseInit()) : c.noiseMin();
        FloatImage fitted = fitContent(model, content);
        Torch.seed(seed);
        return new StyleTransfer(fitted, inject(model, fitted, startScale, noise, stepsScale), noise);
    }

    /** Files written by {@link #writeStyleTransfer}. */
    public static final List<String> STYLE_TRANSFER_FILES = List.of("stylized.png", "strip.png");

    /**
     * Writes DIR/stylized.png and DIR/strip.png (content | stylized). The chains' output is the
     * result itself (no blending), so there is no separate raw.png. Existing outputs are kept
     * unless {@code force}.
     */
    public static StyleTransfer writeStyleTransfer(PatchGenModel model, Path contentFile, int startScale,
                                                   double stepsScale, boolean noisy, long seed, Path dir,
                                                   boolean force) throws IOException {
        checkStartScale(model, startScale);
        FloatImage content = ImageFiles.readRgb(contentFile);
        OutputFolder.requireAbsent(dir, STYLE_TRANSFER_FILES, force);
        OutputFolder.prepare(dir);
        StyleTransfer r = styleTransfer(model, content, startScale, stepsScale, noisy, seed);
        ImageFiles.writePng(dir.resolve("stylized.png"), r.stylized());
        ImageFiles.writePng(dir.resolve("strip.png"), strip(List.of(r.content(), r.stylized())));
        return r;
    }

    /** Writes DIR/blended.png, DIR/raw.png and DIR/strip.png (reference | raw | blended); keeps existing ones unless force. */
    public static Injection writeInjectAndBlend(PatchGenModel model, Path refFile, Path maskFile, int startScale,
                                                Mode mode, Path dir, boolean force) throws IOException {
        checkStartScale(model, startScale);
        FloatImage ref = ImageFiles.readRgb(refFile);
        FloatImage mask = Masks.read(maskFile);
        OutputFolder.requireAbsent(dir, List.of("blended.png", "raw.png", "strip.png"), force);
        OutputFolder.prepare(dir);
        Injection r = injectAndBlend(model, ref, mask, startScale, mode, refFile.toString(), maskFile.toString());
        ImageFiles.writePng(dir.resolve("blended.png"), r.blended());
        ImageFiles.writePng(dir.resolve("raw.png"), r.raw());
        ImageFiles.writePng(dir.resolve("strip.png"), strip(List.of(r.reference(), r.raw(), r.blended())));
        return r;
    }

    /** Writes DIR/raw.png and DIR/strip.png (paint | raw); keeps existing ones unless {@code force}. */
    public static Injection writePaintToImage(PatchGenModel model, Path paintFile, int startScale, Path dir,
                                              boolean force) throws IOException {
        checkStartScale(model, startScale);
        FloatImage paint = ImageFiles.readRgb(paintFile);
        OutputFolder.requireAbsent(dir, List.of("raw.png", "strip.png"), force);
        OutputFolder.prepare(dir);
        Injection r = paintToImage(model, paint, startScale, paintFile.toString());
        ImageFiles.writePng(dir.resolve("raw.png"), r.raw());
        ImageFiles.writePng(dir.resolve("strip.png"), strip(List.of(r.reference(), r.raw())));
        return r;
    }

    /** Images side by side in one row. */
    public static FloatImage strip(List<FloatImage> images) {
        return Grid.tile(new ArrayList<>(images), images.size(), Grid.DEFAULT_PADDING, Grid.DEFAULT_PAD_VALUE);
    }

    /** One line per pyramid scale: index, size, and whether its net is trained. */
    public static List<String> scalesInfo(PatchGenModel model) {
        Pyramid p = model.pyramid();
        List<String> out = new ArrayList<>();
        out.add(String.format("scale factor r = %.4f, %d of %d scales trained", p.scaleFactor(),
                model.trainedScales(), p.numScales()));
        for (int s = 0; s < p.numScales(); s++) {
            out.add(String.format("scale %d: %dx%d %s", s, p.widths()[s], p.heights()[s],
                    s < model.trainedScales() ? "trained" : "not trained"));
        }
        return out;
    }
}
