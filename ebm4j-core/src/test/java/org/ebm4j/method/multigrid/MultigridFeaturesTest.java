package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MultigridFeaturesTest {

    /** Every channel of the training features ends with mean 0 and sd 1; the test features get the same affine map. */
    @Test
    void standardizeUsesTheTrainingStatisticsPerChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tr = m.randomNormal(new Shape(6, 3, 2, 2));
            NDArray scale = m.create(new float[] {100f, 0.01f, 3f}).reshape(1, 3, 1, 1);
            NDArray shift = m.create(new float[] {-50f, 7f, 0f}).reshape(1, 3, 1, 1);
            tr = tr.mul(scale).add(shift);
            NDArray te = tr.get("0:2").duplicate();          // two test rows equal to two training rows
            MultigridFeatures.standardize(List.of(tr), List.of(te));
            float[] v = tr.toFloatArray();
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                double sq = 0;
                int n = 0;
                for (int i = 0; i < 6; i++) {
                    for (int k = 0; k < 4; k++) {
                        double x = v[(i * 3 + c) * 4 + k];
                        sum += x;
                        sq += x * x;
                        n++;
                    }
                }
                double mean = sum / n;
                assertThat(mean).as("mean of channel %d", c).isCloseTo(0, within(1e-4));
                assertThat(Math.sqrt(sq / n - mean * mean)).as("sd of channel %d", c).isCloseTo(1, within(1e-3));
            }
            assertThat(te.toFloatArray()).containsExactly(tr.get("0:2").toFloatArray());
        }
    }

    /** A head whose weights go to infinity stops at the first non-finite loss instead of reporting a meaningless error. */
    @Test
    void aNonFiniteLossStopsTheHead() {
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, MultigridTest.tiny("mcd"))) {
            org.ebm4j.data.ImageDataset d = MultigridTest.bars();
            assertThatThrownBy(() -> MultigridFeatures.evaluate(model, d, d,
                    new MultigridFeatures.Settings(16, 2, 8, 1e300, 0, 9), false))
                    .isInstanceOf(org.ebm4j.train.DivergenceException.class)
                    .hasMessageContaining("the feature head (lr 1.0E300) diverged at iteration 1");
        }
    }

    /** The validation images and the labelled pool partition the training set: disjoint, complete, seeded. */
    @Test
    void validationSplitPartitionsTheTrainingImages() {
        int[][] p = MultigridFeatures.validationIndices(50, 7, 3);
        assertThat(p[1]).hasSize(7).isSorted();
        assertThat(p[0]).hasSize(43).isSorted();
        java.util.Set<Integer> all = new java.util.TreeSet<>();
        for (int[] part : p) {
            for (int i : part) {
                assertThat(all.add(i)).as("index %d in both parts", i).isTrue();
            }
        }
        assertThat(all).hasSize(50).contains(0, 49);
        assertThat(MultigridFeatures.validationIndices(50, 7, 3)[1]).containsExactly(p[1]);
        assertThat(MultigridFeatures.validationIndices(50, 7, 4)[1]).isNotEqualTo(p[1]);
        org.ebm4j.data.ImageDataset d = MultigridTest.bars();
        org.ebm4j.data.ImageDataset[] sets = MultigridFeatures.validationSplit(d, 5, 3);
        int[][] q = MultigridFeatures.validationIndices(d.size(), 5, 3);
        assertThat(sets[1].labels()).containsExactly(d.labels(q[1]));
        assertThat(sets[0].size()).isEqualTo(d.size() - 5);
        assertThatThrownBy(() -> MultigridFeatures.validationSplit(d, d.size(), 3))
                .hasMessageContaining("validation images must be between 1 and " + (d.size() - 1));
    }

    /** With standardize off the head sees the raw features: a different result, and the flag is reported. */
    @Test
    void standardizeCanBeTurnedOff() {
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, MultigridTest.tiny("mcd"))) {
            org.ebm4j.data.ImageDataset d = MultigridTest.bars();
            MultigridFeatures.Settings on = new MultigridFeatures.Settings(16, 2, 8, 1e-2, 1e-4, 9);
            MultigridFeatures.Result a = MultigridFeatures.evaluate(model, d, d, on, false);
            MultigridFeatures.Result b = MultigridFeatures.evaluate(model, d, d, on.withStandardize(false), false);
            MultigridFeatures.Result a2 = MultigridFeatures.evaluate(model, d, d, on, false);
            assertThat(a.standardized()).isTrue();
            assertThat(b.standardized()).isFalse();
            assertThat(a2.trainError()).isEqualTo(a.trainError());
            assertThat(MultigridFeatures.toJson(b, "r").get("standardized")).isEqualTo(false);
        }
    }
}
