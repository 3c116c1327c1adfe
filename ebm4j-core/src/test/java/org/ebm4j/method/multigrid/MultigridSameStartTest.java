package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MultigridModel#sampleSameStart}: paper Fig. 5, many chains from one 1×1 image. */
class MultigridSameStartTest {

    /** max |a − b| over two samples of a batch [n, C, H, W]. */
    private static float maxDiff(NDArray x, int i, int j) {
        try (NDArray a = x.get(i); NDArray b = x.get(j); NDArray d = a.sub(b).abs().max()) {
            return d.getFloat();
        }
    }

    private static MultigridModel model(NDManager m, MultigridConfig cfg) {
        Torch.seed(31);
        MultigridModel model = new MultigridModel(m, cfg);
        try (NDArray ones = MultigridTrainer.oneByOne(model, MultigridTest.bars())) {
            model.setP0(ones);
        }
        return model;
    }

    @Test
    void withTheNoiseTermTheChainsOfOneStartDifferWithoutItTheyAreEqual() {
        int n = 11; // two batches of 8: the second batch must start from the same image too
        for (boolean noise : new boolean[] {true, false}) {
            MultigridConfig cfg = MultigridTest.tiny("mcd").toBuilder().noise(noise).build();
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = model(m, cfg)) {
                NDArray x = model.sampleSameStart(m, n, 4);
                assertThat(x.getShape().get(0)).isEqualTo(n);
                for (int j = 1; j < n; j++) {
                    if (noise) {
                        assertThat(maxDiff(x, 0, j)).as("noise on: sample %d vs 0", j).isGreaterThan(1e-2f);
                    } else {
                        assertThat(maxDiff(x, 0, j)).as("noise off: sample %d vs 0", j).isLessThanOrEqualTo(1e-6f);
                    }
                }
                try (NDArray first = x.get(0); NDArray hi = first.max(); NDArray lo = first.min()) {
                    // the chains moved away from the flat up-scaled start, so "equal" is not trivially true
                    assertThat(hi.getFloat() - lo.getFloat()).as("spread of sample 0").isGreaterThan(1e-3f);
                }
                if (noise) { // and not merely all different from the first: two later ones differ too
                    assertThat(maxDiff(x, 3, 9)).isGreaterThan(1e-2f);
                }
            }
        }
    }

    @Test
    void everyChainStartsFromTheSameDrawFromTheHistogram() {
        // 0 Langevin steps: each sample is its start up-scaled, so the start is visible
        MultigridConfig cfg = MultigridTest.tiny("mcd").toBuilder().steps(0).noise(true).build();
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = model(m, cfg)) {
            NDArray x = model.sampleSameStart(m, 10, 7);
            float v = x.getFloat(0, 0, 0, 0);
            assertThat(x.sub(v).abs().max().getFloat()).isEqualTo(0f); // every pixel of every sample
            float[] p0 = model.p0().toFloatArray();
            boolean inHistogram = false;
            for (float p : p0) {
                inHistogram |= p == v;
            }
            assertThat(inHistogram).as("the start %s is one of the training images' 1x1 values", v).isTrue();
            // another seed draws another start (the bars have many distinct means)
            NDArray y = model.sampleSameStart(m, 2, 8);
            assertThat(y.getFloat(0, 0, 0, 0)).isNotEqualTo(v);
            // the same seed as sample(): its first chain's start
            assertThat(model.oneStart(m, 1, org.ebm4j.core.Seeds.derive(7, 0, 0)).getFloat(0, 0, 0, 0)).isEqualTo(v);
        }
    }
}
