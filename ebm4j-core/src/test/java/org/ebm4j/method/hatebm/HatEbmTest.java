package org.ebm4j.method.hatebm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Torch;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Nets;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.WeightEma;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.ebm4j.sampling.PersistentBank;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HatEbmTest {
    @TempDir
    Path tmp;
    static int threadsBefore;

    /** One libtorch thread, as DualMcmcTest: bit-for-bit resume comparisons need it. */
    @BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        threadsBefore = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
    }

    @AfterAll
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

    /** 8 px grey, widths 16, latent 4, batch 4, bank 10 (→ 8), 3 residual steps, 10 iterations. */
    static HatEbmConfig tiny() {
        HatEbmConfig f = HatEbmConfig.fast();
        HatEbmConfig.Chains c = f.chains();
        return f.withData("bars", 8, 1).withTraining(0, 10, 4)
                .withNets(new HatEbmConfig.Nets(4, 16, 16, 2.0, HatEbmConfig.GenLayout.HAT))
                .withChains(new HatEbmConfig.Chains(3, c.epsilon(), c.temperature(), c.maxDisplacement(), 0, c.zEpsilon(),
                        4, 0.01, c.testTemperature(), true))
                .withTrain(new HatEbmConfig.Train(1e-3, 10, 1000, HatEbmConfig.GenTarget.HISTORICAL, true, 0))
                .withOptim(new HatEbmConfig.Optim(1e-3, 1e-3, 0.9, 0.999, "6", 0.1, 0, 0.9))
                .withCadence(new Cadence(1, 5, 3));
    }

    static HatEbmConfig tinyRefine() {
        HatEbmConfig t = tiny();
        return new HatEbmConfig("fast-refine", HatEbmConfig.Mode.REFINE, t.data(), 8, 1, 0, 6, 4, 7, "test",
                new HatEbmConfig.Nets(4, 16, 16, 2.0, HatEbmConfig.GenLayout.HAT),
                new HatEbmConfig.Chains(3, 1e-4, 1e-3, 2.5, 0.25, 5e-3, 4, 0, 1e-3, true),
                t.train(), t.optim(), 3, new Cadence(1, 5, 3));
    }

    private static List<String> withoutTiming(Path log) throws Exception {
        return Files.readAllLines(log).stream()
                .map(l -> l.replaceAll("\"(ms_per_iter|images_per_s|ms_chains)\":[0-9.Ee+-]+,?", "")).toList();
    }

    @Test
    void trainingWritesConfigLogCheckpointImagesAndTheModelSamples() throws Exception {
        Path dir = tmp.resolve("run");
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(dir, false);
             HatEbmModel model = HatEbmTrainer.trainNew(run, tiny(), bars(), ProgressListener.NONE, m)) {
            // App. E: the generator's BN stays in test mode through training; its statistics never move from 0/1
            assertThat(model.generator().bnMode()).isEqualTo(BatchNorm2d.Mode.RUNNING);
            int stats = 0;
            for (var e : model.generator().getParameters()) {
                if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) {
                    float want = e.getKey().endsWith("running_mean") ? 0f : 1f;
                    for (float v : e.getValue().getArray().toFloatArray()) {
                        assertThat(v).as(e.getKey()).isEqualTo(want);
                    }
                    stats++;
                }
            }
            assertThat(stats).isGreaterThanOrEqualTo(4);
            HatEbmOutputs.writeSamples(model, tmp.resolve("samples"), 7, 3, 4);
            HatEbmOutputs.writePlots(run);
        }
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("checkpoints/latest.ckpt")).exists();
        assertThat(dir.resolve("images/syn_000005.png")).exists();
        assertThat(dir.resolve("images/gen_000000.png")).exists();
        assertThat(dir.resolve("plots/energy.png")).exists();
        assertThat(tmp.resolve("samples/side_by_side.png")).exists();
        assertThat(tmp.resolve("samples/refined/sample_006.png")).exists();
        List<JsonNode> rows = JsonlLog.read(dir.resolve("log.jsonl"));
        assertThat(rows).hasSize(10);
        assertThat(rows).allSatisfy(r -> {
            for (String k : List.of("loss_e", "loss_g", "e_pos", "e_neg", "gen_mse", "residual_norm")) {
                assertThat(r.get(k).isNumber()).as(k + " in " + r).isTrue();
            }
        });
        // piecewise LR: × 0.1 from optimizer step 6
        assertThat(rows.get(5).get("lr_e").asDouble()).isEqualTo(1e-3);
        assertThat(rows.get(6).get("lr_e").asDouble()).isCloseTo(1e-4, within(1e-12));
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel raw = HatEbmRun.load(dir, m, false);
             HatEbmModel avg = HatEbmRun.load(dir, m, true)) {
            assertThat(raw.config()).isEqualTo(tiny());
            // the averages differ from the raw weights (decay 0.9 over 10 steps)
            NDArray a = Nets.trainableParameters(raw.ebm()).get(0).getArray();
            NDArray b = Nets.trainableParameters(avg.ebm()).get(0).getArray();
            assertThat(a.sub(b).abs().max().getFloat()).isGreaterThan(0f);
        }
    }

    @Test
    void resumeAfterACrashEqualsAnUninterruptedRun() throws Exception {
        Path a = tmp.resolve("uninterrupted");
        Path b = tmp.resolve("crashed");
        try (NDManager m = NDManager.newBaseManager()) {
            try (RunFolder run = RunFolder.create(a, false)) {
                HatEbmTrainer.trainNew(run, tiny(), bars(), ProgressListener.NONE, m).close();
            }
            ProgressListener crash = new ProgressListener() {
                @Override
                public void progress(long done, String status) {
                    if (done == 5) { // after the checkpoint at iteration 3, before the one at 6
                        throw new IllegalStateException("simulated crash");
                    }
                }
            };
            try (RunFolder run = RunFolder.create(b, false)) {
                assertThatThrownBy(() -> HatEbmTrainer.trainNew(run, tiny(), bars(), crash, m))
                        .hasMessageContaining("simulated crash");
            }
            try (RunFolder run = RunFolder.openForWriting(b); HatEbmModel model = new HatEbmModel(m, tiny())) {
                new HatEbmTrainer(tiny(), ProgressListener.NONE).train(run, bars(), model);
            }
        }
        org.ebm4j.train.CheckpointAssert.sameContent(b.resolve("checkpoints/latest.ckpt"), a.resolve("checkpoints/latest.ckpt"));
        assertThat(withoutTiming(b.resolve("log.jsonl"))).containsExactlyElementsOf(withoutTiming(a.resolve("log.jsonl")));
    }

    @Test
    void anInjectedNanIsRolledBackAndTrainingFinishes() throws Exception {
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
            new HatEbmTrainer(tiny(), p).injectNanAt(it -> it == 4 && !fired.getAndSet(true))
                    .start(run, bars(), null, m).close();
        }
        assertThat(fired).isTrue();
        assertThat(messages).anySatisfy(s -> assertThat(s).contains("rolled back to iteration 3"));
        List<JsonNode> rows = JsonlLog.read(dir.resolve("log.jsonl"));
        assertThat(rows.stream().map(r -> r.get("iter").asLong()).toList())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(rows).allSatisfy(r -> assertThat(Double.isFinite(r.get("loss_e").asDouble())).isTrue());
        assertThat(rows.get(2).get("lr_e").asDouble()).isEqualTo(1e-3);
        assertThat(rows.get(3).get("lr_e").asDouble()).isEqualTo(5e-4);
    }

    @Test
    void theEnergyGapExplosionTestRollsBackAndThenStops() throws Exception {
        // a threshold no run can meet: every iteration "explodes"; after maxRollbacks the run stops with the reason
        HatEbmConfig.Train t = tiny().train();
        HatEbmConfig c = tiny().withMaxRollbacks(2).withTrain(new HatEbmConfig.Train(t.dataEpsilon(), t.bankSize(),
                t.genLossFactor(), t.generatorTarget(), t.residual(), 1e-12));
        List<String> messages = new ArrayList<>();
        ProgressListener p = new ProgressListener() {
            @Override
            public void message(String s) {
                messages.add(s);
            }
        };
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("x"), false)) {
            assertThatThrownBy(() -> new HatEbmTrainer(c, p).start(run, bars(), null, m))
                    .hasMessageContaining("exploded at iteration 0").hasMessageContaining("after 2 rollbacks");
        }
        assertThat(messages).filteredOn(s -> s.contains("rolled back")).hasSize(2);
    }

    @Test
    void refineTrainsOnlyTheEbmOnJointSamplesOfAFrozenGenerator() throws Exception {
        Path src = tmp.resolve("src");
        Path dir = tmp.resolve("refine");
        try (NDManager m = NDManager.newBaseManager()) {
            try (RunFolder run = RunFolder.create(src, false)) {
                HatEbmTrainer.trainNew(run, tiny(), bars(), ProgressListener.NONE, m).close();
            }
            Map<String, NDArray> g = HatEbmRun.generatorTensors(src, m, false);
            float[] before = g.values().iterator().next().toFloatArray();
            try (RunFolder run = RunFolder.create(dir, false);
                 HatEbmModel model = new HatEbmTrainer(tinyRefine(), ProgressListener.NONE).start(run, bars(), g, m)) {
                float[] after = model.generator().getParameters().get(0).getValue().getArray().toFloatArray();
                assertThat(after).containsExactly(before);
                HatEbmOutputs.writeSamples(model, tmp.resolve("rs"), 5, 1, 3);
            }
            // a shape mismatch names the tensor and both shapes
            HatEbmConfig wide = tinyRefine().withNets(new HatEbmConfig.Nets(4, 16, 8, 2.0, HatEbmConfig.GenLayout.HAT));
            try (RunFolder run = RunFolder.create(tmp.resolve("bad"), false)) {
                assertThatThrownBy(() -> new HatEbmTrainer(wide, ProgressListener.NONE).start(run, bars(), g, m))
                        .isInstanceOf(EbmException.class).hasMessageContaining("has shape").hasMessageContaining("needs (");
            }
        }
        List<JsonNode> rows = JsonlLog.read(dir.resolve("log.jsonl"));
        assertThat(rows).hasSize(6).allSatisfy(r -> assertThat(r.has("loss_g")).isFalse());
        assertThat(tmp.resolve("rs/refined.png")).exists();
    }

    @Test
    void historicalTargetsAreTheDrawnBankPairsAndOnlyThoseAreOverwritten() {
        HatEbmConfig cfg = tiny();
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = new HatEbmModel(m, cfg)) {
            HatEbmTrainer t = new HatEbmTrainer(cfg, ProgressListener.NONE);
            Adam[] adams = HatEbmTrainer.optimizers(model);
            try (PersistentBank bank = t.newBank(m)) {
                assertThat(bank.capacity()).isEqualTo(8); // 10 rounded down to whole batches of 4
                t.fillBank(model, bank);
                float[] zBefore = bank.tensor("z").toFloatArray();
                float[] xBefore = bank.tensor("x").toFloatArray();
                int[] expected = t.bankIndices(bank, 2);
                assertThat(Arrays.stream(expected).distinct().count()).isEqualTo(4);
                // the generator loss the step reports is 1000·MSE of G (before its update) on those pairs
                double want;
                try (NDManager s = m.newSubManager()) {
                    Map<String, NDArray> pairs = bank.read(expected, s);
                    want = 1000 * model.generate(pairs.get("z")).sub(pairs.get("x")).square().mean().getFloat();
                }
                try (NDManager s = m.newSubManager()) {
                    Torch.seed(3);
                    NDArray x = bars().batch(s, new int[] {0, 1, 2, 3});
                    HatEbmTrainer.StepResult r = t.step(model, adams, bank, x, s, 2);
                    assertThat(r.bankIndices()).containsExactly(expected);
                    assertThat((double) r.row().get("loss_g")).isCloseTo(want, within(1e-3 * Math.abs(want)));
                }
                float[] zAfter = bank.tensor("z").toFloatArray();
                float[] xAfter = bank.tensor("x").toFloatArray();
                int zw = 4;
                int xw = 64;
                for (int i = 0; i < 8; i++) {
                    final int row = i;
                    boolean drawn = Arrays.stream(expected).anyMatch(k -> k == row);
                    boolean zSame = Arrays.equals(Arrays.copyOfRange(zAfter, i * zw, i * zw + zw),
                            Arrays.copyOfRange(zBefore, i * zw, i * zw + zw));
                    boolean xSame = Arrays.equals(Arrays.copyOfRange(xAfter, i * xw, i * xw + xw),
                            Arrays.copyOfRange(xBefore, i * xw, i * xw + xw));
                    assertThat(zSame).as("z of entry " + i).isEqualTo(!drawn);
                    assertThat(xSame).as("x of entry " + i).isEqualTo(!drawn);
                }
            }
            for (Adam a : adams) {
                a.close();
            }
        }
    }

    @Test
    void currentTargetsAreThisIterationsSamplesAndNoBankIsKept() {
        HatEbmConfig cfg = tiny().withTrain(new HatEbmConfig.Train(1e-3, 10, 1000, HatEbmConfig.GenTarget.CURRENT, true, 0));
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = new HatEbmModel(m, cfg)) {
            HatEbmTrainer t = new HatEbmTrainer(cfg, ProgressListener.NONE);
            assertThat(t.newBank(m)).isNull();
            Adam[] adams = HatEbmTrainer.optimizers(model);
            try (NDManager s = m.newSubManager()) {
                NDArray x = bars().batch(s, new int[] {0, 1, 2, 3});
                // replay the iteration's draws: data noise, z, then the chain (same seed)
                Torch.seed(9);
                NDArray noise = s.randomNormal(x.getShape());
                NDArray z = s.randomNormal(new Shape(4, 4));
                HatEbmModel.Negatives neg = model.negatives(z, s.zeros(x.getShape()), 3, cfg.chains().temperature(), true);
                double chainOnly = 1000 * neg.generated().sub(neg.x()).square().mean().getFloat();
                noise.close();
                Torch.seed(9);
                HatEbmTrainer.StepResult r = t.step(model, adams, null, x, s, 0);
                assertThat(r.bankIndices()).isNull();
                // the target is this iteration's X⁻ = G(Z) + Y_K, made before any update: the loss is 1000·mean(Y_K²)
                assertThat(chainOnly).isGreaterThan(0.0);
                assertThat((double) r.row().get("loss_g")).isCloseTo(chainOnly, within(chainOnly * 1e-4));
            }
            for (Adam a : adams) {
                a.close();
            }
        }
    }

    @Test
    void theNoResidualAblationSamplesLatentsAndRegressesOntoTheirImages() throws Exception {
        HatEbmConfig cfg = tiny().withTrain(new HatEbmConfig.Train(1e-3, 10, 1000, HatEbmConfig.GenTarget.HISTORICAL, false, 0));
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("nores"), false);
             HatEbmModel model = HatEbmTrainer.trainNew(run, cfg, bars(), ProgressListener.NONE, m)) {
            try (NDManager s = m.newSubManager()) {
                Torch.seed(1);
                NDArray z = s.randomNormal(new Shape(4, 4));
                Torch.seed(2);
                HatEbmModel.Negatives neg = model.negatives(z, s.zeros(new Shape(4, 1, 8, 8)), 3, 1e-8, true);
                Torch.seed(2);
                NDArray zk = model.latentChain(z, 3, 1e-8);
                // X⁻ = G(Z_K): a point of G's range reached by moving z, not G(Z) plus a free residual
                assertThat(zk.sub(z).abs().max().getFloat()).isGreaterThan(0f);
                assertThat(neg.x().sub(model.generate(zk)).abs().max().getFloat()).isLessThan(1e-6f);
            }
        }
        assertThat(JsonlLog.read(tmp.resolve("nores/log.jsonl"))).hasSize(10);
    }

    @Test
    void residualChainAtTemperatureTSamplesTheTemperedLaw() {
        // H(x) = ½‖x − μ‖² on 1×1×2 "images", G ≡ 0 ⇒ p(y) ∝ exp(−H/T) = N(μ, T·I): Eq. 6's drift ε²/2·∇H/T
        // with noise ε is Langevin at temperature T (the temperature trick); no clip for this test
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(4);
            int n = 4000;
            double t = 0.04;
            double eps = 0.05;
            NDArray mu = m.create(new float[] {0.5f, -0.3f}).reshape(1, 2, 1, 1);
            var part = org.ebm4j.sampling.ChainPart.energy("y", org.ebm4j.sampling.LangevinStep.hatEbm(eps, t));
            Map<String, NDArray> start = new LinkedHashMap<>();
            start.put("y", m.zeros(new Shape(n, 2, 1, 1)));
            NDArray y = org.ebm4j.sampling.LangevinChain.run(s -> s.get("y").sub(mu).square().mul(0.5f), start,
                    org.ebm4j.sampling.ChainConfig.of(1000, part)).get("y");
            float[] v = y.toFloatArray();
            double m0 = 0;
            double s0 = 0;
            for (int i = 0; i < n; i++) {
                m0 += v[2 * i];
            }
            m0 /= n;
            for (int i = 0; i < n; i++) {
                s0 += (v[2 * i] - m0) * (v[2 * i] - m0);
            }
            s0 /= n - 1;
            // step ε²/2·1/T = 0.03125: the discretised chain's variance is T/(1 − h/2) ≈ 1.016 T
            assertThat(m0).isCloseTo(0.5, within(0.02));
            assertThat(s0).isCloseTo(t / (1 - 0.03125 / 2), within(0.1 * t));
        }
    }

    @Test
    void jointSamplingOnALinearGeneratorAndQuadraticHatReachesTheJointGaussian() {
        // G(z) = a·z, H(x) = ½x², residual prior N(0, σ²): p(z, y) ∝ exp(−(az + y)²/(2T) − y²/(2σ²)), so
        // y ~ N(0, σ²) and z | y ~ N(−y/a, T/a²): Var y = σ², Cov(z, y) = −σ²/a, Var z = (σ² + T)/a².
        double a = 1.5;
        double t = 0.05;
        double sigma = 0.5;
        HatEbmConfig cfg = tinyRefine().withChains(new HatEbmConfig.Chains(3, 0.0707, t, 0, sigma, 0.141, 4, 0, t, false));
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = new HatEbmModel(m, cfg)) {
            Torch.seed(8);
            int n = 2000;
            Map<String, NDArray> start = new LinkedHashMap<>();
            start.put("z", m.zeros(new Shape(n, 1)));
            start.put("y", m.zeros(new Shape(n, 1)));
            Map<String, NDArray> out = org.ebm4j.sampling.LangevinChain.run(
                    s -> s.get("z").mul((float) a).add(s.get("y")).square().mul(0.5f), start,
                    org.ebm4j.sampling.ChainConfig.of(3000, model.latentPart(t), model.residualPart(t, false)));
            float[] z = out.get("z").toFloatArray();
            float[] y = out.get("y").toFloatArray();
            double mz = 0;
            double my = 0;
            for (int i = 0; i < n; i++) {
                mz += z[i] / n;
                my += y[i] / n;
            }
            double vz = 0;
            double vy = 0;
            double c = 0;
            for (int i = 0; i < n; i++) {
                vz += (z[i] - mz) * (z[i] - mz) / (n - 1);
                vy += (y[i] - my) * (y[i] - my) / (n - 1);
                c += (z[i] - mz) * (y[i] - my) / (n - 1);
            }
            assertThat(my).isCloseTo(0, within(0.05));
            assertThat(vy).isCloseTo(sigma * sigma, within(0.1 * sigma * sigma));
            assertThat(c).isCloseTo(-sigma * sigma / a, within(0.1 * sigma * sigma / a));
            assertThat(vz).isCloseTo((sigma * sigma + t) / (a * a), within(0.1 * (sigma * sigma + t) / (a * a)));
        }
    }

    @Test
    void theClipBoundsEveryDriftStepPerSample() {
        // a huge linear energy: the drift of each sample is exactly maxDisplacement when noise is off
        HatEbmConfig cfg = tiny();
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = new HatEbmModel(m, cfg)) {
            var part = model.residualPart(1e-8, true).withStep(org.ebm4j.sampling.LangevinStep.hatEbm(5e-4, 1e-8).withNoise(0));
            NDArray w = m.randomNormal(new Shape(1, 1, 8, 8));
            NDArray scale = m.create(new float[] {1e3f, 1f, 1e-3f, 1e-9f}).reshape(4, 1, 1, 1);
            Map<String, NDArray> start = new LinkedHashMap<>();
            start.put("y", m.zeros(new Shape(4, 1, 8, 8)));
            NDArray y = start.get("y");
            for (int k = 0; k < 3; k++) {
                Map<String, NDArray> st = Map.of("y", y);
                NDArray next = org.ebm4j.sampling.LangevinChain.run(s -> s.get("y").mul(w).mul(scale),
                        new LinkedHashMap<>(st), org.ebm4j.sampling.ChainConfig.of(1, part)).get("y");
                float[] d = next.sub(y).reshape(4, -1).norm(new int[] {1}).toFloatArray();
                assertThat(d[0]).isCloseTo(2.5f, within(1e-3f));
                assertThat(d[1]).isCloseTo(2.5f, within(1e-3f));
                for (float v : d) {
                    assertThat(v).isLessThanOrEqualTo(2.5f + 1e-4f);
                }
                // 1e-9·‖w‖·12.5 is far below the bound: unclipped
                assertThat(d[3]).isLessThan(1e-3f);
                y = next;
            }
        }
    }

    @Test
    void weightEmaFollowsItsFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(m.create(new float[] {1f, 2f}));
            try (WeightEma ema = new WeightEma(m, List.of(p), 0.9)) {
                p.getArray().set(new ai.djl.ndarray.index.NDIndex("..."), m.create(new float[] {3f, -2f}));
                ema.update(); // 0.9·(1, 2) + 0.1·(3, −2)
                assertThat(ema.average(0).toFloatArray()).containsExactly(new float[] {1.2f, 1.6f}, within(1e-6f));
                ema.update(); // 0.9·(1.2, 1.6) + 0.1·(3, −2)
                assertThat(ema.average(0).toFloatArray()).containsExactly(new float[] {1.38f, 1.24f}, within(1e-6f));
                ema.copyTo();
                assertThat(p.getArray().toFloatArray()).containsExactly(new float[] {1.38f, 1.24f}, within(1e-6f));
            }
        }
    }

    @Test
    void presetsHoldThePaperAndCodeValues() throws Exception {
        HatEbmConfig p = HatEbmConfig.preset("paper-cifar10");
        HatEbmConfig c = HatEbmConfig.preset("code-cifar10");
        assertThat(p.chains().temperature()).isEqualTo(1e-3);
        assertThat(c.chains().temperature()).isEqualTo(1e-8);
        assertThat(p.iterations()).isEqualTo(75_000);
        assertThat(c.iterations()).isEqualTo(50_000);
        assertThat(p.chains().gradClip()).isCloseTo(2.5 / (5e-4 * 5e-4 / 2), within(1e-3));
        assertThat(p.train().bankSize() / p.batchSize() * p.batchSize()).isEqualTo(9984);
        assertThat(HatEbmConfig.preset("paper-cifar10-refine").chains().priorSigma()).isEqualTo(0.25);
        assertThat(HatEbmConfig.preset("code-cifar10-refine").chains().priorSigma()).isZero();
        assertThat(HatEbmConfig.preset("code-cifar10-refine").iterations()).isEqualTo(25_000);
        for (String name : HatEbmConfig.PRESETS) {
            HatEbmConfig cfg = HatEbmConfig.preset(name);
            assertThat(HatEbmConfig.TYPE.read(org.ebm4j.core.AtomicFiles.MAPPER.readTree(HatEbmConfig.TYPE.toJson(cfg)))).isEqualTo(cfg);
        }
        // H: no spectral norm, Glorot-uniform, biases; G: Keras BN, half-pixel bilinear, ×2
        assertThat(p.ebmConfig().convs().spectralNorm()).isFalse();
        assertThat(p.ebmConfig().convs().init()).isEqualTo(org.ebm4j.nn.Init.Scheme.KERAS_GLOROT_UNIFORM);
        assertThat(p.generatorConfig().outFactor()).isEqualTo(2.0);
        assertThat(p.generatorConfig().alignCorners()).isFalse();
    }

    @Test
    void invalidSettingsAreRefusedByName() {
        HatEbmConfig t = tiny();
        assertThatThrownBy(() -> t.withTraining(0, 10, 16)).hasMessageContaining("train.bankSize (10) must be >= batchSize (16)");
        HatEbmConfig.Chains c = t.chains();
        assertThatThrownBy(() -> new HatEbmConfig.Chains(3, 5.0, 1e-8, 2.5, 0, 5e-3, 4, 0.01, 1e-8, true))
                .hasMessageContaining("chains.epsilon");
        assertThatThrownBy(() -> new HatEbmConfig.Chains(3, 5e-4, 1e9, 2.5, 0, 5e-3, 4, 0.01, 1e-8, true))
                .hasMessageContaining("chains.temperature");
        assertThatThrownBy(() -> new HatEbmConfig.Chains(3, 5e-4, 0, 2.5, 0, 5e-3, 4, 0.01, 1e-8, true))
                .hasMessageContaining("chains.temperature");
        assertThatThrownBy(() -> new HatEbmConfig.Optim(1e-4, 1e-4, 0.9, 0.999, "5,3", 0.1, 0, 0.9))
                .hasMessageContaining("optim.lrDrops");
        assertThatThrownBy(() -> HatEbmConfig.preset("nope")).hasMessageContaining("unknown preset 'nope'");
        assertThat(c.steps()).isEqualTo(3);
    }

    @Test
    void tooFewImagesOrTheWrongShapeAreRefused() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("r"), false)) {
            assertThatThrownBy(() -> HatEbmTrainer.trainNew(run, tiny().withData("bars", 16, 1), bars(),
                    ProgressListener.NONE, m)).isInstanceOf(EbmException.class);
        }
    }

    @Test
    void aRunFolderOfAnotherMethodIsRefusedByName() throws Exception {
        Path dir = tmp.resolve("other");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"method\":\"dualmcmc\"}");
        Files.writeString(dir.resolve(".ebm4j-run"), "");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> HatEbmRun.load(dir, m, false)).hasMessageContaining("is a dualmcmc run, not a hatebm run");
        }
    }
}
