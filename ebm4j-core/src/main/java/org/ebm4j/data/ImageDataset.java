package org.ebm4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Resize;

import java.util.List;

/**
 * An in-memory image data set: N images of C×H×W unsigned bytes (CHW per image, images one after
 * the other) and optional integer labels. Kept as bytes (a quarter of float storage); batches are
 * converted to float tensors in [-1, 1] (x/127.5 − 1) when drawn.
 */
public final class ImageDataset {
    private final String name;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classNames;

    public ImageDataset(String name, int channels, int height, int width, byte[] pixels, int[] labels,
                        List<String> classNames) {
        long per = (long) channels * height * width;
        if (per <= 0 || pixels.length % per != 0) {
            throw new IllegalArgumentException("pixel buffer of " + pixels.length + " bytes is not a whole number of "
                    + channels + "x" + height + "x" + width + " images");
        }
        if (labels != null && labels.length != pixels.length / per) {
            throw new IllegalArgumentException(labels.length + " labels for " + pixels.length / per + " images");
        }
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    public String name() {
        return name;
    }

    public int size() {
        return pixels.length / imageBytes();
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

    public boolean hasLabels() {
        return labels != null;
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of the labels, or null when the data set has none. */
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        if (!classNames.isEmpty()) {
            return classNames.size();
        }
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        return max + 1;
    }

    int imageBytes() {
        return channels * height * width;
    }

    /** Images idx as a float tensor [B, C, H, W] in [-1, 1], attached to m. */
    /**
     * Refuses training on this set unless it holds at least one batch of images of the configured
     * channels and side; the message says what to change.
     */
    public void requireTraining(int channels, int size, int batchSize) {
        if (size() < batchSize) {
            throw new org.ebm4j.core.EbmException("the training data has " + size() + " images, fewer than one batch of "
                    + batchSize + "; use more images or a smaller --batch");
        }
        if (height() != size || width() != size || channels() != channels) {
            throw new org.ebm4j.core.EbmException("training data is " + channels() + "x" + height() + "x" + width()
                    + ", the configuration expects " + channels + "x" + size + "x" + size);
        }
    }

    /**
     * One value per image, in order: {@code f} applied to consecutive batches of at most {@code
     * batchSize} images (as {@link #batch}), each batch in its own scope under {@code parent}, so
     * nothing of it outlives the call. What every per-image score (energies for AUROC) needs.
     */
    public double[] perImage(NDManager parent, int batchSize, java.util.function.Function<NDArray, double[]> f) {
        double[] out = new double[size()];
        for (int i = 0; i < size(); i += batchSize) {
            int[] idx = new int[Math.min(batchSize, size() - i)];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = i + j;
            }
            try (NDManager m = parent.newSubManager()) {
                double[] v = f.apply(batch(m, idx));
                System.arraycopy(v, 0, out, i, idx.length);
            }
        }
        return out;
    }

    public NDArray batch(NDManager m, int[] idx) {
        int per = imageBytes();
        float[] buf = new float[idx.length * per];
        for (int b = 0; b < idx.length; b++) {
            int src = idx[b] * per;
            int dst = b * per;
            for (int k = 0; k < per; k++) {
                buf[dst + k] = (pixels[src + k] & 0xFF) / 127.5f - 1f;
            }
        }
        // create() wraps a Java direct buffer; the duplicate is owned by libtorch (see ImageTensors)
        try (NDArray wrapped = m.create(buf, new Shape(idx.length, channels, height, width))) {
            return wrapped.duplicate();
        }
    }

    /** Labels of idx. */
    public int[] labels(int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = labels[idx[i]];
        }
        return out;
    }

    /** Image i in [-1, 1]. */
    public FloatImage image(int i) {
        int per = imageBytes();
        float[] d = new float[per];
        for (int k = 0; k < per; k++) {
            d[k] = (pixels[i * per + k] & 0xFF) / 127.5f - 1f;
        }
        return new FloatImage(channels, height, width, d);
    }

    /** The images at idx (in that order), with their labels. */
    public ImageDataset subset(int[] idx) {
        int per = imageBytes();
        byte[] p = new byte[idx.length * per];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(pixels, idx[i] * per, p, i * per, per);
        }
        return new ImageDataset(name, channels, height, width, p, labels == null ? null : labels(idx), classNames);
    }

    /** Every image resized to size×size with Pillow-exact bicubic (no-op when already that size). */
    public ImageDataset resized(int size) {
        if (size == height && size == width) {
            return this;
        }
        int per = imageBytes();
        int outPer = channels * size * size;
        byte[] out = new byte[size() * outPer];
        byte[] hwc = new byte[per];
        for (int i = 0; i < size(); i++) {
            toHwc(pixels, i * per, hwc, channels, height * width);
            byte[] r = Resize.bicubicPilUint8(hwc, channels, width, height, size, size);
            fromHwc(r, out, i * outPer, channels, size * size);
        }
        return new ImageDataset(name, channels, size, size, out, labels, classNames);
    }

    /** Grey → RGB by replication, RGB → grey by ITU-R 601 luma (PIL's "L" conversion). */
    public ImageDataset withChannels(int c) {
        if (c == channels) {
            return this;
        }
        if (c != 1 && c != 3 || channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + c);
        }
        int plane = height * width;
        byte[] out = new byte[size() * c * plane];
        for (int i = 0; i < size(); i++) {
            for (int k = 0; k < plane; k++) {
                if (c == 3) {
                    byte v = pixels[i * plane + k];
                    out[(i * 3) * plane + k] = v;
                    out[(i * 3 + 1) * plane + k] = v;
                    out[(i * 3 + 2) * plane + k] = v;
                } else {
                    int r = pixels[(i * 3) * plane + k] & 0xFF;
                    int g = pixels[(i * 3 + 1) * plane + k] & 0xFF;
                    int b = pixels[(i * 3 + 2) * plane + k] & 0xFF;
                    out[i * plane + k] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
                }
            }
        }
        return new ImageDataset(name, c, height, width, out, labels, classNames);
    }

    /** Mean pixel value on the 0..255 scale (a data check: Fashion-MNIST train is 72.94). */
    public double meanPixel() {
        long s = 0;
        for (byte b : pixels) {
            s += b & 0xFF;
        }
        return (double) s / pixels.length;
    }

    private static void toHwc(byte[] src, int off, byte[] hwc, int c, int plane) {
        for (int ch = 0; ch < c; ch++) {
            for (int k = 0; k < plane; k++) {
                hwc[k * c + ch] = src[off + ch * plane + k];
            }
        }
    }

    private static void fromHwc(byte[] hwc, byte[] dst, int off, int c, int plane) {
        for (int ch = 0; ch < c; ch++) {
            for (int k = 0; k < plane; k++) {
                dst[off + ch * plane + k] = hwc[k * c + ch];
            }
        }
    }
}
