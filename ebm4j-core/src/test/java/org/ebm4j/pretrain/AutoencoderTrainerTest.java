package org.ebm4j.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Torch;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Init;
import org.ebm4j.nn.ResBlock;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.nn.RetrofitEncoder;
import org.ebm4j.nn.Sphere;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.ebm4j.train.TrainingRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AutoencoderTrainerTest {
    @TempDir Path tmp;
    static int threadsBefore;

    /** One libtorch thread, as the other bit-for-bit resume tests. */
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

    private static final ResBlock.Convs KERAS = new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM);

    /** 24 grey 8×8 images: a bright vertical or horizontal bar on a dark background. */
    static ImageDataset bars() {
        int n = 24;
        byte[] px = new byte[n * 64];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            int pos = r.nextInt(8);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = i % 2 == 0 ? x == pos : y == pos;
                    px[i * 64 + y * 8 + x] = (byte) (on ? 230 : 20 + r.nextInt(20));
                }
            }
        }
        return new ImageDataset("bars", 1, 8, 8, px, null, null);
    }

    /** The official layout shrunk to 8 px: latent 4×4×1, widths 16 (narrower convs are not deterministic in libtorch). */
    static RetrofitDecoder decoder(NDManager m) {
        return new RetrofitDecoder(new RetrofitDecoder.Config(1, 4, new int[] {16, 16, 16}, new boolean[] {false, true, false},
                1, 2.0, KERAS, false, 0.01f, 1e-3f)).init(m, DataType.FLOAT32);
    }

    static RetrofitEncoder encoder(NDManager m) {
        return new RetrofitEncoder(new RetrofitEncoder.Config(1, 8, new int[] {16, 16, 16}, new boolean[] {false, true, false},
                1, KERAS, true, Sphere.EPS)).init(m, DataType.FLOAT32);
    }

    /** Batch 4 (6 iterations an epoch), lr 1e-3 so that a few steps show. */
    static AutoencoderTrainer.Config tiny(long iterations) {
        return new AutoencoderTrainer.Config(iterations, 4, 1e-3, 0.9, 0.999, 1e-7, 2e-2, 1000, 11, 1, 4);
    }

    private static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    /** Trains a fresh pair of nets (seeded) in run folder dir; returns the loss without noise on a fixed batch. */
    private static double[] train(Path dir, AutoencoderTrainer.Config cfg, ProgressListener p, boolean create) throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             RunFolder run = create ? RunFolder.create(dir, false) : RunFolder.openForWriting(dir)) {
            Torch.seed(3);
            RetrofitDecoder d = decoder(m);
            RetrofitEncoder e = encoder(m);
            NDArray x = bars().batch(m, new int[] {0, 1, 2, 3, 4, 5, 6, 7});
            double before = scalar(AutoencoderTrainer.loss(d, e, x, 0, 1000));
            try (AutoencoderTrainer t = new AutoencoderTrainer(cfg, d, e, m, "test")) {
                Path ck = dir.resolve("checkpoints/ae.ckpt");
                long start = t.resumeIteration(ck);
                try (TrainingRun tr = TrainingRun.open(run, p, r -> r.get("iter").asLong() < start)) {
                    t.train(tr, ck, bars(), 0);
                }
            }
            assertThat(d.bnMode()).isEqualTo(BatchNorm2d.Mode.RUNNING);
            return new double[] {before, scalar(AutoencoderTrainer.loss(d, e, x, 0, 1000))};
        }
    }

    @Test
    void theReconstructionLossDecreases() throws Exception {
        double[] l = train(tmp.resolve("a"), tiny(20), ProgressListener.NONE, true);
        System.out.printf("autoencoder loss on a fixed batch: %.4g before, %.4g after 20 steps%n", l[0], l[1]);
        assertThat(l[1]).as("loss after 20 steps vs before").isLessThan(0.5 * l[0]);
        List<JsonNode> rows = JsonlLog.read(tmp.resolve("a/log.jsonl"));
        assertThat(rows).hasSize(20);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.get("phase").asText()).isEqualTo("ae");
            assertThat(r.get("mse").asDouble()).isCloseTo(r.get("loss_ae").asDouble() / 1000, within(1e-9));
        });
    }

    private static List<String> withoutTiming(Path log) throws Exception {
        return Files.readAllLines(log).stream().map(l -> l.replaceAll("\"ms_per_iter\":[0-9.Ee+-]+,?", "")).toList();
    }

    @Test
    void resumeAfterACrashEqualsAnUninterruptedRun() throws Exception {
        Path a = tmp.resolve("uninterrupted");
        Path b = tmp.resolve("crashed");
        train(a, tiny(8), ProgressListener.NONE, true);
        ProgressListener crash = new ProgressListener() {
            @Override
            public void progress(long done, String status) {
                if (done == 7) { // after the checkpoints at 4 (every 4) and 6 (epoch end), before the one at 8
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThatThrownBy(() -> train(b, tiny(8), crash, true)).hasMessageContaining("simulated crash");
        train(b, tiny(8), ProgressListener.NONE, false);
        org.ebm4j.train.CheckpointAssert.sameContent(b.resolve("checkpoints/ae.ckpt"), a.resolve("checkpoints/ae.ckpt"));
        assertThat(withoutTiming(b.resolve("log.jsonl"))).containsExactlyElementsOf(withoutTiming(a.resolve("log.jsonl")));
        // a longer phase continues a finished one
        train(b, tiny(9), ProgressListener.NONE, false);
        assertThat(JsonlLog.read(b.resolve("log.jsonl"))).hasSize(9);
    }

    @Test
    void theLossIsLambdaTimesTheMeanSquaredReconstructionError() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(4);
            RetrofitDecoder d = decoder(m);
            RetrofitEncoder e = encoder(m);
            NDArray x = bars().batch(m, new int[] {0, 1, 2});
            double mse = scalar(d.apply(e.apply(x)).sub(x).square().mean());
            assertThat(scalar(AutoencoderTrainer.loss(d, e, x, 0, 1000))).isCloseTo(1000 * mse, within(1e-3 * mse));
            // the noise moves the projected latent: the loss changes, by little for σ = 2e-2
            Torch.seed(5);
            double noisy = scalar(AutoencoderTrainer.loss(d, e, x, 2e-2, 1000));
            assertThat(noisy).isNotEqualTo(1000 * mse).isCloseTo(1000 * mse, within(0.2 * 1000 * mse));
        }
    }

    @Test
    void badSettingsAndMismatchedNetsAreRefused() {
        assertThatThrownBy(() -> new AutoencoderTrainer.Config(0, 4, 1e-3, 0.9, 0.999, 1e-7, 2e-2, 1000, 1, 1, 0))
                .hasMessageContaining("ae.iterations");
        assertThatThrownBy(() -> new AutoencoderTrainer.Config(5, 4, -1, 0.9, 0.999, 1e-7, 2e-2, 1000, 1, 1, 0))
                .hasMessageContaining("ae.lr");
        assertThatThrownBy(() -> new AutoencoderTrainer.Config(5, 4, 1e-3, 0.9, 0.999, 1e-7, Double.NaN, 1000, 1, 1, 0))
                .hasMessageContaining("ae.latentNoise");
        try (NDManager m = NDManager.newBaseManager()) {
            RetrofitDecoder d = decoder(m);
            RetrofitEncoder wrong = new RetrofitEncoder(new RetrofitEncoder.Config(1, 8, new int[] {16, 16},
                    new boolean[] {true, true}, 1, KERAS, true, Sphere.EPS)).init(m, DataType.FLOAT32);
            assertThatThrownBy(() -> new AutoencoderTrainer(tiny(3), d, wrong, m, "test"))
                    .isInstanceOf(EbmException.class).hasMessageContaining("latent");
        }
    }
}
