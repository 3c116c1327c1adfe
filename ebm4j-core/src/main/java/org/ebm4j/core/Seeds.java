package org.ebm4j.core;

/**
 * Counter-based seeds: every random draw of a run is keyed by (base seed, scale, iteration, ...),
 * so a run resumed from a checkpoint draws exactly the numbers an uninterrupted run would.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finaliser over the base seed and the keys; well mixed, cheap, stable forever. */
    public static long derive(long base, long... keys) {
        long h = mix(base ^ 0x9E3779B97F4A7C15L);
        for (long k : keys) {
            h = mix(h ^ (k + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2)));
        }
        return h;
    }

    /** A non-negative int seed (DJL's Engine.setRandomSeed takes an int). */
    public static int deriveInt(long base, long... keys) {
        return (int) (derive(base, keys) & 0x7FFFFFFFL);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
