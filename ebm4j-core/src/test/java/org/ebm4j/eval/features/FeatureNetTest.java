package org.ebm4j.eval.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.data.DataOptions;
import org.ebm4j.data.Datasets;
import org.ebm4j.data.ImageDataset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature net trains, is reproducible, round-trips through its file, and the bundled nets pass their checks. */
class FeatureNetTest {
    @TempDir
    Path tmp;

    /** Two classes: horizontal or vertical stripes of random phase, with noise. */
    static ImageDataset stripes(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 28 * 28];
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) {
            lab[i] = i % 2;
            int phase = r.nextInt(6);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int t = lab[i] == 0 ? y : x;
                    int v = ((t + phase) / 3) % 2 == 0 ? 200 : 40;
                    px[i * 784 + y * 28 + x] = (byte) Math.max(0, Math.min(255, v + r.nextInt(61) - 30));
                }
            }
        }
        return new ImageDataset("stripes", 1, 28, 28, px, lab, List.of("h", "v"));
    }

    static final FeatureNet.TrainConfig TINY = new FeatureNet.TrainConfig(3, 2, 32, 0.003);

    @Test
    void trainsReproduciblyAndRoundTrips() throws Exception {
        ImageDataset train = stripes(256, 1);
        ImageDataset test = stripes(100, 2);
        try (NDManager m = NDManager.newBaseManager();
             FeatureNet a = FeatureNet.train(train, test, "stripes", TINY, ProgressListener.NONE, m);
             FeatureNet b = FeatureNet.train(train, test, "stripes", TINY, ProgressListener.NONE, m)) {
            assertThat(a.meta().testAccuracy()).isGreaterThan(0.95);
            assertThat(a.accuracy(test)).isEqualTo(a.meta().testAccuracy());
            a.save(tmp.resolve("a.ebt"));
            b.save(tmp.resolve("b.ebt"));
            // same seed and data: the same weights; the files differ only in the recorded wall time
            double[][] fa = a.features(test);
            double[][] fb = b.features(test);
            assertThat(fa).isDeepEqualTo(fb);
            assertThat(fa[0]).hasSize(FeatureNet.FEATURE_DIM);
            try (FeatureNet c = FeatureNet.load(tmp.resolve("a.ebt"), m)) {
                assertThat(c.features(test)).isDeepEqualTo(fa);
                assertThat(c.meta().dataset()).isEqualTo("stripes");
                assertThat(c.meta().arch()).isEqualTo(FeatureNet.ARCH);
            }
            try (FeatureNet other = FeatureNet.train(train, test, "stripes", new FeatureNet.TrainConfig(4, 2, 32, 0.003),
                    ProgressListener.NONE, m)) {
                assertThat(other.features(test)[0]).isNotEqualTo(fa[0]); // the seed matters
            }
        }
    }

    /** Progress counts batches (the shared loop's iterations); each epoch ends with one message carrying the test accuracy. */
    @Test
    void progressCountsBatchesAndEachEpochReportsItsAccuracy() {
        ImageDataset train = stripes(64, 1);
        ImageDataset test = stripes(20, 2);
        List<Long> totals = new java.util.ArrayList<>();
        List<Long> done = new java.util.ArrayList<>();
        List<String> messages = new java.util.ArrayList<>();
        ProgressListener rec = new ProgressListener() {
            @Override
            public void start(String task, long total) {
                totals.add(total);
            }

            @Override
            public void progress(long d, String status) {
                done.add(d);
                assertThat(status).startsWith("epoch " + ((d - 1) / 2 + 1) + " loss ");
            }

            @Override
            public void message(String line) {
                messages.add(line);
            }
        };
        try (NDManager m = NDManager.newBaseManager();
             FeatureNet net = FeatureNet.train(train, test, "stripes", new FeatureNet.TrainConfig(1, 2, 32, 0.003), rec, m)) {
            assertThat(totals).containsExactly(4L); // 2 epochs of 64 / 32 batches
            assertThat(done).containsExactly(1L, 2L, 3L, 4L);
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0)).startsWith("epoch 1: loss ").contains("test accuracy");
            // the last epoch's message reports the accuracy of the finished net
            assertThat(messages.get(1)).startsWith("epoch 2: loss ")
                    .endsWith(String.format(java.util.Locale.ROOT, "test accuracy %.4f", net.meta().testAccuracy()));
        }
    }

    /** A learning rate that sends the weights to infinity stops training at the first non-finite loss, naming it. */
    @Test
    void aNonFiniteLossStopsTraining() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> FeatureNet.train(stripes(64, 1), stripes(20, 2), "stripes",
                    new FeatureNet.TrainConfig(1, 2, 32, 1e300), ProgressListener.NONE, m))
                    .isInstanceOf(org.ebm4j.train.DivergenceException.class)
                    .hasMessageContaining("feature-net training (lr 1.0E300) diverged at iteration 1")
                    .satisfies(e -> assertThat(((org.ebm4j.train.DivergenceException) e).poisoned()).isTrue());
        }
    }

    @Test
    void damagedOrForeignFilesAreRejected() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            try (FeatureNet a = FeatureNet.train(stripes(64, 1), stripes(20, 2), "stripes", new FeatureNet.TrainConfig(1, 1, 32, 0.003),
                    ProgressListener.NONE, m)) {
                a.save(tmp.resolve("a.ebt"));
            }
            byte[] bytes = Files.readAllBytes(tmp.resolve("a.ebt"));
            bytes[bytes.length / 2] ^= 0x40;
            Files.write(tmp.resolve("bad.ebt"), bytes);
            assertThatThrownBy(() -> FeatureNet.load(tmp.resolve("bad.ebt"), m)).isInstanceOf(EbmException.class).hasMessageContaining("damaged");
            Files.writeString(tmp.resolve("text.ebt"), "hello");
            assertThatThrownBy(() -> FeatureNet.load(tmp.resolve("text.ebt"), m)).hasMessageContaining("text.ebt");
            assertThatThrownBy(() -> FeatureNet.load(tmp.resolve("none.ebt"), m)).hasMessageContaining("not found");
            assertThatThrownBy(() -> FeatureNet.loadBundled("cifar", m)).hasMessageContaining("no bundled feature net");
            // the checksum check of bundled nets: one flipped bit is refused, the intact bytes load
            byte[] good = Files.readAllBytes(tmp.resolve("a.ebt"));
            String sha = FeatureNet.sha256(good);
            FeatureNet.verified("a.ebt", good, sha, m).close();
            byte[] flipped = good.clone();
            flipped[100] ^= 1;
            assertThatThrownBy(() -> FeatureNet.verified("a.ebt", flipped, sha, m)).hasMessageContaining("fails its checksum");
        }
    }

    @Test
    void wrongInputSizeIsAnError() {
        try (NDManager m = NDManager.newBaseManager(); FeatureNet net = FeatureNet.init(m, 10, 1)) {
            ImageDataset big = new ImageDataset("big", 1, 32, 32, new byte[2 * 32 * 32], null, null);
            assertThatThrownBy(() -> net.features(big)).hasMessageContaining("1x28x28");
            assertThat(FeatureNet.prepare(big).height()).isEqualTo(28);
        }
    }

    /** The shipped nets load (checksum verified) and keep their accuracy on the real test sets. */
    @Test
    void bundledNetsReachTheirAccuracy() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            int checked = 0;
            String missing = "";
            for (String[] c : new String[][] {{"fmnist", Datasets.FASHION_MNIST, "0.90"}, {"mnist", Datasets.MNIST, "0.99"}}) {
                ImageDataset test;
                try {
                    test = Datasets.load(c[1], Datasets.Split.TEST, DataOptions.native_());
                } catch (EbmException e) {
                    missing += c[1] + " not installed (" + e.getMessage() + "); ";
                    continue;
                }
                checked++;
                try (FeatureNet net = FeatureNet.loadBundled(c[0], m)) {
                    double acc = net.accuracy(test);
                    assertThat(acc).as(c[0]).isGreaterThanOrEqualTo(Double.parseDouble(c[2]));
                    assertThat(acc).isCloseTo(net.meta().testAccuracy(), within(1e-12));
                }
            }
            if (checked == 0) {
                Assumptions.abort("skipping the accuracy checks: " + missing);
            }
        }
    }
}
