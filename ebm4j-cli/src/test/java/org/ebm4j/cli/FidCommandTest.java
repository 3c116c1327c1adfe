package org.ebm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.eval.features.FeatureNet;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.image.Resize;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval fid} with a user-supplied feature net and a real folder with train/ and test/. */
class FidCommandTest {
    @TempDir
    static Path tmp;
    static Path net;
    static Path real;

    private static CliRun.Result run(String... args) {
        return CliRun.run(args);
    }

    /** Horizontal (label 0) or vertical (1) stripes with noise, 28×28 grey in [-1,1]. */
    static FloatImage stripe(int label, SplittableRandom r) {
        FloatImage img = FloatImage.zeros(1, 28, 28);
        int phase = r.nextInt(6);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int t = label == 0 ? y : x;
                img.set(0, y, x, (float) ((((t + phase) / 3) % 2 == 0 ? 0.6 : -0.6) + 0.2 * (r.nextDouble() - 0.5)));
            }
        }
        return img;
    }

    static void writeSplit(Path dir, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) ImageFiles.writePng(dir.resolve((i % 2 == 0 ? "h" : "v") + "/" + i + ".png"), stripe(i % 2, r));
    }

    @BeforeAll
    static void setUp() throws Exception {
        real = tmp.resolve("real");
        writeSplit(real.resolve("train"), 160, 1);
        writeSplit(real.resolve("test"), 150, 2);
        SplittableRandom r = new SplittableRandom(9);
        byte[] px = new byte[128 * 784];
        int[] lab = new int[128];
        for (int i = 0; i < 128; i++) {
            lab[i] = i % 2;
            byte[] u = stripe(lab[i], r).toUint8();
            System.arraycopy(u, 0, px, i * 784, 784);
        }
        ImageDataset d = new ImageDataset("stripes", 1, 28, 28, px, lab, List.of("h", "v"));
        net = tmp.resolve("stripes.ebt");
        try (NDManager m = NDManager.newBaseManager();
             FeatureNet f = FeatureNet.train(d, d, "stripes", new FeatureNet.TrainConfig(1, 1, 32, 0.003), ProgressListener.NONE, m)) {
            f.save(net);
        }
    }

    @Test
    void aSetAgainstItselfIsZeroAndTheFloorIsReported() throws Exception {
        // the fakes: byte copies of the real test images, in one flat folder
        Path fake = Files.createDirectories(tmp.resolve("same"));
        try (var s = Files.walk(real.resolve("test"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.copy(p, fake.resolve(p.getParent().getFileName() + "_" + p.getFileName()));
            }
        }
        CliRun.Result r = run("eval", "fid", "--real", real.toString(), "--fake", fake.toString(), "--extractor", net.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("n").asInt()).isEqualTo(150);
        assertThat(Math.abs(j.get("fid").asDouble())).isLessThan(1e-6);
        assertThat(j.get("floor").asDouble()).isGreaterThan(1e-4); // train vs test: different images
        assertThat(j.get("floor_kid").isNumber()).isTrue();
        assertThat(j.get("extractor").asText()).contains("FID-custom").contains("stripes");

        // the same images at 56x56 RGB: resized to 28x28 grey, so close to (not exactly) zero
        Path big = Files.createDirectories(tmp.resolve("big"));
        try (var s = Files.list(fake)) {
            for (Path p : s.toList()) {
                FloatImage g = ImageFiles.readRgb(p);
                ImageFiles.writePng(big.resolve(p.getFileName()), Resize.bicubicPil(g, 56, 56));
            }
        }
        JsonNode b = new ObjectMapper().readTree(run("eval", "fid", "--real", real.toString(), "--fake", big.toString(),
                "--extractor", net.toString()).out());
        assertThat(b.get("fid").asDouble()).isLessThan(j.get("floor").asDouble() * 10 + 1);
    }

    @Test
    void tooFewImagesAndBadInput() throws Exception {
        Path few = Files.createDirectories(tmp.resolve("few"));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 40; i++) ImageFiles.writePng(few.resolve(i + ".png"), stripe(i % 2, r));
        CliRun.Result small = run("eval", "fid", "--real", real.toString(), "--fake", few.toString(), "--extractor", net.toString());
        assertThat(small.code()).as(small.err()).isEqualTo(0);
        JsonNode j = new ObjectMapper().readTree(small.out());
        assertThat(j.get("fid").isNull()).isTrue();
        assertThat(j.get("fid_skipped").asText()).contains("n=40").contains("feature dimension 128");
        assertThat(j.get("kid").isNumber()).isTrue();

        CliRun.Result tooMany = run("eval", "fid", "--real", real.toString(), "--fake", few.toString(), "--n", "100", "--extractor", net.toString());
        assertThat(tooMany.code()).isEqualTo(1);
        assertThat(tooMany.err().strip().lines()).hasSize(1);
        assertThat(tooMany.err()).contains("holds only 40 images");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun.Result none = run("eval", "fid", "--real", real.toString(), "--fake", empty.toString(), "--extractor", net.toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err().strip().lines()).hasSize(1);

        CliRun.Result noNet = run("eval", "fid", "--real", real.toString(), "--fake", few.toString(), "--extractor", tmp.resolve("x.ebt").toString());
        assertThat(noNet.code()).isEqualTo(1);
        assertThat(noNet.err()).contains("neither fmnist, mnist nor a feature-net file");
        assertThat(run("eval", "fid", "--fake", few.toString()).code()).isEqualTo(2);
    }
}
