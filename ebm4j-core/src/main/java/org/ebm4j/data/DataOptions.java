package org.ebm4j.data;

/**
 * How a data set is prepared when loaded.
 *
 * @param imageSize square side to resize every image to (bicubic); 0 = keep the native size
 * @param channels  1 (grey) or 3 (RGB); 0 = keep the native channels
 * @param limit     keep a seeded random subset of this many images; 0 = all
 * @param seed      seed of that subset
 */
public record DataOptions(int imageSize, int channels, int limit, long seed) {
    public DataOptions {
        if (imageSize < 0) {
            throw new IllegalArgumentException("image size must be >= 0, got " + imageSize);
        }
        if (channels != 0 && channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
    }

    public static DataOptions native_() {
        return new DataOptions(0, 0, 0, 0);
    }

    public DataOptions withLimit(int n) {
        return new DataOptions(imageSize, channels, n, seed);
    }
}
