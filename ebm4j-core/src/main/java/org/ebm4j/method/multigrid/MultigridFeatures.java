package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.data.Batches;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.BlockResample;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.nn.Init;
import org.ebm4j.nn.Losses;
import org.ebm4j.nn.SpectralConv2d;
import org.ebm4j.nn.SpectralLinear;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learned features for classification (paper 004 §7.3, Table 2): the top-layer feature map of
 * every grid's net, each followed by a 3×3 stride-1 conv with 64 channels (+ ReLU), concatenated,
 * then one fully connected layer; only this head is trained, on a few labelled images. The
 * comparison is a supervised net of the same structure (the grid nets and the same head) trained
 * end to end on the same labels.
 */
public final class MultigridFeatures {
    /** Channels of the 3×3 conv after each feature map (the paper: 64). */
    static final int HEAD_CHANNELS = 64;

    private MultigridFeatures() {}

    /**
     * Classification settings, validated when made.
     *
     * @param labels      labelled training images (≥ 1)
     * @param epochs      classifier epochs (≥ 1)
     * @param batch       images per step (≥ 1)
     * @param lr          Adam learning rate (&gt; 0)
     * @param weightDecay L2 weight decay (≥ 0)
     * @param seed        seed of the subset, the initialisation and the batch order
     * @param standardize standardise every feature channel by its mean and sd over the labelled
     *                    images before the head (see {@link #standardize}); chosen on validation
     *                    images, see {@link #validationSplit}
     */
    public record Settings(int labels, int epochs, int batch, double lr, double weightDecay, long seed,
                           boolean standardize) {
        public Settings {
            require(labels >= 1, "labels must be >= 1, got " + labels);
            require(epochs >= 1, "epochs must be >= 1, got " + epochs);
            require(batch >= 1, "batch must be >= 1, got " + batch);
            require(lr > 0 && Double.isFinite(lr), "lr must be > 0, got " + lr);
            require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new EbmException("invalid feature-evaluation setting: " + message);
            }
        }

        /** Settings with standardised features. */
        public Settings(int labels, int epochs, int batch, double lr, double weightDecay, long seed) {
            this(labels, epochs, batch, lr, weightDecay, seed, true);
        }

        /** The paper-style defaults: 60 epochs, batches of 100, Adam 1e-3, weight decay 1e-4, standardised features. */
        public static Settings defaults(int labels, long seed) {
            return new Settings(labels, 60, 100, 1e-3, 1e-4, seed, true);
        }

        /** The same settings with another number of epochs. */
        public Settings withEpochs(int e) {
            return new Settings(labels, e, batch, lr, weightDecay, seed, standardize);
        }

