package org.ebm4j.method.multigrid;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.config.Choice;
import org.ebm4j.config.Choices;
import org.ebm4j.config.ConfigType;
import org.ebm4j.core.EbmException;
import org.ebm4j.nn.ConvEnergyNet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every setting of a multi-grid run (paper 004; methods.md §5); saved as the run's config.json.
 *
 * @param preset          the preset the values started from
 * @param method          mcd (multi-grid minimal CD), cd1, pcd or single-grid
 * @param data            data set spec (fashion-mnist, mnist or a folder)
 * @param imageSize       square side the images are resized to (the finest grid)
 * @param channels        1 (grey) or 3 (RGB)
 * @param trainLimit      seeded random subset of the training images (0 = all), drawn after valHoldout's images are removed
 * @param valHoldout      images of the training split held out of training, a seeded subset (not the
 *                        trainLimit draw) that {@code multigrid inpaint --split val} reads; 0 = train on
 *                        the whole split (the paper reports on the test split only). Choices such as
 *                        the number of Langevin steps can then be made without looking at test images
 * @param grids           grid sides from 1 up to imageSize, each a multiple of the previous one
 * @param nets            "paper" (paper §7.1 nets) or "code" (official TF code: finest net = four 5×5 s2 convs)
 * @param widthMult       multiplier of every conv's channel count (1 = the paper's widths)
 * @param leakyRelu       leaky ReLU 0.2 (TF code) instead of ReLU (paper)
 * @param init            weight init: xavier (TF code) or normal (N(0, 0.02), PyTorch port)
 * @param bnMomentum      weight of a new batch in BatchNorm's running averages
 * @param batchNorm       BatchNorm after every conv (paper, TF code); false = plain conv + ReLU
 * @param steps           Langevin steps per grid (mcd)
 * @param baselineSteps   Langevin steps of single-grid CD and PCD (the paper: 3 × 30 = 90)
 * @param cd1Steps        Langevin steps of CD-1 from the data
 * @param pcdChains       persistent CD's chains: "per-image" (the paper, after Tieleman 2008: one chain
 *                        per training image, started at the image itself and continued from where it
 *                        stopped at that image's next visit, once per epoch) or "batch" (one batch of
 *                        chains started from the first batch's up-scaled 1×1 images and advanced at
 *                        every iteration, whatever the batch; ebm4j's pcd before 2026-12-03). A
 *                        config.json without this setting was written before it existed and means batch
 * @param delta           Langevin step size δ of Eq. 8 (drift δ²/2, noise δ)
 * @param noise           whether the δ·U noise term is added (the TF code drops it)
 * @param referenceSigma  σ of the Gaussian reference p₀ in pixel units (≤ 0: uniform reference, no −Y/σ² term)
 * @param pixelRange      "unit": pixels in [−1, 1]; "uint8": pixels in [0, 255] as the TF code
 * @param clip            clip Langevin states to the pixel range
 * @param lr              Adam learning rate
 * @param lrEnd           final learning rate of the "logspace" schedule
 * @param lrSchedule      "constant" or "logspace" (log-linear decay from lr to lrEnd, stepped every 10 iterations)
 * @param beta1           Adam β1
 * @param beta2           Adam β2
 * @param weightDecay     coupled L2 weight decay (TF code 1e-4)
 * @param batchSize       images per iteration
 * @param epochs          passes over the training subset
 * @param inpaintTraining learn p(Y_M | Y_M̄): random square masks, only masked pixels move (paper §7.4)
 * @param maskSize        side of the random square mask (paper: 32 for 64-px images)
 * @param seed            base seed of every random draw
 * @param cadence         log interval, interval of sample-grid snapshots (imageEvery) and of checkpoints
 *                        (iterations, checkpointEvery ≥ 1; the end of each epoch always writes one)
 *
 * <p>Every value is checked when the record is made: an invalid config cannot exist, and the
 * message names the setting and its valid range. config.json files of ebm4j 0.1.0 (flat
 * logEvery/sampleEvery/checkpointEvery) still load.
 */
