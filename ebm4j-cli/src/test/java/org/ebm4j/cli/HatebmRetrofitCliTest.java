package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.method.hatebm.HatEbmConfig;
import org.ebm4j.method.hatebm.HatEbmModel;
import org.ebm4j.method.hatebm.HatEbmRun;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Generator;
import org.ebm4j.run.TensorFile;
import org.ebm4j.run.WeightImport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** hatebm retrofit end to end on a tiny image folder, and hatebm refine --generator FILE.npz. */
class HatebmRetrofitCliTest {
    @TempDir
    static Path tmp;
    static Path data;

    private static CliRun.Result cli(List<String> args) {
        return CliRun.run(args.toArray(String[]::new));
    }

    /** 8×8 grey bars in train/ and test/. */
    @BeforeAll
    static void writeData() throws Exception {
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
    }

    /** 8 px (latent 1×4×4), widths 16, batch 4: 4 autoencoder steps, 3 joint steps of 2 Langevin steps. */
    static List<String> tinyRetrofit(Path out) {
        return new ArrayList<>(List.of("hatebm", "retrofit", "--out", out.toString(), "--data", data.toString(),
                "--image-size", "8", "--set", "batchSize=4", "--iters", "3", "--ae-iters", "4",
                "--set", "nets.ebmWidth=16", "--set", "nets.genWidth=16", "--set", "chains.steps=2",
                "--set", "chains.testSteps=2", "--set", "cadence.logEvery=1", "--set", "cadence.checkpointEvery=2", "--quiet"));
    }

    private static List<String> withoutTiming(Path log) throws Exception {
        return Files.readAllLines(log).stream()
                .map(l -> l.replaceAll("\"(ms_per_iter|images_per_s|ms_chains)\":[0-9.Ee+-]+,?", "")).toList();
    }

    @Test
    void retrofitTrainsBothPhasesSamplesAndResumes() throws Exception {
        Path run = tmp.resolve("retrofit");
        CliRun.Result t = cli(tinyRetrofit(run));
        assertThat(t.code()).as(t.err()).isZero();
        String config = Files.readString(run.resolve("config.json"));
        assertThat(config).contains("\"mode\" : \"retrofit\"").contains("\"genLayout\" : \"retrofit\"")
                .contains("\"latent\" : 16");
        assertThat(run.resolve("checkpoints/ae.ckpt")).exists();
        assertThat(run.resolve("checkpoints/latest.ckpt")).exists();
        assertThat(run.resolve("plots/autoencoder.png")).exists();
        assertThat(run.resolve("samples/generated.png")).exists();
        assertThat(run.resolve("samples/refined.png")).exists();
        List<String> log = withoutTiming(run.resolve("log.jsonl"));
        assertThat(log.stream().filter(l -> l.contains("\"phase\":\"ae\""))).hasSize(4);
        assertThat(log.stream().filter(l -> l.contains("\"e_gap\""))).hasSize(3);

        CliRun.Result s = cli(List.of("hatebm", "sample", "--run", run.toString(), "--out", tmp.resolve("rs").toString(),
                "--n", "3", "--steps", "2"));
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.out()).contains("decoder on sphere noise");
        assertThat(tmp.resolve("rs/generated.png")).exists();
        assertThat(tmp.resolve("rs/refined.png")).exists();

