package org.ebm4j.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;

/**
 * Evaluates a folder of generated images against the single training image with {@link PatchFd},
 * {@link SlicedWasserstein} and {@link Diversity} (defaults: 3 levels, 7×7 patches, ≤4096 patches per
 * level, 128 directions). See docs/METRICS.md.
 */
public final class SingleImageEval {
    /** What the numbers are (and are not). */
    public static final String NOTES = "raw 7x7 patch features, not Inception (SIFID)";

    private SingleImageEval() {}

    /**
     * The evaluation of one folder.
     *
     * @param fakes the fake files, sorted by name
     * @param diversity null when it could not be computed; then {@code diversitySkipped} says why
     */
    public record Report(Path real, List<Path> fakes, MeanStd patchFd, MeanStd swd, Double diversity,
                         String diversitySkipped, long seed) {
        public Report {
            fakes = List.copyOf(fakes);
        }
    }

    /**
     * All {@code *.png}, {@code *.jpg} and {@code *.jpeg} files (case-insensitive) directly in
     * {@code dir}, sorted by file name.
     *
     * @throws EbmException if {@code dir} is not a folder or holds no such file
     */
    public static List<Path> listFakes(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new EbmException("fake folder " + dir + " not found or not a folder; pass a folder of .png/.jpg samples");
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
            }).sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).forEach(out::add);
        } catch (IOException e) {
            throw new EbmException("cannot list fake folder " + dir + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new EbmException("fake folder " + dir + " holds no .png/.jpg images; point --fake at a folder of samples");
        }
        return out;
    }

    /**
     * Reads the real image and every fake in {@code fakeDir} and computes all three metrics.
     * Diversity is skipped (null, with the reason) for fewer than 2 fakes or fakes of different sizes.
     *
     * @throws IOException (an {@link org.ebm4j.image.ImageReadException}) if an image cannot be read
     * @throws EbmException for an empty or missing fake folder, or images too small for the metrics
     */
    public static Report evaluate(Path real, Path fakeDir, long seed) throws IOException {
        FloatImage r = ImageFiles.readRgb(real);
        List<Path> files = listFakes(fakeDir);
        List<FloatImage> fakes = new ArrayList<>(files.size());
        for (Path f : files) fakes.add(ImageFiles.readRgb(f));
        return evaluate(real, r, files, fakes, seed);
    }

    /** {@link #evaluate(Path, Path, long)} on images already in memory. */
    public static Report evaluate(Path realName, FloatImage real, List<Path> names, List<FloatImage> fakes, long seed) {
        MeanStd fd;
        MeanStd swd;
        try {
            fd = PatchFd.withSeed(seed).distances(real, fakes);
            swd = SlicedWasserstein.withSeed(seed).distances(real, fakes);
        } catch (IllegalArgumentException e) {
            throw new EbmException(e.getMessage(), e);
        }
        Double div = null;
        String skipped = null;
        if (fakes.size() < 2) {
            skipped = "needs at least 2 fakes";
        } else if (!sameSize(fakes)) {
            skipped = "fakes differ in size";
        } else {
            try {
                div = Diversity.of(real, fakes);
            } catch (IllegalArgumentException e) {
                skipped = e.getMessage();
            }
        }
        return new Report(realName, names, fd, swd, div, skipped, seed);
    }

    private static boolean sameSize(List<FloatImage> fakes) {
        FloatImage a = fakes.get(0);
        for (FloatImage f : fakes) {
            if (f.height() != a.height() || f.width() != a.width() || f.channels() != a.channels()) return false;
        }
        return true;
    }
}
