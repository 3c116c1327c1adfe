package org.ebm4j.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Masks;

/**
 * Inpainting scores over the filled-in (masked) pixels of a set of images, {@code metrics.md} §4.4/§4.5:
 *
 * <ul>
 *   <li>Files of the three folders are matched by file name without extension ({@code a.png} in
 *       truth, {@code a.png} or {@code a.jpg} in result and mask). A name missing in any folder is an
 *       error, so no image is silently left out.
 *   <li>Pixels are taken as uint8 / 255, i.e. on the [0, 1] scale with data range 1 (colour images as
 *       RGB, grey ones as three equal channels).
 *   <li>The mask is a black-and-white image, white (luminance &gt; 0.5) where pixels were missing and
 *       filled in.
 *   <li>{@code psnr}: one PSNR of the MSE pooled over the hole pixels × channels of <em>all</em>
 *       images (metrics.md: whole-image PSNR inflates the score).
 *   <li>{@code error}: the mean absolute error over the same entries, on the [0, 1] scale.
 *   <li>{@code ssim}: per image, the masked Wang SSIM (mean of the SSIM map over window centres in
 *       the hole, averaged over RGB channels); then the mean over images. Images whose hole has no
 *       window centre at least 5 pixels from the border are left out of this mean and counted in
 *       {@code ssimSkipped}; ssim is null when every image was left out.
 * </ul>
 */
public final class InpaintingEval {
    private InpaintingEval() {}

    /** The scores; {@code ssim} is null when no image had a valid SSIM window centre in its hole. */
    public record Report(double psnr, Double ssim, double error, int n, long maskedPixels,
                         int ssimSkipped, double psnrMeanPerImage) {}

    /** Reads and matches the three folders and scores them. */
    public static Report evaluate(Path truthDir, Path resultDir, Path maskDir) throws IOException {
        Map<String, Path> truth = list(truthDir, "truth");
        Map<String, Path> result = list(resultDir, "result");
        Map<String, Path> mask = list(maskDir, "mask");
        List<String> missing = new ArrayList<>();
        for (String k : truth.keySet()) {
            if (!result.containsKey(k)) missing.add(k + " (no result in " + resultDir + ")");
            if (!mask.containsKey(k)) missing.add(k + " (no mask in " + maskDir + ")");
        }
        for (String k : result.keySet()) {
            if (!truth.containsKey(k)) missing.add(k + " (no truth in " + truthDir + ")");
        }
        if (!missing.isEmpty()) {
            throw new EbmException("unmatched files: " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : "")
                    + "; truth, result and mask files are matched by name");
        }
        Accumulator acc = new Accumulator();
        for (String k : truth.keySet()) {
            FloatImage t = ImageFiles.readRgb(truth.get(k));
            FloatImage r = ImageFiles.readRgb(result.get(k));
            FloatImage m = Masks.read(mask.get(k));
            acc.add(k, t, r, m);
        }
        return acc.report();
    }

    /** Scores images already in memory (RGB in [-1, 1] as read by {@link ImageFiles}, masks in [0, 1]). */
    public static Report evaluate(List<FloatImage> truth, List<FloatImage> result, List<FloatImage> masks) {
        if (truth.isEmpty() || truth.size() != result.size() || truth.size() != masks.size()) {
            throw new EbmException("need equally many truth, result and mask images (at least one), got "
                    + truth.size() + ", " + result.size() + ", " + masks.size());
        }
        Accumulator acc = new Accumulator();
        for (int i = 0; i < truth.size(); i++) acc.add("image " + i, truth.get(i), result.get(i), masks.get(i));
        return acc.report();
    }

    private static final class Accumulator {
        double sse;
        double sae;
        long entries;
        long pixels;
        double ssimSum;
        int ssimCount;
        int ssimSkipped;
        double psnrSum;
        int n;

        void add(String name, FloatImage t, FloatImage r, FloatImage m) {
            if (t.height() != r.height() || t.width() != r.width()) {
                throw new EbmException(name + ": result is " + r.width() + "x" + r.height() + " but truth is "
                        + t.width() + "x" + t.height());
            }
            if (m.height() != t.height() || m.width() != t.width()) {
                throw new EbmException(name + ": mask is " + m.width() + "x" + m.height() + " but truth is "
                        + t.width() + "x" + t.height());
            }
            int h = t.height();
            int w = t.width();
            double[][][] a = unit(t);
            double[][][] b = unit(r);
            double[][] hole = new double[h][w];
            long holePixels = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (m.get(0, y, x) > 0.5f) {
                        hole[y][x] = 1;
                        holePixels++;
                    }
                }
            }
            if (holePixels == 0) {
                throw new EbmException(name + ": mask has no white pixels (white = pixels that were missing and filled in)");
            }
            double imgSse = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (hole[y][x] > 0) {
                            double d = a[c][y][x] - b[c][y][x];
                            imgSse += d * d;
                            sae += Math.abs(d);
                        }
                    }
                }
            }
            sse += imgSse;
            entries += 3 * holePixels;
            pixels += holePixels;
            double mse = imgSse / (3 * holePixels);
            psnrSum += mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1 / mse);
            try {
                ssimSum += Ssim.maskedChannels(a, b, hole, 1.0);
                ssimCount++;
            } catch (IllegalArgumentException e) {
                ssimSkipped++; // hole entirely within 5 px of the border, or image under 11x11
            }
            n++;
        }

        Report report() {
            double mse = sse / entries;
            double psnr = mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1 / mse);
            return new Report(psnr, ssimCount == 0 ? null : ssimSum / ssimCount, sae / entries, n, pixels,
                    ssimSkipped, psnrSum / n);
        }
    }

    /** CHW [0,1] doubles from the exact uint8 values behind a [-1,1] image (u = round((x+1)·127.5)). */
    static double[][][] unit(FloatImage img) {
        FloatImage rgb = img;
        double[][][] out = new double[3][img.height()][img.width()];
        for (int c = 0; c < 3; c++) {
            int src = rgb.channels() == 1 ? 0 : c;
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    double u = Math.round((rgb.get(src, y, x) + 1.0) * 127.5);
                    out[c][y][x] = Math.min(255, Math.max(0, u)) / 255.0;
                }
            }
        }
        return out;
    }

    private static Map<String, Path> list(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new EbmException(what + " folder " + dir + " not found or not a folder");
        }
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(p) || !(lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg"))) {
                    continue;
                }
                String stem = name.substring(0, name.lastIndexOf('.'));
                Path prev = out.put(stem, p);
                if (prev != null) {
                    throw new EbmException(what + " folder " + dir + " has two images named " + stem + " ("
                            + prev.getFileName() + ", " + name + "); files are matched by name without extension");
                }
            }
        } catch (IOException e) {
            throw new EbmException("cannot list " + what + " folder " + dir + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new EbmException(what + " folder " + dir + " holds no .png/.jpg images");
        }
        return out;
    }
}
