package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.run.JsonlLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatchGenEndToEndTest {
    @TempDir
    static Path tmp;
    static Path image;

    @BeforeAll
    static void makeImage() throws Exception {
        image = writeStripes(tmp);
    }

    /** Writes DIR/stripes.png, a tiny 40×30 striped test image with some colour structure. */
    static Path writeStripes(Path dir) throws java.io.IOException {
        int w = 40;
        int h = 30;
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                d[y * w + x] = (float) Math.sin(x * 0.8);
                d[h * w + y * w + x] = (float) Math.cos(y * 0.6);
                d[2 * h * w + y * w + x] = ((x / 5 + y / 5) % 2) * 1.6f - 0.8f;
            }
        }
        Path file = dir.resolve("stripes.png");
        ImageFiles.writePng(file, new FloatImage(3, h, w, d));
        return file;
    }

    static PatchGenConfig tiny() {
        return PatchGenConfig.fast().withScales(2, 20, 40).withIterations(6).withSteps(6, 4, 4)
                .withIntervals(2, 3, 2).withSeed(7);
    }

    @Test
    void trainSampleAtAnySizeAndReconstruct() throws Exception {
        Path run = tmp.resolve("run-a");
        try (NDManager m = NDManager.newBaseManager();
             PatchGenModel model = PatchGenTrainer.trainNew(image, run, false, tiny(), ProgressListener.NONE, m)) {
            assertThat(model.trainedScales()).isEqualTo(2);
        }
        assertThat(run.resolve("checkpoints/scale-00.ckpt")).exists();
        assertThat(run.resolve("checkpoints/scale-01.ckpt")).exists();
        assertThat(run.resolve("checkpoints/partial.ckpt")).doesNotExist();
        assertThat(JsonlLog.read(run.resolve("log.jsonl"))).isNotEmpty()
                .allSatisfy(row -> assertThat(row.get("loss").isNumber()).as("finite loss in %s", row).isTrue());
        try (NDManager m = NDManager.newBaseManager(); PatchGenModel model = PatchGenRun.load(run, m)) {
            NDArray x = model.sample(m, 2, 1.5, 1.0, 0.0);
            assertThat(x.getShape().get(0)).isEqualTo(2);
            assertThat(x.getShape().get(3)).isEqualTo(60); // 1.5 × 40
            assertThat(x.getShape().get(2)).isEqualTo(30);
            assertThat(x.max().getFloat()).isLessThanOrEqualTo(1f);
            NDArray r = model.reconstruct(m);
            assertThat(ImageTensors.fromTensor(r).get(0).width()).isEqualTo(40);
        }
    }

    /**
     * scaleInit coarser: scale 1 starts from scale 0's trained net, so after one Adam step (each
     * weight moves by at most about lr) it is still within lr of it; fresh nets are new draws.
     */
    @Test
    void scaleInitCoarserStartsFromTheCoarserScalesNet() throws Exception {
        for (PatchGenConfig.ScaleInit init : PatchGenConfig.ScaleInit.values()) {
            PatchGenConfig.Builder b = tiny().toBuilder();
            b.scaleIterations = new int[] {6, 1};
            b.netSize = PatchGenConfig.NetSize.SMALL;
            b.scaleInit = init;
            PatchGenConfig cfg = b.build();
            Path run = tmp.resolve("init-" + init);
            try (NDManager m = NDManager.newBaseManager()) {
                PatchGenTrainer.trainNew(image, run, false, cfg, ProgressListener.NONE, m).close();
                try (PatchGenModel model = PatchGenRun.load(run, m)) {
                    assertThat(PatchGenTrainer.warmStarts(model, 1)).isEqualTo(init == PatchGenConfig.ScaleInit.COARSER);
                    double maxDiff = 0;
                    for (var e : model.net(0).getParameters()) {
                        if (e.getValue().getType() == ai.djl.nn.Parameter.Type.OTHER) {
                            continue; // spectral norm's u moves at every forward pass, not by Adam
                        }
                        float[] a = e.getValue().getArray().toFloatArray();
                        float[] c = model.net(1).getParameters().get(e.getKey()).getArray().toFloatArray();
                        for (int i = 0; i < a.length; i++) {
                            maxDiff = Math.max(maxDiff, Math.abs(a[i] - c[i]));
                        }
                    }
                    if (init == PatchGenConfig.ScaleInit.COARSER) {
                        assertThat(maxDiff).as("scale 1 vs scale 0, %s", init).isLessThanOrEqualTo(1.01 * cfg.lrInit());
                    } else {
                        assertThat(maxDiff).as("scale 1 vs scale 0, %s", init).isGreaterThan(5 * cfg.lrInit());
                    }
                }
            }
        }
        var tree = PatchGenConfig.TYPE.toTree(PatchGenConfig.fast());
        tree.put("scaleInit", "coarser");
        assertThat(PatchGenConfig.TYPE.read(tree).scaleInit()).isEqualTo(PatchGenConfig.ScaleInit.COARSER);
        tree.remove("scaleInit"); // a config.json written before the setting: fresh nets, as then
        assertThat(PatchGenConfig.TYPE.read(tree).scaleInit()).isEqualTo(PatchGenConfig.ScaleInit.FRESH);
    }

    /**
     * Net (a) copied into the leading channels of a fresh net (b): the wider net computes nearly
     * the same energy map (its extra channels start with N(0, 0.005) kernels); a fresh net (b)
     * does not. A wider net cannot be copied into a narrower one.
     */
    @Test
    void copyIntoAWiderNetKeepsTheNarrowNetsFunction() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(3);
            org.ebm4j.nn.PatchEnergyNet small = new org.ebm4j.nn.PatchEnergyNet(3, org.ebm4j.nn.PatchEnergyNet.WIDTHS_SMALL, 0.05f).init(m);
            org.ebm4j.nn.PatchEnergyNet wide = new org.ebm4j.nn.PatchEnergyNet(3, org.ebm4j.nn.PatchEnergyNet.WIDTHS_MEDIUM, 0.005f).init(m);
            NDArray x = m.randomUniform(-1f, 1f, new ai.djl.ndarray.types.Shape(2, 3, 20, 20));
            for (int i = 0; i < 50; i++) { // spectral norm's power iteration converges, as in a trained net
                small.output(x).close();
                wide.output(x).close();
            }
            float[] before = wide.output(x).toFloatArray();
            float[] want = small.output(x).toFloatArray();
            PatchGenTrainer.copyInto(small, wide);
            float[] got = wide.output(x).toFloatArray();
            assertThat(got).hasSameSizeAs(want);
            double err = 0;
            double errFresh = 0;
            double norm = 0;
            for (int i = 0; i < want.length; i++) {
                err += (got[i] - want[i]) * (got[i] - want[i]);
                errFresh += (before[i] - want[i]) * (before[i] - want[i]);
                norm += want[i] * want[i];
            }
            assertThat(Math.sqrt(err / norm)).as("relative error of the copy").isLessThan(0.05);
            assertThat(Math.sqrt(errFresh / norm)).as("relative error of a fresh wide net").isGreaterThan(0.5);
            assertThatThrownBy(() -> PatchGenTrainer.copyInto(wide, small)).hasMessageContaining("from the wider");
        }
    }

    @Test
    void eachScaleTrainsItsOwnNumberOfIterations() throws Exception {
        PatchGenConfig.Builder b = tiny().withIntervals(1, 1000, 0).toBuilder();
        b.scaleIterations = new int[] {5, 2};
        PatchGenConfig cfg = b.build();
        java.util.List<Long> done = new java.util.ArrayList<>();
        ProgressListener count = recording(done);
        Path run = tmp.resolve("per-scale");
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenTrainer.trainNew(image, run, false, cfg, count, m).close();
        }
        var rows = JsonlLog.read(run.resolve("log.jsonl"));
        assertThat(rows.stream().filter(r -> r.get("scale").asInt() == 0).map(r -> r.get("iter").asInt()))
                .containsExactly(0, 1, 2, 3, 4);
        assertThat(rows.stream().filter(r -> r.get("scale").asInt() == 1).map(r -> r.get("iter").asInt()))
                .containsExactly(0, 1);
        // one progress total for the whole run (5 + 2), counted to its end
        assertThat(done.get(0)).isEqualTo(-7L);
        assertThat(done.get(done.size() - 1)).isEqualTo(7L);
    }

    /**
     * Training leaves no tensors behind in the model's manager: the same number of live arrays
     * after 3 and after 9 iterations (spectral norm once left 5 temporaries per layer and forward
     * call there, ~6 MB per iteration at the fast preset: 11 GB resident for a long run).
     */
    @Test
    void trainingDoesNotGrowTheModelManager() throws Exception {
        int[] live = new int[2];
        int[] iters = {3, 9};
        for (int i = 0; i < 2; i++) {
            try (NDManager m = NDManager.newBaseManager();
                 PatchGenModel model = PatchGenTrainer.trainNew(image, tmp.resolve("leak" + i), false,
                         tiny().withIterations(iters[i]), ProgressListener.NONE, m)) {
                live[i] = model.manager().getManagedArrays().size();
            }
        }
        assertThat(live[1]).as("live arrays after %d vs %d iterations", iters[1], iters[0]).isEqualTo(live[0]);
    }

    /** Nor does an iteration leave tensors in the scale's scope: live arrays at every iteration's end are the same. */
    @Test
    void iterationsDoNotGrowTheScaleScope() throws Exception {
        java.util.List<Integer> live = new java.util.ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            ProgressListener count = new ProgressListener() {
                @Override
                public void progress(long done, String status) {
                    live.add(m.getManagedArrays().size());
                }
            };
            // no logging, image or checkpoint writes in between: every iteration does the same work
            PatchGenConfig cfg = tiny().withIterations(8).withIntervals(1000, 1000, 0);
            PatchGenTrainer.trainNew(image, tmp.resolve("scope"), false, cfg, count, m).close();
        }
        assertThat(live).hasSize(16);
        // scale 1's iterations 1..6 (the first allocates Adam's moments, the last writes the final log line and images)
        assertThat(live.subList(9, 15)).as("live arrays per iteration of scale 1: %s", live).containsOnly(live.get(9));
        assertThat(live.subList(1, 7)).as("live arrays per iteration of scale 0: %s", live).containsOnly(live.get(1));
    }

    @Test
    void resumeAfterACrashEqualsAnUninterruptedRun() throws Exception {
        Path a = tmp.resolve("uninterrupted");
        Path b = tmp.resolve("crashed");
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenTrainer.trainNew(image, a, false, tiny(), ProgressListener.NONE, m).close();
            // crash in the middle of scale 1 (after its mid-scale checkpoint at iteration 3)
            ProgressListener crash = new ProgressListener() {
                @Override
                public void progress(long done, String status) {
                    if (status.startsWith("scale 2/2 iteration 5/6")) {
                        throw new IllegalStateException("simulated crash");
                    }
                }
            };
            assertThatThrownBy(() -> PatchGenTrainer.trainNew(image, b, false, tiny(), crash, m))
                    .hasMessageContaining("simulated crash");
            assertThat(b.resolve("checkpoints/partial.ckpt")).exists();
            assertThat(b.resolve("checkpoints/scale-01.ckpt")).doesNotExist();
            // the resumed process counts only what it has left: scale 1's iterations 4 and 5
            java.util.List<Long> resumed = new java.util.ArrayList<>();
            PatchGenTrainer.resume(b, recording(resumed), m).close();
            TrainingCost cost = TrainingCost.of(tiny(), Pyramid.of(40, 30, 2, 20, 40));
            long left = Math.round(2 * cost.weight(1));
            assertThat(resumed).containsExactly(-left, Math.round(cost.weight(1)), left);
        }
        assertThat(JsonlLog.read(a.resolve("log.jsonl")))
                .allSatisfy(row -> assertThat(row.get("loss").isNumber()).as("finite loss in %s", row).isTrue());
        for (String f : List.of("checkpoints/scale-00.ckpt", "checkpoints/scale-01.ckpt")) {
            org.ebm4j.train.CheckpointAssert.sameContent(b.resolve(f), a.resolve(f));
        }
        assertThat(Files.readAllLines(b.resolve("log.jsonl")).stream().map(PatchGenEndToEndTest::withoutTiming))
                .containsExactlyElementsOf(Files.readAllLines(a.resolve("log.jsonl")).stream()
                        .map(PatchGenEndToEndTest::withoutTiming).toList());
    }

    /** A listener that records each start as −total and each progress report as its count. */
    private static ProgressListener recording(java.util.List<Long> into) {
        return new ProgressListener() {
            @Override
            public void start(String task, long total) {
                into.add(-total);
            }

            @Override
            public void progress(long done, String status) {
                into.add(done);
            }
        };
    }

        private static String withoutTiming(String line) {
        return line.replaceAll("\"ms_per_iter\":[0-9.Ee+-]+", "");
    }

    @Test
    void imageSmallerThanTheMinimumIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenConfig cfg = tiny().withScales(2, 35, 40);
            assertThatThrownBy(() -> PatchGenTrainer.trainNew(image, tmp.resolve("small"), false, cfg,
                    ProgressListener.NONE, m))
                    .isInstanceOf(EbmException.class).hasMessageContaining("smaller than the minimum size");
            assertThat(tmp.resolve("small")).doesNotExist();
        }
    }
}
