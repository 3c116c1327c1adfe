package org.ebm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.eval.features.FeatureNet;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridRun;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** --config, --set and --print-config of the train commands. */
class ConfigCliTest {
    @TempDir
    Path tmp;

    private static PatchGenConfig printedPatchgen(String... args) throws Exception {
        CliRun.Result r = CliRun.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return PatchGenConfig.TYPE.read(AtomicFiles.MAPPER.readTree(r.out()));
    }

    @Test
    void setReachesPatchgenSettingsTheFlagsDoNot() throws Exception {
        PatchGenConfig c = printedPatchgen("patchgen", "train", "--preset", "fast", "--set", "stepSize=0.02",
                "--set", "noiseInit=0.05", "--set", "stepsInit=12", "--set", "earlyStop=stop", "--set", "quantize8=false",
                "--set", "cadence.imageEvery=7", "--set", "seed=12345678901", "--print-config");
        PatchGenConfig.Builder want = PatchGenConfig.fast().toBuilder();
        want.stepSize = 0.02;
        want.noiseInit = 0.05;
        want.stepsInit = 12;
        want.earlyStop = PatchGenConfig.EarlyStop.STOP;
        want.quantize8 = false;
        want.imageEvery = 7;
        want.seed = 12345678901L;
        assertThat(c).isEqualTo(want.build());
    }

    @Test
    void presetThenConfigFileThenSetThenSpecificFlags() throws Exception {
        Path f = tmp.resolve("c.json");
        Files.writeString(f, "{\"iterations\": 40, \"stepSize\": 0.5, \"seed\": 3, \"cadence\": {\"logEvery\": 4}}");
        PatchGenConfig c = printedPatchgen("patchgen", "train", "--preset", "paper", "--config", f.toString(),
                "--set", "stepSize=0.25", "--set", "seed=4", "--seed", "5", "--iters", "100", "--print-config");
        assertThat(c.preset()).isEqualTo("paper");
        assertThat(c.numScales()).isEqualTo(PatchGenConfig.paper().numScales()); // the preset's
        assertThat(c.logEvery()).isEqualTo(4); // the file's
        assertThat(c.stepSize()).isEqualTo(0.25); // --set beats the file
        assertThat(c.seed()).isEqualTo(5); // --seed beats --set
        assertThat(c.iterations()).isEqualTo(100); // --iters beats the file, and still rescales the decays
        assertThat(c.noiseDecayIters()).isEqualTo(25);
        assertThat(c.lrDecayIters()).isEqualTo(80);
    }

