package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.Torch;
import org.ebm4j.data.ImageDataset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The per-image score of {@code multigrid score}: −𝓔(Y) = f(Y) − ‖Y‖²/2σ² (Eq. 2) at one grid. */
class MultigridScoreTest {

    /** ‖Y_g‖² of image i of x [n,1,8,8] block-averaged to a g×g grid, by hand. */
    private static double squaredNormAt(float[] x, int i, int g) {
        int f = 8 / g;
        double sq = 0;
        for (int by = 0; by < g; by++) {
            for (int bx = 0; bx < g; bx++) {
                double s = 0;
                for (int y = 0; y < f; y++) {
                    for (int xx = 0; xx < f; xx++) {
                        s += x[i * 64 + (by * f + y) * 8 + bx * f + xx];
                    }
                }
                double mean = s / (f * f);
                sq += mean * mean;
            }
        }
        return sq;
    }

    @Test
    void theScoreIsFMinusTheGaussianReferenceTermAtTheChosenGrid() {
        for (double sigma : new double[] {0.5, 0.0}) {
            MultigridConfig cfg = MultigridTest.tiny("mcd").toBuilder().referenceSigma(sigma).build();
            Torch.seed(21);
            try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg)) {
                int n = 11; // not a multiple of the batch size 8
                NDArray x = Torch.uniform(m, -1f, 1f, new Shape(n, 1, 8, 8));
                float[] host = x.toFloatArray();
                for (int g : new int[] {2, 8}) {
                    float[] f = model.scores(g, x);
                    double[] s = model.negativeEnergies(g, x);
                    assertThat(s).hasSize(n);
                    for (int i = 0; i < n; i++) {
                        double want = sigma > 0 ? f[i] - squaredNormAt(host, i, g) / (2 * sigma * sigma) : f[i];
                        assertThat(s[i]).as("sigma %s grid %d image %d", sigma, g, i).isCloseTo(want, within(1e-4));
                    }
                    if (sigma > 0) { // the term is there and of the size ‖Y‖²/2σ² (≈ 2/3·g² for uniform pixels at g = 8)
                        assertThat(f[0] - s[0]).isGreaterThan(0.0);
                    }
                }
                assertThatThrownBy(() -> model.negativeEnergies(4, x)).isInstanceOf(EbmException.class)
                        .hasMessageContaining("grid 4 has no net").hasMessageContaining("[2, 8]");
            }
        }
    }

    @Test
    void aDataSetIsScoredInItsOrderAcrossBatches() {
        MultigridConfig cfg = MultigridTest.tiny("mcd").toBuilder().referenceSigma(0.7).build();
        Torch.seed(22);
        ImageDataset bars = MultigridTest.bars(); // 24 images, batches of 8
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg)) {
            double[] all = MultigridEval.negativeEnergies(model, bars, 8);
            assertThat(all).hasSize(24);
            for (int i : new int[] {0, 9, 23}) {
                double[] one = model.negativeEnergies(8, model.toPixels(bars.batch(m, new int[] {i})));
                assertThat(all[i]).as("image %d", i).isCloseTo(one[0], within(1e-4));
            }
            assertThat(all[0]).isNotEqualTo(all[1]);
        }
    }
}
