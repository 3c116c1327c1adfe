package org.ebm4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AdamTest {

    @Test
    void matchesTheReferenceFormulaOverSeveralSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
                    .optArray(m.create(new float[] {1f, -2f})).build();
            Adam adam = new Adam(m, List.of(p), LrSchedule.linearToFloor(0.1, 0.01, 2), 0.5, 0.999, 1e-8, 0);
            double[] w = {1, -2};
            double[] mm = new double[2];
            double[] vv = new double[2];
            double[][] grads = {{0.3, -1}, {0.1, 2}, {-0.5, 0.5}, {1, 1}};
            double[] lrs = {0.1, 0.055, 0.01, 0.01};
            for (int t = 1; t <= grads.length; t++) {
                adam.update(List.of(m.create(new float[] {(float) grads[t - 1][0], (float) grads[t - 1][1]})));
                for (int i = 0; i < 2; i++) {
                    double g = grads[t - 1][i];
                    mm[i] = 0.5 * mm[i] + 0.5 * g;
                    vv[i] = 0.999 * vv[i] + 0.001 * g * g;
                    double mh = mm[i] / (1 - Math.pow(0.5, t));
                    double vh = vv[i] / (1 - Math.pow(0.999, t));
                    w[i] -= lrs[t - 1] * mh / (Math.sqrt(vh) + 1e-8);
                }
                float[] got = p.getArray().toFloatArray();
                assertThat((double) got[0]).isCloseTo(w[0], within(1e-5));
                assertThat((double) got[1]).isCloseTo(w[1], within(1e-5));
            }
        }
    }

    @Test
    void globalNormClipPreservesDirection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {3f, 0f});
            NDArray b = m.create(new float[] {4f});
            double before = GradClip.globalNorm(List.of(a, b), 1.0);
            assertThat(before).isCloseTo(5.0, within(1e-6));
            assertThat((double) a.getFloat(0)).isCloseTo(0.6, within(1e-5));
            assertThat((double) b.getFloat(0)).isCloseTo(0.8, within(1e-5));
        }
    }

    @Test
    void schedules() {
        assertThat(LrSchedule.linearToFloor(4e-4, 5e-5, 3200).lr(0)).isEqualTo(4e-4);
        assertThat(LrSchedule.linearToFloor(4e-4, 5e-5, 3200).lr(1600)).isCloseTo(2.25e-4, within(1e-12));
        assertThat(LrSchedule.linearToFloor(4e-4, 5e-5, 3200).lr(5000)).isCloseTo(5e-5, within(1e-15));
        assertThat(LrSchedule.exponential(1.0, 0.5, 10).lr(25)).isEqualTo(0.25);
        assertThat(LrSchedule.piecewise(new long[] {10, 20}, new double[] {1, 0.1, 0.01}).lr(15)).isEqualTo(0.1);
    }
}
