package org.ebm4j.method.dualmcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Torch;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.eval.ScoreFiles;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DualMcmcTest {
    @TempDir
    Path tmp;
    static int threadsBefore;

    /**
     * One libtorch thread, as the golden runs: with two, identical Dual-MCMC runs in one JVM were
     * seen to differ in the last bits (and a resumed run then differs from an uninterrupted one).
     */
    @org.junit.jupiter.api.BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        threadsBefore = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreThreads() {
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threadsBefore);
    }

    /** 24 grey 8×8 images: a bright vertical or horizontal bar on a dark background. */
    static ImageDataset bars() {
        int n = 24;
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int pos = r.nextInt(8);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = labels[i] == 0 ? x == pos : y == pos;
                    px[i * 64 + y * 8 + x] = (byte) (on ? 230 : 20 + r.nextInt(20));
                }
            }
        }
        return new ImageDataset("bars", 1, 8, 8, px, labels, List.of("vertical", "horizontal"));
    }

    /**
     * 8 px grey, nets of width 16, latent 4, batch 4 (6 iterations an epoch), short chains. Widths
     * stay >= 16: an EBM of width 8 gave input gradients that changed from run to run (narrow
     * convolutions in libtorch 2.7.1, see SpectralConv2d).
     */
    static DualMcmcConfig tiny() {
        DualMcmcConfig f = DualMcmcConfig.fast();
        DualMcmcConfig.Chains c = f.chains();
        return f.withData("bars", 8, 1).withTraining(0, 2, 4)
                .withNets(new DualMcmcConfig.Nets(DualMcmcConfig.Layout.CIFAR, 4, 16, 16, 16))
                .withChains(new DualMcmcConfig.Chains(3, c.xStepSize(), c.xNoise(), 2, c.zStepSize(), c.zNoise(),
                        c.sigma(), c.priorSigma(), c.zLikelihood(), true, 4, 0.4))
                .withCadence(new Cadence(1, 5, 3));
    }

    private static List<String> withoutTiming(Path log) throws Exception {
        return Files.readAllLines(log).stream()
                .map(l -> l.replaceAll("\"(ms_per_iter|images_per_s|ms_chains)\":[0-9.Ee+-]+,?", "")).toList();
    }

    @Test
    void trainingWritesConfigLogCheckpointAndImagesAndTheModelWorks() throws Exception {
        Path dir = tmp.resolve("run");
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(dir, false);
             DualMcmcModel model = DualMcmcTrainer.trainNew(run, tiny(), bars(), ProgressListener.NONE, m)) {
            assertThat(model.training()).isFalse();
            try (NDManager s = m.newSubManager()) {
                NDArray x = bars().batch(s, new int[] {0, 1, 2, 3});
                DualMcmcModel.Reconstruction r = model.reconstruct(x, 1, 3);
                assertThat(r.inference().getShape()).isEqualTo(x.getShape());
                NDArray missing = InpaintingMasks.fromHost(s, 4, 8, InpaintingMasks.paper("M30", 4, 8, 0));
                DualMcmcModel.Inpainting in = model.inpaint(x, missing, 2, 3, 3, 0.4);
                // observed pixels are the data's in every pipeline
                for (NDArray y : List.of(in.infGen(), in.withZ(), in.withZX())) {
                    float maxDiff = y.sub(x).mul(missing.mul(-1).add(1)).abs().max().getFloat();
                    assertThat(maxDiff).isLessThan(1e-6f);
                }
                assertThat(model.energy(x).getShape()).isEqualTo(new Shape(4));
                assertThat(model.interpolate(s, 2, 5, 0, true).getShape()).isEqualTo(new Shape(10, 1, 8, 8));
            }
            DualMcmcOutputs.writeSamples(model, tmp.resolve("samples"), 7, 3, 4, 0.4);
            DualMcmcOutputs.writePlots(run);
        }
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("checkpoints/latest.ckpt")).exists();
        assertThat(dir.resolve("images/syn_000000.png")).exists();
        assertThat(dir.resolve("images/rec_000005.png")).exists();
        assertThat(dir.resolve("plots/energy.png")).exists();
        assertThat(tmp.resolve("samples/side_by_side.png")).exists();
        assertThat(tmp.resolve("samples/revised/sample_006.png")).exists();
        List<JsonNode> rows = JsonlLog.read(dir.resolve("log.jsonl"));
        assertThat(rows).hasSize(12);
        assertThat(rows).allSatisfy(r -> {
            for (String k : List.of("loss_e", "loss_g", "loss_i", "e_pos", "e_neg", "rec_mse")) {
                assertThat(r.get(k).isNumber()).as(k + " in " + r).isTrue();
            }
        });
        // per-epoch exponential decay (γ 0.998), 6 iterations an epoch
        assertThat(rows.get(5).get("lr_e").asDouble()).isEqualTo(2e-4);
        assertThat(rows.get(6).get("lr_e").asDouble()).isCloseTo(2e-4 * 0.998, within(1e-12));
        // a loaded run is the trained model
        try (NDManager m = NDManager.newBaseManager(); DualMcmcModel loaded = DualMcmcRun.load(dir, m)) {
            assertThat(loaded.config()).isEqualTo(tiny());
        }
    }

    @Test
    void resumeAfterACrashEqualsAnUninterruptedRun() throws Exception {
        Path a = tmp.resolve("uninterrupted");
        Path b = tmp.resolve("crashed");
        try (NDManager m = NDManager.newBaseManager()) {
            try (RunFolder run = RunFolder.create(a, false)) {
                DualMcmcTrainer.trainNew(run, tiny(), bars(), ProgressListener.NONE, m).close();
            }
            ProgressListener crash = new ProgressListener() {
                @Override
                public void progress(long done, String status) {
                    if (done == 8) { // after the checkpoint at iteration 6 (epoch end), before the one at 9
                        throw new IllegalStateException("simulated crash");
                    }
                }
            };
            try (RunFolder run = RunFolder.create(b, false)) {
                assertThatThrownBy(() -> DualMcmcTrainer.trainNew(run, tiny(), bars(), crash, m))
                        .hasMessageContaining("simulated crash");
            }
            try (RunFolder run = RunFolder.openForWriting(b)) {
                new DualMcmcTrainer(tiny(), ProgressListener.NONE).train(run, bars(), m).close();
            }
        }
        org.ebm4j.train.CheckpointAssert.sameContent(b.resolve("checkpoints/latest.ckpt"), a.resolve("checkpoints/latest.ckpt"));
        assertThat(withoutTiming(b.resolve("log.jsonl"))).containsExactlyElementsOf(withoutTiming(a.resolve("log.jsonl")));
    }

    @Test
    void anInjectedNanIsRolledBackAndTrainingFinishesWithLowerLearningRates() throws Exception {
        Path dir = tmp.resolve("nan");
        AtomicBoolean fired = new AtomicBoolean();
        List<String> messages = new ArrayList<>();
        ProgressListener p = new ProgressListener() {
            @Override
            public void message(String s) {
                messages.add(s);
            }
        };
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(dir, false)) {
            new DualMcmcTrainer(tiny(), p).injectNanAt(it -> it == 4 && !fired.getAndSet(true))
                    .start(run, bars(), m).close();
        }
        assertThat(fired).isTrue();
        assertThat(messages).anySatisfy(s -> assertThat(s).contains("rolled back to iteration 3"));
        List<JsonNode> rows = JsonlLog.read(dir.resolve("log.jsonl"));
        assertThat(rows.stream().map(r -> r.get("iter").asLong()).toList())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        assertThat(rows).allSatisfy(r -> assertThat(Double.isFinite(r.get("loss_e").asDouble())).isTrue());
        assertThat(rows.get(2).get("lr_e").asDouble()).isEqualTo(2e-4);
        // iterations 3 and on ran again after the rollback, with halved rates
        assertThat(rows.get(3).get("lr_e").asDouble()).isEqualTo(1e-4);
    }

    @Test
    void theExplosionTestRollsBackInsteadOfAborting() throws Exception {
        // a threshold no run can meet: every iteration "explodes"; after maxRollbacks the run stops with the reason
        DualMcmcConfig c = tiny();
        DualMcmcConfig exploding = new DualMcmcConfig(c.preset(), c.data(), c.imageSize(), c.channels(), c.trainLimit(),
                c.epochs(), c.batchSize(), c.seed(), c.nets(), c.chains(), c.weights(), c.optim(), c.order(), 1e-12, 2,
                c.cadence());
        List<String> messages = new ArrayList<>();
        ProgressListener p = new ProgressListener() {
            @Override
            public void message(String s) {
                messages.add(s);
            }
        };
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("x"), false)) {
            assertThatThrownBy(() -> new DualMcmcTrainer(exploding, p).start(run, bars(), m))
                    .hasMessageContaining("exploded at iteration 0").hasMessageContaining("after 2 rollbacks");
        }
        assertThat(messages).filteredOn(s -> s.contains("rolled back")).hasSize(2);
    }

    @Test
    void thePaperOrderTrainsToo() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("p"), false)) {
            DualMcmcTrainer.trainNew(run, tiny().withOrder(DualMcmcConfig.Order.PAPER).withTraining(0, 1, 4), bars(),
                    ProgressListener.NONE, m).close();
        }
        assertThat(JsonlLog.read(tmp.resolve("p/log.jsonl"))).hasSize(6);
    }

    /**
     * T^z on a linear generator g(z) = Az + b with the textbook Gaussian likelihood samples the
     * posterior N(μ, Σ): Λ = AᵀA/σ² + I/σ_p², μ = Λ⁻¹Aᵀ(x − b)/σ². For the discretised chain
     * z ← z − c·Λ(z − μ) + nξ the stationary law is exactly N(μ, n²(2cΛ − c²Λ²)⁻¹).
     */
    @Test
    void latentChainOnALinearGeneratorReachesTheGaussianPosterior() {
        double sigma = 1.0;
        double sp = 1.0;
        double s = 0.3;
        double noise = 0.3; // T* = (n/s)² = 1
        float[][] a = {{1.0f, 0.5f}, {0.0f, 1.0f}, {0.5f, -0.5f}};
        float[] bias = {0.2f, -0.1f, 0.0f};
        float[] x = {1.0f, 0.5f, -0.5f};
        DualMcmcConfig.Chains c = new DualMcmcConfig.Chains(1, 0.5, 1e-3, 1, s, noise, sigma, sp,
                DualMcmcConfig.ZLikelihood.GAUSSIAN, true, 1, 0.4);
        int n = 4000;
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(11);
            NDArray at = m.create(new float[] {a[0][0], a[1][0], a[2][0], a[0][1], a[1][1], a[2][1]}, new Shape(2, 3));
            NDArray b = m.create(bias, new Shape(1, 3));
            NDArray xs = m.create(x, new Shape(1, 3)).repeat(0, n);
            NDArray z0 = m.zeros(new Shape(n, 2), DataType.FLOAT32);
            NDArray z = DualMcmcModel.reviseZ(zz -> zz.matMul(at).add(b), z0, xs, 400, null, c);
            double[] zm = z.mean(new int[] {0}).toType(DataType.FLOAT64, false).toDoubleArray();
            NDArray centred = z.sub(z.mean(new int[] {0}));
            double[] cov = centred.transpose().matMul(centred).div(n - 1).toType(DataType.FLOAT64, false).toDoubleArray();
            // Λ = AᵀA/σ² + I/σ_p²
            double[][] lam = new double[2][2];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    double v = 0;
                    for (int k = 0; k < 3; k++) {
                        v += a[k][i] * a[k][j];
                    }
                    lam[i][j] = v / (sigma * sigma) + (i == j ? 1 / (sp * sp) : 0);
                }
            }
            double[] rhs = new double[2];
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 3; k++) {
                    rhs[i] += a[k][i] * (x[k] - bias[k]) / (sigma * sigma);
                }
            }
            double[][] inv = inv2(lam);
            double[] mu = {inv[0][0] * rhs[0] + inv[0][1] * rhs[1], inv[1][0] * rhs[0] + inv[1][1] * rhs[1]};
            double cc = s * s / 2;
            double[][] mmat = new double[2][2]; // 2cΛ − c²Λ²
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    double l2 = lam[i][0] * lam[0][j] + lam[i][1] * lam[1][j];
                    mmat[i][j] = 2 * cc * lam[i][j] - cc * cc * l2;
                }
            }
            double[][] sig = inv2(mmat);
            assertThat(zm[0]).isCloseTo(mu[0], within(0.03));
            assertThat(zm[1]).isCloseTo(mu[1], within(0.03));
            assertThat(cov[0]).isCloseTo(noise * noise * sig[0][0], within(0.04 * noise * noise * sig[0][0] + 0.01));
            assertThat(cov[3]).isCloseTo(noise * noise * sig[1][1], within(0.04 * noise * noise * sig[1][1] + 0.01));
            assertThat(cov[1]).isCloseTo(noise * noise * sig[0][1], within(0.02));
            // and close to the exact posterior covariance Λ⁻¹ for this small step
            assertThat(cov[0]).isCloseTo(inv[0][0], within(0.1 * inv[0][0]));
        }
    }

    private static double[][] inv2(double[][] q) {
        double det = q[0][0] * q[1][1] - q[0][1] * q[1][0];
        return new double[][] {{q[1][1] / det, -q[0][1] / det}, {-q[1][0] / det, q[0][0] / det}};
    }

    /**
     * One noise-free step of the model's T^z equals z − ½s²(∇‖G(z) − x‖²/σ² + z/σ_p²), the official
     * sum-of-squares energy without ½, with the gradient of that expression (written out here)
     * taken by autograd on its own graph. (The generator's gradients themselves are checked against
     * float64 central differences in nn/BlocksGradientTest; in float32 with ReLU kinks, differences
     * of this net move by several per cent with the step h, so they are no check here.)
     */
    @Test
    void oneLatentStepIsTheOfficialUpdate() {
        DualMcmcConfig base = tiny();
        DualMcmcConfig.Chains c0 = base.chains();
        DualMcmcConfig.Chains c = new DualMcmcConfig.Chains(c0.xSteps(), c0.xStepSize(), c0.xNoise(), 1, 0.7, 0.0,
                0.3, 2.0, DualMcmcConfig.ZLikelihood.SUM_OF_SQUARES, true, 1, 0.4);
        try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = new DualMcmcModel(m, base.withChains(c))) {
            // BN on its running averages: each image's energy is a function of its own z alone
            model.generator().setBnMode(org.ebm4j.nn.BatchNorm2d.Mode.RUNNING);
            Torch.seed(3);
            NDArray z0 = m.randomNormal(new Shape(2, 4));
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 1, 8, 8));
            NDArray z1 = model.reviseZ(z0, x, 1, null);
            NDArray leaf = z0.duplicate();
            leaf.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                gc.backward(model.generate(leaf).sub(x).square().div(0.3 * 0.3)); // Σ‖G(z) − x‖²/σ², no ½
            }
            float[] g = leaf.getGradient().toFloatArray();
            float[] zv = z0.toFloatArray();
            float[] got = z1.toFloatArray();
            for (int i = 0; i < zv.length; i++) {
                double expected = zv[i] - 0.5 * 0.7 * 0.7 * (g[i] + zv[i] / 4.0);
                assertThat((double) got[i]).as("z[%d]", i).isCloseTo(expected, within(1e-5 + 1e-5 * Math.abs(expected)));
            }
            // the step moved: the test is not vacuous
            assertThat(z1.sub(z0).abs().max().getFloat()).isGreaterThan(0.1f);
        }
    }

    @Test
    void maskedChainsMoveOnlyMissingPixelsAndIgnoreHiddenOnes() {
        try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = new DualMcmcModel(m, tiny())) {
            Torch.seed(4);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 1, 8, 8));
            NDArray missing = InpaintingMasks.fromHost(m, 2, 8, InpaintingMasks.paper("R40", 2, 8, 9));
            NDArray y = model.reviseX(x, 5, 0.5, missing);
            NDArray visible = missing.mul(-1).add(1);
            assertThat(y.sub(x).mul(visible).abs().max().getFloat()).isEqualTo(0f);
            assertThat(y.sub(x).mul(missing).abs().max().getFloat()).isGreaterThan(0f);
            // T^z with a visibility mask does not see what the hidden pixels hold
            NDArray z0 = m.randomNormal(new Shape(2, 4));
            NDArray other = x.mul(visible).add(missing.mul(0.9f));
            Torch.seed(5);
            NDArray za = model.reviseZ(z0, x, 3, visible);
            Torch.seed(5);
            NDArray zb = model.reviseZ(z0, other, 3, visible);
            assertThat(za.sub(zb).abs().max().getFloat()).isEqualTo(0f);
        }
    }

    @Test
    void temperatureOfTheChainIsTheLossDivisor() {
        DualMcmcConfig p = DualMcmcConfig.paperCifar10();
        assertThat(p.chains().temperature()).isCloseTo(4e-6, within(1e-18));
        DualMcmcModel.class.getName(); // the chain uses LangevinStep.dualMcmc(s, n): its law's temperature is (n/s)²
        assertThat(org.ebm4j.sampling.LangevinStep.dualMcmc(0.5, 1e-3).stationaryTemperature())
                .isCloseTo(p.chains().temperature(), within(1e-18));
        assertThat(DualMcmcConfig.paperCeleba64().chains().temperature()).isCloseTo(1e-6 / 0.09, within(1e-15));
    }

    @Test
    void presetsHoldTheOfficialValuesAndNetShapes() {
        DualMcmcConfig p = DualMcmcConfig.preset("paper");
        assertThat(p.batchSize()).isEqualTo(100);
        assertThat(p.epochs()).isEqualTo(301);
        assertThat(p.weights()).isEqualTo(new DualMcmcConfig.Weights(1.0, 50.0, 0.1));
        assertThat(p.optim()).isEqualTo(new DualMcmcConfig.Optim(1e-4, 3e-4, 1e-4, 0.0, 0.9, 0.0, 5e-4, 5e-4, 0.998));
        assertThat(p.ebmConfig().widths()).containsExactly(org.ebm4j.nn.ResidualEbm.Config.dualMcmcCifar10(512).widths());
        assertThat(p.ebmConfig().down()).containsExactly(true, true, false, false);
        assertThat(p.generatorConfig().widths()).containsExactly(512, 512, 512, 512);
        assertThat(p.encoderConfig().widths()).containsExactly(128, 256, 512, 1024);
        assertThat(p.encoderConfig().firstKernel()).isEqualTo(3);
        DualMcmcConfig c = DualMcmcConfig.preset("celeba64");
        assertThat(c.ebmConfig().widths()).containsExactly(64, 128, 256, 512, 1024);
        assertThat(c.generatorConfig().widths()).containsExactly(1024, 512, 256, 128, 64);
        assertThat(c.generatorConfig().imageSize()).isEqualTo(64);
        assertThat(c.encoderConfig().firstKernel()).isEqualTo(4);
        assertThat(c.encoderConfig().bodySide()).isEqualTo(4);
        assertThat(c.chains().xStepSize()).isEqualTo(0.3);
        assertThat(c.weights().revision()).isEqualTo(70.0);
        assertThat(DualMcmcConfig.fast().encoderConfig().bodySide()).isEqualTo(4);
        // the JSON form round-trips
        assertThat(DualMcmcConfig.TYPE.read(DualMcmcConfig.TYPE.toTree(c))).isEqualTo(c);
        assertThatThrownBy(() -> DualMcmcConfig.preset("cifar")).hasMessageContaining("unknown preset 'cifar'");
    }

    @Test
    void invalidSettingsAreRefusedByName() {
        DualMcmcConfig f = DualMcmcConfig.fast();
        assertThatThrownBy(() -> f.withData("x", 24, 1)).isInstanceOf(EbmException.class).hasMessageContaining("imageSize");
        assertThatThrownBy(() -> f.withData("x", 32, 2)).hasMessageContaining("channels must be 1 or 3");
        assertThatThrownBy(() -> f.withTraining(0, 1, 1)).hasMessageContaining("batchSize");
        DualMcmcConfig.Chains c = f.chains();
        assertThatThrownBy(() -> new DualMcmcConfig.Chains(-1, c.xStepSize(), c.xNoise(), c.zSteps(), c.zStepSize(),
                c.zNoise(), c.sigma(), c.priorSigma(), c.zLikelihood(), true, 70, 0.4)).hasMessageContaining("chains.xSteps");
        assertThatThrownBy(() -> new DualMcmcConfig.Chains(1, c.xStepSize(), 0, c.zSteps(), c.zStepSize(),
                c.zNoise(), c.sigma(), c.priorSigma(), c.zLikelihood(), true, 70, 0.4)).hasMessageContaining("useTemperature");
        assertThatThrownBy(() -> DualMcmcConfig.Order.of("g-e-i")).hasMessageContaining("official, paper");
        assertThatThrownBy(() -> DualMcmcConfig.ZLikelihood.of("l1")).hasMessageContaining("sum-of-squares, gaussian");
        com.fasterxml.jackson.databind.node.ObjectNode t = DualMcmcConfig.TYPE.toTree(f);
        ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("chains")).put("zSteps", "ten");
        assertThatThrownBy(() -> DualMcmcConfig.TYPE.read(t)).hasMessageContaining("chains.zSteps");
        assertThatThrownBy(() -> DualMcmcTrainer.trainingData(DualMcmcConfig.paperCifar10()))
                .hasMessageContaining("pass --data");
    }

    @Test
    void tooFewImagesOrTheWrongShapeAreRefused() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("r"), false)) {
            assertThatThrownBy(() -> DualMcmcTrainer.trainNew(run, tiny().withTraining(0, 1, 32), bars(),
                    ProgressListener.NONE, m)).hasMessageContaining("fewer than one batch of 32");
            assertThatThrownBy(() -> DualMcmcTrainer.trainNew(run, tiny().withData("bars", 16, 1), bars(),
                    ProgressListener.NONE, m)).hasMessageContaining("expects 1x16x16");
        }
    }

    @Test
    void oneStepOutsideTheLoopUpdatesAllThreeNets() {
        try (NDManager m = NDManager.newBaseManager(); DualMcmcModel model = new DualMcmcModel(m, tiny())) {
            org.ebm4j.optim.Adam[] adams = DualMcmcTrainer.optimizers(model, 6);
            float[][] before = {
                org.ebm4j.nn.Nets.trainableParameters(model.ebm()).get(0).getArray().toFloatArray(),
                org.ebm4j.nn.Nets.trainableParameters(model.generator()).get(0).getArray().toFloatArray(),
                org.ebm4j.nn.Nets.trainableParameters(model.inference()).get(0).getArray().toFloatArray()};
            Torch.seed(1);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(4, 1, 8, 8));
            java.util.Map<String, Object> row = new DualMcmcTrainer(tiny(), null).step(model, adams, x, m, 0);
            assertThat(row).containsKeys("loss_e", "loss_g", "loss_i", "e_gap");
            assertThat(model.training()).isFalse();
            assertThat(org.ebm4j.nn.Nets.trainableParameters(model.ebm()).get(0).getArray().toFloatArray()).isNotEqualTo(before[0]);
            assertThat(org.ebm4j.nn.Nets.trainableParameters(model.generator()).get(0).getArray().toFloatArray()).isNotEqualTo(before[1]);
            assertThat(org.ebm4j.nn.Nets.trainableParameters(model.inference()).get(0).getArray().toFloatArray()).isNotEqualTo(before[2]);
            for (org.ebm4j.optim.Adam a : adams) {
                assertThat(a.step()).isEqualTo(1);
                a.close();
            }
        }
    }

    @Test
    void aRunFolderOfAnotherMethodIsRefusedByName() throws Exception {
        Path dir = tmp.resolve("other");
        try (RunFolder run = RunFolder.create(dir, false)) {
            Files.writeString(run.configFile(), "{\"method\":\"multigrid\"}");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> DualMcmcRun.load(dir, m))
                    .hasMessageContaining("is a multigrid run, not a dualmcmc run");
        }
    }

    @Test
    void paperMasksCoverTheirShare() {
        for (int pct : new int[] {20, 30, 40}) {
            float[] mm = InpaintingMasks.paper("M" + pct, 3, 32, 0);
            assertThat(InpaintingMasks.missingFraction(mm)).isCloseTo(pct / 100.0, within(0.02));
            float[] rr = InpaintingMasks.paper("r" + pct, 3, 32, 7);
            double f = InpaintingMasks.missingFraction(rr);
            assertThat(f).isGreaterThanOrEqualTo(pct / 100.0).isLessThan(pct / 100.0 + 16.0 / 1024 + 1e-9);
            assertThat(rr).isEqualTo(InpaintingMasks.paper("R" + pct, 3, 32, 7)); // seeded
        }
        assertThatThrownBy(() -> InpaintingMasks.paper("M0", 1, 8, 0)).hasMessageContaining("unknown mask 'M0'");
        assertThatThrownBy(() -> InpaintingMasks.paper("X20", 1, 8, 0)).hasMessageContaining("M20, M30, M40");
    }

    @Test
    void scoreFilesRoundTripAndRefuseNaN() throws Exception {
        Path f = tmp.resolve("s.csv");
        ScoreFiles.write(f, List.of("a", "b"), new double[] {1.5, -2});
        assertThat(ScoreFiles.read(f, null)).containsExactly(1.5, -2);
        assertThatThrownBy(() -> ScoreFiles.write(f, List.of("a"), new double[] {Double.NaN})).hasMessageContaining("NaN");
    }
}
