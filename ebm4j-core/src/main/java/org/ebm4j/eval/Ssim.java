package org.ebm4j.eval;

/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004), {@code metrics.md} §4.5, as in Wang's
 * {@code ssim_index.m} and skimage {@code structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=L)}:
 *
 * <pre>  SSIM(x,y) = ((2μₓμᵧ+C₁)(2σₓᵧ+C₂)) / ((μₓ²+μᵧ²+C₁)(σₓ²+σᵧ²+C₂)),  C₁=(0.01L)², C₂=(0.03L)²</pre>
 *
 * <ul>
 *   <li>Local moments use an 11×11 Gaussian window, σ = 1.5, normalised to sum 1 (separable:
 *       outer product of the normalised 11-tap 1-D kernel).
 *   <li>Variances/covariance are weighted <b>population</b> moments E[x²]−μ² (no N/(N−1)).
 *   <li>Borders: the map covers only the <b>'valid'</b> positions (MATLAB {@code filter2(w,img,'valid')},
 *       equal to skimage's crop of 5 pixels), so it is (H−10)×(W−10); images must be at least 11×11.
 *       Map index (i,j) is centred on image pixel (i+5, j+5).
 *   <li>MSSIM is the mean of the map. No downsampling (unlike Wang's later {@code ssim.m}).
 *   <li>Colour: {@link #ofChannels} averages per-channel SSIM (skimage {@code channel_axis}).
 * </ul>
 */
public final class Ssim {
    /** Window radius: 11 taps. */
    public static final int RADIUS = 5;
    /** Gaussian σ of the window. */
    public static final double SIGMA = 1.5;
    public static final double K1 = 0.01;
    public static final double K2 = 0.03;

    private static final double[] KERNEL = gaussianKernel();

    private Ssim() {}

    /** Mean SSIM of two single-channel images (H×W, H,W ≥ 11) with data range L. */
    public static double of(double[][] a, double[][] b, double dataRange) {
        double[][] map = map(a, b, dataRange);
        double sum = 0;
        for (double[] row : map) for (double v : row) sum += v;
        return sum / (map.length * map[0].length);
    }

    /** Mean over channels of the per-channel SSIM; images are channel-first {@code [c][h][w]}. */
    public static double ofChannels(double[][][] a, double[][][] b, double dataRange) {
        if (a == null || b == null || a.length == 0) {
            throw new IllegalArgumentException("a and b must have at least one channel");
        }
        if (a.length != b.length) {
            throw new IllegalArgumentException("a and b differ in channel count: " + a.length + " vs " + b.length);
        }
        double sum = 0;
        for (int c = 0; c < a.length; c++) sum += of(a[c], b[c], dataRange);
        return sum / a.length;
    }

    /**
     * Masked SSIM (metrics.md's proposed definition): the mean of the Wang SSIM map over the window
     * centres that lie inside the hole, i.e. map entries (i,j) with {@code mask[i+5][j+5] > 0.5}.
     * The mask has the image's shape; mask pixels within 5 of the border are never window centres.
     *
     * @throws IllegalArgumentException if no valid window centre lies inside the mask
     */
    public static double masked(double[][] a, double[][] b, double[][] mask, double dataRange) {
        double[][] map = map(a, b, dataRange);
        Checks.sameShape(a, mask, "a", "mask");
        double sum = 0;
        int count = 0;
        for (int i = 0; i < map.length; i++) {
            for (int j = 0; j < map[0].length; j++) {
                if (mask[i + RADIUS][j + RADIUS] > 0.5) {
                    sum += map[i][j];
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("mask contains no valid window centre (pixels at least "
                    + RADIUS + " from the border with mask > 0.5)");
        }
        return sum / count;
    }

    /** Masked SSIM averaged over channels ({@code [c][h][w]}), one mask shared by all channels. */
    public static double maskedChannels(double[][][] a, double[][][] b, double[][] mask, double dataRange) {
        if (a == null || b == null || a.length == 0) {
            throw new IllegalArgumentException("a and b must have at least one channel");
        }
        if (a.length != b.length) {
            throw new IllegalArgumentException("a and b differ in channel count: " + a.length + " vs " + b.length);
        }
        double sum = 0;
        for (int c = 0; c < a.length; c++) sum += masked(a[c], b[c], mask, dataRange);
        return sum / a.length;
    }

    /** The SSIM map over 'valid' positions, size (H−10)×(W−10). */
    public static double[][] map(double[][] a, double[][] b, double dataRange) {
        Checks.sameShape(a, b, "a", "b");
        Checks.dataRange(dataRange);
        int h = a.length;
        int w = a[0].length;
        int win = 2 * RADIUS + 1;
        if (h < win || w < win) {
            throw new IllegalArgumentException("images must be at least " + win + "x" + win + " for the "
                    + win + "-tap window, got " + h + "x" + w);
        }
        double[][] xx = new double[h][w];
        double[][] yy = new double[h][w];
        double[][] xy = new double[h][w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                xx[i][j] = a[i][j] * a[i][j];
                yy[i][j] = b[i][j] * b[i][j];
                xy[i][j] = a[i][j] * b[i][j];
            }
        }
        double[][] ux = filterValid(a);
        double[][] uy = filterValid(b);
        double[][] uxx = filterValid(xx);
        double[][] uyy = filterValid(yy);
        double[][] uxy = filterValid(xy);
        double c1 = (K1 * dataRange) * (K1 * dataRange);
        double c2 = (K2 * dataRange) * (K2 * dataRange);
        int mh = h - 2 * RADIUS;
        int mw = w - 2 * RADIUS;
        double[][] s = new double[mh][mw];
        for (int i = 0; i < mh; i++) {
            for (int j = 0; j < mw; j++) {
                double mx = ux[i][j];
                double my = uy[i][j];
                double vx = uxx[i][j] - mx * mx;
                double vy = uyy[i][j] - my * my;
                double vxy = uxy[i][j] - mx * my;
                double a1 = 2 * mx * my + c1;
                double a2 = 2 * vxy + c2;
                double b1 = mx * mx + my * my + c1;
                double b2 = vx + vy + c2;
                s[i][j] = (a1 * a2) / (b1 * b2);
            }
        }
        return s;
    }

    /** Separable 'valid' correlation with the normalised 11-tap Gaussian. */
    private static double[][] filterValid(double[][] img) {
        int h = img.length;
        int w = img[0].length;
        int mw = w - 2 * RADIUS;
        int mh = h - 2 * RADIUS;
        double[][] tmp = new double[h][mw];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < mw; j++) {
                double acc = 0;
                for (int k = 0; k < KERNEL.length; k++) acc += KERNEL[k] * img[i][j + k];
                tmp[i][j] = acc;
            }
        }
        double[][] out = new double[mh][mw];
        for (int i = 0; i < mh; i++) {
            for (int j = 0; j < mw; j++) {
                double acc = 0;
                for (int k = 0; k < KERNEL.length; k++) acc += KERNEL[k] * tmp[i + k][j];
                out[i][j] = acc;
            }
        }
        return out;
    }

    private static double[] gaussianKernel() {
        double[] k = new double[2 * RADIUS + 1];
        double sum = 0;
        for (int i = -RADIUS; i <= RADIUS; i++) {
            k[i + RADIUS] = Math.exp(-0.5 * i * i / (SIGMA * SIGMA));
            sum += k[i + RADIUS];
        }
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        return k;
    }
}
