package org.ebm4j.image;

import java.util.Objects;

/**
 * Pillow-compatible bicubic resampling (a re-implementation of {@code libImaging/Resample.c} as of
 * Pillow 7..9.x).
 *
 * <p>The algorithm is separable: horizontal pass first (only over the source rows the vertical pass
 * will read), then vertical. The bicubic kernel uses a = -0.5 and support 2; when downscaling, the
 * support is widened by the scale factor so the filter also antialiases. Per output pixel the
 * weights are normalised to sum to one.
 *
 * <p>{@link #bicubicPil} reproduces Pillow's 8-bit path exactly (fixed-point weights with 22
 * fractional bits, rounding, clipping to 0..255 after <em>each</em> pass), so that it is bit-exact
 * with {@code Image.resize(size, Image.BICUBIC)} on an "RGB"/"L" image. {@link #bicubicFloat}
 * reproduces Pillow's mode "F" path (double accumulation, float storage after each pass).
 */
public final class Resize {
    /** Bicubic kernel support radius (Pillow's {@code BICUBIC.support}). */
    private static final double SUPPORT = 2.0;

    /** 8 bits for the result, 2 for overflow of negative lobes and sums above one, plus the sign. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resize() {}

    /**
     * Resizes like the reference pipeline: uint8 quantisation by {@link FloatImage#toUint8(float)},
     * Pillow bicubic on the 8-bit image, then back to [-1, 1] by {@link FloatImage#fromUint8(int)}.
     */
    public static FloatImage bicubicPil(FloatImage src, int newW, int newH) {
        Objects.requireNonNull(src, "src");
        byte[] res =
                bicubicPilUint8(src.toUint8(), src.channels(), src.width(), src.height(), newW, newH);
        return FloatImage.fromUint8(res, src.channels(), newH, newW);
    }

    /**
     * Exactly Pillow's {@code Image.resize((newW, newH), Image.BICUBIC)} on an 8-bit image given as
     * unsigned bytes in HWC order with 1 ("L") or 3 ("RGB") channels; returns HWC bytes.
     */
    public static byte[] bicubicPilUint8(byte[] hwc, int channels, int w, int h, int newW, int newH) {
        Objects.requireNonNull(hwc, "hwc");
        if (channels < 1 || w <= 0 || h <= 0 || (long) channels * w * h != hwc.length) {
            throw new IllegalArgumentException(
                    "bad source shape " + channels + "x" + h + "x" + w + " for " + hwc.length + " bytes");
        }
        checkSize(newW, newH);
        Coeffs hor = precompute(w, newW);
        Coeffs ver = precompute(h, newH);
        hor.toFixedPoint();
        ver.toFixedPoint();
        int inPlane = w * h;
        int[] plane = new int[inPlane];
        byte[] out = new byte[channels * newW * newH];
        for (int ch = 0; ch < channels; ch++) {
            for (int i = 0; i < inPlane; i++) {
                plane[i] = hwc[i * channels + ch] & 0xFF;
            }
            int[] res = resample8(plane, w, h, newW, newH, hor, ver);
            for (int i = 0; i < res.length; i++) {
                out[i * channels + ch] = (byte) res[i];
            }
        }
        return out;
    }

    /**
     * Pillow's bicubic kernel and antialiasing support on floats, without any 8-bit quantisation
     * (matches Pillow's mode "F" resize per channel).
     */
    public static FloatImage bicubicFloat(FloatImage src, int newW, int newH) {
        Objects.requireNonNull(src, "src");
        checkSize(newW, newH);
        int c = src.channels();
        int inW = src.width();
        int inH = src.height();
        int inPlane = inW * inH;
        int outPlane = newW * newH;
        Coeffs hor = precompute(inW, newW);
        Coeffs ver = precompute(inH, newH);
        float[] out = new float[c * outPlane];
        for (int ch = 0; ch < c; ch++) {
            float[] res = resampleF(src.data(), ch * inPlane, inW, inH, newW, newH, hor, ver);
            System.arraycopy(res, 0, out, ch * outPlane, outPlane);
        }
        return new FloatImage(c, newH, newW, out);
    }

    /** {@link #bicubicPil} when {@code quantize8}, else {@link #bicubicFloat}. */
    public static FloatImage resize(FloatImage src, int newW, int newH, boolean quantize8) {
        return quantize8 ? bicubicPil(src, newW, newH) : bicubicFloat(src, newW, newH);
    }

