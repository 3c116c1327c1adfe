package org.ebm4j.eval.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.Initializer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.data.Batches;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.Init;
import org.ebm4j.nn.Losses;
import org.ebm4j.nn.SpectralConv2d;
import org.ebm4j.nn.SpectralLinear;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.TensorFile;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

/**
 * The small CNN classifier whose penultimate activations are ebm4j's offline FID/KID features
 * (FID-FMNIST, FID-MNIST: <em>not</em> Inception features, so not comparable with published FIDs).
 *
 * <pre>  input 1×28×28 in [-1,1]
 *  conv 3×3 (1→32, pad 1) + ReLU, max-pool 2   → 32×14×14
 *  conv 3×3 (32→64, pad 1) + ReLU, max-pool 2  → 64×7×7
 *  FC 3136→128 + ReLU                           → the 128 features
 *  FC 128→10                                    → class logits</pre>
 *
 * Parameters start as PyTorch's defaults (U(±1/√fan_in) for weights and biases) drawn from
 * libtorch's generator seeded with the seed; training is Adam (β 0.9/0.999) with a cosine learning
 * rate from {@code lr} to 0 over all steps, batches from {@link Batches#permutation} (seed, epoch).
 * The weights are stored in ebm4j's tensor file format ({@link TensorFile}) with the training
 * record as metadata.
 */
