package org.ebm4j.method.hatebm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.config.Cadence;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The retrofit (Hill et al. 2022): autoencoder phase then a joint Hat EBM on the frozen decoder, in
 * one run folder; latents on the sphere; resume of either phase; refused settings.
 */
class HatEbmRetrofitTest {
    @TempDir
    Path tmp;
    static int threadsBefore;

    /** One libtorch thread: the resume comparison is bit for bit. */
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

    /** 8 px grey, latent 1×4×4, widths 16, batch 4: 4 autoencoder steps, then 4 joint steps of 3 Langevin steps. */
    static HatEbmConfig tiny() {
        HatEbmConfig r = HatEbmTest.tinyRefine();
        return new HatEbmConfig("fast-retrofit", HatEbmConfig.Mode.RETROFIT, r.data(), 8, 1, 0, 4, 4, 7, "",
                new HatEbmConfig.Nets(16, 16, 16, 2.0, HatEbmConfig.GenLayout.RETROFIT), r.chains(), r.train(), r.optim(),
                3, new Cadence(1, 5, 2), new HatEbmConfig.Ae(4, 1e-3, 2e-2, 1000));
    }

    private static List<String> withoutTiming(Path log) throws Exception {
        return Files.readAllLines(log).stream()
                .map(l -> l.replaceAll("\"(ms_per_iter|images_per_s|ms_chains)\":[0-9.Ee+-]+,?", "")).toList();
    }

