package org.ebm4j.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LangevinTest {

    /**
     * For f(x) = −(x−μ)²/(2s²) the chain x' = x + c∇f + δξ is an AR(1) process with stationary mean
     * μ and variance δ²/(1 − (1 − c/s²)²); with c = δ²/2 this tends to s² as δ → 0.
     */
    @Test
    void gaussianEnergyReachesItsStationaryLaw() {
        double mu = 0.7;
        double s = 0.5;
        double delta = 0.2;
        double c = delta * delta / 2;
        double a = 1 - c / (s * s);
        double expectedVar = delta * delta / (1 - a * a);
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(3);
            Function<NDArray, NDArray> f = x -> x.sub(mu).square().mul(-0.5 / (s * s));
            NDArray x0 = m.zeros(new Shape(20000, 1, 1, 1));
            LangevinConfig cfg = new LangevinConfig(400, c, delta, 1.0, 0, 0, Double.NaN, Double.NaN, false);
            NDArray x = Langevin.run(f, x0, cfg);
            double mean = x.mean().getFloat();
            double var = x.sub(mean).square().mean().getFloat();
            assertThat(mean).isCloseTo(mu, within(0.01));
            assertThat(var).isCloseTo(expectedVar, within(0.03 * expectedVar));
        }
    }

    /** The same law written in energy form, with a temperature and a Gaussian reference term. */
    @Test
    void energyFormWithTemperatureAndReference() {
        // E(x) = x²/2 at temperature T plus reference N(0, σr²): density ∝ exp(−x²/(2T) − x²/(2σr²))
        double t = 0.5;
        double sr = 1.0;
        double delta = 0.1;
        double c = delta * delta / 2;
        double prec = 1 / t + 1 / (sr * sr);
        double a = 1 - c * prec;
        double expectedVar = delta * delta / (1 - a * a);
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(5);
            NDArray x0 = m.ones(new Shape(20000, 1, 1, 1)).mul(2);
            LangevinConfig cfg = new LangevinConfig(1500, c, delta, t, sr, 0, Double.NaN, Double.NaN, true);
            NDArray x = Langevin.run(v -> v.square().mul(0.5), x0, cfg);
            double mean = x.mean().getFloat();
            double var = x.sub(mean).square().mean().getFloat();
            assertThat(mean).isCloseTo(0, within(0.01));
            assertThat(var).isCloseTo(expectedVar, within(0.03 * expectedVar));
        }
    }

    @Test
    void maskedPixelsNeverMoveAndClipHolds() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1);
            NDArray x0 = m.randomUniform(-1f, 1f, new Shape(2, 3, 8, 8));
            NDArray mask = m.zeros(new Shape(1, 1, 8, 8));
            mask.set(new ai.djl.ndarray.index.NDIndex(":, :, 2:5, 3:7"), 1f);
            LangevinConfig cfg = LangevinConfig.scoreClipped(20, 0.5, 0.3);
            NDArray x = Langevin.run(v -> v.mul(3f), x0, cfg, mask, null);
            NDArray keep = mask.mul(-1).add(1);
            float maxChangeFixed = x.sub(x0).abs().mul(keep).max().getFloat();
            assertThat(maxChangeFixed).isEqualTo(0f);
            assertThat(x.sub(x0).abs().mul(mask).max().getFloat()).isGreaterThan(0.1f);
            assertThat(x.max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(x.min().getFloat()).isGreaterThanOrEqualTo(-1f);
        }
    }

    @Test
    void perSampleGradientClipBoundsTheStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.zeros(new Shape(3, 1, 2, 2));
            // f = 100·Σx: gradient norm per sample is 100·2 = 200, clipped to 1 → step of drift·1
            LangevinConfig cfg = new LangevinConfig(1, 0.1, 0, 1.0, 0, 1.0, Double.NaN, Double.NaN, false);
            NDArray x = Langevin.run(v -> v.mul(100f), x0, cfg);
            double perSampleNorm = x.get(0).square().sum().sqrt().getFloat();
            assertThat(perSampleNorm).isCloseTo(0.1, within(1e-5));
        }
    }

    @Test
    void chainLeavesNoLiveTensorsBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.randomUniform(-1f, 1f, new Shape(1, 3, 16, 16));
            LangevinConfig cfg = LangevinConfig.scoreClipped(3, 0.005, 0.01);
            Langevin.run(v -> v.square().mul(-1), x0, cfg).close();
            int after3 = m.getManagedArrays().size();
            Langevin.run(v -> v.square().mul(-1), x0, cfg.withSteps(60)).close();
            int after60 = m.getManagedArrays().size();
            assertThat(after60).isEqualTo(after3);
        }
    }
}