        // stopped right after the autoencoder phase: the resumed joint phase equals the uninterrupted one
        Files.delete(run.resolve("checkpoints/latest.ckpt"));
        Files.write(run.resolve("log.jsonl"), Files.readAllLines(run.resolve("log.jsonl")).stream()
                .filter(l -> l.contains("\"phase\":\"ae\"")).toList());
        CliRun.Result early = cli(List.of("hatebm", "sample", "--run", run.toString(), "--out", tmp.resolve("rs2").toString()));
        assertThat(early.code()).isEqualTo(1);
        assertThat(early.err()).contains("hatebm retrofit --resume --out");
        CliRun.Result res = cli(List.of("hatebm", "retrofit", "--resume", "--out", run.toString(), "--quiet"));
        assertThat(res.code()).as(res.err()).isZero();
        assertThat(withoutTiming(run.resolve("log.jsonl"))).containsExactlyElementsOf(log);
        // a complete run resumes to nothing
        CliRun.Result again = cli(List.of("hatebm", "retrofit", "--resume", "--out", run.toString(), "--quiet"));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(withoutTiming(run.resolve("log.jsonl"))).containsExactlyElementsOf(log);
    }

    @Test
    void badRetrofitSettingsAreOneLine() {
        CliRun.Result p = cli(List.of("hatebm", "retrofit", "--print-config"));
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).contains("\"mode\" : \"retrofit\"").contains("\"genFactor\" : 2.0").contains("\"ae\"");

        CliRun.Result ae = cli(List.of("hatebm", "retrofit", "--set", "ae.iterations=0", "--print-config"));
        assertThat(ae.code()).isEqualTo(2);
        assertThat(ae.err()).contains("ae.iterations must be >= 1").doesNotContain("at org.");

        CliRun.Result latent = cli(List.of("hatebm", "retrofit", "--set", "nets.latent=128", "--print-config"));
        assertThat(latent.code()).isEqualTo(2);
        assertThat(latent.err()).contains("nets.latent must be (imageSize/2)² = 256");

        CliRun.Result iters = cli(List.of("hatebm", "retrofit", "--ae-iters", "0", "--print-config"));
        assertThat(iters.code()).isEqualTo(2);
        assertThat(iters.err()).contains("--ae-iters");

        CliRun.Result wrong = cli(List.of("hatebm", "train", "--preset", "fast-retrofit", "--out", tmp.resolve("w").toString()));
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("use 'hatebm retrofit'");
        assertThat(tmp.resolve("w")).doesNotExist();

        CliRun.Result refinePreset = cli(List.of("hatebm", "retrofit", "--preset", "fast-refine", "--out", tmp.resolve("w2").toString()));
        assertThat(refinePreset.code()).isEqualTo(2);
        assertThat(refinePreset.err()).contains("use 'hatebm refine'");
        assertThat(tmp.resolve("w2")).doesNotExist();
    }

    /** refine's tiny settings on 8 px; the generator (latent 4, width 16, factor 1) is what the file must hold. */
    static List<String> tinyRefine(Path out, Path generator) {
        return new ArrayList<>(List.of("hatebm", "refine", "--out", out.toString(), "--generator", generator.toString(),
                "--data", data.toString(), "--set", "imageSize=8", "--set", "batchSize=4", "--iters", "2",
                "--set", "nets.latent=4", "--set", "nets.ebmWidth=16", "--set", "nets.genWidth=16",
                "--set", "chains.steps=2", "--set", "chains.testSteps=2", "--set", "cadence.logEvery=1", "--quiet"));
    }

    /** Writes a seeded hat generator (8 px grey, latent 4, factor 1) of the given width as .npz. */
    private static void writeGenerator(Path file, int width) throws Exception {
        HatEbmConfig c = HatEbmConfig.fastRefine().withData("x", 8, 1)
                .withNets(new HatEbmConfig.Nets(4, 16, width, 1.0, HatEbmConfig.GenLayout.HAT));
        try (NDManager m = NDManager.newBaseManager()) {
            org.ebm4j.core.Torch.seed(9);
            Generator g = new Generator(c.generatorConfig()).init(m, DataType.FLOAT32);
            g.setBnMode(BatchNorm2d.Mode.RUNNING);
            WeightImport.save(g, file);
        }
    }

    /** Writes a seeded hat net H (8 px grey) of the given width as .npz. */
    private static void writeHat(Path file, int width) throws Exception {
        HatEbmConfig c = HatEbmConfig.fastRefine().withData("x", 8, 1)
                .withNets(new HatEbmConfig.Nets(4, width, 16, 1.0, HatEbmConfig.GenLayout.HAT));
        try (NDManager m = NDManager.newBaseManager()) {
            org.ebm4j.core.Torch.seed(10);
            WeightImport.save(new org.ebm4j.nn.ResidualEbm(c.ebmConfig()).init(m, DataType.FLOAT32), file);
        }
    }

    @Test
    void refineTakesAGeneratorFromAnNpzFile() throws Exception {
        Path npz = tmp.resolve("gen.npz");
        writeGenerator(npz, 16);
        Path hat = tmp.resolve("hat.npz");
        writeHat(hat, 16);
        Path run = tmp.resolve("refine-npz");
        List<String> args = tinyRefine(run, npz);
        args.addAll(List.of("--hat", hat.toString()));
        CliRun.Result r = cli(args);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(run.resolve("samples/refined.png")).exists();
        assertThat(Files.readString(run.resolve("config.json"))).contains("gen.npz").contains("\"genLayout\" : \"hat\"")
                .contains("hat.npz");
        // the run's frozen generator is the file's, bit for bit
        Path back = tmp.resolve("back.npz");
        try (NDManager m = NDManager.newBaseManager(); HatEbmModel model = HatEbmRun.load(run, m, false)) {
            WeightImport.save(model.generator(), back);
        }
        Map<String, TensorFile.HostTensor> a = WeightImport.read(npz);
        Map<String, TensorFile.HostTensor> b = WeightImport.read(back);
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        for (String k : a.keySet()) {
            assertThat(Arrays.equals(b.get(k).bytes(), a.get(k).bytes())).as(k).isTrue();
        }
    }

    @Test
    void aGeneratorFileOfAnotherShapeIsRefusedInOneLine() throws Exception {
        Path npz = tmp.resolve("narrow.npz");
        writeGenerator(npz, 8);
        Path run = tmp.resolve("refine-bad");
        CliRun.Result r = cli(tinyRefine(run, npz));
        assertThat(r.code()).isNotZero();
        assertThat(r.err().trim().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("'linear.weight' has shape [128, 4] but the generator expects [256, 4]");
        assertThat(run).doesNotExist();

        Path hat = tmp.resolve("narrow-hat.npz");
        writeHat(hat, 8);
        Path good = tmp.resolve("good.npz");
        writeGenerator(good, 16);
        List<String> args = tinyRefine(tmp.resolve("refine-bad-hat"), good);
        args.addAll(List.of("--hat", hat.toString()));
        CliRun.Result h = cli(args);
        assertThat(h.code()).isNotZero();
        assertThat(h.err().trim().lines().count()).as(h.err()).isEqualTo(1);
        assertThat(h.err()).contains("'stem.conv1.weight' has shape [8, 1, 3, 3] but the hat net expects [16, 1, 3, 3]");
        assertThat(tmp.resolve("refine-bad-hat")).doesNotExist();

        Path junk = tmp.resolve("junk.npz");
        Files.writeString(junk, "not weights");
        CliRun.Result j = cli(tinyRefine(tmp.resolve("refine-junk"), junk));
        assertThat(j.code()).isNotZero();
        assertThat(j.err()).contains("neither a numpy .npz nor a safetensors file");
        assertThat(tmp.resolve("refine-junk")).doesNotExist();

        CliRun.Result ema = cli(List.of("hatebm", "refine", "--generator", npz.toString(), "--generator-ema",
                "--out", tmp.resolve("refine-ema").toString()));
        assertThat(ema.code()).isNotZero();
        assertThat(ema.err()).contains("--generator-ema needs a hatebm run folder");

        CliRun.Result missing = cli(tinyRefine(tmp.resolve("refine-missing"), tmp.resolve("nope.npz")));
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("does not exist");
        assertThat(tmp.resolve("refine-missing")).doesNotExist();
    }
}
