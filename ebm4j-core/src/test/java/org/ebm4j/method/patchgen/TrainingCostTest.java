package org.ebm4j.method.patchgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrainingCostTest {
    /**
     * The paper preset on 248×186 balloons, measured with one thread (docs/BENCHMARKS.md): seconds
     * per iteration of its eight scales. The model must follow them to within ±30 % after one
     * common factor, where iteration counting is off by 46×.
     */
    @Test
    void followsThePaperPresetsMeasuredSecondsPerIteration() {
        Pyramid p = Pyramid.of(248, 186, 8, 25, 250);
        assertThat(p.widths()).containsExactly(33, 44, 59, 78, 104, 139, 186, 248);
        double[] measured = {1.31, 1.34, 2.05, 5.71, 9.16, 17.4, 28.9, 60.1};
        double[] model = TrainingCost.iterationCost(PatchGenConfig.paper(), p);
        double logMean = 0;
        for (int s = 0; s < 8; s++) {
            logMean += Math.log(measured[s] / model[s]) / 8;
        }
        for (int s = 0; s < 8; s++) {
            double ratio = measured[s] / model[s] / Math.exp(logMean);
            assertThat(ratio).as("scale %d: measured/model relative to the others", s).isBetween(0.7, 1.3);
        }
    }

    /** Net (b) from 64 px costs about 3.9× net (a) per pixel (its widths double: 128-64-64-64 vs 64-32-32-32). */
    @Test
    void flopsPerPixelCountsEveryConvolution() {
        assertThat(TrainingCost.flopsPerPixel(new int[] {64, 32, 32, 32}))
                .isEqualTo(9.0 * (3 * 64 + 64 * 32 + 32 * 32 + 32 * 32 + 32));
        assertThat(TrainingCost.flopsPerPixel(new int[] {128, 64, 64, 64}))
                .isEqualTo(9.0 * (3 * 128 + 128 * 64 + 64 * 64 + 64 * 64 + 64));
    }

    /** Units add up to the run's iterations, and a fine scale's iteration counts for more than a coarse one's. */
    @Test
    void progressUnitsTotalTheIterationsAndWeighFineScalesMore() {
        PatchGenConfig q = PatchGenConfig.quality();
        Pyramid p = Pyramid.of(248, 186, q.numScales(), q.minSize(), q.maxSize());
        TrainingCost c = TrainingCost.of(q, p);
        assertThat(c.total()).isCloseTo(q.iterationsFrom(0), within(1e-6));
        assertThat(c.unitsAt(0, 0)).isZero();
        assertThat(c.unitsAt(1, 0)).isCloseTo(q.iterationsAt(0) * c.weight(0), within(1e-9));
        assertThat(c.unitsAt(2, 10)).isCloseTo(c.unitsAt(2, 0) + 10 * c.weight(2), within(1e-9));
        for (int s = 1; s < p.numScales(); s++) {
            assertThat(c.weight(s)).as("scale %d vs %d", s, s - 1).isGreaterThan(c.weight(s - 1));
        }
        // the coarsest scale: 59% of the iterations, a third of the time (measured on balloons: 31%)
        assertThat(c.unitsAt(1, 0) / c.total()).isBetween(0.25, 0.4);
    }
}
