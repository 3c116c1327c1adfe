package org.ebm4j.image;

import org.ebm4j.core.EbmException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Blend masks (PatchGenCN editing and harmonization; inpainting evaluation) (SinGAN's {@code dilate_mask}): a grey
 * image read as luminance in [0, 1], thresholded at 0.5, dilated by a disk and Gaussian-blurred.
 * Pixels further than dilation radius + blur support from the mask get exactly 0, so blending
 * leaves them exactly equal to the reference.
 */
public final class Masks {
    /** Largest allowed spread between the channels of a grey mask pixel (in [0, 1] units). */
    public static final double COLOUR_TOLERANCE = 0.1;

    private Masks() {}

    /** Reads a mask file; see {@link #luminance(FloatImage, String)}. */
    public static FloatImage read(Path file) throws IOException {
        return luminance(ImageFiles.readRgb(file), file.toString());
    }

    /**
     * The luminance of a grey RGB image as a 1-channel image in [0, 1].
     *
     * @throws EbmException if the image is coloured (channels differ by more than
     *     {@link #COLOUR_TOLERANCE} on more than 1 % of its pixels)
     */
    public static FloatImage luminance(FloatImage rgb, String name) {
        int h = rgb.height();
        int w = rgb.width();
        float[] out = new float[h * w];
        int coloured = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (rgb.channels() == 1) {
                    out[y * w + x] = (rgb.get(0, y, x) + 1f) / 2f;
                    continue;
                }
                float r = (rgb.get(0, y, x) + 1f) / 2f;
                float g = (rgb.get(1, y, x) + 1f) / 2f;
                float b = (rgb.get(2, y, x) + 1f) / 2f;
                float spread = Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b));
                if (spread > COLOUR_TOLERANCE) {
                    coloured++;
                }
                out[y * w + x] = Math.min(1f, Math.max(0f, 0.299f * r + 0.587f * g + 0.114f * b));
            }
        }
        if (coloured > 0.01 * h * w) {
            throw new EbmException("mask '" + name + "' is a colour image (" + coloured + " of " + h * w
                    + " pixels are not grey); use a black-and-white mask (white = region to change)");
        }
        return new FloatImage(1, h, w, out);
    }

    /**
     * Resizes a luminance mask to w×h, thresholds it at 0.5, dilates it by a disk of {@code radius}
     * pixels and blurs it with a Gaussian of std {@code sigma} (truncated at 4σ, edges replicated).
     *
     * @throws EbmException if the thresholded mask is all black or all white
     */
    public static FloatImage prepare(FloatImage luminance, int w, int h, int radius, double sigma, String name) {
        FloatImage lum = (luminance.width() == w && luminance.height() == h) ? luminance
                : Resize.bicubicFloat(luminance, w, h);
        boolean[] on = new boolean[w * h];
        int count = 0;
        for (int i = 0; i < on.length; i++) {
            on[i] = lum.data()[i] >= 0.5f;
            if (on[i]) {
                count++;
            }
        }
        if (count == 0) {
            throw new EbmException("mask '" + name + "' is all black (nothing to change); paint the region to "
                    + "change white");
        }
        if (count == on.length) {
            throw new EbmException("mask '" + name + "' is all white (everything would change); paint only the "
                    + "region to change white, the rest black");
        }
        boolean[] dil = dilate(on, w, h, radius);
        float[] m = new float[w * h];
        for (int i = 0; i < m.length; i++) {
            m[i] = dil[i] ? 1f : 0f;
        }
        return new FloatImage(1, h, w, gaussian(m, w, h, sigma));
    }

    /** Binary dilation by a disk (x² + y² ≤ r²), like skimage's {@code disk(r)}. */
    static boolean[] dilate(boolean[] on, int w, int h, int r) {
        if (r <= 0) {
            return on.clone();
        }
        boolean[] out = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!on[y * w + x]) {
                    continue;
                }
                for (int dy = -r; dy <= r; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) {
                        continue;
                    }
                    for (int dx = -r; dx <= r; dx++) {
                        int xx = x + dx;
                        if (xx >= 0 && xx < w && dx * dx + dy * dy <= r * r) {
                            out[yy * w + xx] = true;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Separable Gaussian blur, kernel radius ceil(4σ), edge pixels replicated; result clipped to [0, 1]. */
    static float[] gaussian(float[] m, int w, int h, double sigma) {
        if (sigma <= 0) {
            return m.clone();
        }
        int rad = (int) Math.ceil(4 * sigma);
        double[] k = new double[2 * rad + 1];
        double sum = 0;
        for (int i = -rad; i <= rad; i++) {
            k[i + rad] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + rad];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        double[] tmp = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -rad; i <= rad; i++) {
                    int xx = Math.min(w - 1, Math.max(0, x + i));
                    acc += k[i + rad] * m[y * w + xx];
                }
                tmp[y * w + x] = acc;
            }
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -rad; i <= rad; i++) {
                    int yy = Math.min(h - 1, Math.max(0, y + i));
                    acc += k[i + rad] * tmp[yy * w + x];
                }
                out[y * w + x] = (float) Math.min(1.0, Math.max(0.0, acc));
            }
        }
        return out;
    }

    /**
     * (1 − m)·reference + m·result per pixel; where m is exactly 0 the reference value is copied
     * unchanged.
     */
    public static FloatImage blend(FloatImage reference, FloatImage result, FloatImage mask) {
        int c = reference.channels();
        int h = reference.height();
        int w = reference.width();
        if (result.width() != w || result.height() != h || mask.width() != w || mask.height() != h
                || result.channels() != c) {
            throw new IllegalArgumentException("blend: sizes differ");
        }
        float[] out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                float m = mask.data()[i];
                float ref = reference.data()[ch * h * w + i];
                out[ch * h * w + i] = m == 0f ? ref : (1f - m) * ref + m * result.data()[ch * h * w + i];
            }
        }
        return new FloatImage(c, h, w, out);
    }
}
