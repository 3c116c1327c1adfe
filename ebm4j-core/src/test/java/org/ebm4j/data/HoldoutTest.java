package org.ebm4j.data;

import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HoldoutTest {
    @TempDir Path tmp;

    private static Set<Integer> set(int[] a) {
        return Arrays.stream(a).boxed().collect(Collectors.toSet());
    }

    @Test
    void heldAndRestSplitTheIndicesSeededAndApartFromTheLimitDraw() {
        Holdout h = new Holdout(30, 9);
        int[] held = h.held(100);
        int[] rest = h.rest(100);
        assertThat(held).hasSize(30).isSorted();
        assertThat(rest).hasSize(70).isSorted();
        Set<Integer> all = new HashSet<>(set(held));
        all.addAll(set(rest));
        assertThat(all).isEqualTo(IntStream.range(0, 100).boxed().collect(Collectors.toSet()));
        assertThat(held).containsExactly(new Holdout(30, 9).held(100)); // the same seed, the same images
        assertThat(held).isNotEqualTo(new Holdout(30, 10).held(100));
        // not the images a limit of 30 with the same seed would keep (Batches.subset(n, k, seed))
        assertThat(held).isNotEqualTo(Batches.subset(100, 30, 9));
        assertThat(new Holdout(0, 9).held(100)).isEmpty();
        assertThat(new Holdout(0, 9).rest(100)).hasSize(100);
        assertThatThrownBy(() -> new Holdout(100, 9).rest(100)).isInstanceOf(EbmException.class)
                .hasMessageContaining("cannot hold out 100 of 100 images");
        assertThatThrownBy(() -> new Holdout(-1, 9)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A folder of 20 flat images, image i of grey level 10·i + 5 (so each image is known by its value). */
    private Path folder() throws Exception {
        Path dir = tmp.resolve("flat");
        for (int i = 0; i < 20; i++) {
            FloatImage im = FloatImage.zeros(1, 4, 4);
            Arrays.fill(im.data(), (10 * i + 5) / 127.5f - 1f);
            ImageFiles.writePng(dir.resolve(String.format("%02d.png", i)), im);
        }
        return dir;
    }

    /** The index (by grey level) of every image of a set. */
    private static Set<Integer> which(ImageDataset d) {
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(Math.round(((d.image(i).data()[0] + 1f) * 127.5f - 5f) / 10f));
        }
        return out;
    }

    @Test
    void loadingTheRestNeverReturnsAHeldOutImageAndALimitDrawsFromTheRest() throws Exception {
        Path dir = folder();
        Holdout h = new Holdout(6, 3);
        DataOptions opts = new DataOptions(4, 1, 0, 3);
        ImageDataset all = Datasets.load(dir.toString(), Datasets.Split.TRAIN, opts);
        assertThat(which(all)).hasSize(20);
        ImageDataset held = Datasets.load(dir.toString(), Datasets.Split.TRAIN, opts, h, Datasets.Part.HELD_OUT);
        ImageDataset rest = Datasets.load(dir.toString(), Datasets.Split.TRAIN, opts, h, Datasets.Part.REST);
        assertThat(which(held)).isEqualTo(set(h.held(20))); // the folder's order is the index order
        assertThat(which(rest)).isEqualTo(set(h.rest(20)));
        ImageDataset limited = Datasets.load(dir.toString(), Datasets.Split.TRAIN, opts.withLimit(8), h, Datasets.Part.REST);
        assertThat(limited.size()).isEqualTo(8);
        assertThat(which(limited)).isSubsetOf(which(rest)).doesNotContainAnyElementsOf(which(held));
        // nothing held out: the plain load, limit included
        ImageDataset none = Datasets.load(dir.toString(), Datasets.Split.TRAIN, opts.withLimit(8), Holdout.none(), Datasets.Part.REST);
        assertThat(which(none)).isEqualTo(which(Datasets.load(dir.toString(), Datasets.Split.TRAIN, opts.withLimit(8))));
    }
}
