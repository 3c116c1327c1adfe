package org.ebm4j.sampling;

import ai.djl.ndarray.NDManager;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridModel;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The step convention's factories give the documented (drift, noise, temperature), and both methods use them unchanged. */
class LangevinStepTest {

    @Test
    void factoriesGiveTheDocumentedNumbers() {
        assertThat(LangevinStep.fromDelta(0.3)).isEqualTo(new LangevinStep(0.045, 0.3, 1.0));
        assertThat(LangevinStep.fromDelta(0.3).stationaryTemperature()).isCloseTo(1.0, within(1e-12));
        // PatchGenCN: step size 0.01 = δ², drift ½·0.01, noise √0.01 (its own schedule replaces it)
        assertThat(LangevinStep.fromStepSize(0.01)).isEqualTo(new LangevinStep(0.005, 0.1, 1.0));
        assertThat(LangevinStep.fromStepSize(0.01).withNoise(0.01).noiseStd()).isEqualTo(0.01);
        // Dual-MCMC CIFAR-10: s = 0.001, n = 0.5 (Cui and Han 2023, CIFAR-10 settings): drift 5e-7, T* = (n/s)² = 250000
        LangevinStep dm = LangevinStep.dualMcmc(0.001, 0.5);
        assertThat(dm.drift()).isCloseTo(5e-7, within(1e-20));
        assertThat(dm.noiseStd()).isEqualTo(0.5);
        assertThat(dm.temperature()).isEqualTo(1.0);
        assertThat(dm.stationaryTemperature()).isCloseTo(250000, within(1e-6));
        // Hat EBM: ε = 5e-4 with a temperature: drift ε²/2, noise ε, T* = T
        LangevinStep he = LangevinStep.hatEbm(5e-4, 1e-3);
        assertThat(he).isEqualTo(new LangevinStep(1.25e-7, 5e-4, 1e-3));
        assertThat(he.stationaryTemperature()).isCloseTo(1e-3, within(1e-15));
        assertThat(LangevinStep.fromDelta(0.3).withNoise(0).stationaryTemperature()).isEqualTo(0.0);
    }

    @Test
    void badStepsAreRejectedByName() {
        assertThatThrownBy(() -> LangevinStep.fromDelta(0)).hasMessageContaining("delta must be finite and > 0, got 0");
        assertThatThrownBy(() -> LangevinStep.fromStepSize(-1)).hasMessageContaining("step size");
        assertThatThrownBy(() -> LangevinStep.hatEbm(0.1, 0)).hasMessageContaining("temperature must be finite and > 0");
        assertThatThrownBy(() -> new LangevinStep(0.1, Double.NaN, 1)).hasMessageContaining("noise std");
        assertThatThrownBy(() -> new LangevinStep(-0.1, 0.1, 1)).hasMessageContaining("drift");
    }

    /** PatchGenCN's chain config, now built through fromStepSize, is the one it built by hand (same doubles). */
    @Test
    void patchGenChainConfigIsUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (double s : new double[] {0.01, 0.003, 1e-4, 0.07}) {
                PatchGenConfig.Builder b = PatchGenConfig.fast().toBuilder();
                b.stepSize = s;
                try (PatchGenModel model = new PatchGenModel(m, b.build(), null, List.of())) {
                    for (double noise : new double[] {0.0, 0.01, 0.0037}) {
                        assertThat(model.langevin(30, noise)).isEqualTo(LangevinConfig.scoreClipped(30, 0.5 * s, noise));
                    }
                }
            }
        }
    }

    /** Multi-grid's Eq. 8 config, now built through fromDelta, is the one it built by hand (same doubles). */
    @Test
    void multigridChainConfigIsUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (double d : new double[] {0.3, 0.002, 1.7}) {
                for (boolean noise : new boolean[] {true, false}) {
                    for (String range : new String[] {"unit", "uint8"}) {
                        MultigridConfig cfg = MultigridConfig.fast().toBuilder().imageSize(8).grids(new int[] {1, 8}).maskSize(4)
                                .delta(d).noise(noise).pixelRange(range).clip(true).referenceSigma(0.7).build();
                        try (MultigridModel model = new MultigridModel(m, cfg)) {
                            double lo = cfg.pixelScale() == 1.0 ? -1 : 0;
                            double hi = cfg.pixelScale() == 1.0 ? 1 : 255;
                            assertThat(model.langevin(9)).isEqualTo(new LangevinConfig(9, d * d / 2, noise ? d : 0, 1.0,
                                    0.7, 0, lo, hi, false));
                        }
                    }
                }
            }
        }
    }
}