    @Test
    void badKeysValuesAndChoicesAreOneLineUsageErrors() {
        CliRun.Result r = CliRun.run("patchgen", "train", "--image", "x.png", "--out", tmp.resolve("r").toString(),
                "--set", "stepsize=0.1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown setting 'stepsize' for patchgen; known: preset, numScales,").contains("stepSize");
        assertThat(tmp.resolve("r")).doesNotExist();

        r = CliRun.run("multigrid", "train", "--out", tmp.resolve("m").toString(), "--set", "epochs=abc");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("setting 'epochs' expects an integer, got 'abc'");

        r = CliRun.run("patchgen", "train", "--image", "x.png", "--out", tmp.resolve("r").toString(), "--early-stop", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown early-stop 'x'; use one of: restart, warn, stop");

        r = CliRun.run("multigrid", "train", "--print-config", "--set", "method=cd2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown method 'cd2'; use one of: mcd, cd1, pcd, single-grid");

        r = CliRun.run("patchgen", "train", "--print-config", "--set", "initFactor=2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("invalid PatchGenCN setting: initFactor must be in (0, 1), got 2.0");

        r = CliRun.run("patchgen", "train", "--out", tmp.resolve("r").toString(), "--resume", "--set", "seed=1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("do not apply with --resume");

        r = CliRun.run("patchgen", "train", "--image", "x.png");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--out=<out>'");
    }

    @Test
    void multigridFastNoNoisePrintsFastsConfigUnderItsOwnName() throws Exception {
        CliRun.Result a = CliRun.run("multigrid", "train", "--preset", "fast", "--print-config");
        CliRun.Result b = CliRun.run("multigrid", "train", "--preset", "fast-nonoise", "--print-config");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(b.code()).as(b.err()).isZero();
        com.fasterxml.jackson.databind.node.ObjectNode fast = (com.fasterxml.jackson.databind.node.ObjectNode) AtomicFiles.MAPPER.readTree(a.out());
        com.fasterxml.jackson.databind.node.ObjectNode nonoise = (com.fasterxml.jackson.databind.node.ObjectNode) AtomicFiles.MAPPER.readTree(b.out());
        assertThat(fast.get("preset").asText()).isEqualTo("fast");
        assertThat(nonoise.get("preset").asText()).isEqualTo("fast-nonoise");
        assertThat(nonoise.get("noise").asBoolean()).isFalse();
        assertThat(nonoise.get("batchNorm").asBoolean()).isFalse();
        fast.remove("preset");
        nonoise.remove("preset");
        assertThat(nonoise).isEqualTo(fast);

        CliRun.Result bad = CliRun.run("multigrid", "train", "--preset", "quick", "--print-config");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("unknown preset 'quick'; use one of: fast, fast-nonoise, fast-eq8, long-eq8, paper, code");
        CliRun.Result help = CliRun.run("multigrid", "train", "--help");
        assertThat(help.out()).contains("fast-nonoise");
    }

    @Test
    void multigridRulesLiveInTheLibraryAndPrintConfigParsesBack() throws Exception {
        CliRun.Result r = CliRun.run("multigrid", "train", "--image-size", "16", "--steps", "4", "--lr", "0.5",
                "--set", "lrEnd=0.9", "--set", "lrSchedule=logspace", "--set", "sampleEvery=3", "--print-config");
        assertThat(r.code()).as(r.err()).isZero();
        MultigridConfig c = MultigridConfig.TYPE.read(AtomicFiles.MAPPER.readTree(r.out()));
        assertThat(c.grids()).containsExactly(1, 4, 16); // default ladder for 16 px
        assertThat(c.maskSize()).isEqualTo(8); // half the side
        assertThat(c.baselineSteps()).isEqualTo(8); // 4 per grid × 2 grids above 1×1
        assertThat(c.lr()).isEqualTo(0.5);
        assertThat(c.lrEnd()).isEqualTo(0.5); // the floor stays at or below lr
        assertThat(c.lrSchedule()).isEqualTo(MultigridConfig.Schedule.LOGSPACE);
        assertThat(c.sampleEvery()).isEqualTo(3);
        JsonNode printed = AtomicFiles.MAPPER.readTree(r.out());
        assertThat(printed.get("method").asText()).isEqualTo("mcd");
        assertThat(AtomicFiles.MAPPER.readTree(MultigridConfig.TYPE.toJson(c))).isEqualTo(printed);
    }

    @Test
    void trainFeaturesTakesSetToo() throws Exception {
        CliRun.Result r = CliRun.run("eval", "train-features", "--set", "epochs=2", "--set", "lr=0.01", "--batch", "64",
                "--print-config");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(FeatureNet.TrainConfig.TYPE.read(AtomicFiles.MAPPER.readTree(r.out())))
                .isEqualTo(new FeatureNet.TrainConfig(1, 2, 64, 0.01));
        assertThat(CliRun.run("eval", "train-features", "--set", "batchSize=0", "--print-config").err())
                .contains("batchSize must be >= 1, got 0");
    }

    @Test
    void setValuesReachATrainedRun() throws Exception {
        Path data = tmp.resolve("bars");
        for (String split : new String[] {"train", "test"}) {
            for (int i = 0; i < 16; i++) {
                FloatImage im = FloatImage.zeros(1, 8, 8);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        im.set(0, y, x, (i % 2 == 0 ? x == i % 8 : y == i % 8) ? 0.9f : -0.8f);
                    }
                }
                ImageFiles.writePng(data.resolve(split).resolve(i % 2 == 0 ? "a" : "b").resolve(i + ".png"), im);
            }
        }
        Path run = tmp.resolve("run");
        CliRun.Result t = CliRun.run("multigrid", "train", "--data", data.toString(), "--out", run.toString(),
                "--image-size", "8", "--grids", "1,2,8", "--width", "0.1", "--steps", "2", "--batch", "8", "--epochs", "2",
                "--set", "cadence.logEvery=1", "--set", "delta=0.2", "--set", "method=cd1", "--quiet");
        assertThat(t.code()).as(t.err()).isZero();
        MultigridConfig saved = MultigridRun.readInfo(RunFolder.open(run)).config();
        assertThat(saved.delta()).isEqualTo(0.2);
        assertThat(saved.method()).isEqualTo(MultigridConfig.Method.CD1);
        List<String> log = Files.readAllLines(run.resolve("log.jsonl"));
        assertThat(log).hasSize(4); // 2 epochs × 2 iterations, every one logged
        // the saved config.json is a valid --config for a new run: same settings back
        CliRun.Result p = CliRun.run("multigrid", "train", "--preset", "paper", "--config", run.resolve("config.json").toString(),
                "--print-config");
        assertThat(MultigridConfig.TYPE.read(AtomicFiles.MAPPER.readTree(p.out()))).isEqualTo(saved);
    }
}