public final class FeatureNet implements AutoCloseable {
    public static final String ARCH = "ebm4j-cnn28-v1";
    public static final int FEATURE_DIM = 128;
    public static final int SIZE = 28;
    private static final String[] NAMES = {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
    private static final int EVAL_BATCH = 500;

    /** How a net was trained, stored with its weights. */
    public record Meta(String arch, String dataset, long seed, int epochs, int batchSize, double lr, int classes,
                       double testAccuracy, double trainSeconds, int threads) {}

    /**
     * Training settings, validated when made.
     *
     * @param seed      seed of the initialisation and the batch order
     * @param epochs    passes over the training images (≥ 1)
     * @param batchSize images per step (≥ 1)
     * @param lr        Adam learning rate at the start of the cosine decay (&gt; 0)
     */
    public record TrainConfig(long seed, int epochs, int batchSize, double lr) {
        /** The JSON form, what --set and --config of {@code eval train-features} address. */
        public static final org.ebm4j.config.ConfigType<TrainConfig> TYPE =
                new org.ebm4j.config.ConfigType<>(TrainConfig.class, "train-features", Map.of());

        public TrainConfig {
            if (epochs < 1) {
                throw new IllegalArgumentException("invalid feature-net setting: epochs must be >= 1, got " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("invalid feature-net setting: batchSize must be >= 1, got " + batchSize);
            }
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new IllegalArgumentException("invalid feature-net setting: lr must be > 0, got " + lr);
            }
        }

        /** The defaults of {@code eval train-features}: seed 1, 4 epochs, batches of 128, lr 0.002. */
        public static TrainConfig defaults() {
            return new TrainConfig(1, 4, 128, 0.002);
        }
    }

    private final NDManager manager;
    private final SpectralConv2d conv1;
    private final SpectralConv2d conv2;
    private final SpectralLinear fc1;
    private final SpectralLinear fc2;
    /** conv1.weight … fc2.bias, the order of {@link #NAMES} (and of the optimiser's state). */
    private final List<Parameter> params;
    private final int classes;
    private Meta meta;

    /**
     * The four layers, initialised in the order of {@link #NAMES} by {@code init.apply(name, fanIn)}
     * (which draws the initial weights, or hands over loaded ones).
     */
    private FeatureNet(NDManager manager, int classes, Meta meta, BiFunction<String, Long, Initializer> init) {
        this.manager = manager;
        this.classes = classes;
        this.meta = meta;
        conv1 = new SpectralConv2d(1, 32, 3, 1, 1, true, false, init.apply(NAMES[0], 9L), init.apply(NAMES[1], 9L));
        conv2 = new SpectralConv2d(32, 64, 3, 1, 1, true, false, init.apply(NAMES[2], 32L * 9), init.apply(NAMES[3], 32L * 9));
        // a measuring instrument: its features must not depend on --compute
        conv1.setCompute(org.ebm4j.core.Compute.FP32);
        conv2.setCompute(org.ebm4j.core.Compute.FP32);
        fc1 = new SpectralLinear(64 * 7 * 7, FEATURE_DIM, true, false, init.apply(NAMES[4], 64L * 49),
                init.apply(NAMES[5], 64L * 49));
        fc2 = new SpectralLinear(FEATURE_DIM, classes, true, false, init.apply(NAMES[6], (long) FEATURE_DIM),
                init.apply(NAMES[7], (long) FEATURE_DIM));
        // weight then bias of each layer, layer by layer: the draw order of the original hand-built net
        conv1.initialize(manager, DataType.FLOAT32, new Shape(1, 1, SIZE, SIZE));
        conv2.initialize(manager, DataType.FLOAT32, new Shape(1, 32, SIZE / 2, SIZE / 2));
        fc1.initialize(manager, DataType.FLOAT32, new Shape(1, 64 * 7 * 7));
        fc2.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURE_DIM));
        params = List.of(conv1.weight(), conv1.bias(), conv2.weight(), conv2.bias(), fc1.weight(), fc1.bias(),
                fc2.weight(), fc2.bias());
        // the arrays record gradients only inside training steps (Gradients.of turns them on)
        for (Parameter p : params) {
            p.getArray().setRequiresGradient(false);
        }
    }

    /** A freshly initialised net with {@code classes} outputs (draws from libtorch's generator, seeded here). */
    public static FeatureNet init(NDManager parent, int classes, long seed) {
        Torch.seed(seed);
        NDManager m = parent.newSubManager();
        // PyTorch's defaults, U(±1/√fan_in) for weights and biases
        return new FeatureNet(m, classes, null, (name, fanIn) -> Init.torchDefault(fanIn));
    }

    public Meta meta() {
        return meta;
    }

    public int classes() {
        return classes;
    }

    /** {features [B,128], logits [B,classes]} of x [B,1,28,28] in [-1,1]. */
    NDList forward(NDArray x) {
        Shape two = new Shape(2, 2);
        Shape zero = new Shape(0, 0);
        NDArray h = conv1.apply(x);
        h = Pool.maxPool2d(Activation.relu(h), two, two, zero, false);
        h = conv2.apply(h);
        h = Pool.maxPool2d(Activation.relu(h), two, two, zero, false);
        h = h.reshape(h.getShape().get(0), 64 * 7 * 7);
        NDArray f = Activation.relu(fc1.apply(h));
        NDArray logits = fc2.apply(f);
        return new NDList(f, logits);
    }

    private static void checkInput(ImageDataset d) {
        if (d.channels() != 1 || d.height() != SIZE || d.width() != SIZE) {
            throw new EbmException("the feature net takes 1x28x28 images, got " + d.channels() + "x" + d.height() + "x"
                    + d.width() + " (" + d.name() + "); convert with prepare()");
        }
    }

    /** Grey (ITU-R 601 luma for RGB) and 28×28 (Pillow-exact bicubic, aspect not kept): the net's input. */
    public static ImageDataset prepare(ImageDataset d) {
        return d.withChannels(1).resized(SIZE);
    }

    /** The 128 penultimate (post-ReLU) activations of every image, in order. */
    public double[][] features(ImageDataset d) {
        checkInput(d);
        double[][] out = new double[d.size()][];
        {
            for (int s = 0; s < d.size(); s += EVAL_BATCH) {
                int e = Math.min(d.size(), s + EVAL_BATCH);
                try (NDManager bm = manager.newSubManager()) {
                    int[] idx = range(s, e);
                    NDArray f = forward(d.batch(bm, idx)).get(0);
                    float[] v = f.toFloatArray();
                    for (int i = 0; i < idx.length; i++) {
                        double[] row = new double[FEATURE_DIM];
                        for (int k = 0; k < FEATURE_DIM; k++) row[k] = v[i * FEATURE_DIM + k];
                        out[s + i] = row;
                    }
                }
            }
        }
        return out;
    }

    /** Fraction of correctly classified images of a labelled set. */
    public double accuracy(ImageDataset d) {
        checkInput(d);
        if (!d.hasLabels()) throw new EbmException(d.name() + " has no labels");
        long correct = 0;
        for (int s = 0; s < d.size(); s += EVAL_BATCH) {
            int e = Math.min(d.size(), s + EVAL_BATCH);
            try (NDManager bm = manager.newSubManager()) {
                int[] idx = range(s, e);
                NDArray logits = forward(d.batch(bm, idx)).get(1);
                long[] pred = logits.argMax(1).toLongArray();
                int[] lab = d.labels(idx);
                for (int i = 0; i < idx.length; i++) if (pred[i] == lab[i]) correct++;
            }
        }
        return (double) correct / d.size();
    }

    /**
     * Trains a new net on {@code train} and records its accuracy on {@code test}. Reproducible: the
     * same seed, data and libtorch thread count give the same weights. Runs on the shared
     * {@link TrainingLoop} (one iteration per batch, no run folder); progress counts batches and a
     * message per epoch reports the test accuracy.
     *
     * @throws org.ebm4j.train.DivergenceException when the loss becomes NaN or infinite (before the
     *         update that would spread it; the half-trained net is released)
     */
    public static FeatureNet train(ImageDataset train, ImageDataset test, String datasetName, TrainConfig cfg,
                                   ProgressListener progress, NDManager parent) {
        checkInput(train);
        checkInput(test);
        if (!train.hasLabels() || !test.hasLabels()) throw new EbmException("training the feature net needs labelled images");
        if (train.size() < cfg.batchSize()) {
            throw new EbmException("only " + train.size() + " training images for batches of " + cfg.batchSize());
        }
        int classes = Math.max(train.numClasses(), test.numClasses());
        long t0 = System.nanoTime();
        FeatureNet net = init(parent, classes, cfg.seed());
        int perEpoch = Batches.perEpoch(train.size(), cfg.batchSize());
        long total = (long) perEpoch * cfg.epochs();
        double lr0 = cfg.lr();
        try (Adam adam = new Adam(net.manager, net.params, s -> 0.5 * lr0 * (1 + Math.cos(Math.PI * s / total)), 0.9, 0.999, 1e-8, 0)) {
            int[][] perm = new int[1][];
            double[] runLoss = {Double.NaN};
            // one iteration = one batch: epoch it / perEpoch, batch it % perEpoch
            TrainingLoop.Step step = ctx -> {
                long it = ctx.index();
                int ep = (int) (it / perEpoch);
                int b = (int) (it % perEpoch);
                if (b == 0) {
                    perm[0] = Batches.permutation(train.size(), cfg.seed(), ep);
                }
                int[] idx = Batches.batch(perm[0], b, cfg.batchSize());
                NDManager bm = ctx.scope();
                NDArray x = train.batch(bm, idx);
                int[] lab = train.labels(idx);
                try (Gradients.Result g = Gradients.of(bm, net.params, () -> Losses.crossEntropy(net.forward(x).get(1), lab))) {
                    ctx.requireFinite(g.loss(), "feature-net training (lr " + lr0 + ")");
                    adam.update(g.grads());
                    runLoss[0] = Double.isNaN(runLoss[0]) ? g.loss() : 0.98 * runLoss[0] + 0.02 * g.loss();
                }
                ctx.status(String.format(java.util.Locale.ROOT, "epoch %d loss %.4f", ep + 1, runLoss[0]));
                if (b == perEpoch - 1) {
                    progress.message(String.format(java.util.Locale.ROOT, "epoch %d: loss %.4f, test accuracy %.4f",
                            ep + 1, runLoss[0], net.accuracy(test)));
                }
            };
            progress.start("train feature net on " + datasetName, total);
            // nothing in a step draws from libtorch (the batch order is the Java permutation), so the
            // loop's per-iteration re-seeding leaves the numbers as they were before the shared loop
            TrainingLoop.builder(TrainingRun.detached(progress), net.manager, step)
                    .task("feature-net training")
                    .iterations(0, total)
                    .seedKey(it -> Seeds.derive(cfg.seed(), it))
                    .build()
                    .run();
            progress.end();
        } catch (IOException e) {
            net.close();
            throw new java.io.UncheckedIOException(e); // a detached run writes no files; kept for the signature
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        double acc = net.accuracy(test);
        net.meta = new Meta(ARCH, datasetName, cfg.seed(), cfg.epochs(), cfg.batchSize(), cfg.lr(), classes, acc,
                (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors());
        return net;
    }

    /** Writes the weights and the training record (atomically). */
    public void save(Path file) throws IOException {
        LinkedHashMap<String, NDArray> t = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) t.put(NAMES[i], params.get(i).getArray());
        TensorFile.save(file, AtomicFiles.MAPPER.writeValueAsString(meta), t);
    }

    /** Loads a net written by {@link #save}; the architecture and every tensor shape are checked. */
    public static FeatureNet load(Path file, NDManager parent) throws IOException {
        if (!Files.isRegularFile(file)) throw new EbmException("feature net file " + file + " not found");
        NDManager m = parent.newSubManager();
        try {
            TensorFile.Loaded l = TensorFile.load(file, m);
            l.tensors().values().forEach(a -> a.attach(m));
            Meta meta;
            try {
                meta = l.metadata(Meta.class);
            } catch (IOException e) {
                throw new EbmException(file + " is an ebm4j tensor file but not a feature net (" + e.getMessage() + ")");
            }
            if (!ARCH.equals(meta.arch())) throw new EbmException(file + ": architecture " + meta.arch() + ", expected " + ARCH);
            long[][] want = {{32, 1, 3, 3}, {32}, {64, 32, 3, 3}, {64}, {FEATURE_DIM, 64 * 7 * 7}, {FEATURE_DIM},
                {meta.classes(), FEATURE_DIM}, {meta.classes()}};
            for (int i = 0; i < NAMES.length; i++) {
                NDArray a = l.tensors().get(NAMES[i]);
                if (a == null) throw new EbmException(file + ": tensor " + NAMES[i] + " missing");
                if (!a.getShape().equals(new Shape(want[i]))) {
                    throw new EbmException(file + ": tensor " + NAMES[i] + " has shape " + a.getShape());
                }
            }
            // the loaded tensors become the parameters as they are (no copy, no random draw)
            return new FeatureNet(m, meta.classes(), meta, (name, fanIn) -> (mm, shape, type) -> l.tensors().get(name));
        } catch (TensorFile.CorruptException e) {
            m.close();
            throw new EbmException(file + " is damaged: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The bundled nets: name → resource and its SHA-256 (checked at every load). */
    public static final Map<String, String[]> BUNDLED = Map.of(
            "fmnist", new String[] {"fmnist-v1.ebt", "a3dd2f60adf1f82133fbb23e42c073325d5762d2b604cb724751712e0293df5f"},
            "mnist", new String[] {"mnist-v1.ebt", "ff994aa6a47d4d77f8d3bf93ffb4b336c7e57d9b860fc5b4e39891be663fd087"});

    /** Loads a bundled net ("fmnist" or "mnist") after verifying its checksum. */
    public static FeatureNet loadBundled(String name, NDManager parent) throws IOException {
        String[] r = BUNDLED.get(name);
        if (r == null) throw new EbmException("no bundled feature net '" + name + "'; use fmnist, mnist or a file");
        byte[] bytes;
        try (InputStream in = FeatureNet.class.getResourceAsStream(r[0])) {
            if (in == null) throw new EbmException("bundled feature net " + r[0] + " is missing from the jar");
            bytes = in.readAllBytes();
        }
        return verified(r[0], bytes, r[1], parent);
    }

    /** Loads {@code bytes} after checking them against the expected SHA-256. */
    static FeatureNet verified(String name, byte[] bytes, String expectedSha, NDManager parent) throws IOException {
        String sha = sha256(bytes);
        if (!sha.equals(expectedSha)) {
            throw new EbmException("bundled feature net " + name + " fails its checksum (sha256 " + sha + ", expected "
                    + expectedSha + "); the jar is damaged");
        }
        Path tmp = Files.createTempFile("ebm4j-featurenet", ".ebt");
        try {
            Files.write(tmp, bytes);
            return load(tmp, parent);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] range(int s, int e) {
        int[] r = new int[e - s];
        for (int i = 0; i < r.length; i++) r[i] = s + i;
        return r;
    }

    @Override
    public void close() {
        manager.close();
    }
}
