package org.ebm4j.data;

import org.ebm4j.core.EbmException;
import org.ebm4j.core.Seeds;

/**
 * A seeded part of a data set's split held out of training (a validation set carved from the
 * training images), so that settings can be chosen on images the model never saw without touching
 * the test split. The held-out images are drawn with their own key, not by the {@code limit}
 * subset of {@link DataOptions}: a limit applies to what is left, and the held-out set stays the
 * same whatever the limit.
 *
 * @param size images held out; 0 = none
 * @param seed seed of which images (a run's seed)
 */
public record Holdout(int size, long seed) {
    /** Key of the held-out draw, so it differs from every other draw of the same seed ("val"). */
    private static final long KEY = 0x76616cL;

    public Holdout {
        if (size < 0) {
            throw new IllegalArgumentException("held-out size must be >= 0, got " + size);
        }
    }

    /** Nothing held out. */
    public static Holdout none() {
        return new Holdout(0, 0);
    }

    /** The held-out indices of a set of n images, sorted; refused unless some images are left. */
    public int[] held(int n) {
        requireLeft(n);
        return Batches.subset(n, size, Seeds.derive(seed, KEY));
    }

    /** The indices of a set of n images that are not held out, sorted. */
    public int[] rest(int n) {
        return Batches.complement(n, held(n));
    }

    private void requireLeft(int n) {
        if (size >= n) {
            throw new EbmException("cannot hold out " + size + " of " + n + " images: nothing would be left to train on; "
                    + "hold out fewer (valHoldout)");
        }
    }
}
