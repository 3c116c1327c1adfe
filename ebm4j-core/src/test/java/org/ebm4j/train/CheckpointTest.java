package org.ebm4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Init;
import org.ebm4j.nn.Nets;
import org.ebm4j.nn.SpectralLinear;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.sampling.PersistentBank;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A checkpoint of several nets, several optimizers, a bank and a state record round-trips bit for bit. */
class CheckpointTest {
    @TempDir Path tmp;

    record State(int phase, String note) {
    }

    /** Two nets (one spectrally normalised, so its u vector is state too), two Adams, a two-part bank. */
    static final class Parts implements AutoCloseable {
        final NDManager m = NDManager.newBaseManager();
        final SpectralLinear a;
        final SpectralLinear b;
        final Adam adamA;
        final Adam adamB;
        final PersistentBank bank;

        Parts(long seed, boolean train) {
            Torch.seed(seed);
            a = new SpectralLinear(3, 2, true, true, Init.normal(0.3), Init.normal(0.1)).init(m, DataType.FLOAT32);
            b = new SpectralLinear(2, 1, false, false, Init.glorotUniform(), Init.ZEROS).init(m, DataType.FLOAT32);
            adamA = new Adam(m, Nets.trainableParameters(a), LrSchedule.constant(0.01), 0.5, 0.999, 1e-8, 0);
            adamB = new Adam(m, Nets.trainableParameters(b), LrSchedule.constant(0.02), 0.0, 0.9, 1e-8, 5e-4);
            bank = new PersistentBank(m, 8, 4, "z", "x");
            if (train) {
                for (int i = 0; i < 3; i++) {
                    try (NDManager s = m.newSubManager()) {
                        NDArray x = s.randomNormal(new Shape(5, 3));
                        try (Gradients.Result g = Gradients.of(s, Nets.trainableParameters(a), () -> a.apply(x).square().mean())) {
                            adamA.update(g.grads());
                        }
                        NDArray h = s.randomNormal(new Shape(5, 2));
                        try (Gradients.Result g = Gradients.of(s, Nets.trainableParameters(b), () -> b.apply(h).abs().mean())) {
                            adamB.update(g.grads());
                        }
                    }
                }
                try (NDManager s = m.newSubManager()) {
                    bank.fill(Map.of("z", s.randomNormal(new Shape(8, 5)), "x", s.randomUniform(-1f, 1f, new Shape(8, 1, 2, 2))));
                }
            }
        }

        Checkpoint checkpoint() {
            return new Checkpoint("toy").block("enc", a).block("head", b).optimizer("adamEnc", adamA)
                    .optimizer("adamHead", adamB).tensor("z", () -> bank.isFilled() ? bank.toTensors("").get("z") : null)
                    .tensor("x", () -> bank.isFilled() ? bank.toTensors("").get("x") : null);
        }

        @Override
        public void close() {
            bank.close();
            adamA.close();
            adamB.close();
            m.close();
        }
    }

    @Test
    void severalNetsOptimizersAndABankRoundTripBitForBit() throws Exception {
        Path f1 = tmp.resolve("one.ckpt");
        Path f2 = tmp.resolve("two.ckpt");
        try (Parts src = new Parts(1, true)) {
            src.checkpoint().save(f1, 3, false, new State(2, "mid"));
            try (Parts dst = new Parts(2, false)) {
                Checkpoint.Loaded ld = dst.checkpoint().load(f1, dst.m, null);
                assertThat(ld.meta().iteration()).isEqualTo(3);
                assertThat(ld.meta().complete()).isFalse();
                assertThat(ld.meta().state(State.class)).isEqualTo(new State(2, "mid"));
                assertThat(ld.meta().optimizerSteps()).containsEntry("adamEnc", 3L).containsEntry("adamHead", 3L);
                assertThat(ld.extras().keySet()).containsExactlyInAnyOrder("z", "x");
                dst.bank.load(ld.extras(), "");
                assertThat(dst.adamA.step()).isEqualTo(3);
                dst.checkpoint().save(f2, 3, false, new State(2, "mid"));
                // every tensor (weights, SN vector u, Adam moments, bank) equal bit for bit, and the metadata
                CheckpointAssert.sameContent(f2, f1);
                // the restored optimizers continue exactly as the originals
                for (Parts p : List.of(src, dst)) {
                    try (NDManager s = p.m.newSubManager()) {
                        Torch.seed(9);
                        NDArray x = s.randomNormal(new Shape(5, 3));
                        try (Gradients.Result g = Gradients.of(s, Nets.trainableParameters(p.a), () -> p.a.apply(x).square().mean())) {
                            p.adamA.update(g.grads());
                        }
                    }
                }
                assertThat(dst.a.weight().getArray().toFloatArray()).containsExactly(src.a.weight().getArray().toFloatArray());
            }
        }
    }

