package org.ebm4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.Init;
import org.ebm4j.nn.Nets;
import org.ebm4j.nn.SpectralLinear;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shared loop on a toy regression (a linear layer fitting y = x·w*, fresh x each iteration
 * drawn from the loop-seeded generator): cadence, resume, and every divergence policy.
 */
class TrainingLoopTest {
    @TempDir Path tmp;

    /** A toy training: one linear layer, one Adam, a NaN injected into the loss at chosen iterations. */
    static final class Toy implements AutoCloseable {
        final NDManager m = NDManager.newBaseManager();
        final SpectralLinear net;
        final Adam adam;
        final NDArray wStar;
        final List<Long> nanAt = new ArrayList<>();
        final AtomicInteger nansLeft = new AtomicInteger();
        double explodeAbove = Double.POSITIVE_INFINITY;

        Toy(long seed) {
            Torch.seed(seed);
            net = new SpectralLinear(4, 1, true, false, Init.normal(0.1), Init.ZEROS).init(m, DataType.FLOAT32);
            adam = new Adam(m, Nets.trainableParameters(net), LrSchedule.constant(0.05), 0.9, 0.999, 1e-8, 0);
            wStar = m.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(4, 1));
        }

        Checkpoint parts() {
            return new Checkpoint("toy").block("net", net).optimizer("adam", adam);
        }

        TrainingLoop.Step step() {
            return ctx -> {
                NDManager s = ctx.scope();
                NDArray x = s.randomNormal(new Shape(16, 4));
                NDArray y = x.matMul(wStar);
                boolean inject = nanAt.contains(ctx.index()) && nansLeft.getAndDecrement() > 0;
                try (Gradients.Result g = Gradients.of(s, Nets.trainableParameters(net), () -> {
                    NDArray loss = net.apply(x).sub(y).square().mean();
                    return inject ? loss.mul(Float.NaN) : loss;
                })) {
                    ctx.requireFinite(g.loss(), "toy");
                    adam.update(g.grads());
                    ctx.row().put("iter", ctx.index());
                    ctx.row().put("loss", g.loss());
                    if (g.loss() > explodeAbove) {
                        ctx.diverged("toy exploded at iteration " + ctx.index(), false);
                    }
                }
            };
        }

        TrainingLoop.Builder loop(TrainingRun run, Path ck, DivergencePolicy p, int every) {
            return TrainingLoop.builder(run, m, step()).task("toy").iterations(0, 12)
                    .seedKey(it -> Seeds.derive(5, it)).logEvery(1)
                    .checkpoint(parts(), ck, next -> null, every, 0, true)
                    .divergence(p, 2, 0.5);
        }

        float[] weights() {
            return net.weight().getArray().toFloatArray();
        }

