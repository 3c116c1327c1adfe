package org.ebm4j.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * A small float image with 1 (grey) or 3 (RGB) channels, stored in CHW order, values nominally in
 * [-1, 1].
 *
 * <p>The uint8 conversions reproduce the official PatchGenCN code bit for bit (float32 arithmetic
 * throughout):
 *
 * <ul>
 *   <li>{@code toUint8}: {@code v = (x + 1) * 127.5f}, clipped to [0, 255], then truncated (like
 *       numpy {@code astype(uint8)}), not rounded.
 *   <li>{@code fromUint8}: {@code x = (u - 127.5f) / 127.5f}.
 * </ul>
 *
 * <p>Because of float rounding plus truncation the round trip is <em>not</em> lossless: for
 * {@code u} in 1..95 the float {@code (u - 127.5f) / 127.5f} maps back to {@code u - 1}. This is the
 * reference behaviour and is kept on purpose; {@link #quantize8()} therefore is not idempotent.
 */
public final class FloatImage {
    private final int channels;
    private final int height;
    private final int width;
    private final float[] data;

    /**
     * Wraps {@code data} (CHW order, not copied).
     *
     * @throws IllegalArgumentException if channels is not 1 or 3, a size is not positive, or the
     *     array length does not match
     */
    public FloatImage(int channels, int height, int width, float[] data) {
        Objects.requireNonNull(data, "data");
        checkShape(channels, height, width);
        long n = (long) channels * height * width;
        if (data.length != n) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " != channels*height*width = " + n);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.data = data;
    }

    /** An all-zero image (mid-grey in [-1, 1] terms). */
    public static FloatImage zeros(int channels, int height, int width) {
        checkShape(channels, height, width);
        return new FloatImage(channels, height, width, new float[channels * height * width]);
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The backing array (CHW, not a copy): callers may read and write it in place. */
    public float[] data() {
        return data;
    }

    public float get(int c, int y, int x) {
        return data[index(c, y, x)];
    }

    public void set(int c, int y, int x, float v) {
        data[index(c, y, x)] = v;
    }

    private int index(int c, int y, int x) {
        if (c < 0 || c >= channels || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException(
                    "(" + c + "," + y + "," + x + ") outside " + channels + "x" + height + "x" + width);
        }
        return (c * height + y) * width + x;
    }

    public FloatImage copy() {
        return new FloatImage(channels, height, width, data.clone());
    }

    /** The reference float -> uint8 rule: (x+1)*127.5 in float32, clip to [0,255], truncate. */
    public static int toUint8(float x) {
        float v = (x + 1.0f) * 127.5f;
        // NaN fails both comparisons; map it to 0 like a clipped low value rather than propagating.
        if (!(v > 0f)) {
            return 0;
        }
        if (v >= 255f) {
            return 255;
        }
        return (int) v;
    }

    /** The reference uint8 -> float rule: (u - 127.5) / 127.5 in float32. */
    public static float fromUint8(int u) {
        return (u - 127.5f) / 127.5f;
    }

    /** Unsigned 8-bit samples in HWC order with this image's channel count. */
    public byte[] toUint8() {
        int hw = height * width;
        byte[] out = new byte[hw * channels];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < hw; i++) {
                out[i * channels + c] = (byte) toUint8(data[c * hw + i]);
            }
        }
        return out;
    }

    /** Unsigned 8-bit RGB samples in HWC order; a grey image is replicated to three channels. */
    public byte[] toUint8Rgb() {
        if (channels == 3) {
            return toUint8();
        }
        int hw = height * width;
        byte[] out = new byte[hw * 3];
        for (int i = 0; i < hw; i++) {
            byte b = (byte) toUint8(data[i]);
            out[3 * i] = b;
            out[3 * i + 1] = b;
            out[3 * i + 2] = b;
        }
        return out;
    }

    /** Builds an image from unsigned bytes in HWC order (as produced by {@link #toUint8()}). */
    public static FloatImage fromUint8(byte[] hwc, int channels, int height, int width) {
        checkShape(channels, height, width);
        checkLength(hwc.length, channels, height, width);
        int hw = height * width;
        float[] d = new float[hw * channels];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < hw; i++) {
                d[c * hw + i] = fromUint8(hwc[i * channels + c] & 0xFF);
            }
        }
        return new FloatImage(channels, height, width, d);
    }

    /** Builds an image from ints in 0..255 in HWC order. */
    public static FloatImage fromUint8(int[] hwc, int channels, int height, int width) {
        checkShape(channels, height, width);
        checkLength(hwc.length, channels, height, width);
        int hw = height * width;
        float[] d = new float[hw * channels];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < hw; i++) {
                int u = hwc[i * channels + c];
                if (u < 0 || u > 255) {
                    throw new IllegalArgumentException("uint8 value out of range 0..255: " + u);
                }
                d[c * hw + i] = fromUint8(u);
            }
        }
        return new FloatImage(channels, height, width, d);
    }

    /** This image round-tripped through uint8 (toUint8 then fromUint8), as the reference code does. */
    public FloatImage quantize8() {
        float[] d = new float[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = fromUint8(toUint8(data[i]));
        }
        return new FloatImage(channels, height, width, d);
    }

    private static void checkShape(int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, got " + width + "x" + height);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image too large: " + channels + "x" + height + "x" + width);
        }
    }

    private static void checkLength(int length, int channels, int height, int width) {
        if (length != channels * height * width) {
            throw new IllegalArgumentException(
                    "array length " + length + " != height*width*channels = " + channels * height * width);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FloatImage)) {
            return false;
        }
        FloatImage other = (FloatImage) o;
        return channels == other.channels
                && height == other.height
                && width == other.width
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * channels + height) + width) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatImage[" + channels + "x" + height + "x" + width + "]";
    }
}