    @Test
    void aMismatchedCheckpointIsRefusedByName() throws Exception {
        Path f = tmp.resolve("c.ckpt");
        try (Parts src = new Parts(1, true)) {
            src.checkpoint().save(f, 1, false, null);
            // another method
            assertThatThrownBy(() -> new Checkpoint("other").readMeta(f, null))
                    .isInstanceOf(EbmException.class).hasMessageContaining("was written by toy, not other");
            // a net that is not in the file
            try (NDManager m = NDManager.newBaseManager()) {
                SpectralLinear c = new SpectralLinear(3, 2, true, true, Init.normal(0.3), Init.ZEROS).init(m, DataType.FLOAT32);
                assertThatThrownBy(() -> new Checkpoint("toy").block("decoder", c).load(f, m, null))
                        .isInstanceOf(EbmException.class).hasMessageContaining("decoder.");
                // an optimizer that is not in the file
                Adam extra = new Adam(m, Nets.trainableParameters(c), LrSchedule.constant(1), 0.9, 0.999, 1e-8, 0);
                assertThatThrownBy(() -> new Checkpoint("toy").block("enc", c).optimizer("adamDec", extra).load(f, m, null))
                        .isInstanceOf(EbmException.class).hasMessageContaining("optimizer 'adamDec'");
                // a net of another shape under the same name
                SpectralLinear wide = new SpectralLinear(3, 5, true, true, Init.normal(0.3), Init.ZEROS).init(m, DataType.FLOAT32);
                assertThatThrownBy(() -> new Checkpoint("toy").block("enc", wide).load(f, m, null))
                        .isInstanceOf(EbmException.class).hasMessageContaining("enc.");
            }
        }
        // metadata from before the shared format needs the method's converter; a future format is refused
        Path legacy = tmp.resolve("legacy.ckpt");
        org.ebm4j.run.TensorFile.save(legacy, "{\"scale\":0,\"iteration\":4}", new java.util.LinkedHashMap<>());
        assertThatThrownBy(() -> new Checkpoint("toy").readMeta(legacy, null))
                .isInstanceOf(EbmException.class).hasMessageContaining("older ebm4j");
        assertThat(new Checkpoint("toy").readMeta(legacy, n -> new Checkpoint.Meta("legacy", "toy",
                n.get("iteration").asLong() + 1, false, Map.of(), n, null)).iteration()).isEqualTo(5);
        Path future = tmp.resolve("future.ckpt");
        org.ebm4j.run.TensorFile.save(future, "{\"format\":\"ebm4j-checkpoint-9\",\"method\":\"toy\"}",
                new java.util.LinkedHashMap<>());
        assertThatThrownBy(() -> new Checkpoint("toy").readMeta(future, null))
                .isInstanceOf(EbmException.class).hasMessageContaining("format 'ebm4j-checkpoint-9'");
    }

    @Test
    void partNamesMustNotHideEachOther() {
        assertThatThrownBy(() -> new Checkpoint("toy").tensor("", (NDArray) null).tensor("a.b", () -> null))
                .hasMessageContaining("without '.'");
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm2d bn = new BatchNorm2d(2, 0.1f, 1e-5f);
            assertThat(new Checkpoint("toy").block("bn", bn).blocks()).containsKey("bn");
        }
    }
}
