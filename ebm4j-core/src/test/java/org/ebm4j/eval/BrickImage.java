package org.ebm4j.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Loads metrics.md's {@code skimage_brick.png} (8-bit grayscale): the byte-identical copy bundled in examples/. */
final class BrickImage {
    static final Path PATH = Path.of("..", "examples", "skimage_brick.png"); // tests run in ebm4j-core/

    private BrickImage() {}

    /** Raw uint8 gray values as [row][col]; fails loudly if the bundled file is absent. */
    static double[][] load() throws IOException {
        if (!Files.isRegularFile(PATH)) {
            throw new IllegalStateException("bundled test image missing: " + PATH.toAbsolutePath());
        }
        BufferedImage img = ImageIO.read(PATH.toFile());
        double[][] out = new double[img.getHeight()][img.getWidth()];
        for (int r = 0; r < img.getHeight(); r++) {
            for (int c = 0; c < img.getWidth(); c++) out[r][c] = img.getRaster().getSample(c, r, 0);
        }
        return out;
    }

    static double[][] crop(double[][] img, int r0, int c0, int h, int w) {
        double[][] out = new double[h][w];
        for (int r = 0; r < h; r++) System.arraycopy(img[r0 + r], c0, out[r], 0, w);
        return out;
    }

    /** Mask with 1 in rows/cols [lo, hi] inclusive. */
    static double[][] squareMask(int h, int w, int lo, int hi) {
        double[][] m = new double[h][w];
        for (int r = lo; r <= hi; r++) for (int c = lo; c <= hi; c++) m[r][c] = 1;
        return m;
    }
}
