package org.ebm4j.cli;

import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Every multigrid command end to end on a tiny image folder; bad input gets one line and leaves files alone. */
class MultigridCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;

    private static CliRun.Result cli(String... args) {
        return CliRun.run(args);
    }

    /** 8×8 grey bars, vertical (class a) or horizontal (class b), in train/ and test/. */
    @BeforeAll
    static void trainTinyRun() throws Exception {
        data = tmp.resolve("bars");
        SplittableRandom r = new SplittableRandom(1);
        for (String split : new String[] {"train", "test"}) {
            for (int i = 0; i < 24; i++) {
                FloatImage im = FloatImage.zeros(1, 8, 8);
                int pos = r.nextInt(8);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        im.set(0, y, x, (i % 2 == 0 ? x == pos : y == pos) ? 0.9f : -0.8f);
                    }
                }
                ImageFiles.writePng(data.resolve(split).resolve(i % 2 == 0 ? "a" : "b").resolve(i + ".png"), im);
            }
        }
        run = tmp.resolve("run");
        CliRun.Result t = cli("multigrid", "train", "--data", data.toString(), "--out", run.toString(), "--image-size", "8",
                "--grids", "1,2,8", "--width", "0.1", "--steps", "2", "--batch", "8", "--epochs", "1", "--quiet");
        assertThat(t.code()).as(t.err()).isZero();
    }

    @Test
    void trainWritesARunThatEveryCommandReads() throws Exception {
        assertThat(run.resolve("samples/grid.png")).exists();
        assertThat(run.resolve("samples/chain.png")).exists();
        assertThat(run.resolve("plots/grad_l1.png")).exists();
        assertThat(run.resolve("report.html")).exists();
        assertThat(run.resolve("checkpoints/latest.ckpt")).exists();
        CliRun.Result s = cli("multigrid", "sample", "--run", run.toString(), "--out", tmp.resolve("s").toString(), "--n", "3");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(tmp.resolve("s/sample_002.png")).exists();
        for (String mask : new String[] {"square", "doodle", "pepper"}) {
            CliRun.Result in = cli("multigrid", "inpaint", "--run", run.toString(), "--mask", mask, "--n", "10", "--out",
                    tmp.resolve("inp-" + mask).toString());
            assertThat(in.code()).as(in.err()).isZero();
            assertThat(in.out()).contains("\"psnr\"").contains("\"error\"");
            assertThat(tmp.resolve("inp-" + mask + "/result.png")).exists();
        }
        CliRun.Result f = cli("multigrid", "features", "--run", run.toString(), "--labels", "16", "--epochs", "3", "--supervised");
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(f.out()).contains("\"test_error\"").contains("\"supervised_test_error\"").contains("\"split\":\"test\"");
        // settings are chosen on training images the labelled ones are not drawn from (this run held none out)
        CliRun.Result v = cli("multigrid", "features", "--run", run.toString(), "--labels", "12", "--epochs", "2",
                "--split", "val", "--test", "6", "--no-standardize");
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).contains("\"split\":\"val\"").contains("\"test_images\":6").contains("\"standardized\":false");
        assertThat(run.resolve("metrics/features-val-raw-12.json")).exists();
        CliRun.Result sc = cli("multigrid", "scores", "--run", run.toString(), "--n", "8");
        assertThat(sc.code()).as(sc.err()).isZero();
        assertThat(sc.out()).contains("training").contains("synthesized").contains("grid 8x8");
    }

    /** score: the CSV 'eval auroc' reads, with −𝓔 of the finest grid by default (train vs test vs MNIST). */
    @Test
    void scoreWritesPerImageNegativeEnergiesThatEvalAurocReads() throws Exception {
        Path train = tmp.resolve("sc/train.csv");
        Path test = tmp.resolve("sc/test.csv");
        CliRun.Result a = cli("multigrid", "score", "--run", run.toString(), "--data", data + ":train", "--out", train.toString());
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).contains("wrote 24 scores (f - |Y|^2/2sigma^2 at grid 8x8)");
        CliRun.Result b = cli("multigrid", "score", "--run", run.toString(), "--data", data + ":test", "--out", test.toString());
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(Files.readAllLines(test).get(0)).isEqualTo("name,score");
        assertThat(Files.readAllLines(test).get(1)).startsWith("000000,");
        double[] st = org.ebm4j.eval.ScoreFiles.read(test, null);
        assertThat(st).hasSize(24);
        // the file holds what the library computes for this run, data, grid and sign
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
             var model = org.ebm4j.method.multigrid.MultigridRun.load(run, m)) {
            var set = org.ebm4j.method.multigrid.MultigridEval.data(model.config(), data + ":test",
                    org.ebm4j.data.Datasets.Split.TEST, 0, 0);
            double[] want = org.ebm4j.method.multigrid.MultigridEval.negativeEnergies(model, set, 8);
            assertThat(st).containsExactly(want);
            double[] coarse = org.ebm4j.method.multigrid.MultigridEval.negativeEnergies(model, set, 2);
            Path c = tmp.resolve("sc/test-grid2.csv");
            CliRun.Result g2 = cli("multigrid", "score", "--run", run.toString(), "--data", data + ":test", "--out", c.toString(),
                    "--grid", "2");
            assertThat(g2.code()).as(g2.err()).isZero();
            assertThat(org.ebm4j.eval.ScoreFiles.read(c, null)).containsExactly(coarse);
        }
        CliRun.Result au = cli("eval", "auroc", "--in", train.toString(), "--out", test.toString());
        assertThat(au.code()).as(au.err()).isZero();
        assertThat(au.out()).contains("\"auroc\"");
        try {
            org.ebm4j.data.Datasets.mnistDir();
        } catch (org.ebm4j.core.EbmException e) {
            return; // MNIST not fetched (scripts/fetch-mnist.sh): the negative set is skipped
        }
        Path neg = tmp.resolve("sc/mnist.csv");
        CliRun.Result mn = cli("multigrid", "score", "--run", run.toString(), "--data", "mnist", "--n", "30", "--out", neg.toString());
        assertThat(mn.code()).as(mn.err()).isZero();
        assertThat(org.ebm4j.eval.ScoreFiles.read(neg, null)).hasSize(30);
        CliRun.Result au2 = cli("eval", "auroc", "--in", test.toString(), "--out", neg.toString());
        assertThat(au2.code()).as(au2.err()).isZero();
    }

    @Test
    void scoreRefusesAGridWithoutANetAndAnExistingFile() throws Exception {
        Path f = tmp.resolve("sc2/x.csv");
        CliRun.Result bad = cli("multigrid", "score", "--run", run.toString(), "--data", data + ":test", "--out", f.toString(),
                "--grid", "4");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--grid must be one of [2, 8]");
        assertThat(f).doesNotExist();
        Files.createDirectories(f.getParent());
        Files.writeString(f, "keep");
        CliRun.Result exists = cli("multigrid", "score", "--run", run.toString(), "--data", data + ":test", "--out", f.toString());
        assertThat(exists.code()).isEqualTo(2);
        assertThat(exists.err()).contains("exists; pass --force");
        assertThat(Files.readString(f)).isEqualTo("keep");
        CliRun.Result forced = cli("multigrid", "score", "--run", run.toString(), "--data", data + ":test", "--out", f.toString(),
                "--force", "--n", "5");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(org.ebm4j.eval.ScoreFiles.read(f, null)).hasSize(5);
    }

    /** sample --same-start (paper Fig. 5): equal samples and a one-line warning without noise, different ones with it. */
    @Test
    void sameStartWarnsWithoutNoiseAndGivesDifferentSamplesWithIt() throws Exception {
        Path quiet = tmp.resolve("same-nonoise");
        CliRun.Result a = cli("multigrid", "sample", "--run", run.toString(), "--out", quiet.toString(), "--n", "3", "--same-start");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).contains("from one 1x1 start");
        assertThat(a.err().lines().filter(l -> l.startsWith("warning:")).toList()).hasSize(1);
        assertThat(a.err()).contains("no noise term").contains("all 3 chains from the same start are identical");
        assertThat(quiet.resolve("start.png")).exists();
        assertThat(quiet.resolve("grid.png")).exists();
        byte[] first = ImageFiles.readRgb(quiet.resolve("sample_000.png")).toUint8();
        for (int i = 1; i < 3; i++) {
            assertThat(ImageFiles.readRgb(quiet.resolve(String.format("sample_%03d.png", i))).toUint8()).isEqualTo(first);
        }
        // the plain sample command warns about nothing
        CliRun.Result plain = cli("multigrid", "sample", "--run", run.toString(), "--out", tmp.resolve("plain").toString(), "--n", "2");
        assertThat(plain.err()).doesNotContain("warning");

        Path noisyRun = tmp.resolve("run-noise");
        CliRun.Result t = cli("multigrid", "train", "--data", data.toString(), "--out", noisyRun.toString(), "--image-size", "8",
                "--grids", "1,2,8", "--width", "0.1", "--steps", "2", "--batch", "8", "--epochs", "1", "--noise", "--quiet");
        assertThat(t.code()).as(t.err()).isZero();
        Path noisy = tmp.resolve("same-noise");
        CliRun.Result b = cli("multigrid", "sample", "--run", noisyRun.toString(), "--out", noisy.toString(), "--n", "3", "--same-start");
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.err()).doesNotContain("warning");
        byte[] n0 = ImageFiles.readRgb(noisy.resolve("sample_000.png")).toUint8();
        byte[] n1 = ImageFiles.readRgb(noisy.resolve("sample_001.png")).toUint8();
        byte[] n2 = ImageFiles.readRgb(noisy.resolve("sample_002.png")).toUint8();
        assertThat(n1).isNotEqualTo(n0);
        assertThat(n2).isNotEqualTo(n0);
        assertThat(n2).isNotEqualTo(n1);
    }

    /** Grey level of image i of the flat folder: 30 + 5i (each image is known by its value). */
    private static int flatIndex(float unit) {
        return Math.round(((unit + 1f) * 127.5f - 30f) / 5f);
    }

    /**
     * --val-holdout: training (its batches and p0 come from one data set) never sees the held-out
     * images, and inpaint --split val reads exactly them.
     */
    @Test
    void heldOutTrainingImagesAreNeverTrainedOnAndAreWhatSplitValInpaints() throws Exception {
        Path flat = tmp.resolve("flat");
        for (int i = 0; i < 40; i++) {
            FloatImage im = FloatImage.zeros(1, 8, 8);
            java.util.Arrays.fill(im.data(), (30 + 5 * i) / 127.5f - 1f);
            ImageFiles.writePng(flat.resolve(String.format("%02d.png", i)), im);
        }
        Path vrun = tmp.resolve("run-val");
        CliRun.Result t = cli("multigrid", "train", "--data", flat.toString(), "--out", vrun.toString(), "--image-size", "8",
                "--grids", "1,2,8", "--width", "0.1", "--steps", "1", "--batch", "8", "--epochs", "1", "--val-holdout", "10",
                "--seed", "3", "--quiet");
        assertThat(t.code()).as(t.err()).isZero();
        var info = org.ebm4j.method.multigrid.MultigridRun.readInfo(org.ebm4j.run.RunFolder.open(vrun));
        assertThat(info.config().valHoldout()).isEqualTo(10);
        assertThat(info.trainImages()).isEqualTo(30);
        java.util.Set<Integer> held = new java.util.TreeSet<>();
        for (int i : new org.ebm4j.data.Holdout(10, 3).held(40)) {
            held.add(i);
        }
        assertThat(held).hasSize(10);
        // p0 holds the 1x1 version of every image the trainer's data set has, in its order
        java.util.Set<Integer> trained = new java.util.TreeSet<>();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
             var model = org.ebm4j.method.multigrid.MultigridRun.load(vrun, m)) {
            for (float v : model.p0().toFloatArray()) {
                trained.add(flatIndex(v));
            }
        }
        assertThat(trained).hasSize(30).doesNotContainAnyElementsOf(held);
        java.util.Set<Integer> all = new java.util.TreeSet<>(trained);
        all.addAll(held);
        assertThat(all).hasSize(40);

        Path inp = tmp.resolve("inp-val");
        CliRun.Result v = cli("multigrid", "inpaint", "--run", vrun.toString(), "--mask", "square", "--split", "val", "--out", inp.toString());
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).contains("\"split\":\"val\"").contains("\"n\":10");
        java.util.Set<Integer> inpainted = new java.util.TreeSet<>();
        try (var files = Files.list(inp.resolve("truth"))) {
            for (Path f : files.toList()) {
                inpainted.add(flatIndex(ImageFiles.readRgb(f).data()[0]));
            }
        }
        assertThat(inpainted).isEqualTo(held);

        // a run that held nothing out has no validation images; nothing is written
        CliRun.Result none = cli("multigrid", "inpaint", "--run", run.toString(), "--mask", "square", "--split", "val", "--out",
                tmp.resolve("inp-none").toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("held no training images out (valHoldout 0)");
        assertThat(tmp.resolve("inp-none")).doesNotExist();
        CliRun.Result bad = cli("multigrid", "inpaint", "--run", run.toString(), "--mask", "square", "--split", "train", "--out",
                tmp.resolve("inp-bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--split must be test or val");
        // --val-holdout alone holds 1000 out; without it the preset's 0
        CliRun.Result p = cli("multigrid", "train", "--val-holdout", "--print-config");
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(org.ebm4j.core.AtomicFiles.MAPPER.readTree(p.out()).get("valHoldout").asInt()).isEqualTo(1000);
        CliRun.Result d = cli("multigrid", "train", "--print-config");
        assertThat(org.ebm4j.core.AtomicFiles.MAPPER.readTree(d.out()).get("valHoldout").asInt()).isZero();
        CliRun.Result neg = cli("multigrid", "train", "--val-holdout", "-1", "--print-config");
        assertThat(neg.code()).isEqualTo(2);
        assertThat(neg.err()).contains("--val-holdout must be >= 0");
    }

    @Test
    void badInputIsOneLineAndTouchesNothing() throws Exception {
        CliRun.Result unreachable = cli("multigrid", "train", "--data", data.toString(), "--out", tmp.resolve("x").toString(),
                "--image-size", "10", "--grids", "1,2,8");
        assertThat(unreachable.code()).isEqualTo(2);
        assertThat(unreachable.err()).contains("not reachable by the grids").doesNotContain("at org.");
        assertThat(tmp.resolve("x")).doesNotExist();

        CliRun.Result missing = cli("multigrid", "train", "--data", tmp.resolve("nope").toString(), "--out", tmp.resolve("y").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().trim().lines().count()).isEqualTo(1);
        assertThat(tmp.resolve("y")).doesNotExist();

        long before = Files.getLastModifiedTime(run.resolve("checkpoints/latest.ckpt")).toMillis();
        CliRun.Result again = cli("multigrid", "train", "--data", data.toString(), "--out", run.toString(), "--image-size", "8",
                "--grids", "1,2,8");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        assertThat(Files.getLastModifiedTime(run.resolve("checkpoints/latest.ckpt")).toMillis()).isEqualTo(before);

        CliRun.Result labels = cli("multigrid", "features", "--run", run.toString(), "--labels", "5000");
        assertThat(labels.code()).isEqualTo(1);
        assertThat(labels.err()).contains("more than the 24 training images");

        CliRun.Result split = cli("multigrid", "features", "--run", run.toString(), "--split", "train");
        assertThat(split.code()).isEqualTo(2);
        assertThat(split.err()).contains("--split must be test or val, got 'train'");

        CliRun.Result mask = cli("multigrid", "inpaint", "--run", run.toString(), "--mask", "zigzag", "--out", tmp.resolve("z").toString());
        assertThat(mask.code()).isEqualTo(2);
        assertThat(mask.err()).contains("--mask must be one of");

        Files.createDirectories(tmp.resolve("notarun"));
        CliRun.Result notRun = cli("multigrid", "sample", "--run", tmp.resolve("notarun").toString(), "--out", tmp.resolve("o").toString());
        assertThat(notRun.code()).isEqualTo(1);
        assertThat(notRun.err()).contains("not an ebm4j run folder");
    }
}