    private static void checkSize(int newW, int newH) {
        if (newW <= 0 || newH <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + newW + "x" + newH);
        }
    }

    /** Pillow's {@code bicubic_filter} with a = -0.5. */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Per-output-sample source window [min, min+count) and its weights, as in Pillow. */
    static final class Coeffs {
        final int ksize;
        final int[] bounds; // pairs (xmin, count)
        final double[] kk; // outSize * ksize weights
        int[] fixed; // kk in 8-bit fixed point, lazily

        Coeffs(int ksize, int[] bounds, double[] kk) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.kk = kk;
        }

        /** Pillow's {@code normalize_coeffs_8bpc}: round half away from zero to 22 fractional bits. */
        void toFixedPoint() {
            int[] f = new int[kk.length];
            for (int i = 0; i < kk.length; i++) {
                f[i] =
                        kk[i] < 0
                                ? (int) (-0.5 + kk[i] * (1 << PRECISION_BITS))
                                : (int) (0.5 + kk[i] * (1 << PRECISION_BITS));
            }
            fixed = f;
        }
    }

    /** Pillow's {@code precompute_coeffs} for the full box [0, inSize). Kept operation-for-operation. */
    static Coeffs precompute(int inSize, int outSize) {
        // Pillow passes the box as floats; (in1 - in0) is exact for any realistic size.
        double scale = (double) ((float) inSize - 0f) / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        double[] kk = new double[outSize * ksize];
        int[] bounds = new int[outSize * 2];
        for (int xx = 0; xx < outSize; xx++) {
            double center = 0.0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            // (int) truncates towards zero exactly like the C cast; "+ 0.5" is Pillow's rounding.
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            int k = xx * ksize;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) * ss);
                kk[k + x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    kk[k + x] /= ww;
                }
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    /** Pillow's {@code clip8}: drop the fraction bits (arithmetic shift) and saturate. */
    private static int clip8(int in) {
        int v = in >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    /** Pillow's {@code ImagingResampleInner} with the 8bpc passes, on one uint8 plane. */
    private static int[] resample8(
            int[] in, int inW, int inH, int outW, int outH, Coeffs hor, Coeffs ver) {
        boolean needH = outW != inW;
        boolean needV = outH != inH;
        if (!needH && !needV) {
            return in.clone(); // Pillow returns a plain copy for an unchanged size.
        }
        int[] img = in;
        int imgW = inW;
        int[] vBounds = ver.bounds.clone();
        if (needH) {
            // Only the source rows read by the vertical pass; its bounds are shifted accordingly.
            int yFirst = vBounds[0];
            int yLast = vBounds[outH * 2 - 2] + vBounds[outH * 2 - 1];
            for (int i = 0; i < outH; i++) {
                vBounds[i * 2] -= yFirst;
            }
            int rows = yLast - yFirst;
            int[] tmp = new int[rows * outW];
            int[] k = hor.fixed;
            for (int yy = 0; yy < rows; yy++) {
                int rowOff = (yy + yFirst) * inW;
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = hor.bounds[xx * 2];
                    int xmax = hor.bounds[xx * 2 + 1];
                    int kOff = xx * hor.ksize;
                    int ss = 1 << (PRECISION_BITS - 1); // +0.5 for rounding
                    for (int x = 0; x < xmax; x++) {
                        ss += in[rowOff + x + xmin] * k[kOff + x];
                    }
                    tmp[yy * outW + xx] = clip8(ss); // intermediate image is 8-bit, as in Pillow
                }
            }
            img = tmp;
            imgW = outW;
        }
        if (!needV) {
            return img;
        }
        int[] out = new int[outH * imgW];
        int[] k = ver.fixed;
        for (int yy = 0; yy < outH; yy++) {
            int ymin = vBounds[yy * 2];
            int ymax = vBounds[yy * 2 + 1];
            int kOff = yy * ver.ksize;
            for (int xx = 0; xx < imgW; xx++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < ymax; y++) {
                    ss += img[(y + ymin) * imgW + xx] * k[kOff + y];
                }
                out[yy * imgW + xx] = clip8(ss);
            }
        }
        return out;
    }

    /** Pillow's {@code ImagingResampleInner} with the FLOAT32 passes, on one plane at {@code off}. */
    private static float[] resampleF(
            float[] src, int off, int inW, int inH, int outW, int outH, Coeffs hor, Coeffs ver) {
        boolean needH = outW != inW;
        boolean needV = outH != inH;
        if (!needH && !needV) {
            float[] copy = new float[inW * inH];
            System.arraycopy(src, off, copy, 0, copy.length);
            return copy;
        }
        float[] img = src;
        int imgOff = off;
        int imgW = inW;
        int[] vBounds = ver.bounds.clone();
        if (needH) {
            int yFirst = vBounds[0];
            int yLast = vBounds[outH * 2 - 2] + vBounds[outH * 2 - 1];
            for (int i = 0; i < outH; i++) {
                vBounds[i * 2] -= yFirst;
            }
            int rows = yLast - yFirst;
            float[] tmp = new float[rows * outW];
            double[] k = hor.kk;
            for (int yy = 0; yy < rows; yy++) {
                int rowOff = off + (yy + yFirst) * inW;
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = hor.bounds[xx * 2];
                    int xmax = hor.bounds[xx * 2 + 1];
                    int kOff = xx * hor.ksize;
                    double ss = 0.0; // double accumulator, float storage: Pillow's mode "F" path
                    for (int x = 0; x < xmax; x++) {
                        ss += src[rowOff + x + xmin] * k[kOff + x];
                    }
                    tmp[yy * outW + xx] = (float) ss;
                }
            }
            img = tmp;
            imgOff = 0;
            imgW = outW;
        }
        if (!needV) {
            return img;
        }
        float[] out = new float[outH * imgW];
        double[] k = ver.kk;
        for (int yy = 0; yy < outH; yy++) {
            int ymin = vBounds[yy * 2];
            int ymax = vBounds[yy * 2 + 1];
            int kOff = yy * ver.ksize;
            for (int xx = 0; xx < imgW; xx++) {
                double ss = 0.0;
                for (int y = 0; y < ymax; y++) {
                    ss += img[imgOff + (y + ymin) * imgW + xx] * k[kOff + y];
                }
                out[yy * imgW + xx] = (float) ss;
            }
        }
        return out;
    }
}
