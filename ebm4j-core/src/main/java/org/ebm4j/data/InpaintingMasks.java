package org.ebm4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.EbmException;

import java.util.SplittableRandom;

/**
 * Missing-pixel masks for inpainting (paper 004 §7.4): float tensors [B, 1, H, W] with 1 where a
 * pixel is missing and 0 where it is observed. Every mask is a pure function of its seed.
 */
public final class InpaintingMasks {
    /** Kinds of test mask. */
    public static final java.util.List<String> KINDS = java.util.List.of("square", "random-square", "doodle", "pepper");

    private InpaintingMasks() {}

    /** A named mask kind: square (centred side×side), random-square, doodle (~25 %), pepper (~60 %). */
    public static NDArray of(String kind, NDManager m, int b, int size, int side, long seed) {
        return switch (kind) {
            case "square" -> fromHost(m, b, size, centred(b, size, side));
            case "random-square" -> fromHost(m, b, size, randomSquares(b, size, side, seed));
            case "doodle" -> fromHost(m, b, size, doodles(b, size, 0.25, seed));
            case "pepper" -> fromHost(m, b, size, pepper(b, size, 0.6, seed));
            default -> throw new EbmException("unknown mask '" + kind + "'; use one of " + String.join(", ", KINDS));
        };
    }

    /** A side×side square at a random position of each image (training masks). */
    public static float[] randomSquares(int b, int size, int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[b * size * size];
        for (int i = 0; i < b; i++) {
            int y0 = r.nextInt(size - side + 1);
            int x0 = r.nextInt(size - side + 1);
            fill(out, i, size, y0, x0, side);
        }
        return out;
    }

    /** The centred side×side square in every image (the test mask of the "mask" column). */
    public static float[] centred(int b, int size, int side) {
        float[] out = new float[b * size * size];
        int o = (size - side) / 2;
        for (int i = 0; i < b; i++) {
            fill(out, i, size, o, o, side);
        }
        return out;
    }

    /** Each pixel missing with probability p (pepper-and-salt, paper: ~60 %). */
    public static float[] pepper(int b, int size, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[b * size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.nextDouble() < p ? 1f : 0f;
        }
        return out;
    }

    /**
     * Free-hand strokes (random walks of a round brush of radius ≈ size/16) added until at least
     * the target fraction of each image is missing (doodle, paper: ~25 %).
     */
    public static float[] doodles(int b, int size, double target, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[b * size * size];
        int radius = Math.max(1, size / 16);
        for (int i = 0; i < b; i++) {
            int covered = 0;
            int need = (int) Math.ceil(target * size * size);
            while (covered < need) {
                double x = r.nextDouble() * size;
                double y = r.nextDouble() * size;
                double angle = r.nextDouble() * 2 * Math.PI;
                int len = size / 2 + r.nextInt(size);
                for (int s = 0; s < len && covered < need; s++) {
                    angle += (r.nextDouble() - 0.5) * 0.6; // a wobbly line, like a hand-drawn stroke
                    x = Math.max(0, Math.min(size - 1, x + Math.cos(angle)));
                    y = Math.max(0, Math.min(size - 1, y + Math.sin(angle)));
                    covered += disk(out, i, size, (int) Math.round(y), (int) Math.round(x), radius);
                }
            }
        }
        return out;
    }

    /** Fraction of missing pixels of a host mask. */
    public static double missingFraction(float[] mask) {
        double s = 0;
        for (float v : mask) {
            s += v;
        }
        return s / mask.length;
    }

    public static NDArray fromHost(NDManager m, int b, int size, float[] mask) {
        try (NDArray w = m.create(mask, new Shape(b, 1, size, size))) {
            return w.duplicate();
        }
    }

    private static void fill(float[] out, int i, int size, int y0, int x0, int side) {
        for (int y = y0; y < y0 + side; y++) {
            for (int x = x0; x < x0 + side; x++) {
                out[(i * size + y) * size + x] = 1f;
            }
        }
    }

    private static int disk(float[] out, int i, int size, int cy, int cx, int r) {
        int added = 0;
        for (int y = Math.max(0, cy - r); y <= Math.min(size - 1, cy + r); y++) {
            for (int x = Math.max(0, cx - r); x <= Math.min(size - 1, cx + r); x++) {
                if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) {
                    int k = (i * size + y) * size + x;
                    if (out[k] == 0f) {
                        out[k] = 1f;
                        added++;
                    }
                }
            }
        }
        return added;
    }
}