    @Test
    void latentsStartOnTheSphereOfRadius16() {
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = new HatEbmModel(m, HatEbmConfig.fastRetrofit())) {
            assertThat(model.generator()).isInstanceOf(RetrofitDecoder.class);
            assertThat(model.generator().bnMode()).isEqualTo(BatchNorm2d.Mode.RUNNING);
            Torch.seed(3);
            NDArray z = model.drawLatents(m, 6);
            assertThat(z.getShape()).isEqualTo(new Shape(6, 1, 16, 16));
            float[] norms = z.reshape(6, -1).norm(new int[] {1}).toFloatArray();
            for (float n : norms) {
                assertThat((double) n).isCloseTo(16.0, within(1e-3));
            }
            try (NDArray x = model.generate(z)) {
                assertThat(x.getShape()).isEqualTo(new Shape(6, 1, 32, 32));
            }
        }
    }

    @Test
    void autoencoderPhaseThenJointPhaseInOneRun() throws Exception {
        Path dir = tmp.resolve("run");
        float[] decoderAfterAe;
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(dir, false);
             HatEbmModel model = HatEbmTrainer.trainNew(run, tiny(), HatEbmTest.bars(), ProgressListener.NONE, m)) {
            decoderAfterAe = model.generator().getParameters().get(0).getValue().getArray().toFloatArray();
            HatEbmOutputs.writePlots(run);
            HatEbmOutputs.writeSamples(model, dir.resolve("samples"), 5, 0, 2);
        }
        List<JsonNode> rows = JsonlLog.read(dir.resolve("log.jsonl"));
        List<JsonNode> ae = rows.stream().filter(HatEbmTrainer::aePhase).toList();
        List<JsonNode> ebm = rows.stream().filter(r -> !HatEbmTrainer.aePhase(r)).toList();
        assertThat(ae).hasSize(4);
        assertThat(ebm).hasSize(4);
        assertThat(rows.indexOf(ae.get(3))).as("the autoencoder rows come first").isLessThan(rows.indexOf(ebm.get(0)));
        assertThat(ebm).allSatisfy(r -> {
            assertThat(r.has("e_gap")).isTrue();
            // 3 small latent steps from the sphere of radius 4 (D = 16) stay near it
            assertThat(r.get("z_norm").asDouble()).isCloseTo(4.0, within(0.5));
        });
        assertThat(ebm.get(0).has("lr_g")).as("the decoder is frozen in the joint phase").isFalse();
        assertThat(dir.resolve("checkpoints/ae.ckpt")).exists();
        assertThat(dir.resolve("checkpoints/latest.ckpt")).exists();
        assertThat(dir.resolve("plots/autoencoder.png")).exists();
        assertThat(dir.resolve("plots/energy.png")).exists();
        assertThat(dir.resolve("samples/generated.png")).exists();
        assertThat(dir.resolve("samples/refined.png")).exists();
        // the joint phase kept the trained decoder bit for bit, and a loaded run has it
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel loaded = HatEbmRun.load(dir, m, false)) {
            assertThat(loaded.config().mode()).isEqualTo(HatEbmConfig.Mode.RETROFIT);
            assertThat(loaded.generator().getParameters().get(0).getValue().getArray().toFloatArray()).isEqualTo(decoderAfterAe);
        }
        // and it is the autoencoder's decoder, not the initial one
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel fresh = new HatEbmModel(m, tiny())) {
            assertThat(fresh.generator().getParameters().get(0).getValue().getArray().toFloatArray()).isNotEqualTo(decoderAfterAe);
        }
    }

    /** A listener that throws at progress step {@code at} of the task whose label contains {@code task}. */
    private static ProgressListener crashAt(String task, long at) {
        return new ProgressListener() {
            String current = "";

            @Override
            public void start(String label, long total) {
                current = label;
            }

            @Override
            public void progress(long done, String status) {
                if (current.contains(task) && done == at) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
    }

    @Test
    void resumeInEitherPhaseEqualsAnUninterruptedRun() throws Exception {
        Path a = tmp.resolve("uninterrupted");
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(a, false)) {
            HatEbmTrainer.trainNew(run, tiny(), HatEbmTest.bars(), ProgressListener.NONE, m).close();
        }
        // crash in the autoencoder phase at step 3 (checkpoint at 2), and in the joint phase at step 4 (checkpoint at 2)
        for (ProgressListener crash : List.of(crashAt("phase 1", 3), crashAt("phase 2", 4))) {
            Path b = tmp.resolve("crashed-" + System.identityHashCode(crash));
            try (NDManager m = NDManager.newBaseManager()) {
                try (RunFolder run = RunFolder.create(b, false)) {
                    assertThatThrownBy(() -> HatEbmTrainer.trainNew(run, tiny(), HatEbmTest.bars(), crash, m))
                            .hasMessageContaining("simulated crash");
                }
                try (RunFolder run = RunFolder.openForWriting(b)) {
                    HatEbmTrainer.resume(run, HatEbmTest.bars(), ProgressListener.NONE, m).close();
                }
            }
            org.ebm4j.train.CheckpointAssert.sameContent(b.resolve("checkpoints/ae.ckpt"), a.resolve("checkpoints/ae.ckpt"));
            org.ebm4j.train.CheckpointAssert.sameContent(b.resolve("checkpoints/latest.ckpt"), a.resolve("checkpoints/latest.ckpt"));
            assertThat(withoutTiming(b.resolve("log.jsonl"))).containsExactlyElementsOf(withoutTiming(a.resolve("log.jsonl")));
        }
    }

    @Test
    void theHatNetStartsFromAWeightsFileUntilTheRunHasACheckpoint() throws Exception {
        Path file = tmp.resolve("hat.npz");
        HatEbmConfig plain = HatEbmTest.tinyRefine();
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(77);
            org.ebm4j.nn.ResidualEbm h = new org.ebm4j.nn.ResidualEbm(plain.ebmConfig()).init(m, ai.djl.ndarray.types.DataType.FLOAT32);
            org.ebm4j.run.WeightImport.save(h, file);
        }
        HatEbmConfig cfg = plain.withHat(file.toString());
        java.util.Map<String, org.ebm4j.run.TensorFile.HostTensor> want = org.ebm4j.run.WeightImport.read(file);
        try (NDManager m = NDManager.newBaseManager(); RunFolder run = RunFolder.create(tmp.resolve("hat-run"), false);
             HatEbmModel model = new HatEbmModel(m, cfg)) {
            HatEbmTrainer.checkHat(cfg, m);
            new HatEbmTrainer(cfg, ProgressListener.NONE).startHat(run, model);
            var names = org.ebm4j.run.WeightImport.names(model.ebm());
            var params = model.ebm().getParameters();
            for (var e : names.entrySet()) {
                assertThat(params.get(e.getValue()).getArray().toFloatArray()).as(e.getKey())
                        .isEqualTo(want.get(e.getKey()).toFloats());
            }
            // the average restarts at the loaded weights
            var avg = model.emaEbm().state("");
            var ps = org.ebm4j.nn.Nets.trainableParameters(model.ebm());
            for (int i = 0; i < ps.size(); i++) {
                assertThat(avg.get(String.valueOf(i)).toFloatArray()).isEqualTo(ps.get(i).getArray().toFloatArray());
            }
        }
        // a file of another width is refused naming the tensor and both shapes
        HatEbmConfig wide = cfg.withNets(new HatEbmConfig.Nets(4, 32, 16, 2.0, HatEbmConfig.GenLayout.HAT));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> HatEbmTrainer.checkHat(wide, m)).isInstanceOf(EbmException.class)
                    .hasMessageContaining("has shape [16, 1, 3, 3] but the hat net expects [32, 1, 3, 3]");
        }
        assertThat(HatEbmConfig.TYPE.read(HatEbmConfig.TYPE.toTree(cfg)).hat()).isEqualTo(file.toString());
    }

    @Test
    void badRetrofitSettingsAreRefusedByName() {
        HatEbmConfig t = tiny();
        HatEbmConfig.Nets n = t.nets();
        assertThatThrownBy(() -> t.withAe(null)).isInstanceOf(EbmException.class)
                .hasMessageContaining("retrofit needs the autoencoder group ae");
        assertThatThrownBy(() -> t.withNets(new HatEbmConfig.Nets(64, n.ebmWidth(), n.genWidth(), 2.0, HatEbmConfig.GenLayout.RETROFIT)))
                .hasMessageContaining("nets.latent must be (imageSize/2)² = 16");
        assertThatThrownBy(() -> t.withNets(new HatEbmConfig.Nets(16, n.ebmWidth(), n.genWidth(), 2.0, HatEbmConfig.GenLayout.HAT)))
                .hasMessageContaining("nets.genLayout must be retrofit");
        assertThatThrownBy(() -> new HatEbmConfig.Ae(0, 1e-4, 2e-2, 1000)).hasMessageContaining("ae.iterations must be >= 1");
        assertThatThrownBy(() -> new HatEbmConfig.Ae(10, 2, 2e-2, 1000)).hasMessageContaining("ae.lr");
        assertThatThrownBy(() -> new HatEbmConfig.Ae(10, 1e-4, -1, 1000)).hasMessageContaining("ae.latentNoise");
        assertThatThrownBy(() -> HatEbmConfig.fast().withAe(HatEbmConfig.Ae.official()))
                .hasMessageContaining("ae is only for mode retrofit");
        assertThatThrownBy(() -> HatEbmTest.tinyRefine().withNets(n))
                .hasMessageContaining("a retrofit decoder is trained by mode retrofit");
    }

    @Test
    void theFastRetrofitPresetRoundTripsThroughJson() {
        HatEbmConfig f = HatEbmConfig.preset("fast-retrofit");
        assertThat(f.mode()).isEqualTo(HatEbmConfig.Mode.RETROFIT);
        assertThat(f.nets().genFactor()).isEqualTo(2.0);
        assertThat(f.nets().latent()).isEqualTo(256);
        assertThat(f.ae().latentNoise()).isEqualTo(2e-2);
        assertThat(f.ae().lossFactor()).isEqualTo(1000);
        assertThat(HatEbmConfig.TYPE.read(HatEbmConfig.TYPE.toTree(f))).isEqualTo(f);
        assertThat(HatEbmConfig.Ae.official()).isEqualTo(new HatEbmConfig.Ae(49_900, 1e-4, 2e-2, 1000));
        // appendix J's CIFAR-10 retrofit column, and the code's differences (25000 steps, data eps 1e-2)
        HatEbmConfig p = HatEbmConfig.preset("paper-retrofit");
        assertThat(p.mode()).isEqualTo(HatEbmConfig.Mode.RETROFIT);
        assertThat(p.iterations()).isEqualTo(30_000);
        assertThat(p.chains().steps()).isEqualTo(100);
        assertThat(p.chains().zEpsilon()).isEqualTo(1e-3);
        assertThat(p.chains().priorSigma()).isEqualTo(0.1);
        assertThat(p.optim().lrE()).isEqualTo(1e-4);
        assertThat(p.ae()).isEqualTo(HatEbmConfig.Ae.official());
        HatEbmConfig c = HatEbmConfig.preset("code-cifar10-retrofit");
        assertThat(c.iterations()).isEqualTo(25_000);
        assertThat(c.train().dataEpsilon()).isEqualTo(1e-2);
        assertThat(c.chains().testClip()).isFalse();
        for (HatEbmConfig q : List.of(p, c)) {
            assertThat(HatEbmConfig.TYPE.read(HatEbmConfig.TYPE.toTree(q))).isEqualTo(q);
        }
        // a configuration without the group (all earlier runs) still reads
        assertThat(HatEbmConfig.TYPE.read(HatEbmConfig.TYPE.toTree(HatEbmConfig.fast())).ae()).isNull();
        com.fasterxml.jackson.databind.node.ObjectNode old = HatEbmConfig.TYPE.toTree(HatEbmConfig.fast());
        old.remove("ae");
        old.remove("hat");
        assertThat(HatEbmConfig.TYPE.read(old)).isEqualTo(HatEbmConfig.fast());
    }
}