        /** The same settings with or without standardised features. */
        public Settings withStandardize(boolean on) {
            return new Settings(labels, epochs, batch, lr, weightDecay, seed, on);
        }
    }

    /** Test error of the frozen-feature classifier and of the supervised comparison. */
    public record Result(int labels, int testImages, double testError, double trainError, Double supervisedTestError,
                         int featureDim, int epochs, boolean standardized) {
    }

    /**
     * The head: per grid a 3×3 conv to 64 channels (+ bias, ReLU), then FC over the concatenation;
     * Glorot-uniform weights (the TF code's default) and zero biases.
     */
    static final class Head implements AutoCloseable {
        final List<SpectralConv2d> convs = new ArrayList<>();
        final SpectralLinear fc;
        final int dim;
        private final NDManager m;

        Head(NDManager parent, List<long[]> featureShapes, int classes) {
            m = parent.newSubManager();
            int d = 0;
            for (long[] s : featureShapes) { // s = {C, h, w}
                SpectralConv2d c = new SpectralConv2d((int) s[0], HEAD_CHANNELS, 3, 1, 1, true, false,
                        Init.glorotUniform(), Init.ZEROS);
                // weight then bias, grid by grid, then the FC layer: the draw order of the hand-built head
                c.initialize(m, DataType.FLOAT32, new Shape(1, s[0], s[1], s[2]));
                convs.add(c);
                d += HEAD_CHANNELS * s[1] * s[2];
            }
            dim = d;
            fc = new SpectralLinear(d, classes, true, false, Init.glorotUniform(), Init.ZEROS);
            fc.initialize(m, DataType.FLOAT32, new Shape(1, d));
        }

        /** Conv weights, conv biases, FC weight, FC bias (the optimiser's order). */
        List<Parameter> parameters() {
            List<Parameter> out = new ArrayList<>();
            convs.forEach(c -> out.add(c.weight()));
            convs.forEach(c -> out.add(c.bias()));
            out.add(fc.weight());
            out.add(fc.bias());
            return out;
        }

        List<NDArray> params() {
            List<NDArray> out = new ArrayList<>();
            parameters().forEach(p -> out.add(p.getArray()));
            return out;
        }

        NDArray logits(List<NDArray> features) {
            List<NDArray> flat = new ArrayList<>();
            for (int i = 0; i < features.size(); i++) {
                NDArray f = features.get(i);
                NDArray c = convs.get(i).apply(f);
                flat.add(Activation.relu(c).reshape(f.getShape().get(0), -1));
            }
            NDArray cat = flat.size() == 1 ? flat.get(0) : NDArrays.concat(new NDList(flat), 1);
            return fc.apply(cat);
        }

        @Override
        public void close() {
            m.close();
        }
    }

    /** The grid inputs of a batch: the images block-averaged to each net's grid. */
    static List<NDArray> gridInputs(MultigridModel model, NDArray pixels) {
        List<NDArray> out = new ArrayList<>();
        for (int g : model.nets().keySet()) {
            out.add(BlockResample.down(pixels, model.config().imageSize() / g));
        }
        return out;
    }

    /** Frozen features of all images of a data set (BN on its running averages), per grid, kept on the host as arrays. */
    static List<NDArray> frozenFeatures(MultigridModel model, ImageDataset d, int[] idx, NDManager keep) {
        List<List<NDArray>> parts = new ArrayList<>();
        for (ConvEnergyNet net : model.nets().values()) {
            net.setBnMode(BatchNorm2d.Mode.RUNNING);
            net.setTrainable(false);
            parts.add(new ArrayList<>());
        }
        int b = 200;
        for (int i = 0; i < idx.length; i += b) {
            int[] part = java.util.Arrays.copyOfRange(idx, i, Math.min(idx.length, i + b));
            try (NDManager it = keep.newSubManager()) {
                NDArray x = model.toPixels(d.batch(it, part));
                List<NDArray> in = gridInputs(model, x);
                int k = 0;
                for (ConvEnergyNet net : model.nets().values()) {
                    NDArray f = net.features(in.get(k));
                    f.attach(keep);
                    parts.get(k++).add(f);
                }
            }
        }
        List<NDArray> out = new ArrayList<>();
        for (List<NDArray> p : parts) {
            out.add(p.size() == 1 ? p.get(0) : NDArrays.concat(new NDList(p), 0));
        }
        for (ConvEnergyNet net : model.nets().values()) {
            net.setBnMode(BatchNorm2d.Mode.BATCH);
        }
        return out;
    }

    /**
     * Trains the head on {@code labels} training images (a seeded subset, all classes mixed) on
     * frozen features and reports the test error; with {@code supervised}, also the same
     * structure trained end to end from a fresh initialisation on the same images.
     */
    public static Result evaluate(MultigridModel model, ImageDataset train, ImageDataset test, Settings s, boolean supervised) {
        if (!train.hasLabels() || !test.hasLabels()) {
            throw new EbmException("the data set has no labels; features need a labelled data set (fashion-mnist, mnist, or class sub-folders)");
        }
        if (s.labels() > train.size()) {
            throw new EbmException("--labels " + s.labels() + " is more than the " + train.size() + " training images available");
        }
        if (s.labels() < 10) {
            throw new EbmException("--labels must be at least 10, got " + s.labels());
        }
        int[] labeled = Batches.subset(train.size(), s.labels(), Seeds.derive(s.seed(), 1));
        int[] testIdx = new int[test.size()];
        for (int i = 0; i < testIdx.length; i++) {
            testIdx[i] = i;
        }
        int classes = Math.max(train.numClasses(), test.numClasses());
        try (NDManager m = model.manager().newSubManager()) {
            List<NDArray> trF = frozenFeatures(model, train, labeled, m);
            List<NDArray> teF = frozenFeatures(model, test, testIdx, m);
            if (s.standardize()) {
                standardize(trF, teF);
            }
            List<long[]> shapes = new ArrayList<>();
            for (NDArray f : trF) {
                shapes.add(new long[] {f.getShape().get(1), f.getShape().get(2), f.getShape().get(3)});
            }
            int[] yTr = train.labels(labeled);
            int[] yTe = test.labels();
            Torch.seed(Seeds.derive(s.seed(), 2));
            double testErr;
            double trainErr;
            int dim;
            try (Head head = new Head(m, shapes, classes)) {
                dim = head.dim;
                fitHead(head, trF, yTr, s, m);
                trainErr = error(head, trF, yTr, m);
                testErr = error(head, teF, yTe, m);
            }
            Double sup = supervised ? supervisedError(model.config(), train, test, labeled, s, classes, m) : null;
            return new Result(s.labels(), test.size(), testErr, trainErr, sup, dim, s.epochs(), s.standardize());
        }
    }

    /**
     * Splits a labelled training set for choosing the classifier's settings without the test images:
     * {@code n} validation images (a seeded subset) and the rest, the pool {@link #evaluate} draws its
     * labelled images from. The two parts share no image, so a setting chosen on the validation
     * error never saw the test split. The energy nets were trained without labels, possibly on some of
     * the validation images (a run that held images out with valHoldout should use those instead).
     *
     * @return {pool, validation}
     */
    public static ImageDataset[] validationSplit(ImageDataset train, int n, long seed) {
        int[][] idx = validationIndices(train.size(), n, seed);
        return new ImageDataset[] {train.subset(idx[0]), train.subset(idx[1])};
    }

    /** {rest, validation} indices of {@link #validationSplit}, both ascending. */
    static int[][] validationIndices(int size, int n, long seed) {
        if (n < 1 || n >= size) {
            throw new EbmException("validation images must be between 1 and " + (size - 1) + " (the training split has "
                    + size + "), got " + n);
        }
        int[] val = Batches.subset(size, n, Seeds.derive(seed, 3));
        int[] rest = Batches.complement(size, val);
        return new int[][] {rest, val};
    }

    /**
     * Standardises every feature channel by its mean and sd over the labelled images (in place,
     * test features with the training statistics): an energy net without BatchNorm has features of
     * arbitrary scale (f reaches hundreds), which a head trained for a few epochs otherwise
     * struggles with.
     */
    static void standardize(List<NDArray> train, List<NDArray> test) {
        for (int k = 0; k < train.size(); k++) {
            NDArray tr = train.get(k);
            long c = tr.getShape().get(1);
            try (NDArray perChannel = tr.transpose(1, 0, 2, 3).reshape(c, -1);
                 NDArray mu = perChannel.mean(new int[] {1}, true);          // [c, 1]
                 NDArray mean = mu.reshape(1, c, 1, 1);
                 NDArray centred = perChannel.sub(mu);
                 NDArray sd = centred.square().mean(new int[] {1}).sqrt().add(1e-6f).reshape(1, c, 1, 1)) {
                tr.subi(mean).divi(sd);
                test.get(k).subi(mean).divi(sd);
            }
        }
    }

    /** Trains the head on frozen features: epochs × (n / batch) Adam steps on the shared loop. */
    private static void fitHead(Head head, List<NDArray> feats, int[] y, Settings s, NDManager m) {
        List<Parameter> params = head.parameters();
        int n = y.length;
        int bs = Math.min(s.batch(), n);
        int perEpoch = n / bs;
        try (Adam adam = new Adam(m, params, LrSchedule.constant(s.lr()), 0.9, 0.999, 1e-8, s.weightDecay())) {
            int[][] perm = new int[1][];
            TrainingLoop.Step step = ctx -> {
                long it = ctx.index();
                int b = (int) (it % perEpoch);
                if (b == 0) {
                    perm[0] = Batches.permutation(n, s.seed(), it / perEpoch);
                }
                int[] idx = Batches.batch(perm[0], b, bs);
                NDManager scope = ctx.scope();
                NDArray ix = scope.create(idx);
                List<NDArray> fb = new ArrayList<>();
                for (NDArray f : feats) {
                    NDArray p = f.get(ix); // a result lands in its input's manager: move it into this step's
                    p.attach(scope);
                    fb.add(p);
                }
                int[] yb = select(y, idx);
                try (Gradients.Result g = Gradients.of(scope, params, () -> Losses.crossEntropy(head.logits(fb), yb))) {
                    ctx.requireFinite(g.loss(), "the feature head (lr " + s.lr() + ")");
                    adam.update(g.grads());
                }
            };
            runDetached(m, step, "feature head", (long) s.epochs() * perEpoch, it -> Seeds.derive(s.seed(), 2, it));
        }
    }

    /**
     * A classifier training without a run folder on the shared loop (STOP on a non-finite loss).
     * Nothing in these steps draws from libtorch (the batch order is the Java permutation), so the
     * loop's per-iteration re-seeding leaves the numbers as they were before the shared loop.
     */
    private static void runDetached(NDManager m, TrainingLoop.Step step, String task, long iterations,
                                    java.util.function.LongUnaryOperator seedKey) {
        try {
            TrainingLoop.builder(TrainingRun.detached(ProgressListener.NONE), m, step)
                    .task(task)
                    .iterations(0, iterations)
                    .seedKey(seedKey)
                    .build()
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a detached run writes no files
        }
    }

    private static double error(Head head, List<NDArray> feats, int[] y, NDManager m) {
        int wrong = 0;
        int n = y.length;
        for (int i = 0; i < n; i += 500) {
            try (NDManager it = m.newSubManager()) {
                List<NDArray> fb = new ArrayList<>();
                for (NDArray f : feats) {
                    NDArray p = f.get(i + ":" + Math.min(n, i + 500));
                    p.attach(it);
                    fb.add(p);
                }
                long[] pred = head.logits(fb).argMax(1).toLongArray();
                for (int k = 0; k < pred.length; k++) {
                    if (pred[k] != y[i + k]) {
                        wrong++;
                    }
                }
            }
        }
        return (double) wrong / n;
    }

    /** The same nets and head from a fresh initialisation, trained end to end on the labelled images only. */
    private static double supervisedError(MultigridConfig cfg, ImageDataset train, ImageDataset test, int[] labeled,
                                          Settings s, int classes, NDManager m) {
        Torch.seed(Seeds.derive(s.seed(), 3));
        try (MultigridModel fresh = new MultigridModel(m, cfg)) {
            List<long[]> shapes = new ArrayList<>();
            for (ConvEnergyNet net : fresh.nets().values()) {
                shapes.add(new long[] {net.featureChannels(), net.featureSize(), net.featureSize()});
            }
            try (Head head = new Head(m, shapes, classes)) {
                List<Parameter> params = new ArrayList<>();
                for (ConvEnergyNet net : fresh.nets().values()) {
                    params.addAll(net.trainableParameters());
                }
                params.addAll(head.parameters());
                int n = labeled.length;
                int bs = Math.min(s.batch(), n);
                int perEpoch = n / bs;
                for (ConvEnergyNet net : fresh.nets().values()) {
                    net.setTrainable(true);
                }
                try (Adam adam = new Adam(m, params, LrSchedule.constant(s.lr()), 0.9, 0.999, 1e-8, s.weightDecay())) {
                    int[][] perm = new int[1][];
                    TrainingLoop.Step step = ctx -> {
                        long it = ctx.index();
                        int b = (int) (it % perEpoch);
                        if (b == 0) { // epochs keyed 1000 + epoch: batch orders apart from the head's
                            perm[0] = Batches.permutation(n, s.seed(), 1000 + it / perEpoch);
                        }
                        int[] idx = select(labeled, Batches.batch(perm[0], b, bs));
                        NDManager scope = ctx.scope();
                        NDArray x = fresh.toPixels(train.batch(scope, idx));
                        int[] yb = train.labels(idx);
                        try (Gradients.Result g = Gradients.of(scope, params, () -> {
                            List<NDArray> in = gridInputs(fresh, x);
                            List<NDArray> feats = new ArrayList<>();
                            int k = 0;
                            for (ConvEnergyNet net : fresh.nets().values()) {
                                net.setBnMode(BatchNorm2d.Mode.BATCH_UPDATE);
                                feats.add(net.features(in.get(k++)));
                            }
                            return Losses.crossEntropy(head.logits(feats), yb);
                        })) {
                            ctx.requireFinite(g.loss(), "the supervised comparison (lr " + s.lr() + ")");
                            adam.update(g.grads());
                        }
                    };
                    runDetached(m, step, "supervised comparison", (long) s.epochs() * perEpoch,
                            it -> Seeds.derive(s.seed(), 3, it));
                }
                int[] testIdx = new int[test.size()];
                for (int i = 0; i < testIdx.length; i++) {
                    testIdx[i] = i;
                }
                List<NDArray> teF = frozenFeatures(fresh, test, testIdx, m);
                return error(head, teF, test.labels(), m);
            }
        }
    }

    private static int[] select(int[] a, int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = a[idx[i]];
        }
        return out;
    }

    public static Map<String, Object> toJson(Result r, String run) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("run", run);
        o.put("labels", r.labels());
        o.put("test_images", r.testImages());
        o.put("test_error", r.testError());
        o.put("train_error", r.trainError());
        o.put("supervised_test_error", r.supervisedTestError());
        o.put("feature_dim", r.featureDim());
        o.put("epochs", r.epochs());
        o.put("standardized", r.standardized());
        return o;
    }

}
