package org.ebm4j.data;

import org.ebm4j.core.Seeds;

import java.util.SplittableRandom;

/** Seeded shuffles and batch index lists: epoch e of seed s is always the same permutation. */
public final class Batches {
    private Batches() {}

    /** A permutation of 0..n−1 keyed by (seed, epoch) (Fisher–Yates). */
    public static int[] permutation(int n, long seed, long epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Number of full batches of an epoch (the last partial batch is dropped, as the official code does). */
    public static int perEpoch(int n, int batchSize) {
        return n / batchSize;
    }

    /** Batch b of the permutation. */
    public static int[] batch(int[] perm, int b, int batchSize) {
        int[] out = new int[batchSize];
        System.arraycopy(perm, b * batchSize, out, 0, batchSize);
        return out;
    }

    /**
     * The indices of 0..n−1 that a sorted subset leaves out, ascending: the other part of a split
     * (training images vs held-out ones, labelled pool vs validation images).
     */
    public static int[] complement(int n, int[] sortedSubset) {
        int[] out = new int[n - sortedSubset.length];
        for (int i = 0, j = 0, k = 0; i < n; i++) {
            if (j < sortedSubset.length && sortedSubset[j] == i) {
                j++;
            } else {
                out[k++] = i;
            }
        }
        return out;
    }

    /** k distinct indices of 0..n−1 chosen with the seed, sorted (a reproducible random subset). */
    public static int[] subset(int n, int k, long seed) {
        int[] p = permutation(n, seed, -1);
        int[] out = java.util.Arrays.copyOf(p, Math.min(k, n));
        java.util.Arrays.sort(out);
        return out;
    }
}
