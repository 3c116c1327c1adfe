package org.ebm4j.eval;

/**
 * Peak signal-to-noise ratio, {@code metrics.md} §4.4 (reference: skimage
 * {@code peak_signal_noise_ratio}): PSNR = 10·log₁₀(MAX²/MSE), where MAX is the explicit data range
 * (255 for uint8, 1 for [0,1], 2 for [−1,1]; never guessed from the values).
 *
 * <p>Images are passed flattened (any layout, e.g. H·W or H·W·C), both in the same layout. When the
 * MSE is 0 (identical images, or identical masked pixels) the result is
 * {@link Double#POSITIVE_INFINITY}, as in skimage.
 *
 * <p>The masked variant averages the squared error only over the entries whose mask value is
 * &gt; 0.5 (e.g. the inpainting hole); for multi-channel images the mask must be given per entry
 * (i.e. repeated for each channel) so the MSE is over (hole pixels × channels).
 */
public final class Psnr {
    private Psnr() {}

    /** Whole-image PSNR in dB. */
    public static double of(double[] a, double[] b, double dataRange) {
        validate(a, b, dataRange);
        double sse = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sse += d * d;
        }
        return fromMse(sse / a.length, dataRange);
    }

    /** Whole-image PSNR in dB of two equally shaped 2-D (single-channel) images. */
    public static double of(double[][] a, double[][] b, double dataRange) {
        Checks.sameShape(a, b, "a", "b");
        return of(flatten(a), flatten(b), dataRange);
    }

    /**
     * PSNR in dB over the entries with {@code mask[i] > 0.5} only.
     *
     * @throws IllegalArgumentException on length mismatch, non-finite values, or an empty mask
     */
    public static double masked(double[] a, double[] b, double[] mask, double dataRange) {
        validate(a, b, dataRange);
        if (mask == null || mask.length != a.length) {
            throw new IllegalArgumentException("mask must have the same length as the images (" + a.length + "), got "
                    + (mask == null ? "null" : mask.length));
        }
        double sse = 0;
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(mask[i])) throw new IllegalArgumentException("mask[" + i + "] is NaN");
            if (mask[i] > 0.5) {
                double d = a[i] - b[i];
                sse += d * d;
                count++;
            }
        }
        if (count == 0) throw new IllegalArgumentException("mask selects no pixels (no value > 0.5)");
        return fromMse(sse / count, dataRange);
    }

    /** Masked PSNR of two equally shaped 2-D images with a mask of the same shape. */
    public static double masked(double[][] a, double[][] b, double[][] mask, double dataRange) {
        Checks.sameShape(a, b, "a", "b");
        Checks.sameShape(a, mask, "a", "mask");
        return masked(flatten(a), flatten(b), flatten(mask), dataRange);
    }

    private static double fromMse(double mse, double dataRange) {
        if (mse == 0) return Double.POSITIVE_INFINITY;
        return 10.0 * Math.log10(dataRange * dataRange / mse);
    }

    private static void validate(double[] a, double[] b, double dataRange) {
        Checks.notEmpty(a, "a");
        Checks.notEmpty(b, "b");
        if (a.length != b.length) {
            throw new IllegalArgumentException("a and b differ in length: " + a.length + " vs " + b.length);
        }
        Checks.finite(a, "a");
        Checks.finite(b, "b");
        Checks.dataRange(dataRange);
    }

    static double[] flatten(double[][] m) {
        int w = m[0].length;
        double[] out = new double[m.length * w];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * w, w);
        return out;
    }
}