public record MultigridConfig(
        String preset, Method method, String data, int imageSize, int channels, int trainLimit, int valHoldout,
        int[] grids, Nets nets, double widthMult, boolean leakyRelu, Init init, double bnMomentum, boolean batchNorm,
        int steps, int baselineSteps, int cd1Steps, PcdChains pcdChains, double delta, boolean noise, double referenceSigma,
        PixelRange pixelRange, boolean clip,
        double lr, double lrEnd, Schedule lrSchedule, double beta1, double beta2, double weightDecay,
        int batchSize, int epochs, boolean inpaintTraining, int maskSize,
        long seed, Cadence cadence) {

    /** The labels of the methods. */
    public static final List<String> METHODS = List.of("mcd", "cd1", "pcd", "single-grid");

    /** The names {@link #preset} knows, in the order the help lists them. */
    public static final List<String> PRESETS = List.of("fast", "fast-nonoise", "fast-eq8", "long-eq8", "paper", "code");

    /** The JSON form (config.json's "config" object), also what --set and --config address. */
    public static final ConfigType<MultigridConfig> TYPE = new ConfigType<>(MultigridConfig.class, "multigrid",
            ConfigType.aliases("logEvery", "cadence.logEvery", "sampleEvery", "cadence.imageEvery",
                    "checkpointEvery", "cadence.checkpointEvery"));

    /** The training method. */
    public enum Method implements Choice {
        MCD,
        CD1,
        PCD,
        SINGLE_GRID;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static Method of(String s) {
            return Choices.parse(Method.class, "method", s);
        }
    }

    /** Persistent CD's chains: one per training image (the paper) or one batch advanced every iteration. */
    public enum PcdChains implements Choice {
        PER_IMAGE,
        BATCH;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static PcdChains of(String s) {
            return Choices.parse(PcdChains.class, "pcd chains", s);
        }
    }

    /** Which architecture the finest grid's net follows: the paper's §7.1 or the official TF code's. */
    public enum Nets implements Choice {
        PAPER,
        CODE;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static Nets of(String s) {
            return Choices.parse(Nets.class, "nets", s);
        }
    }

    /** Weight initialisation: Xavier (TF code) or N(0, 0.02) (PyTorch port). */
    public enum Init implements Choice {
        XAVIER,
        NORMAL;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static Init of(String s) {
            return Choices.parse(Init.class, "init", s);
        }
    }

    /** Pixel scale of the chains: [−1, 1] (unit) or [0, 255] (uint8, the TF code). */
    public enum PixelRange implements Choice {
        UNIT,
        UINT8;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static PixelRange of(String s) {
            return Choices.parse(PixelRange.class, "pixel range", s);
        }
    }

    /** Learning-rate schedule: constant, or log-linear from lr to lrEnd stepped every 10 iterations. */
    public enum Schedule implements Choice {
        CONSTANT,
        LOGSPACE;

        /** The label, so string concatenation prints what config.json holds. */
        @Override
        public String toString() {
            return label();
        }

        /** Parses a label; the message lists the valid ones. */
        @JsonCreator
        public static Schedule of(String s) {
            return Choices.parse(Schedule.class, "lr schedule", s);
        }
    }

    /** Validates every value; the message names the setting and what is allowed. */
    public MultigridConfig {
        require(method != null, "method is missing; use one of: " + Choices.labels(Method.class));
        require(data != null && !data.isBlank(), "data is missing (fashion-mnist, mnist or a folder)");
        require(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
        require(trainLimit >= 0, "trainLimit must be >= 0 (0 = all), got " + trainLimit);
        require(valHoldout >= 0, "valHoldout must be >= 0 (0 = hold nothing out), got " + valHoldout);
        require(grids != null && grids.length >= 2 && grids[0] == 1, "grids must start at 1 and have at least two sizes, got "
                + Arrays.toString(grids));
        grids = grids.clone(); // the record owns its ladder
        for (int i = 1; i < grids.length; i++) {
            require(grids[i] > grids[i - 1] && grids[i] % grids[i - 1] == 0, "each grid must be a multiple of the previous one, got "
                    + Arrays.toString(grids));
        }
        require(grids[grids.length - 1] == imageSize, "image size " + imageSize + " is not reachable by the grids "
                + Arrays.toString(grids) + " (the last grid must equal the image size); e.g. use --image-size "
                + grids[grids.length - 1] + " or grids ending in " + imageSize);
        require(nets != null, "nets is missing; use one of: " + Choices.labels(Nets.class));
        require(widthMult > 0 && widthMult <= 4, "widthMult (--width) must be in (0, 4], got " + widthMult);
        require(init != null, "init is missing; use one of: " + Choices.labels(Init.class));
        require(bnMomentum >= 0 && bnMomentum <= 1, "bnMomentum must be in [0, 1], got " + bnMomentum);
        require(steps >= 0, "steps must be >= 0, got " + steps);
        require(baselineSteps >= 0, "baselineSteps must be >= 0, got " + baselineSteps);
        require(cd1Steps >= 0, "cd1Steps must be >= 0, got " + cd1Steps);
        if (pcdChains == null) { // a config.json of before the setting: pcd then kept one batch of chains
            pcdChains = PcdChains.BATCH;
        }
        require(delta > 0 && Double.isFinite(delta), "delta must be > 0, got " + delta);
        require(pixelRange != null, "pixelRange is missing; use one of: " + Choices.labels(PixelRange.class));
        require(lr > 0, "lr must be > 0, got " + lr);
        require(lrEnd > 0, "lrEnd must be > 0, got " + lrEnd);
        require(lrSchedule != null, "lrSchedule is missing; use one of: " + Choices.labels(Schedule.class));
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
        require(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        require(batchSize >= 2, "batchSize must be >= 2 (BatchNorm needs a batch), got " + batchSize);
        require(epochs >= 1, "epochs must be >= 1, got " + epochs);
        require(maskSize >= 1 && maskSize < imageSize, "maskSize must be in [1, image size " + imageSize + "), got " + maskSize);
        require(cadence != null, "cadence (logEvery, imageEvery, checkpointEvery) is missing");
        require(cadence.checkpointEvery() >= 1, "cadence.checkpointEvery must be >= 1, got " + cadence.checkpointEvery());
    }

    /** Reads the JSON form, current or ebm4j 0.1.0's flat one (used by Jackson for config.json). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MultigridConfig fromJson(JsonNode node) {
        return TYPE.read(node);
    }

    /** Log interval (iterations). */
    public int logEvery() {
        return cadence.logEvery();
    }

    /** Interval of sample-grid snapshots (iterations). */
    public int sampleEvery() {
        return cadence.imageEvery();
    }

    /** Interval of checkpoints (iterations). */
    public int checkpointEvery() {
        return cadence.checkpointEvery();
    }

    /** Equality by value, the grid ladder included (a record compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof MultigridConfig c && TYPE.toTree(this).equals(TYPE.toTree(c));
    }

    @Override
    public int hashCode() {
        return TYPE.toTree(this).hashCode();
    }

    @Override
    public String toString() {
        return "MultigridConfig" + TYPE.toTree(this);
    }

    /**
     * The paper's settings (§7.1): grids 1→4→16→64, its nets at full width, BN + ReLU, 30 steps
     * per grid, δ = 0.3 with the noise term and a Gaussian reference, 10,000 training images,
     * batch 100, lr 0.3 decayed log-linearly. The paper gives neither the pixel scale nor σ nor the
     * optimiser; this preset reads them as the official code's: pixels in [0, 255], σ = 50 (its
     * unused ref_sig flag), Adam β1 0.5.
     */
    public static MultigridConfig paper() {
        return new MultigridConfig("paper", Method.MCD, "fashion-mnist", 64, 1, 10000, 0,
                new int[] {1, 4, 16, 64}, Nets.PAPER, 1.0, false, Init.XAVIER, 0.1, true,
                30, 90, 1, PcdChains.PER_IMAGE, 0.3, true, 50.0, PixelRange.UINT8, false,
                0.3, 0.003, Schedule.LOGSPACE, 0.5, 0.999, 0.0,
                100, 100, false, 32, 1, new Cadence(10, 100, 500));
    }

    /**
     * The official TF code (ruiqigao/Multigrid_learning): 90 steps per grid, no noise, no
     * reference term, pixels in [0, 255] with clipping, leaky ReLU, Xavier init, Adam 0.3 β1 0.5
     * without decay, L2 weight decay 1e-4, the code's 64-px net, 700 epochs.
     */
    public static MultigridConfig code() {
        return new MultigridConfig("code", Method.MCD, "fashion-mnist", 64, 1, 10000, 0,
                new int[] {1, 4, 16, 64}, Nets.CODE, 1.0, true, Init.XAVIER, 0.1, true,
                90, 270, 1, PcdChains.PER_IMAGE, 0.3, false, 0.0, PixelRange.UINT8, true,
                0.3, 0.3, Schedule.CONSTANT, 0.5, 0.999, 1e-4,
                100, 700, false, 32, 1, new Cadence(10, 100, 500));
    }

    /**
     * A few minutes on 2 CPU cores: Fashion-MNIST at 32 px on grids 1→2→8→32 with the paper's nets
     * at a quarter of their width, 30 steps per grid (δ = 0.3, reference σ = 1), 3,000 images,
     * 4 epochs (120 iterations), pixels in [−1, 1] with clipping, no noise term, no BatchNorm and
     * Adam 0.001. At this budget the noise term of Eq. 8 (std 0.3 on a [−1, 1] scale) drowns the
     * drift, on the [0, 255] scale the chains barely move, and with batch-statistics BatchNorm the
     * nets separate data from samples without the chains following (docs/MULTIGRID.md).
     * {@link #fastEq8} keeps the noise term with δ = 0.02: it learns too, but with a worse
     * FID-FMNIST at this budget (443, and 339 after 150 iterations, against 315), so this preset
     * stays noiseless.
     */
    public static MultigridConfig fast() {
        return new MultigridConfig("fast", Method.MCD, "fashion-mnist", 32, 1, 3000, 0,
                new int[] {1, 2, 8, 32}, Nets.PAPER, 0.25, false, Init.XAVIER, 0.1, false,
                30, 90, 1, PcdChains.PER_IMAGE, 0.3, false, 1.0, PixelRange.UNIT, true,
                0.001, 0.001, Schedule.CONSTANT, 0.5, 0.999, 0.0,
                100, 4, false, 16, 1, new Cadence(5, 20, 20));
    }

    /**
     * The fast preset's values under a name that says what they are: gradient ascent on
     * f(Y) − ‖Y‖²/2σ² without Eq. 8's δ·U noise term, and no BatchNorm. Today {@link #fast} holds
     * exactly these values; this name keeps meaning them if {@code fast} changes (for instance to
     * put the noise term back), so a run can name the noiseless configuration explicitly.
     */
    public static MultigridConfig fastNoNoise() {
        return fast().toBuilder().preset("fast-nonoise").build();
    }

    /**
     * The fast budget with Eq. 8 as published: Y ← Y − (δ²/2)(Y/σ² − ∂f/∂Y) + δU, U ~ N(0, I),
     * i.e. {@link #fastNoNoise} with the noise term on and δ = 0.02 instead of 0.3 (σ = 1, no
     * BatchNorm, everything else equal). Why δ = 0.02: a chain of 30 steps accumulates noise of std
     * δ·√30 (1.6 at δ = 0.3, i.e. white noise on [−1, 1]; 0.11 at δ = 0.02) while its drift is
     * 30·(δ²/2)·∂f/∂Y, so a small δ needs a steep f, and the nets make f that steep as they learn:
     * after 120 iterations f at 32×32 was about 5,000 / 11,500 / 44,000 at δ = 0.1 / 0.05 / 0.02,
     * against about 800 without noise. At this budget all three drew clothing silhouettes from
     * scratch; 0.1 and 0.05 left salt-and-pepper noise on them, 0.02 gave the cleanest samples
     * (docs/MULTIGRID.md, "Eq. 8 with its noise term", has the sweep, its figure and FID-FMNIST).
     */
    public static MultigridConfig fastEq8() {
        return fast().toBuilder().preset("fast-eq8").noise(true).delta(0.02).referenceSigma(1.0).build();
    }

    /**
     * About 40 minutes on one CPU core: {@link #fastEq8}'s Eq. 8 (noise on, δ = 0.02, σ = 1) and nets,
     * trained on 10,000 images for 18 epochs (1,800 iterations, 15× fast-eq8's) with Adam's rate
     * decayed log-linearly from 1e-3 to 1e-4. Why the decay: f keeps growing with training at a
     * constant rate (a longer constant-rate run did not improve FID-FMNIST), and a decaying rate lets
     * the nets settle. Seed 1 halved fast-eq8's FID-FMNIST (204 against 406 ± 36) and drew
     * recognisable shoes, bags, trousers and pullovers (docs/MULTIGRID.md, "A longer Eq. 8 preset").
     */
    public static MultigridConfig longEq8() {
        return fastEq8().toBuilder().preset("long-eq8").trainLimit(10000).epochs(18)
                .lrSchedule(Schedule.LOGSPACE).lrEnd(1e-4).build();
    }

    /** The preset of that name (one of {@link #PRESETS}); an unknown name is refused with the valid ones. */
    public static MultigridConfig preset(String name) {
        return switch (name) {
            case "fast" -> fast();
            case "fast-nonoise" -> fastNoNoise();
            case "fast-eq8" -> fastEq8();
            case "long-eq8" -> longEq8();
            case "paper" -> paper();
            case "code" -> code();
            default -> throw new EbmException("unknown preset '" + name + "'; use one of: " + String.join(", ", PRESETS));
        };
    }

    /**
     * Kept for callers of ebm4j 0.1.0: the record is validated when it is made, so this returns it unchanged.
     *
     * @return this
     */
    public MultigridConfig validate() {
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new EbmException("invalid multigrid setting: " + message);
        }
    }

    /** Whether the method keeps one net per grid (mcd) or only the finest grid's net (the baselines). */
    public boolean multiGrid() {
        return method == Method.MCD;
    }

    /** The grid sides that have a net. */
    public int[] netGrids() {
        return multiGrid() ? Arrays.copyOfRange(grids, 1, grids.length) : new int[] {imageSize};
    }

    /** Pixel value of a [−1, 1] unit: 1 for "unit", 127.5 for "uint8" (x_uint8 = 127.5·(x + 1)). */
    public double pixelScale() {
        return pixelRange == PixelRange.UINT8 ? 127.5 : 1.0;
    }

    /**
     * The net of a grid side (paper §7.1, generalised to any ladder by the size class of the grid):
     * up to 4 px the paper's grid-1 net, up to 16 px its grid-2 net, above that its grid-3 net (or
     * the TF code's four 5×5 stride-2 convs).
     */
    public List<ConvEnergyNet.Layer> netSpec(int grid) {
        int[][] raw;
        if (grid <= 4) {
            raw = new int[][] {{96, 5, 2}, {128, 3, 1}, {256, 3, 1}};
        } else if (grid <= 16) {
            raw = new int[][] {{96, 5, 2}, {128, 3, 1}, {256, 3, 1}, {512, 3, 1}};
        } else if (nets == Nets.CODE) {
            raw = new int[][] {{64, 5, 2}, {128, 5, 2}, {256, 5, 2}, {512, 5, 2}};
        } else {
            raw = new int[][] {{96, 5, 2}, {128, 3, 2}, {256, 3, 1}};
        }
        List<ConvEnergyNet.Layer> out = new ArrayList<>();
        int side = grid;
        for (int[] l : raw) {
            if (side == 1 && l[2] == 2 && out.size() > 0) { // a stride-2 conv on a 1×1 map changes nothing; keep stride 1
                out.add(new ConvEnergyNet.Layer(width(l[0]), l[1], 1));
                continue;
            }
            out.add(new ConvEnergyNet.Layer(width(l[0]), l[1], l[2]));
            side = (side + 2 * (l[1] / 2) - l[1]) / l[2] + 1;
        }
        return out;
    }

    private int width(int c) {
        return Math.max(16, (int) Math.round(c * widthMult)); // narrower convs hit the libtorch 2.7.1 bug of SpectralConv2d#narrowConv
    }

    /** A mutable copy of every setting, for overrides: {@code cfg.toBuilder().lr(0.01).build()}. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.preset = preset;
        b.method = method;
        b.data = data;
        b.imageSize = imageSize;
        b.channels = channels;
        b.trainLimit = trainLimit;
        b.valHoldout = valHoldout;
        b.grids = grids;
        b.nets = nets;
        b.widthMult = widthMult;
        b.leakyRelu = leakyRelu;
        b.init = init;
        b.bnMomentum = bnMomentum;
        b.batchNorm = batchNorm;
        b.steps = steps;
        b.baselineSteps = baselineSteps;
        b.cd1Steps = cd1Steps;
        b.pcdChains = pcdChains;
        b.delta = delta;
        b.noise = noise;
        b.referenceSigma = referenceSigma;
        b.pixelRange = pixelRange;
        b.clip = clip;
        b.lr = lr;
        b.lrEnd = lrEnd;
        b.lrSchedule = lrSchedule;
        b.beta1 = beta1;
        b.beta2 = beta2;
        b.weightDecay = weightDecay;
        b.batchSize = batchSize;
        b.epochs = epochs;
        b.inpaintTraining = inpaintTraining;
        b.maskSize = maskSize;
        b.seed = seed;
        b.logEvery = cadence.logEvery();
        b.sampleEvery = cadence.imageEvery();
        b.checkpointEvery = cadence.checkpointEvery();
        return b;
    }

    /** Setters named like the record components (cadence flattened); {@link #build} makes and validates the record. */
    public static final class Builder {
        private String preset;
        private Method method;
        private String data;
        private int imageSize;
        private int channels;
        private int trainLimit;
        private int valHoldout;
        private int[] grids;
        private Nets nets;
        private double widthMult;
        private boolean leakyRelu;
        private Init init;
        private double bnMomentum;
        private boolean batchNorm;
        private int steps;
        private int baselineSteps;
        private int cd1Steps;
        private PcdChains pcdChains;
        private double delta;
        private boolean noise;
        private double referenceSigma;
        private PixelRange pixelRange;
        private boolean clip;
        private double lr;
        private double lrEnd;
        private Schedule lrSchedule;
        private double beta1;
        private double beta2;
        private double weightDecay;
        private int batchSize;
        private int epochs;
        private boolean inpaintTraining;
        private int maskSize;
        private long seed;
        private int logEvery;
        private int sampleEvery;
        private int checkpointEvery;

        public Builder preset(String v) {
            preset = v;
            return this;
        }

        public Builder method(Method v) {
            method = v;
            return this;
        }

        /** Sets method by its label; an unknown label is refused with the valid ones. */
        public Builder method(String v) {
            method = Method.of(v);
            return this;
        }

        public Builder data(String v) {
            data = v;
            return this;
        }

        public Builder imageSize(int v) {
            imageSize = v;
            return this;
        }

        public Builder channels(int v) {
            channels = v;
            return this;
        }

        public Builder trainLimit(int v) {
            trainLimit = v;
            return this;
        }

        public Builder valHoldout(int v) {
            valHoldout = v;
            return this;
        }

        public Builder grids(int[] v) {
            grids = v;
            return this;
        }

        public Builder nets(Nets v) {
            nets = v;
            return this;
        }

        /** Sets nets by its label; an unknown label is refused with the valid ones. */
        public Builder nets(String v) {
            nets = Nets.of(v);
            return this;
        }

        public Builder widthMult(double v) {
            widthMult = v;
            return this;
        }

        public Builder leakyRelu(boolean v) {
            leakyRelu = v;
            return this;
        }

        public Builder init(Init v) {
            init = v;
            return this;
        }

        /** Sets init by its label; an unknown label is refused with the valid ones. */
        public Builder init(String v) {
            init = Init.of(v);
            return this;
        }

        public Builder bnMomentum(double v) {
            bnMomentum = v;
            return this;
        }

        public Builder batchNorm(boolean v) {
            batchNorm = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder baselineSteps(int v) {
            baselineSteps = v;
            return this;
        }

        public Builder cd1Steps(int v) {
            cd1Steps = v;
            return this;
        }

        public Builder pcdChains(PcdChains v) {
            pcdChains = v;
            return this;
        }

        /** Sets pcdChains by its label (per-image or batch); an unknown label is refused with the valid ones. */
        public Builder pcdChains(String v) {
            pcdChains = PcdChains.of(v);
            return this;
        }

        public Builder delta(double v) {
            delta = v;
            return this;
        }

        public Builder noise(boolean v) {
            noise = v;
            return this;
        }

        public Builder referenceSigma(double v) {
            referenceSigma = v;
            return this;
        }

        public Builder pixelRange(PixelRange v) {
            pixelRange = v;
            return this;
        }

        /** Sets pixelRange by its label; an unknown label is refused with the valid ones. */
        public Builder pixelRange(String v) {
            pixelRange = PixelRange.of(v);
            return this;
        }

        public Builder clip(boolean v) {
            clip = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder lrEnd(double v) {
            lrEnd = v;
            return this;
        }

        public Builder lrSchedule(Schedule v) {
            lrSchedule = v;
            return this;
        }

        /** Sets lrSchedule by its label; an unknown label is refused with the valid ones. */
        public Builder lrSchedule(String v) {
            lrSchedule = Schedule.of(v);
            return this;
        }

        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }

        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder inpaintTraining(boolean v) {
            inpaintTraining = v;
            return this;
        }

        public Builder maskSize(int v) {
            maskSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder logEvery(int v) {
            logEvery = v;
            return this;
        }

        public Builder sampleEvery(int v) {
            sampleEvery = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        /**
         * Sets the image size with what follows from it: the default grid ladder
         * ({@link MultigridConfig#defaultGrids}) and a training mask of half the side (paper §7.4:
         * 32 for 64-px images). Set other grids or mask sizes after this call.
         */
        public Builder imageSizeWithDefaults(int size) {
            imageSize = size;
            grids = defaultGrids(size);
            maskSize = Math.max(1, size / 2);
            return this;
        }

        /**
         * Sets the Langevin steps per grid and gives the single-grid baselines the same total
         * (steps × (number of grids − 1), the paper's 3 × 30 = 90). Call after setting the grids.
         */
        public Builder stepsPerGrid(int v) {
            steps = v;
            baselineSteps = v * (grids.length - 1);
            return this;
        }

        /** Sets the learning rate and keeps the schedule's final rate lrEnd at or below it. */
        public Builder lrWithFloor(double v) {
            lr = v;
            lrEnd = Math.min(lrEnd, v);
            return this;
        }

        public MultigridConfig build() {
            return new MultigridConfig(preset, method, data, imageSize, channels, trainLimit, valHoldout, grids, nets, widthMult, leakyRelu, init, bnMomentum, batchNorm, steps, baselineSteps, cd1Steps, pcdChains, delta, noise, referenceSigma, pixelRange, clip, lr, lrEnd, lrSchedule, beta1, beta2, weightDecay, batchSize, epochs, inpaintTraining, maskSize, seed, new Cadence(logEvery, sampleEvery, checkpointEvery));
        }
    }

    /** Grids for an image size: the preset's ladder kept when it fits, else 1 → s/16 → s/4 → s (d = 4) where possible. */
    public static int[] defaultGrids(int size) {
        if (size % 16 == 0 && size >= 16) {
            return size / 16 == 1 ? new int[] {1, 4, 16} : new int[] {1, size / 16, size / 4, size};
        }
        if (size % 4 == 0) {
            return new int[] {1, size / 4, size};
        }
        return new int[] {1, size};
    }
}
