package org.ebm4j.eval.features;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.ebm4j.core.EbmException;
import org.ebm4j.data.Batches;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.eval.FrechetDistance;
import org.ebm4j.eval.Kid;

/**
 * FID and KID on the features of a {@link FeatureNet} (FID-FMNIST / FID-MNIST), with the
 * real-vs-real floor next to every value.
 *
 * <ul>
 *   <li>Every image (real and fake) is converted to grey (ITU-R 601 luma) and resized to 28×28 with
 *       Pillow-exact bicubic (aspect ratio not kept) before the net sees it, so real and fake images
 *       of different sizes are compared at 28×28.
 *   <li>n images are used from each side: {@code n} if given (an error if either side has fewer),
 *       else min(#fake, #real); larger sets are cut to seeded random subsets of n.
 *   <li>FID needs n ≥ 128 (the feature dimension): below that the covariances are singular and FID
 *       is not reported (null, with the reason); KID is still reported.
 *   <li>KID: mean and std of the unbiased cubic-kernel MMD² over 100 subsets of min(1000, n).
 *   <li>floor: the same numbers for a seeded subset of n images of the <em>other</em> split of the
 *       real source (train when the real images are the test split) against the same real images. It
 *       needs a source with both splits (fashion-mnist, mnist, or a folder with train/ and test/).
 * </ul>
 */
public final class FidEval {
    public static final int KID_SUBSETS = 100;
    public static final int KID_SUBSET_SIZE = 1000;

    private FidEval() {}

    public record Scores(Double fid, String fidSkipped, double kid, double kidStd) {}

    public record Result(Scores value, Scores floor, String floorSkipped, int n, String extractor, String real,
                         String fake, int realAvailable, int fakeAvailable) {}

    /** FID/KID of the two feature sets (rows = images). */
    public static Scores scores(double[][] a, double[][] b, long seed) {
        int n = Math.min(a.length, b.length);
        if (n < 2) throw new EbmException("FID/KID need at least 2 images on each side, got " + a.length + " and " + b.length);
        int dim = a[0].length;
        Double fid = null;
        String skipped = null;
        if (Math.min(a.length, b.length) < dim + 1) {
            skipped = "n=" + n + " is not above the feature dimension " + dim
                    + ": the covariances are singular, FID would be biased; use --n " + (dim + 1) + " or more (2000+ advised)";
        } else {
            fid = FrechetDistance.ofFeatures(a, b);
        }
        Kid.Result k = Kid.of(a, b, KID_SUBSETS, Math.min(KID_SUBSET_SIZE, n), seed);
        return new Scores(fid, skipped, k.mean(), k.std());
    }

    /** Resolves "fmnist", "mnist" (bundled, checksum-verified) or a file written by {@link FeatureNet#save}. */
    public static FeatureNet extractor(String spec, NDManager m) throws IOException {
        if (FeatureNet.BUNDLED.containsKey(spec)) return FeatureNet.loadBundled(spec, m);
        Path p = Path.of(spec);
        if (!Files.isRegularFile(p)) {
            throw new EbmException("extractor '" + spec + "' is neither fmnist, mnist nor a feature-net file");
        }
        return FeatureNet.load(p, m);
    }

    /**
     * Scores a folder of fakes against a real source ({@code fashion-mnist[:test|:train]},
     * {@code mnist[...]} or a folder). {@code extractor} null picks mnist for MNIST, else fmnist.
     */
    public static Result evaluate(String realSpec, Path fakeDir, int n, String extractor, long seed, NDManager m)
            throws IOException {
        if (!Files.isDirectory(fakeDir)) throw new EbmException("fake folder " + fakeDir + " not found or not a folder");
        String base = realSpec.replaceFirst(":(train|test)$", "");
        boolean named = base.equalsIgnoreCase(Datasets.FASHION_MNIST) || base.equalsIgnoreCase(Datasets.MNIST);
        boolean hasSplits = named || Files.isDirectory(Path.of(base).resolve("train"));
        Datasets.Split split = realSpec.endsWith(":train") ? Datasets.Split.TRAIN
                : hasSplits ? Datasets.Split.TEST : Datasets.Split.TRAIN; // a plain folder is loaded whole
        if (extractor == null) {
            extractor = base.equalsIgnoreCase(Datasets.MNIST) && FeatureNet.BUNDLED.containsKey("mnist") ? "mnist" : "fmnist";
        }
        DataOptions prep = new DataOptions(FeatureNet.SIZE, 1, 0, 0);
        ImageDataset real = Datasets.load(base, split, prep);
        ImageDataset fake = Datasets.load(fakeDir.toString(), Datasets.Split.TRAIN, prep);
        int nn = n > 0 ? n : Math.min(real.size(), fake.size());
        if (nn > fake.size()) throw new EbmException("--n " + nn + " but " + fakeDir + " holds only " + fake.size() + " images");
        if (nn > real.size()) throw new EbmException("--n " + nn + " but " + real.name() + " holds only " + real.size() + " images");
        ImageDataset r = cut(real, nn, seed);
        ImageDataset f = cut(fake, nn, seed + 1);
        try (FeatureNet net = extractor(extractor, m)) {
            double[][] fr = net.features(r);
            double[][] ff = net.features(f);
            Scores value = scores(fr, ff, seed);
            Scores floor = null;
            String floorSkipped = null;
            if (hasSplits) {
                ImageDataset other = Datasets.load(base, split == Datasets.Split.TEST ? Datasets.Split.TRAIN : Datasets.Split.TEST, prep);
                if (other.size() >= nn) {
                    floor = scores(fr, net.features(cut(other, nn, seed + 2)), seed);
                } else {
                    floorSkipped = "the other split of " + base + " holds only " + other.size() + " images (< n=" + nn + ")";
                }
            } else {
                floorSkipped = base + " has no train/ and test/ sub-folders, so there is no second real set";
            }
            String name = name(extractor, net);
            return new Result(value, floor, floorSkipped, nn, name, real.name(), fakeDir.toString(), real.size(), fake.size());
        }
    }

    private static String name(String spec, FeatureNet net) {
        String metric = spec.equals("mnist") ? "FID-MNIST" : spec.equals("fmnist") ? "FID-FMNIST" : "FID-custom";
        FeatureNet.Meta meta = net.meta();
        return metric + " (" + (FeatureNet.BUNDLED.containsKey(spec) ? "bundled " + FeatureNet.BUNDLED.get(spec)[0] : spec)
                + ", " + FeatureNet.ARCH + " trained on " + meta.dataset() + String.format(Locale.ROOT, ", test accuracy %.4f", meta.testAccuracy())
                + "; not Inception)";
    }

    private static ImageDataset cut(ImageDataset d, int n, long seed) {
        return n >= d.size() ? d : d.subset(Batches.subset(d.size(), n, seed));
    }
}
