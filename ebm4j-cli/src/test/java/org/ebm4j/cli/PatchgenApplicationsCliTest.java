package org.ebm4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.image.Resize;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenRun;
import org.ebm4j.method.patchgen.PatchGenTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** super-resolve, edit, harmonize, paint2image, style-transfer and sample --start-scale / --end-scale / --scales-info end to end on a tiny run. */
class PatchgenApplicationsCliTest {
    @TempDir
    static Path tmp;
    static Path run;
    static Path image;
    static Path mask;

    private static CliRun.Result cli(String... args) {
        return CliRun.run(args);
    }

    /** A grey RGB image in [-1, 1]: white inside the rectangle. */
    static FloatImage rect(int w, int h, int x0, int y0, int x1, int y1) {
        FloatImage m = FloatImage.zeros(3, h, w);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    m.set(c, y, x, x >= x0 && x < x1 && y >= y0 && y < y1 ? 1f : -1f);
                }
            }
        }
        return m;
    }

    @BeforeAll
    static void trainTinyRun() throws Exception {
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
        image = tmp.resolve("stripes.png");
        ImageFiles.writePng(image, new FloatImage(3, h, w, d));
        mask = tmp.resolve("mask.png");
        ImageFiles.writePng(mask, rect(w, h, 15, 10, 25, 18));
        run = tmp.resolve("run");
        PatchGenConfig cfg = PatchGenConfig.fast().withScales(2, 20, 40).withIterations(6).withSteps(6, 4, 4)
                .withIntervals(2, 3, 2).withSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenTrainer.trainNew(image, run, false, cfg, ProgressListener.NONE, m).close();
        }
    }

    @Test
    void reportOfATrainedRun() throws Exception {
        CliRun.Result r = cli("report", "--run", run.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("report.html");
        String html = java.nio.file.Files.readString(run.resolve("report.html"));
        assertThat(html).contains("(patchgen)").contains("alt=\"loss\"").contains("alt=\"rec_mse\"")
                .contains("images/scale_0/").contains("alt=\"images/real_scale_1.png\"").contains("one colour per scale");
        assertThat(cli("report", "--run", tmp.resolve("nope").toString()).code()).isEqualTo(1);
    }

    @Test
    void hugeSizesAreRefusedBeforeAllocatingWithTheSizeAndTheMemory() {
        Path out = tmp.resolve("huge");
        CliRun.Result r = cli("patchgen", "sample", "--run", run.toString(), "--out", out.toString(), "--width-scale", "1e5");
        assertThat(r.code()).isEqualTo(1);
        // finest scale 40x30: 1e5 x 40 = 4000000 wide
        assertThat(r.err().strip()).matches("error: --width-scale 1e5 asks for 8 samples of 4000000x30 pixels, which need about "
                + "[0-9.]+ GB at the finest scale; the limit is [0-9.]+ GB \\(80% of this machine's memory\\); ask for a smaller size");
        assertThat(out).doesNotExist();

        r = cli("patchgen", "sample", "--run", run.toString(), "--out", out.toString(), "--width-scale", "1e6");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: --width-scale 1e6 asks for 8 samples of 40000000x30 pixels, "
                + "more than the largest image ebm4j can hold").doesNotContain("\n").doesNotContain("Allocator");

        r = cli("patchgen", "super-resolve", "--run", run.toString(), "--image", image.toString(), "--out", out.toString(),
                "--factor", "1e6");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: super-resolution factor 1000000.0 asks for an image of 40000000x30000000 pixels")
                .doesNotContain("\n");
    }

    @Test
    void superResolve() throws Exception {
        Path out = tmp.resolve("sr");
        CliRun.Result r = cli("patchgen", "super-resolve", "--run", run.toString(), "--image", image.toString(),
                "--factor", "2.5", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        FloatImage sr = ImageFiles.readRgb(out.resolve("sr.png"));
        assertThat(sr.width()).isEqualTo(100);
        assertThat(sr.height()).isEqualTo(75);
        assertThat(ImageFiles.readRgb(out.resolve("bicubic.png")).width()).isEqualTo(100);

        CliRun.Result one = cli("patchgen", "super-resolve", "--run", run.toString(), "--image", image.toString(),
                "--factor", "1", "--out", tmp.resolve("sr1").toString());
        assertThat(one.code()).isEqualTo(2);
        assertThat(one.err()).contains("--factor must be > 1");
        assertThat(cli("patchgen", "super-resolve", "--run", run.toString(), "--image", image.toString(),
                "--factor", "2", "--net-scale", "5", "--out", tmp.resolve("sr2").toString()).err())
                .contains("--net-scale must be in 0..1");
    }

    @Test
    void editAndHarmonize() throws Exception {
        for (String cmd : new String[] {"edit", "harmonize"}) {
            Path out = tmp.resolve(cmd);
            CliRun.Result r = cli("patchgen", cmd, "--run", run.toString(), "--ref", image.toString(), "--mask",
                    mask.toString(), "--start-scale", "1", "--out", out.toString());
            assertThat(r.code()).as(r.err()).isEqualTo(0);
            FloatImage blended = ImageFiles.readRgb(out.resolve("blended.png"));
            assertThat(blended.width()).isEqualTo(40);
            assertThat(ImageFiles.readRgb(out.resolve("raw.png")).height()).isEqualTo(30);
            assertThat(ImageFiles.readRgb(out.resolve("strip.png")).width()).isEqualTo(3 * 40 + 4 * 2);
            // far from the mask the written pixels equal the reference's
            // (the PNG round trip of the reference's pixels, as blended.png went through it)
            Path refRoundTrip = tmp.resolve("ref-" + cmd + ".png");
            ImageFiles.writePng(refRoundTrip, ImageFiles.readRgb(image));
            FloatImage ref = ImageFiles.readRgb(refRoundTrip);
            for (int c = 0; c < 3; c++) {
                assertThat(blended.get(c, 0, 0)).isEqualTo(ref.get(c, 0, 0));
                assertThat(blended.get(c, 29, 39)).isEqualTo(ref.get(c, 29, 39));
            }
        }
    }

    @Test
    void referenceOfAnotherSizeIsResizedButAnotherShapeIsRejected() throws Exception {
        FloatImage src = ImageFiles.readRgb(image);
        Path big = tmp.resolve("big.png");
        ImageFiles.writePng(big, Resize.bicubicFloat(src, 80, 60));
        Path bigMask = tmp.resolve("bigmask.png");
        ImageFiles.writePng(bigMask, rect(80, 60, 30, 20, 50, 36));
        CliRun.Result ok = cli("patchgen", "harmonize", "--run", run.toString(), "--ref", big.toString(), "--mask",
                bigMask.toString(), "--start-scale", "1", "--out", tmp.resolve("h-big").toString());
        assertThat(ok.code()).as(ok.err()).isEqualTo(0);
        assertThat(ImageFiles.readRgb(tmp.resolve("h-big/blended.png")).width()).isEqualTo(40);

        Path square = tmp.resolve("square.png");
        ImageFiles.writePng(square, Resize.bicubicFloat(src, 40, 40));
        CliRun.Result bad = cli("patchgen", "edit", "--run", run.toString(), "--ref", square.toString(), "--mask",
                mask.toString(), "--start-scale", "1", "--out", tmp.resolve("e-sq").toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).contains("aspect ratio");
    }

    @Test
    void badMasksAreOneLineErrors() throws Exception {
        Path colour = tmp.resolve("colour.png");
        FloatImage c = rect(40, 30, 15, 10, 25, 18);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                c.set(1, y, x, 0.5f);
            }
        }
        ImageFiles.writePng(colour, c);
        Path black = tmp.resolve("black.png");
        ImageFiles.writePng(black, rect(40, 30, 0, 0, 0, 0));
        Path white = tmp.resolve("white.png");
        ImageFiles.writePng(white, rect(40, 30, 0, 0, 40, 30));
        String[][] cases = {{colour.toString(), "colour"}, {black.toString(), "all black"}, {white.toString(), "all white"}};
        for (String[] k : cases) {
            CliRun.Result r = cli("patchgen", "edit", "--run", run.toString(), "--ref", image.toString(), "--mask", k[0],
                    "--start-scale", "1", "--out", tmp.resolve("bad-mask").toString());
            assertThat(r.code()).as(k[0]).isEqualTo(1);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains(k[1]).doesNotContain("at org.");
        }
    }

    @Test
    void startScaleOutOfRangeIsAUsageError() {
        for (String s : new String[] {"0", "2"}) {
            CliRun.Result r = cli("patchgen", "paint2image", "--run", run.toString(), "--paint", image.toString(),
                    "--start-scale", s, "--out", tmp.resolve("p-bad").toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--start-scale must be in 1..1");
        }
        CliRun.Result r = cli("patchgen", "sample", "--run", run.toString(), "--start-scale", "2", "--out",
                tmp.resolve("s-bad").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--start-scale must be in 0..1");
    }

    @Test
    void paint2image() throws Exception {
        Path out = tmp.resolve("paint");
        CliRun.Result r = cli("patchgen", "paint2image", "--run", run.toString(), "--paint", image.toString(),
                "--start-scale", "1", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(ImageFiles.readRgb(out.resolve("raw.png")).width()).isEqualTo(40);
        assertThat(ImageFiles.readRgb(out.resolve("strip.png")).width()).isEqualTo(2 * 40 + 3 * 2);
    }

    @Test
    void applicationsKeepExistingOutputsUnlessForced() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("keep"));
        for (String name : new String[] {"sr.png", "raw.png"}) {
            Files.writeString(out.resolve(name), "mine");
        }
        String[][] cmds = {
            {"super-resolve", "--image", image.toString(), "--factor", "1.2"},
            {"edit", "--ref", image.toString(), "--mask", mask.toString(), "--start-scale", "1"},
            {"harmonize", "--ref", image.toString(), "--mask", mask.toString(), "--start-scale", "1"},
            {"paint2image", "--paint", image.toString(), "--start-scale", "1"},
        };
        for (String[] c : cmds) {
            String[] args = new String[c.length + 6];
            args[0] = "patchgen";
            args[1] = c[0];
            args[2] = "--run";
            args[3] = run.toString();
            System.arraycopy(c, 1, args, 4, c.length - 1);
            args[c.length + 3] = "--out";
            args[c.length + 4] = out.toString();
            args[c.length + 5] = "--quiet";
            CliRun.Result r = cli(args);
            assertThat(r.code()).as(c[0]).isEqualTo(1);
            assertThat(r.err()).as(c[0]).contains("already exists").contains("--force");
        }
        assertThat(Files.readString(out.resolve("sr.png"))).isEqualTo("mine");
        assertThat(Files.readString(out.resolve("raw.png"))).isEqualTo("mine");
        assertThat(out.resolve("blended.png")).doesNotExist();
        CliRun.Result forced = cli("patchgen", "paint2image", "--run", run.toString(), "--paint", image.toString(),
                "--start-scale", "1", "--out", out.toString(), "--force");
        assertThat(forced.code()).as(forced.err()).isEqualTo(0);
        assertThat(ImageFiles.readRgb(out.resolve("raw.png")).width()).isEqualTo(40);
    }

    @Test
    void sampleFromAStartScaleAndScalesInfo() throws Exception {
        Path out = tmp.resolve("s1");
        CliRun.Result r = cli("patchgen", "sample", "--run", run.toString(), "--start-scale", "1", "--n", "2",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(out.resolve("sample_001.png")).exists();
        assertThat(ImageFiles.readRgb(out.resolve("sample_000.png")).width()).isEqualTo(40);

        // longer chains at sampling time: the same seed gives other samples; a bad factor writes nothing
        Path longer = tmp.resolve("s1-long");
        CliRun.Result l = cli("patchgen", "sample", "--run", run.toString(), "--start-scale", "1", "--n", "2",
                "--steps-scale", "2", "--out", longer.toString());
        assertThat(l.code()).as(l.err()).isEqualTo(0);
        assertThat(ImageFiles.readRgb(longer.resolve("sample_000.png")).data())
                .isNotEqualTo(ImageFiles.readRgb(out.resolve("sample_000.png")).data());
        CliRun.Result bad = cli("patchgen", "sample", "--run", run.toString(), "--steps-scale", "0", "--out",
                tmp.resolve("s1-bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--steps-scale must be > 0");
        assertThat(tmp.resolve("s1-bad")).doesNotExist();

        CliRun.Result info = cli("patchgen", "sample", "--run", run.toString(), "--scales-info");
        assertThat(info.code()).as(info.err()).isEqualTo(0);
        assertThat(info.out()).contains("scale 0: ").contains("scale 1: 40x30 trained");
        CliRun.Result noOut = cli("patchgen", "sample", "--run", run.toString());
        assertThat(noOut.code()).isEqualTo(2);
        assertThat(noOut.err()).contains("--out is required");
    }

    @Test
    void endScaleStopsEachSampleAtACoarserScaleOnItsOwnPath() throws Exception {
        Path full = tmp.resolve("end-full");
        Path coarse = tmp.resolve("end-0");
        Path finest = tmp.resolve("end-1");
        for (String[] a : new String[][]{{full.toString()}, {coarse.toString(), "--end-scale", "0"}, {finest.toString(), "--end-scale", "1"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("patchgen", "sample", "--run", run.toString(), "--n", "2",
                    "--seed", "5", "--out", a[0]));
            args.addAll(List.of(a).subList(1, a.length));
            CliRun.Result r = cli(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isEqualTo(0);
        }
        // scale 0's size (27x20), and the grid's first cell is the training image of scale 0
        FloatImage s0 = ImageFiles.readRgb(coarse.resolve("sample_000.png"));
        assertThat(s0.width()).isEqualTo(27);
        assertThat(s0.height()).isEqualTo(20);
        assertThat(ImageFiles.readRgb(coarse.resolve("grid.png")).height()).isLessThan(
                ImageFiles.readRgb(full.resolve("grid.png")).height());
        // the last scale is the default: the same bytes
        assertThat(ImageFiles.readRgb(finest.resolve("sample_001.png")).data())
                .isEqualTo(ImageFiles.readRgb(full.resolve("sample_001.png")).data());
        // the coarse sample is the full sample's scale-0 stage: scale 1's chain started from its
        // up-sampling gives the full sample (the library call behind --end-scale)
        try (NDManager m = NDManager.newBaseManager(); var model = PatchGenRun.load(run, m)) {
            float[] want = ImageFiles.readRgb(full.resolve("sample_000.png")).data();
            double[] maxDiff = new double[2];
            for (int k = 0; k < 2; k++) {
                NDArray x = ImageTensors.toTensor(m, ImageFiles.readRgb(coarse.resolve("sample_00" + k + ".png")));
                NDArray up = ImageTensors.resize(x, 40, 30, model.config().quantize8());
                float[] got = ImageTensors.fromTensor(model.fromScale(up, 1, model.config().noiseMin(), 1.0, 1.0)).get(0).data();
                for (int i = 0; i < want.length; i++) {
                    maxDiff[k] = Math.max(maxDiff[k], Math.abs(want[i] - got[i]));
                }
            }
            // a few 8-bit levels (the PNG's rounding of the coarse sample) for its own coarse stage,
            // against a large difference from the other sample's
            assertThat(maxDiff[0]).isLessThan(0.03);
            assertThat(maxDiff[1]).isGreaterThan(0.2);
        }
        for (String[] bad : new String[][]{{"--end-scale", "2"}, {"--end-scale", "-1"}, {"--end-scale", "0", "--start-scale", "1"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("patchgen", "sample", "--run", run.toString(),
                    "--out", tmp.resolve("end-bad").toString()));
            args.addAll(List.of(bad));
            CliRun.Result r = cli(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.err()).contains(bad.length == 2 && bad[1].equals("2") ? "--end-scale must be in 0..1"
                    : bad.length == 2 ? "--end-scale must be >= 0" : "--start-scale (1) must not be above --end-scale (0)");
            assertThat(tmp.resolve("end-bad")).doesNotExist();
        }
    }

    @Test
    void styleTransferWritesItsOutputsAndNeverOverwritesThem() throws Exception {
        Path content = tmp.resolve("content.png");
        ImageFiles.writePng(content, rect(120, 40, 20, 5, 70, 30)); // aspect 3, the run's 4:3
        Path out = tmp.resolve("style");
        CliRun.Result r = cli("patchgen", "style-transfer", "--run", run.toString(), "--content", content.toString(),
                "--start-scale", "1", "--out", out.toString(), "--steps-scale", "1.5");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("60x20");
        FloatImage stylized = ImageFiles.readRgb(out.resolve("stylized.png"));
        assertThat(stylized.width()).isEqualTo(60); // pixel count of the 40x30 finest scale, content's aspect
        assertThat(stylized.height()).isEqualTo(20);
        assertThat(ImageFiles.readRgb(out.resolve("strip.png")).width()).isEqualTo(2 * 60 + 3 * 2);
        assertThat(out.resolve("raw.png")).doesNotExist();

        byte[] before = Files.readAllBytes(out.resolve("stylized.png"));
        CliRun.Result again = cli("patchgen", "style-transfer", "--run", run.toString(), "--content", content.toString(),
                "--start-scale", "1", "--out", out.toString(), "--noise");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err().strip().lines()).hasSize(1);
        assertThat(again.err()).contains("already exists").contains("--force");
        assertThat(Files.readAllBytes(out.resolve("stylized.png"))).isEqualTo(before);
        CliRun.Result forced = cli("patchgen", "style-transfer", "--run", run.toString(), "--content", content.toString(),
                "--start-scale", "1", "--out", out.toString(), "--noise", "--force");
        assertThat(forced.code()).as(forced.err()).isEqualTo(0);
        assertThat(Files.readAllBytes(out.resolve("stylized.png"))).isNotEqualTo(before);
    }

    @Test
    void styleTransferBadInput() throws Exception {
        Path out = tmp.resolve("style-bad");
        for (String s : new String[] {"0", "2"}) {
            CliRun.Result r = cli("patchgen", "style-transfer", "--run", run.toString(), "--content", image.toString(),
                    "--start-scale", s, "--out", out.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--start-scale must be in 1..1");
        }
        CliRun.Result steps = cli("patchgen", "style-transfer", "--run", run.toString(), "--content", image.toString(),
                "--start-scale", "1", "--steps-scale", "0", "--out", out.toString());
        assertThat(steps.code()).isEqualTo(2);
        assertThat(steps.err()).contains("--steps-scale must be > 0");

        Path junk = Files.writeString(tmp.resolve("junk.png"), "not an image");
        CliRun.Result unreadable = cli("patchgen", "style-transfer", "--run", run.toString(), "--content", junk.toString(),
                "--start-scale", "1", "--out", out.toString());
        assertThat(unreadable.code()).isEqualTo(1);
        assertThat(unreadable.err().strip().lines()).hasSize(1);
        assertThat(unreadable.err()).contains("junk.png").doesNotContain("at org.");
        CliRun.Result missing = cli("patchgen", "style-transfer", "--run", run.toString(), "--content",
                tmp.resolve("nope.png").toString(), "--start-scale", "1", "--out", out.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("not found");

        Path notRun = Files.createDirectories(tmp.resolve("not-a-run"));
        CliRun.Result nr = cli("patchgen", "style-transfer", "--run", notRun.toString(), "--content", image.toString(),
                "--start-scale", "1", "--out", out.toString());
        assertThat(nr.code()).isEqualTo(1);
        assertThat(nr.err()).contains("not an ebm4j run");
        assertThat(out).doesNotExist(); // no failed attempt left a folder behind
    }

    @Test
    void notARunFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        CliRun.Result r = cli("patchgen", "super-resolve", "--run", dir.toString(), "--image", image.toString(),
                "--factor", "2", "--out", tmp.resolve("o").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not an ebm4j run");
    }
}