        @Override
        public void close() {
            adam.close();
            m.close();
        }
    }

    private RunFolder folder(String name) {
        return RunFolder.create(tmp.resolve(name), false);
    }

    @Test
    void learnsLogsEveryIterationAndCheckpointsAtTheCadence() throws Exception {
        try (Toy toy = new Toy(1); RunFolder f = folder("plain"); TrainingRun run = TrainingRun.open(f, null, null)) {
            Path ck = f.checkpoints().resolve("toy.ckpt");
            TrainingLoop.Outcome out = toy.loop(run, ck, DivergencePolicy.STOP, 5).build().run();
            assertThat(out.completed()).isTrue();
            List<JsonNode> rows = JsonlLog.read(f.logFile());
            assertThat(rows).extracting(r -> r.get("iter").asLong()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            assertThat(rows.get(11).get("loss").asDouble()).isLessThan(rows.get(0).get("loss").asDouble());
            assertThat(rows.get(0).has("ms_per_iter")).isTrue();
            Checkpoint.Meta meta = new Checkpoint("toy").readMeta(ck, null);
            assertThat(meta.iteration()).isEqualTo(12);
            assertThat(meta.complete()).isTrue();
            assertThat(meta.optimizerSteps()).containsEntry("adam", 12L);
            assertThat(meta.provenance().ebm4j()).isEqualTo(org.ebm4j.core.Version.VERSION);
            assertThat(meta.provenance().engine()).startsWith("PyTorch");
        }
    }

    @Test
    void resumingFromAMidRunCheckpointEqualsAnUninterruptedRun() throws Exception {
        float[] straight;
        try (Toy toy = new Toy(1); RunFolder f = folder("straight"); TrainingRun run = TrainingRun.open(f, null, null)) {
            toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.STOP, 4).build().run();
            straight = toy.weights();
        }
        Path ck;
        try (Toy toy = new Toy(1); RunFolder f = folder("split"); TrainingRun run = TrainingRun.open(f, null, null)) {
            ck = f.checkpoints().resolve("toy.ckpt");
            toy.loop(run, ck, DivergencePolicy.STOP, 4).iterations(0, 8).build().run(); // "crash" after 8
        }
        try (Toy toy = new Toy(99); RunFolder f = RunFolder.openForWriting(tmp.resolve("split"));
             TrainingRun run = TrainingRun.open(f, null, r -> r.get("iter").asLong() < 8)) {
            Checkpoint.Loaded ld = toy.parts().load(ck, toy.m, null);
            assertThat(ld.meta().iteration()).isEqualTo(8);
            toy.loop(run, ck, DivergencePolicy.STOP, 4).iterations(ld.meta().iteration(), 12).build().run();
            assertThat(toy.weights()).containsExactly(straight);
        }
    }

    @Test
    void rollbackOnAnInjectedNanReloadsLowersTheLearningRateAndFinishes() throws Exception {
        List<String> messages = new ArrayList<>();
        ProgressListener p = new ProgressListener() {
            @Override
            public void message(String line) {
                messages.add(line);
            }
        };
        try (Toy toy = new Toy(1); RunFolder f = folder("rollback"); TrainingRun run = TrainingRun.open(f, p, null)) {
            toy.nanAt.add(7L);
            toy.nansLeft.set(1);
            TrainingLoop.Outcome out = toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.ROLLBACK, 3)
                    .build().run();
            assertThat(out.completed()).isTrue();
            assertThat(messages).singleElement().asString()
                    .contains("toy diverged at iteration 7: the loss is NaN", "rolled back to iteration 6", "x0.5");
            assertThat(toy.adam.lrScale()).isEqualTo(0.5);
            // the log holds each iteration once: the rows after the restored checkpoint were dropped
            assertThat(JsonlLog.read(f.logFile())).extracting(r -> r.get("iter").asLong())
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            for (float w : toy.weights()) {
                assertThat(w).isFinite();
            }
        }
    }

    @Test
    void theLastKEpochEndsAreKeptAsCopiesOfTheirCheckpoints() throws Exception {
        try (Toy toy = new Toy(1); RunFolder f = folder("epochs"); TrainingRun run = TrainingRun.open(f, null, null)) {
            Path ck = f.checkpoints().resolve("toy.ckpt");
            List<float[]> atEpochEnd = new ArrayList<>();
            TrainingLoop.Step inner = toy.step();
            TrainingLoop.builder(run, toy.m, ctx -> {
                        inner.run(ctx);
                        if ((ctx.index() + 1) % 3 == 0) {
                            atEpochEnd.add(toy.weights());
                        }
                    }).iterations(0, 12).seedKey(it -> it).logEvery(1)
                    .checkpoint(toy.parts(), ck, next -> null, 0, 3, true) // epochs of 3 iterations
                    .keepEpochs(2).divergence(DivergencePolicy.STOP, 0, 0.5).build().run();
            // epochs 1..4 ended; only the copies of epochs 3 and 4 are left, holding their weights
            org.ebm4j.run.Checkpoints dir = new org.ebm4j.run.Checkpoints(f.checkpoints());
            assertThat(dir.list(TrainingLoop.EPOCH_PREFIX)).extracting(p -> p.getFileName().toString())
                    .containsExactly("epoch-0003.ckpt", "epoch-0004.ckpt");
            for (int e = 3; e <= 4; e++) {
                try (Toy other = new Toy(7)) {
                    Checkpoint.Loaded ld = other.parts().load(dir.pathFor(TrainingLoop.EPOCH_PREFIX, e, 4), other.m, null);
                    assertThat(ld.meta().iteration()).isEqualTo(3L * e);
                    assertThat(other.weights()).containsExactly(atEpochEnd.get(e - 1));
                }
            }
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TrainingLoop.builder(run, toy.m, inner).keepEpochs(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepEpochs");
        }
    }

    @Test
    void rollbackBeforeTheFirstPeriodicCheckpointReturnsToTheStart() throws Exception {
        try (Toy toy = new Toy(1); RunFolder f = folder("early"); TrainingRun run = TrainingRun.open(f, null, null)) {
            float[] initial = toy.weights();
            toy.nanAt.add(1L);
            toy.nansLeft.set(1);
            List<Long> visited = new ArrayList<>();
            List<float[]> weightsAtZero = new ArrayList<>();
            TrainingLoop.Step inner = toy.step();
            TrainingLoop.Outcome out = TrainingLoop.builder(run, toy.m, ctx -> {
                        visited.add(ctx.index());
                        if (ctx.index() == 0) {
                            weightsAtZero.add(toy.weights());
                        }
                        inner.run(ctx);
                    }).iterations(0, 4).seedKey(it -> it).logEvery(1)
                    .checkpoint(toy.parts(), f.checkpoints().resolve("toy.ckpt"), next -> null, 0, 0, true)
                    .divergence(DivergencePolicy.ROLLBACK, 1, 0.5).build().run();
            assertThat(out.completed()).isTrue();
            // the loop saved the start before iteration 0 and went back to it
            assertThat(visited).containsExactly(0L, 1L, 0L, 1L, 2L, 3L);
            assertThat(weightsAtZero.get(1)).containsExactly(initial);
        }
    }

    @Test
    void rollbackGivesUpAfterItsRetriesWithAMessage() throws Exception {
        try (Toy toy = new Toy(1); RunFolder f = folder("giveup"); TrainingRun run = TrainingRun.open(f, null, null)) {
            toy.nanAt.add(5L);
            toy.nansLeft.set(100);
            assertThatThrownBy(() -> toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.ROLLBACK, 2)
                    .build().run())
                    .isInstanceOf(DivergenceException.class)
                    .hasMessageContaining("after 2 rollbacks")
                    .hasMessageContaining("the last checkpoint is kept");
            assertThat(toy.adam.lrScale()).isEqualTo(0.25);
        }
    }

    @Test
    void restartHandsTheDivergenceBackStopThrowsWarnContinues() throws Exception {
        try (Toy toy = new Toy(1); RunFolder f = folder("restart"); TrainingRun run = TrainingRun.open(f, null, null)) {
            toy.nanAt.add(3L);
            toy.nansLeft.set(1);
            TrainingLoop.Outcome out = toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.RESTART, 0)
                    .build().run();
            assertThat(out.completed()).isFalse();
            assertThat(out.divergence().iteration()).isEqualTo(3);
            assertThat(out.divergence().poisoned()).isTrue();
        }
        try (Toy toy = new Toy(1); RunFolder f = folder("stop"); TrainingRun run = TrainingRun.open(f, null, null)) {
            toy.nanAt.add(3L);
            toy.nansLeft.set(1);
            assertThatThrownBy(() -> toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.STOP, 0)
                    .build().run()).isInstanceOf(DivergenceException.class).hasMessageContaining("iteration 3");
            // the diverging iteration logged nothing
            assertThat(JsonlLog.read(f.logFile())).extracting(r -> r.get("iter").asLong()).containsExactly(0L, 1L, 2L);
        }
        List<String> warnings = new ArrayList<>();
        ProgressListener p = new ProgressListener() {
            @Override
            public void message(String line) {
                warnings.add(line);
            }
        };
        try (Toy toy = new Toy(1); RunFolder f = folder("warn"); TrainingRun run = TrainingRun.open(f, p, null)) {
            toy.explodeAbove = 0; // every iteration's explosion test fires, but the weights are intact
            TrainingLoop.Outcome out = toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.WARN, 0)
                    .build().run();
            assertThat(out.completed()).isTrue();
            assertThat(warnings).hasSize(12).allSatisfy(w -> assertThat(w).contains("continuing: divergence policy warn"));
            assertThat(JsonlLog.read(f.logFile())).hasSize(12);
        }
        try (Toy toy = new Toy(1); RunFolder f = folder("warn-nan"); TrainingRun run = TrainingRun.open(f, null, null)) {
            toy.nanAt.add(2L);
            toy.nansLeft.set(1);
            assertThatThrownBy(() -> toy.loop(run, f.checkpoints().resolve("toy.ckpt"), DivergencePolicy.WARN, 0)
                    .build().run()).isInstanceOf(DivergenceException.class).hasMessageContaining("NaN");
        }
    }

    @Test
    void badSettingsAreRefused() {
        try (Toy toy = new Toy(1)) {
            TrainingRun run = TrainingRun.detached(null);
            assertThatThrownBy(() -> TrainingLoop.builder(run, toy.m, toy.step()).iterations(5, 2).seedKey(it -> it).build())
                    .hasMessageContaining("0 <= first <= end");
            assertThatThrownBy(() -> TrainingLoop.builder(run, toy.m, toy.step()).iterations(0, 2).seedKey(it -> it)
                    .divergence(DivergencePolicy.ROLLBACK, 1, 0.5).build())
                    .hasMessageContaining("needs a checkpoint");
            assertThatThrownBy(() -> DivergencePolicy.of("panic")).hasMessage(
                    "unknown divergence policy 'panic'; use one of: rollback, restart, stop, warn");
        }
    }
}
