package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.Torch;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.data.InpaintingMasks;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tiny end-to-end checks of the multi-grid trainer, its baselines, masks and checkpoints (seconds each). */
class MultigridTest {
    @TempDir Path tmp;

    /** 24 grey 8×8 images: bright vertical or horizontal bars, labels 0/1. */
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

    static MultigridConfig tiny(String method) {
        return MultigridConfig.fast().toBuilder().method(method).data("bars").imageSize(8).grids(new int[] {1, 2, 8})
                .trainLimit(0).widthMult(0.1).steps(3).baselineSteps(6).batchSize(8).epochs(1).maskSize(4)
                .logEvery(1).sampleEvery(2).checkpointEvery(2).batchNorm(!method.equals("cd1")).build().validate();
    }

    /** Training leaves no tensors behind: the same live arrays after 1 and 3 epochs, for every method (and inpainting training). */
    @Test
    void trainingDoesNotGrowTheModelManager() throws Exception {
        for (String method : MultigridConfig.METHODS) {
            int[] live = new int[2];
            int[] epochs = {1, 3};
            for (int i = 0; i < 2; i++) {
                MultigridConfig cfg = tiny(method).toBuilder().epochs(epochs[i]).inpaintTraining(method.equals("mcd")).build();
                RunFolder run = RunFolder.create(tmp.resolve("leak-" + method + i), false);
                try (NDManager m = NDManager.newBaseManager();
                     MultigridModel model = MultigridTrainer.trainNew(run, cfg, bars(), null, m)) {
                    live[i] = m.getManagedArrays().size();
                }
            }
            assertThat(live[1]).as("%s: live arrays after 3 vs 1 epochs", method).isEqualTo(live[0]);
        }
    }

    @Test
    void everyMethodTrainsAndSamples() throws Exception {
        for (String method : MultigridConfig.METHODS) {
            MultigridConfig cfg = tiny(method);
            RunFolder run = RunFolder.create(tmp.resolve(method), false);
            try (NDManager m = NDManager.newBaseManager();
                 MultigridModel model = MultigridTrainer.trainNew(run, cfg, bars(), null, m)) {
                assertThat(model.nets().keySet()).containsExactly(method.equals("mcd") ? new Integer[] {2, 8} : new Integer[] {8});
                var rows = JsonlLog.read(run.logFile());
                assertThat(rows).hasSize(3);
                for (var row : rows) {
                    assertThat(row.get("loss_8").asDouble()).as(method).isFinite();
                }
                var samples = MultigridOutputs.writeSamples(model, run.dir().resolve("samples"), 5, 1);
                assertThat(samples).hasSize(5);
                assertThat(samples.get(0).height()).isEqualTo(8);
                MultigridOutputs.writePlots(run, model);
                assertThat(run.dir().resolve("plots/grad_l1.png")).exists();
            }
            assertThat(MultigridRun.checkpoint(run)).exists();
            try (NDManager m = NDManager.newBaseManager(); MultigridModel again = MultigridRun.load(run.dir(), m)) {
                assertThat(again.p0().getShape().get(0)).isEqualTo(24);
            }
        }
    }

    /** A run interrupted after its checkpoint and resumed writes the same checkpoint as an uninterrupted run, byte for byte. */
    @Test
    void resumeEqualsAnUninterruptedRun() throws Exception {
        for (String method : new String[] {"mcd", "pcd"}) {
            MultigridConfig cfg = tiny(method).toBuilder().epochs(2).inpaintTraining(method.equals("mcd")).build();
            RunFolder a = RunFolder.create(tmp.resolve("a-" + method), false);
            try (NDManager m = NDManager.newBaseManager(); MultigridModel ignored = MultigridTrainer.trainNew(a, cfg, bars(), null, m)) {
                assertThat(ignored.nets()).isNotEmpty();
            }
            // b: the same run stopped after 2 of 6 iterations (a crash right after a checkpoint), then resumed
            RunFolder b = RunFolder.create(tmp.resolve("b-" + method), false);
            MultigridConfig shortCfg = cfg.toBuilder().epochs(1).build();
            try (NDManager m = NDManager.newBaseManager(); MultigridModel ignored = MultigridTrainer.trainNew(b, shortCfg, bars(), null, m)) {
                assertThat(ignored.nets()).isNotEmpty();
            }
            // rewrite its config to the 2-epoch one and resume: iterations 3..5 continue from the checkpoint
            org.ebm4j.core.AtomicFiles.writeJson(b.configFile(), org.ebm4j.core.AtomicFiles.readJson(a.configFile(), MultigridRun.Info.class));
            try (NDManager m = NDManager.newBaseManager();
                 MultigridModel ignored = new MultigridTrainer(cfg, null).train(b, bars(), m)) {
                assertThat(ignored.nets()).isNotEmpty();
            }
            org.ebm4j.train.CheckpointAssert.sameContent(MultigridRun.checkpoint(b), MultigridRun.checkpoint(a));
        }
    }

    @Test
    void maskedChainsNeverChangeObservedPixels() throws Exception {
        for (String method : new String[] {"mcd", "single-grid"}) {
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, tiny(method))) {
                Torch.seed(2);
                ImageDataset d = bars();
                NDArray x = model.toPixels(d.batch(m, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
                try (NDArray ones = MultigridTrainer.oneByOne(model, d)) {
                    model.setP0(ones);
                }
                for (String kind : InpaintingMasks.KINDS) {
                  for (boolean any : new boolean[] {false, true}) {
                    NDArray mask = InpaintingMasks.of(kind, m, 10, 8, 4, 11);
                    NDArray out = model.inpaint(x, mask, 3, any);
                    NDArray keep = mask.mul(-1).add(1);
                    assertThat(out.sub(x).mul(keep).abs().max().getFloat()).as(kind).isEqualTo(0f);
                    assertThat(out.sub(x).mul(mask).abs().sum().getFloat()).as(kind + " moves missing pixels").isGreaterThan(0f);
                  }
                }
            }
        }
    }

    @Test
    void maskKindsHaveTheirPublishedSizes() {
        assertThat(InpaintingMasks.missingFraction(InpaintingMasks.doodles(20, 64, 0.25, 1))).isBetween(0.25, 0.30);
        assertThat(InpaintingMasks.missingFraction(InpaintingMasks.pepper(20, 64, 0.6, 1))).isBetween(0.58, 0.62);
        assertThat(InpaintingMasks.missingFraction(InpaintingMasks.centred(2, 64, 32))).isEqualTo(0.25);
        assertThat(InpaintingMasks.doodles(3, 32, 0.25, 9)).isEqualTo(InpaintingMasks.doodles(3, 32, 0.25, 9));
    }

    @Test
    void badSettingsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> tiny("mcd").toBuilder().imageSize(10).build().validate())
                .isInstanceOf(EbmException.class).hasMessageContaining("not reachable by the grids");
        assertThatThrownBy(() -> tiny("mcd").toBuilder().grids(new int[] {1, 3, 8}).build().validate())
                .hasMessageContaining("multiple of the previous");
        assertThatThrownBy(() -> tiny("cd-2").validate()).hasMessageContaining("unknown method 'cd-2'; use one of: mcd, cd1, pcd, single-grid");
        RunFolder run = RunFolder.create(tmp.resolve("small"), false);
        assertThatThrownBy(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MultigridTrainer.trainNew(run, tiny("mcd").toBuilder().batchSize(32).build(), bars(), null, m);
            }
        }).hasMessageContaining("fewer than one batch");
    }
}
