package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The PatchGenCN iteration as a unit: what it computes, and that a non-finite loss leaves the weights alone. */
class PatchGenStepTest {
    private static final int W = 12;
    private static final int H = 10;

    private static PatchGenConfig cfg() {
        return PatchGenConfig.paper().withSteps(4, 3, 5).withIterations(40);
    }

    private static List<float[]> weights(PatchEnergyNet net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.trainableParameters()) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void oneIterationRunsBothChainsTheLossAndOneAdamStep() {
        PatchGenConfig cfg = cfg();
        Torch.seed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            PatchEnergyNet net = new PatchEnergyNet(3, PatchEnergyNet.widthsFor(W, H), (float) cfg.initStd()).init(m);
            // every forward pass would advance the spectral-norm power iteration; frozen, the net is a
            // fixed function and the reference chain below sees the weights the step's chain sees
            net.freezeSpectralState();
            Adam adam = PatchGenStep.newAdam(cfg, 1, m, net);
            NDArray obs = Torch.pad(Torch.uniform(m, -1f, 1f, new Shape(1, 3, H, W)), cfg.pad());
            NDArray recStart = Torch.pad(Torch.uniform(m, -0.5f, 0.5f, new Shape(1, 3, H, W)), cfg.pad());
            PatchGenStep step = new PatchGenStep(cfg, 1, net, adam, obs, recStart);
            List<float[]> before = weights(net);
            try (NDManager it = m.newSubManager()) {
                // the noise-free recovery chain of stepsRec steps, run directly on the weights before the update
                float[] expectedRec = PatchGenModel.chain(net, Torch.scopedCopy(recStart, it),
                        PatchGenModel.langevin(cfg, cfg.stepsRec(), 0.0)).toFloatArray();
                long iteration = cfg.noiseDecayIters() / 2;
                PatchGenStep.Result r = step.run(it, iteration, Torch.uniform(it, -1f, 1f, new Shape(1, 3, H, W)));

                assertThat(r.updated()).isTrue();
                assertThat(r.rec().toFloatArray()).containsExactly(expectedRec);
                assertThat(r.syn().getShape()).isEqualTo(new Shape(1, 3, H + 2 * cfg.pad(), W + 2 * cfg.pad()));
                assertThat(r.obs().toFloatArray()).containsExactly(obs.toFloatArray());
                // Eq. 5 with the recovery term, from the three reported energies
                double expectedLoss = r.fSyn() - r.fObs() + cfg.lambdaRec() * (r.fRec() - r.fObs());
                assertThat(r.loss()).isCloseTo(expectedLoss, within(1e-5 * Math.max(1, Math.abs(expectedLoss))));
                // halfway through the linear decay from noiseInit to noiseMin
                assertThat(r.noise()).isCloseTo(0.5 * (cfg.noiseInit() + cfg.noiseMin()), within(1e-12));
                assertThat(r.lr()).isCloseTo(cfg.lrInit(), within(1e-15));
            }
            assertThat(adam.step()).isEqualTo(1);
            List<float[]> after = weights(net);
            boolean changed = false;
            for (int i = 0; i < after.size(); i++) {
                changed |= !java.util.Arrays.equals(before.get(i), after.get(i));
            }
            assertThat(changed).as("some weight moved").isTrue();
        }
    }

    @Test
    void aNonFiniteLossLeavesTheWeightsAndTheOptimizerUntouched() {
        PatchGenConfig cfg = cfg();
        Torch.seed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            PatchEnergyNet net = new PatchEnergyNet(3, PatchEnergyNet.widthsFor(W, H), (float) cfg.initStd()).init(m);
            Adam adam = PatchGenStep.newAdam(cfg, 1, m, net);
            // an observed image with a NaN pixel: f(obs), hence the loss, is NaN
            NDArray obs = Torch.pad(m.full(new Shape(1, 3, H, W), Float.NaN), cfg.pad());
            NDArray recStart = Torch.pad(m.zeros(new Shape(1, 3, H, W)), cfg.pad());
            PatchGenStep step = new PatchGenStep(cfg, 1, net, adam, obs, recStart);
            List<float[]> before = weights(net);
            try (NDManager it = m.newSubManager()) {
                PatchGenStep.Result r = step.run(it, 0, m.zeros(new Shape(1, 3, H, W)));
                assertThat(r.updated()).isFalse();
                assertThat(r.loss()).isNaN();
            }
            assertThat(adam.step()).isZero();
            List<float[]> after = weights(net);
            for (int i = 0; i < after.size(); i++) {
                assertThat(after.get(i)).containsExactly(before.get(i));
            }
        }
    }

    @Test
    void scaleOutsideThePyramidIsRefused() {
        PatchGenConfig cfg = cfg();
        try (NDManager m = NDManager.newBaseManager()) {
            PatchEnergyNet net = new PatchEnergyNet(3, PatchEnergyNet.widthsFor(W, H), (float) cfg.initStd()).init(m);
            Adam adam = PatchGenStep.newAdam(cfg, 1, m, net);
            NDArray x = m.zeros(new Shape(1, 3, H + 10, W + 10));
            assertThatThrownBy(() -> new PatchGenStep(cfg, 8, net, adam, x, x))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale must be in 0..7, got 8");
        }
    }
}
