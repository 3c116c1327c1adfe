package org.ebm4j.image;

import java.util.List;
import java.util.Objects;

/** Tiles equally sized images into one grid image (like torchvision's {@code make_grid}). */
public final class Grid {
    /** Default gap between tiles, in pixels. */
    public static final int DEFAULT_PADDING = 2;

    /** Default gap colour: white in [-1, 1] terms. */
    public static final float DEFAULT_PAD_VALUE = 1f;

    private Grid() {}

    /** {@link #tile(List, int, int, float)} with ceil(sqrt(n)) columns and the default padding. */
    public static FloatImage tile(List<FloatImage> images) {
        return tile(images, 0, DEFAULT_PADDING, DEFAULT_PAD_VALUE);
    }

    /**
     * Lays the images out row by row. Every tile is surrounded by {@code paddingPx} pixels of {@code
     * padValue} (also at the outer border); unused cells of the last row are filled with {@code
     * padValue}.
     *
     * @param columns tiles per row; {@code <= 0} means ceil(sqrt(n)); capped at n
     * @throws IllegalArgumentException if the list is empty, or images differ in size or channels
     */
    public static FloatImage tile(
            List<FloatImage> images, int columns, int paddingPx, float padValue) {
        Objects.requireNonNull(images, "images");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to tile");
        }
        if (paddingPx < 0) {
            throw new IllegalArgumentException("paddingPx must be >= 0, got " + paddingPx);
        }
        FloatImage firstImg = Objects.requireNonNull(images.get(0), "images[0]");
        int c = firstImg.channels();
        int h = firstImg.height();
        int w = firstImg.width();
        for (int i = 1; i < images.size(); i++) {
            FloatImage im = Objects.requireNonNull(images.get(i), "images[" + i + "]");
            if (im.channels() != c || im.height() != h || im.width() != w) {
                throw new IllegalArgumentException("all images must have the same shape: images[0] is "
                        + c + "x" + h + "x" + w + " but images[" + i + "] is "
                        + im.channels() + "x" + im.height() + "x" + im.width());
            }
        }
        int n = images.size();
        int cols = columns > 0 ? Math.min(columns, n) : (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        long gwL = (long) cols * (w + paddingPx) + paddingPx;
        long ghL = (long) rows * (h + paddingPx) + paddingPx;
        if (c * gwL * ghL > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("grid too large: " + gwL + "x" + ghL);
        }
        int gw = (int) gwL;
        int gh = (int) ghL;
        float[] out = new float[c * gw * gh];
        java.util.Arrays.fill(out, padValue);
        for (int i = 0; i < n; i++) {
            float[] src = images.get(i).data();
            int x0 = (i % cols) * (w + paddingPx) + paddingPx;
            int y0 = (i / cols) * (h + paddingPx) + paddingPx;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(src, (ch * h + y) * w, out, (ch * gh + y0 + y) * gw + x0, w);
                }
            }
        }
        return new FloatImage(c, gh, gw, out);
    }

    /**
     * A reference image (e.g. the training image) followed by equally sized tiles: the reference
     * takes the top-left cell, the tiles fill {@code columns} cells to its right row by row, and the
     * cells under the reference stay blank. The reference and the tiles may differ in size (samples
     * at another width than the training image); each cell is as large as its content, a tile cell
     * as large as the tiles, the first column as wide as the reference. Unused area is {@code
     * padValue}.
     *
     * @param columns tile columns to the right of the reference; {@code <= 0} means
     *                ceil(sqrt(n)); capped at n
     * @throws IllegalArgumentException if there are no tiles, tiles differ in shape, or the
     *                                  reference has other channels
     */
    public static FloatImage withReference(FloatImage reference, List<FloatImage> tiles, int columns, int paddingPx,
                                           float padValue) {
        Objects.requireNonNull(reference, "reference");
        FloatImage grid = tile(tiles, columns, paddingPx, padValue);
        if (reference.channels() != grid.channels()) {
            throw new IllegalArgumentException("the reference has " + reference.channels() + " channels, the tiles "
                    + grid.channels());
        }
        int c = grid.channels();
        // the tile grid's own outer padding on its left side becomes the gap between reference and tiles
        int gw = paddingPx + reference.width() + grid.width();
        int gh = Math.max(grid.height(), reference.height() + 2 * paddingPx);
        float[] out = new float[c * gw * gh];
        java.util.Arrays.fill(out, padValue);
        int rw = reference.width();
        int rh = reference.height();
        int tx = paddingPx + rw;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < rh; y++) {
                System.arraycopy(reference.data(), (ch * rh + y) * rw, out, (ch * gh + paddingPx + y) * gw + paddingPx, rw);
            }
            for (int y = 0; y < grid.height(); y++) {
                System.arraycopy(grid.data(), (ch * grid.height() + y) * grid.width(), out, (ch * gh + y) * gw + tx,
                        grid.width());
            }
        }
        return new FloatImage(c, gh, gw, out);
    }
}
