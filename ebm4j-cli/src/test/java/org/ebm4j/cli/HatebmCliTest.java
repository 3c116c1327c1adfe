package org.ebm4j.cli;

import org.ebm4j.eval.ScoreFiles;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Every hatebm command end to end on a tiny image folder; bad input gets one line and leaves files alone. */
class HatebmCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;

    private static CliRun.Result cli(String... args) {
        return CliRun.run(args);
    }

    static List<String> tiny(String... head) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of("--data", data.toString(), "--set", "batchSize=4", "--iters", "4",
                "--set", "nets.latent=4", "--set", "nets.ebmWidth=16", "--set", "nets.genWidth=16",
                "--set", "chains.steps=2", "--set", "chains.testSteps=2", "--set", "train.bankSize=8",
                "--set", "cadence.logEvery=1", "--quiet"));
        return a;
    }

    /** 8×8 grey bars in train/ and test/; one tiny synthesis run. */
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
                ImageFiles.writePng(data.resolve(split).resolve(i + ".png"), im);
            }
        }
        run = tmp.resolve("run");
        List<String> a = tiny("hatebm", "train", "--out", run.toString(), "--image-size", "8");
        CliRun.Result t = cli(a.toArray(String[]::new));
        assertThat(t.code()).as(t.err()).isZero();
    }

    @Test
    void trainWritesARunThatEveryCommandReads() throws Exception {
        assertThat(run.resolve("samples/side_by_side.png")).exists();
        assertThat(run.resolve("samples/refined.png")).exists();
        assertThat(run.resolve("plots/energy.png")).exists();
        assertThat(run.resolve("report.html")).exists();
        assertThat(run.resolve("checkpoints/latest.ckpt")).exists();
        CliRun.Result s = cli("hatebm", "sample", "--run", run.toString(), "--out", tmp.resolve("s").toString(), "--n", "3",
                "--steps", "2", "--ema");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(tmp.resolve("s/refined/sample_002.png")).exists();
        assertThat(tmp.resolve("s/generated.png")).exists();
        Path scores = tmp.resolve("scores/in.csv");
        CliRun.Result sc = cli("hatebm", "score", "--run", run.toString(), "--data", data + ":test", "--out", scores.toString());
        assertThat(sc.code()).as(sc.err()).isZero();
        assertThat(ScoreFiles.read(scores, null)).hasSize(24);
        CliRun.Result again = cli("hatebm", "score", "--run", run.toString(), "--data", data + ":test", "--out", scores.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("exists; pass --force");
        CliRun.Result au = cli("eval", "auroc", "--in", scores.toString(), "--out", scores.toString());
        assertThat(au.code()).as(au.err()).isZero();

        Path ref = tmp.resolve("refine");
        CliRun.Result rf = cli(tiny("hatebm", "refine", "--out", ref.toString(), "--generator", run.toString()).toArray(String[]::new));
        assertThat(rf.code()).as(rf.err()).isZero();
        assertThat(ref.resolve("samples/refined.png")).exists();
        assertThat(Files.readString(ref.resolve("config.json"))).contains("\"mode\" : \"refine\"");

        // resume of a complete run says so and keeps the checkpoint
        CliRun.Result res = cli("hatebm", "train", "--resume", "--out", run.toString(), "--quiet");
        assertThat(res.code()).as(res.err()).isZero();
    }

    @Test
    void ablationFlagsReachTheConfig() {
        CliRun.Result p = cli("hatebm", "train", "--generator-target", "current", "--no-residual", "--print-config");
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("\"generatorTarget\" : \"current\"").contains("\"residual\" : false");
        CliRun.Result c = cli("hatebm", "train", "--preset", "code-cifar10", "--print-config");
        assertThat(c.out()).contains("\"temperature\" : 1.0E-8").contains("\"iterations\" : 50000");
    }

    @Test
    void badInputIsOneLineAndTouchesNothing() throws Exception {
        CliRun.Result bank = cli("hatebm", "train", "--set", "train.bankSize=8", "--out", tmp.resolve("b").toString());
        assertThat(bank.code()).isEqualTo(2);
        assertThat(bank.err()).contains("train.bankSize (8) must be >= batchSize (32)").doesNotContain("at org.");
        assertThat(tmp.resolve("b")).doesNotExist();

        CliRun.Result temp = cli("hatebm", "train", "--set", "chains.temperature=1e12", "--print-config");
        assertThat(temp.code()).isEqualTo(2);
        assertThat(temp.err()).contains("chains.temperature");

        CliRun.Result eps = cli("hatebm", "train", "--set", "chains.epsilon=3", "--print-config");
        assertThat(eps.code()).isEqualTo(2);
        assertThat(eps.err()).contains("chains.epsilon");

        CliRun.Result missing = cli("hatebm", "train", "--data", tmp.resolve("nope").toString(), "--out", tmp.resolve("y").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().trim().lines().count()).isEqualTo(1);
        assertThat(tmp.resolve("y")).doesNotExist();

        CliRun.Result noData = cli("hatebm", "train", "--preset", "paper", "--out", tmp.resolve("p").toString());
        assertThat(noData.code()).isEqualTo(1);
        assertThat(noData.err()).contains("pass --data");
        assertThat(tmp.resolve("p")).doesNotExist();

        CliRun.Result refinePreset = cli("hatebm", "train", "--preset", "fast-refine", "--out", tmp.resolve("q").toString());
        assertThat(refinePreset.code()).isEqualTo(2);
        assertThat(refinePreset.err()).contains("use 'hatebm refine'");

        // another method's run as --generator
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("config.json"), "{\"method\":\"patchgen\"}");
        CliRun.Result wrongGen = cli(tiny("hatebm", "refine", "--out", tmp.resolve("g").toString(), "--generator",
                other.toString()).toArray(String[]::new));
        assertThat(wrongGen.code()).isEqualTo(2);
        assertThat(wrongGen.err()).contains("is a patchgen run").contains("pass a hatebm or dualmcmc run folder");
        assertThat(tmp.resolve("g")).doesNotExist();

        CliRun.Result noGen = cli(tiny("hatebm", "refine", "--out", tmp.resolve("g2").toString()).toArray(String[]::new));
        assertThat(noGen.code()).isNotZero();
        assertThat(noGen.err()).contains("--generator");
        assertThat(tmp.resolve("g2")).doesNotExist();

        long before = Files.getLastModifiedTime(run.resolve("checkpoints/latest.ckpt")).toMillis();
        List<String> a = tiny("hatebm", "train", "--out", run.toString(), "--image-size", "8");
        CliRun.Result again = cli(a.toArray(String[]::new));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        assertThat(Files.getLastModifiedTime(run.resolve("checkpoints/latest.ckpt")).toMillis()).isEqualTo(before);

        CliRun.Result n0 = cli("hatebm", "sample", "--run", run.toString(), "--out", tmp.resolve("o").toString(), "--n", "0");
        assertThat(n0.code()).isEqualTo(2);
        assertThat(n0.err()).contains("--n must be >= 1");

        Files.createDirectories(tmp.resolve("notarun"));
        CliRun.Result notRun = cli("hatebm", "sample", "--run", tmp.resolve("notarun").toString(), "--out", tmp.resolve("o2").toString());
        assertThat(notRun.code()).isEqualTo(1);
        assertThat(notRun.err()).contains("not an ebm4j run folder");
    }
}
