package org.ebm4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class DatasetsTest {
    @TempDir Path tmp;

    @Test
    void splitOfReadsTheSuffixAndDefaultsToTest() {
        assertThat(Datasets.splitOf("mnist:train")).isEqualTo(Datasets.Split.TRAIN);
        assertThat(Datasets.splitOf("mnist:test")).isEqualTo(Datasets.Split.TEST);
        assertThat(Datasets.splitOf("mnist")).isEqualTo(Datasets.Split.TEST);
        assertThat(Datasets.splitOf("/data/train")).isEqualTo(Datasets.Split.TEST); // a folder named train is not a split
    }

    /** Header facts of the Fashion-MNIST IDX files of Debian's dataset-fashion-mnist (.ci/run installs it). */
    @Test
    void fashionMnistMatchesThePublishedFacts() throws Exception {
        assumeThat(Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
                .as("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)").isTrue();
        ImageDataset train = Datasets.load("fashion-mnist", Datasets.Split.TRAIN, DataOptions.native_());
        ImageDataset test = Datasets.load("fashion-mnist:test", Datasets.Split.TRAIN, DataOptions.native_());
        assertThat(train.size()).isEqualTo(60000);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(train.channels()).isEqualTo(1);
        assertThat(train.height()).isEqualTo(28);
        assertThat(train.width()).isEqualTo(28);
        assertThat(Arrays.copyOf(train.labels(), 10)).containsExactly(9, 0, 0, 3, 0, 2, 7, 2, 5, 5);
        assertThat(Arrays.copyOf(test.labels(), 10)).containsExactly(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
        assertThat(train.meanPixel()).isCloseTo(72.9404, org.assertj.core.data.Offset.offset(5e-5));
        assertThat(test.meanPixel()).isCloseTo(73.1466, org.assertj.core.data.Offset.offset(5e-5));
        int[] counts = new int[10];
        for (int l : train.labels()) {
            counts[l]++;
        }
        assertThat(counts).containsOnly(6000);
        assertThat(train.classNames().get(9)).isEqualTo("Ankle boot");
    }

    /** data.md §1.2 (.ci/run runs scripts/fetch-mnist.sh). */
    @Test
    void mnistMatchesThePublishedFacts() throws Exception {
        Path dir;
        try {
            dir = Datasets.mnistDir();
        } catch (EbmException e) {
            assumeThat(false).as("MNIST is not fetched (scripts/fetch-mnist.sh)").isTrue();
            return;
        }
        ImageDataset train = Datasets.loadIdxPair(dir, Datasets.Split.TRAIN, "mnist", java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        assertThat(train.size()).isEqualTo(60000);
        assertThat(Arrays.copyOf(train.labels(), 10)).containsExactly(5, 0, 4, 1, 9, 2, 1, 3, 1, 4);
        int[] counts = new int[10];
        for (int l : train.labels()) {
            counts[l]++;
        }
        assertThat(counts).containsExactly(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949);
    }

    @Test
    void optionsSubsetResizeAndConvertReproducibly() {
        byte[] px = new byte[5 * 4 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i % 4 == 0 ? 255 : 0);
        }
        ImageDataset d = new ImageDataset("t", 1, 4, 4, px, new int[] {0, 1, 2, 3, 4}, null);
        ImageDataset a = Datasets.prepare(d, new DataOptions(8, 3, 3, 7));
        ImageDataset b = Datasets.prepare(d, new DataOptions(8, 3, 3, 7));
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.labels()).isEqualTo(b.labels()).isSorted();
        assertThat(a.channels()).isEqualTo(3);
        assertThat(a.height()).isEqualTo(8);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = a.batch(m, new int[] {0, 2});
            assertThat(x.getShape().getShape()).containsExactly(2, 3, 8, 8);
            assertThat(x.max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(x.min().getFloat()).isGreaterThanOrEqualTo(-1f);
            // grey replicated to RGB: the three planes are equal
            assertThat(x.get(":, 0").eq(x.get(":, 2")).all().getBoolean()).isTrue();
        }
        ImageDataset back = a.withChannels(1);
        assertThat(back.image(0).data()).isEqualTo(a.subset(new int[] {0}).withChannels(1).image(0).data());
    }

    @Test
    void imageFoldersWithClassesAndTheirErrors() throws Exception {
        Path root = tmp.resolve("data");
        for (String c : new String[] {"cats", "dogs"}) {
            for (int i = 0; i < 2; i++) {
                FloatImage im = FloatImage.zeros(3, 6, 6);
                im.set(0, i, i, 0.5f);
                ImageFiles.writePng(root.resolve("train").resolve(c).resolve(i + ".png"), im);
                ImageFiles.writePng(root.resolve("test").resolve(c).resolve(i + ".png"), im);
            }
        }
        ImageDataset tr = Datasets.load(root.toString(), Datasets.Split.TRAIN, DataOptions.native_());
        assertThat(tr.size()).isEqualTo(4);
        assertThat(tr.classNames()).containsExactly("cats", "dogs");
        assertThat(tr.labels()).containsExactly(0, 0, 1, 1);
        assertThat(tr.channels()).isEqualTo(3);
        assertThat(Datasets.load(root + ":test", Datasets.Split.TRAIN, DataOptions.native_()).size()).isEqualTo(4);

        Path mixed = tmp.resolve("mixed");
        ImageFiles.writePng(mixed.resolve("a.png"), FloatImage.zeros(1, 6, 6));
        ImageFiles.writePng(mixed.resolve("b.png"), FloatImage.zeros(1, 7, 6));
        assertThatThrownBy(() -> Datasets.load(mixed.toString(), Datasets.Split.TRAIN, DataOptions.native_()))
                .isInstanceOf(EbmException.class).hasMessageContaining("differ in size").hasMessageContaining("--image-size");
        ImageDataset resized = Datasets.load(mixed.toString(), Datasets.Split.TRAIN, new DataOptions(8, 0, 0, 0));
        assertThat(resized.height()).isEqualTo(8);
        assertThat(resized.channels()).isEqualTo(1);
        assertThat(resized.hasLabels()).isFalse();
        assertThatThrownBy(() -> Datasets.load(mixed.toString(), Datasets.Split.TEST, DataOptions.native_()))
                .hasMessageContaining("no test/ sub-folder");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> Datasets.load(empty.toString(), Datasets.Split.TRAIN, DataOptions.native_()))
                .hasMessageContaining("holds no PNG or JPEG");
        assertThatThrownBy(() -> Datasets.load(tmp.resolve("nope").toString(), Datasets.Split.TRAIN, DataOptions.native_()))
                .hasMessageContaining("neither a known data set");
    }

    @Test
    void missingFashionMnistTellsHowToInstallIt() {
        // a folder without the files, through the same check the default location goes through
        assertThatThrownBy(() -> Datasets.loadIdxPair(tmp, Datasets.Split.TRAIN, "x", java.util.List.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void permutationsAreSeededAndComplete() {
        int[] p = Batches.permutation(100, 3, 5);
        assertThat(p).isEqualTo(Batches.permutation(100, 3, 5)).isNotEqualTo(Batches.permutation(100, 3, 6));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertThat(sorted[i]).isEqualTo(i);
        }
        assertThat(Batches.batch(p, 1, 10)).containsExactly(Arrays.copyOfRange(p, 10, 20));
    }

    @Test
    void aFolderKeepsTheExact8BitValuesOfItsFiles() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ebm4j-exact");
        java.awt.image.BufferedImage b = new java.awt.image.BufferedImage(16, 16, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int k = 0; k < 256; k++) b.getRaster().setSample(k % 16, k / 16, 0, k);
        javax.imageio.ImageIO.write(b, "png", dir.resolve("all.png").toFile());
        ImageDataset d = Datasets.loadFolder(dir, Datasets.Split.TRAIN, 0);
        assertThat(d.channels()).isEqualTo(1);
        float[] f = d.image(0).data();
        for (int k = 0; k < 256; k++) assertThat(Math.round((f[k] + 1) * 127.5f)).as("value " + k).isEqualTo(k);
    }
}
