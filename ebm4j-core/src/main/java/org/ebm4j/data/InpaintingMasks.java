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

    /**
     * The inpainting masks of Dual-MCMC teaching (Cui, Han 2023, supplement 1.3): {@code M20},
     * {@code M30}, {@code M40} a centred square covering that share of the image (side
     * round(size·√p)); {@code R20}, {@code R30}, {@code R40} random blocks of side ≈ size/8 added
     * until that share of the pixels is missing. Names are case-insensitive; any percentage
     * 1–99 is accepted (M25, R50).
     *
     * @return host mask [b·size·size], 1 = missing
     */
    public static float[] paper(String name, int b, int size, long seed) {
        String n = name == null ? "" : name.trim().toUpperCase(java.util.Locale.ROOT);
        int pct = -1;
        if (n.length() >= 2 && (n.charAt(0) == 'M' || n.charAt(0) == 'R')) {
            try {
                pct = Integer.parseInt(n.substring(1));
            } catch (NumberFormatException e) {
                pct = -1;
            }
        }
        if (pct < 1 || pct > 99) {
            throw new EbmException("unknown mask '" + name + "'; use M20, M30, M40 (centre block covering that % of "
                    + "the image) or R20, R30, R40 (random blocks covering that % of the pixels); 1-99 %");
        }
        double p = pct / 100.0;
        if (n.charAt(0) == 'M') {
            int side = (int) Math.round(size * Math.sqrt(p));
            return centred(b, size, Math.max(1, Math.min(size, side)));
        }
        return randomBlocks(b, size, Math.max(1, size / 8), p, seed);
    }

    /** Random side×side blocks added to each image until at least the fraction p of it is missing. */
    public static float[] randomBlocks(int b, int size, int side, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[b * size * size];
        int need = (int) Math.ceil(p * size * size);
        for (int i = 0; i < b; i++) {
            int covered = 0;
            while (covered < need) {
                int y0 = r.nextInt(size - side + 1);
                int x0 = r.nextInt(size - side + 1);
                for (int y = y0; y < y0 + side; y++) {
                    for (int x = x0; x < x0 + side; x++) {
                        int k = (i * size + y) * size + x;
                        if (out[k] == 0f) {
                            out[k] = 1f;
                            covered++;
                        }
                    }
                }
            }
        }
        return out;
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
