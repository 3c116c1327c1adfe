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

/** Every dualmcmc command end to end on a tiny image folder; bad input gets one line and leaves files alone. */
class DualmcmcCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;

    private static CliRun.Result cli(String... args) {
        return CliRun.run(args);
    }

    static List<String> tinyArgs(Path out) {
        return new ArrayList<>(List.of("dualmcmc", "train", "--data", data.toString(), "--out", out.toString(),
                "--image-size", "8", "--channels", "1", "--batch", "8", "--epochs", "1",
                "--set", "nets.latent=4", "--set", "nets.ebmWidth=8", "--set", "nets.genWidth=8", "--set", "nets.infWidth=4",
                "--set", "chains.xSteps=2", "--set", "chains.zSteps=2", "--set", "chains.testXSteps=2",
                "--set", "cadence.logEvery=1", "--quiet"));
    }

    /** 8×8 grey bars in train/ and test/. */
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
        CliRun.Result t = cli(tinyArgs(run).toArray(String[]::new));
        assertThat(t.code()).as(t.err()).isZero();
    }

    @Test
    void trainWritesARunThatEveryCommandReads() throws Exception {
        assertThat(run.resolve("samples/side_by_side.png")).exists();
        assertThat(run.resolve("plots/energy.png")).exists();
        assertThat(run.resolve("report.html")).exists();
        assertThat(run.resolve("checkpoints/latest.ckpt")).exists();
        CliRun.Result s = cli("dualmcmc", "sample", "--run", run.toString(), "--out", tmp.resolve("s").toString(), "--n", "3",
                "--steps", "2");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(tmp.resolve("s/revised/sample_002.png")).exists();
        assertThat(tmp.resolve("s/revised.png")).exists();
        CliRun.Result rec = cli("dualmcmc", "reconstruct", "--run", run.toString(), "--n", "10", "--out", tmp.resolve("rec").toString());
        assertThat(rec.code()).as(rec.err()).isZero();
        assertThat(rec.out()).contains("\"mseInference\"").contains("\"mseRevised\"");
        assertThat(tmp.resolve("rec/grid.png")).exists();
        CliRun.Result in = cli("dualmcmc", "inpaint", "--run", run.toString(), "--mask", "M30,R20", "--n", "10", "--out",
                tmp.resolve("inp").toString());
        assertThat(in.code()).as(in.err()).isZero();
        assertThat(in.out()).contains("M30  inf_gen").contains("R20  inf_gen_tz_tx");
        assertThat(tmp.resolve("inp/inpainting.json")).exists();
        assertThat(tmp.resolve("inp/M30.png")).exists();
        Path scores = tmp.resolve("scores/in.csv");
        CliRun.Result sc = cli("dualmcmc", "score", "--run", run.toString(), "--data", data + ":test", "--out", scores.toString());
        assertThat(sc.code()).as(sc.err()).isZero();
        assertThat(ScoreFiles.read(scores, null)).hasSize(24);
        CliRun.Result again = cli("dualmcmc", "score", "--run", run.toString(), "--data", data + ":test", "--out", scores.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("exists; pass --force");
        CliRun.Result au = cli("eval", "auroc", "--in", scores.toString(), "--out", scores.toString());
        assertThat(au.code()).as(au.err()).isZero();
        CliRun.Result ood = cli("dualmcmc", "ood", "--run", run.toString(), "--vs", "noise", "--n", "20");
        assertThat(ood.code()).as(ood.err()).isZero();
        assertThat(ood.out()).contains("AUROC").contains("\"noise\"");
        CliRun.Result ip = cli("dualmcmc", "interpolate", "--run", run.toString(), "--out", tmp.resolve("ip").toString(),
                "--rows", "2", "--steps", "4");
        assertThat(ip.code()).as(ip.err()).isZero();
        assertThat(tmp.resolve("ip/interpolate_revised.png")).exists();
    }

    @Test
    void badInputIsOneLineAndTouchesNothing() throws Exception {
        List<String> badSize = tinyArgs(tmp.resolve("x"));
        badSize.set(badSize.indexOf("8"), "12");
        CliRun.Result size = cli(badSize.toArray(String[]::new));
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("imageSize must be a power of two").doesNotContain("at org.");
        assertThat(tmp.resolve("x")).doesNotExist();

        CliRun.Result missing = cli("dualmcmc", "train", "--data", tmp.resolve("nope").toString(), "--out", tmp.resolve("y").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().trim().lines().count()).isEqualTo(1);
        assertThat(tmp.resolve("y")).doesNotExist();

        CliRun.Result noData = cli("dualmcmc", "train", "--preset", "paper", "--out", tmp.resolve("p").toString());
        assertThat(noData.code()).isEqualTo(1);
        assertThat(noData.err()).contains("pass --data");
        assertThat(tmp.resolve("p")).doesNotExist();

        CliRun.Result preset = cli("dualmcmc", "train", "--preset", "cifar", "--out", tmp.resolve("q").toString());
        assertThat(preset.code()).isEqualTo(2);
        assertThat(preset.err()).contains("unknown preset 'cifar'");

        long before = Files.getLastModifiedTime(run.resolve("checkpoints/latest.ckpt")).toMillis();
        CliRun.Result again = cli(tinyArgs(run).toArray(String[]::new));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        assertThat(Files.getLastModifiedTime(run.resolve("checkpoints/latest.ckpt")).toMillis()).isEqualTo(before);

        CliRun.Result mask = cli("dualmcmc", "inpaint", "--run", run.toString(), "--mask", "M120", "--out", tmp.resolve("z").toString());
        assertThat(mask.code()).isEqualTo(2);
        assertThat(mask.err()).contains("unknown mask 'M120'");
        assertThat(tmp.resolve("z")).doesNotExist();

        CliRun.Result n0 = cli("dualmcmc", "sample", "--run", run.toString(), "--out", tmp.resolve("o").toString(), "--n", "0");
        assertThat(n0.code()).isEqualTo(2);
        assertThat(n0.err()).contains("--n must be >= 1");

        CliRun.Result negSteps = cli("dualmcmc", "sample", "--run", run.toString(), "--out", tmp.resolve("o").toString(), "--steps", "-1");
        assertThat(negSteps.code()).isEqualTo(2);
        assertThat(negSteps.err()).contains("--steps must be >= 0");

        CliRun.Result badSet = cli("dualmcmc", "train", "--set", "chains.zSteps=-3", "--print-config");
        assertThat(badSet.code()).isEqualTo(2);
        assertThat(badSet.err()).contains("chains.zSteps must be >= 0");

        Files.createDirectories(tmp.resolve("emptyood"));
        CliRun.Result emptyOod = cli("dualmcmc", "ood", "--run", run.toString(), "--vs", tmp.resolve("emptyood").toString());
        assertThat(emptyOod.code()).isEqualTo(1);
        assertThat(emptyOod.err().trim().lines().count()).isEqualTo(1);

        Files.createDirectories(tmp.resolve("notarun"));
        CliRun.Result notRun = cli("dualmcmc", "sample", "--run", tmp.resolve("notarun").toString(), "--out", tmp.resolve("o2").toString());
        assertThat(notRun.code()).isEqualTo(1);
        assertThat(notRun.err()).contains("not an ebm4j run folder");
    }

    @Test
    void printConfigShowsTheOfficialValues() {
        CliRun.Result p = cli("dualmcmc", "train", "--preset", "paper-cifar10", "--print-config");
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("\"order\" : \"official\"").contains("\"zLikelihood\" : \"sum-of-squares\"")
                .contains("\"revision\" : 50.0").contains("\"lrGamma\" : 0.998");
    }
}
