package org.ebm4j.method.multigrid;

import org.ebm4j.core.EbmException;
import org.ebm4j.data.Batches;
import org.ebm4j.data.Holdout;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which images the evaluations read: the test split, or validation images that never meet the labelled pool. */
class MultigridEvalSetsTest {
    @TempDir static Path tmp;
    static Path data;

    /** 40 training and 10 test images in two classes; image i of a split is grey level 30 + 5i (test: 3 + 5i). */
    @BeforeAll
    static void writeData() throws Exception {
        data = tmp.resolve("d");
        for (int i = 0; i < 40; i++) {
            write(data.resolve("train").resolve(i % 2 == 0 ? "a" : "b").resolve(String.format("%02d.png", i)), 30 + 5 * i);
        }
        for (int i = 0; i < 10; i++) {
            write(data.resolve("test").resolve(i % 2 == 0 ? "a" : "b").resolve(String.format("%02d.png", i)), 3 + 5 * i);
        }
    }

    private static void write(Path p, int grey) throws Exception {
        FloatImage im = FloatImage.zeros(1, 8, 8);
        java.util.Arrays.fill(im.data(), grey / 127.5f - 1f);
        ImageFiles.writePng(p, im);
    }

    private static MultigridConfig cfg(int valHoldout) {
        return MultigridConfig.fast().toBuilder().data(data.toString()).imageSize(8).channels(1).grids(new int[] {1, 2, 8})
                .maskSize(4).trainLimit(0).valHoldout(valHoldout).seed(3).build().validate();
    }

    /** File numbers i of a set's images (grey level 30 + 5i, or 3 + 5i for the test images): each image is known by its level. */
    private static Set<Integer> levels(ImageDataset d, int base) {
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(Math.round(((d.image(i).data()[0] + 1f) * 127.5f - base) / 5f));
        }
        assertThat(out).as("images are distinct").hasSize(d.size());
        return out;
    }

    private static Set<Integer> levels(ImageDataset d) {
        return levels(d, 30);
    }

    /** File numbers of training-split indices: the loader lists class a (even files) before b (odd files). */
    private static Set<Integer> trainLevels(int[] idx) {
        Set<Integer> out = new TreeSet<>();
        for (int k : idx) {
            out.add(k < 20 ? 2 * k : 2 * (k - 20) + 1);
        }
        return out;
    }

    @Test
    void testSplitPoolsEveryTrainingImageAndMeasuresOnTestImages() throws Exception {
        MultigridEval.FeatureSets s = MultigridEval.featureSets(cfg(0), "test", 6, 9);
        assertThat(levels(s.pool())).isEqualTo(trainLevels(Batches.complement(40, new int[0])));
        assertThat(s.evaluation().size()).isEqualTo(6);
        assertThat(levels(s.evaluation(), 3)).allSatisfy(i -> assertThat(i).isBetween(0, 9));
        // the seed does not change the test protocol
        assertThat(levels(MultigridEval.featureSets(cfg(0), "test", 6, 1).evaluation(), 3)).isEqualTo(levels(s.evaluation(), 3));
        assertThat(MultigridEval.images(cfg(0), "test", 4, 0).size()).isEqualTo(4);
    }

    @Test
    void valOfARunWithHeldOutImagesPoolsWhatTrainingUsedAndMeasuresOnTheHeldOut() throws Exception {
        MultigridEval.FeatureSets s = MultigridEval.featureSets(cfg(10), "val", 100, 9);
        int[] held = new Holdout(10, 3).held(40);
        assertThat(levels(s.evaluation())).isEqualTo(trainLevels(held));
        assertThat(levels(s.pool())).isEqualTo(trainLevels(Batches.complement(40, held)));
        assertThat(s.pool().hasLabels()).isTrue();
        // what training uses is exactly the pool
        assertThat(levels(MultigridTrainer.trainingData(cfg(10)))).isEqualTo(levels(s.pool()));
        assertThat(levels(MultigridEval.images(cfg(10), "val", 0, 0))).isEqualTo(trainLevels(held));
    }

    @Test
    void valOfARunWithoutHeldOutImagesCutsTheTrainingSplitInTwoWithTheSeed() throws Exception {
        MultigridEval.FeatureSets s = MultigridEval.featureSets(cfg(0), "val", 7, 9);
        Set<Integer> pool = levels(s.pool());
        Set<Integer> val = levels(s.evaluation());
        assertThat(val).hasSize(7);
        assertThat(pool).hasSize(33).doesNotContainAnyElementsOf(val);
        Set<Integer> all = new TreeSet<>(pool);
        all.addAll(val);
        assertThat(all).isEqualTo(trainLevels(Batches.complement(40, new int[0])));
        assertThat(levels(MultigridEval.featureSets(cfg(0), "val", 7, 10).evaluation())).isNotEqualTo(val);
        assertThatThrownBy(() -> MultigridEval.images(cfg(0), "val", 5, 0)).isInstanceOf(EbmException.class)
                .hasMessageContaining("held no training images out (valHoldout 0)");
    }

    @Test
    void anUnknownSplitIsRefused() {
        assertThatThrownBy(() -> MultigridEval.featureSets(cfg(0), "train", 5, 0)).isInstanceOf(EbmException.class)
                .hasMessage("split must be test or val, got 'train'");
        assertThatThrownBy(() -> MultigridEval.images(cfg(0), "Test", 5, 0)).isInstanceOf(EbmException.class)
                .hasMessageContaining("got 'Test'");
    }

    @Test
    void complementIsTheOtherPartInOrder() {
        assertThat(Batches.complement(6, new int[] {1, 4})).containsExactly(0, 2, 3, 5);
        assertThat(Batches.complement(3, new int[] {0, 1, 2})).isEmpty();
        assertThat(Batches.complement(2, new int[0])).containsExactly(0, 1);
    }
}
