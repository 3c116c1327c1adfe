package org.ebm4j.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The general engine on latent (rank-2) states and on states of two parts, against known stationary laws. */
class LangevinChainTest {

    /** Sample covariance (population form) of columns i, j of a [N, d] array. */
    static double cov(float[] v, int d, int i, int j, double mi, double mj) {
        int n = v.length / d;
        double s = 0;
        for (int r = 0; r < n; r++) {
            s += (v[r * d + i] - mi) * (v[r * d + j] - mj);
        }
        return s / n;
    }

    static double mean(float[] v, int d, int i) {
        int n = v.length / d;
        double s = 0;
        for (int r = 0; r < n; r++) {
            s += v[r * d + i];
        }
        return s / n;
    }

    /** S = M S Mᵀ + Q iterated to its fixed point: the stationary covariance of v' = M v + w, Cov w = Q. */
    static double[][] lyapunov(double[][] mm, double[][] q) {
        int k = q.length;
        double[][] s = new double[k][k];
        for (int it = 0; it < 20000; it++) {
            double[][] ms = mul(mm, s);
            double[][] next = mul(ms, transpose(mm));
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    next[a][b] += q[a][b];
                }
            }
            s = next;
        }
        return s;
    }

    static double[][] mul(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                for (int l = 0; l < b.length; l++) {
                    c[i][j] += a[i][l] * b[l][j];
                }
            }
        }
        return c;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /**
     * E(x) = ½(x−μ)ᵀA(x−μ) on a [N, 2] latent. The chain x' = x − c·A(x−μ) + δξ (c = δ²/2) is a
     * linear AR(1) process: its stationary law is N(μ, S) with S = M S Mᵀ + δ²I, M = I − cA, which
     * tends to A⁻¹ as δ → 0; at δ = 0.4 var x₀ differs from A⁻¹ by 5.9 %, twice the tolerance (3 %,
     * three standard errors of a variance estimated from 20000 chains).
     */
    @Test
    void gaussianLatentReachesItsStationaryMeanAndCovariance() {
        double[][] a = {{2.0, 0.8}, {0.8, 1.0}};
        double[] mu = {0.5, -1.0};
        double delta = 0.4;
        LangevinStep step = LangevinStep.fromDelta(delta);
        double c = step.drift();
        double[][] mm = {{1 - c * a[0][0], -c * a[0][1]}, {-c * a[1][0], 1 - c * a[1][1]}};
        double[][] s = lyapunov(mm, new double[][] {{delta * delta, 0}, {0, delta * delta}});
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(7);
            NDArray am = m.create(new float[] {2f, 0.8f, 0.8f, 1f}, new Shape(2, 2));
            NDArray mum = m.create(new float[] {0.5f, -1f}, new Shape(1, 2));
            NDArray x0 = m.zeros(new Shape(20000, 2));
            // ½ Σ_n (x_n−μ)ᵀA(x_n−μ), per sample
            java.util.function.Function<NDArray, NDArray> energy = x -> {
                NDArray d = x.sub(mum);
                return d.matMul(am).mul(d).sum(new int[] {1}).mul(0.5);
            };
            NDArray x = Langevin.run(energy, x0, LangevinConfig.of(300, step, 0, 0, Double.NaN, Double.NaN, true));
            assertThat(x.getShape()).isEqualTo(new Shape(20000, 2));
            float[] v = x.toFloatArray();
            double m0 = mean(v, 2, 0);
            double m1 = mean(v, 2, 1);
            assertThat(m0).isCloseTo(mu[0], within(0.03));
            assertThat(m1).isCloseTo(mu[1], within(0.03));
            assertThat(cov(v, 2, 0, 0, m0, m0)).isCloseTo(s[0][0], within(0.03 * s[0][0]));
            assertThat(cov(v, 2, 1, 1, m1, m1)).isCloseTo(s[1][1], within(0.03 * s[1][1]));
            assertThat(cov(v, 2, 0, 1, m0, m1)).isCloseTo(s[0][1], within(0.03 * Math.sqrt(s[0][0] * s[1][1])));
            // the discretised law, not the continuous one: A⁻¹[0][0] = 1/1.36 is outside the tolerance
            double exact00 = a[1][1] / (a[0][0] * a[1][1] - a[0][1] * a[0][1]);
            assertThat(Math.abs(s[0][0] - exact00)).isGreaterThan(0.05 * exact00);
        }
    }

    /**
     * A coupled Gaussian over two parts: z ~ N(0, α) [N,1], y_i | z ~ N(βz, s²) [N,2]; energy
     * ½z²/α + ½Σ(y_i − βz)²/s². Each step updates z, then y with the new z, each with its own
     * step; this sweep is linear, v' = M₂(M₁v + w₁) + w₂, so its stationary covariance solves
     * S = M S Mᵀ + Q with M = M₂M₁, Q = M₂Q₁M₂ᵀ + Q₂ (close to the true marginals var z = α,
     * var y = β²α + s², cov = αβ).
     */
    @Test
    void twoPartChainUpdatesZThenYAndReachesItsStationaryLaw() {
        double alpha = 1.5;
        double beta = 0.8;
        double s2 = 0.25;
        LangevinStep sz = LangevinStep.fromDelta(0.3);
        LangevinStep sy = LangevinStep.fromDelta(0.15);
        double cz = sz.drift();
        double cy = sy.drift();
        double[][] m1 = {{1 - cz * (1 / alpha + 2 * beta * beta / s2), cz * beta / s2, cz * beta / s2}, {0, 1, 0}, {0, 0, 1}};
        double[][] m2 = {{1, 0, 0}, {cy * beta / s2, 1 - cy / s2, 0}, {cy * beta / s2, 0, 1 - cy / s2}};
        double[][] q1 = {{sz.noiseStd() * sz.noiseStd(), 0, 0}, {0, 0, 0}, {0, 0, 0}};
        double[][] q = mul(mul(m2, q1), transpose(m2));
        q[1][1] += sy.noiseStd() * sy.noiseStd();
        q[2][2] += sy.noiseStd() * sy.noiseStd();
        double[][] s = lyapunov(mul(m2, m1), q);
        assertThat(s[0][0]).isCloseTo(alpha, within(0.1 * alpha)); // sanity: near the continuous law
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(9);
            int n = 20000;
            NDArray z0 = m.randomNormal(new Shape(n, 1)).mul(Math.sqrt(alpha));
            NDArray y0 = z0.mul(beta).add(m.randomNormal(new Shape(n, 2)).mul(Math.sqrt(s2)));
            ChainConfig cfg = ChainConfig.of(400, ChainPart.energy("z", sz), ChainPart.energy("y", sy));
            Map<String, NDArray> out = LangevinChain.run(st -> {
                NDArray z = st.get("z");
                NDArray r = st.get("y").sub(z.mul(beta));
                return z.square().mul(0.5 / alpha).add(r.square().sum(new int[] {1}, true).mul(0.5 / s2));
            }, Map.of("z", z0, "y", y0), cfg);
            NDArray v = out.get("z").concat(out.get("y"), 1);
            float[] f = v.toFloatArray();
            double[] mean = {mean(f, 3, 0), mean(f, 3, 1), mean(f, 3, 2)};
            for (int i = 0; i < 3; i++) {
                assertThat(mean[i]).isCloseTo(0, within(0.04));
                for (int j = 0; j < 3; j++) {
                    double tol = 0.05 * Math.sqrt(s[i][i] * s[j][j]);
                    assertThat(cov(f, 3, i, j, mean[i], mean[j])).as("cov %d %d", i, j).isCloseTo(s[i][j], within(tol));
                }
            }
        }
    }

    /** Within a step, y's gradient is taken at the z just updated (and z's at the y of the previous step). */
    @Test
    void partsAreUpdatedInOrderEachSeeingTheNewestValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z0 = m.create(new float[] {1f, 2f}, new Shape(2, 1));
            NDArray y0 = m.create(new float[] {3f, -1f}, new Shape(2, 1));
            double c = 0.1;
            LangevinStep step = new LangevinStep(c, 0, 1);
            // E = z·y: ∂E/∂z = y, ∂E/∂y = z
            java.util.function.Function<Map<String, NDArray>, NDArray> e = st -> st.get("z").mul(st.get("y"));
            Map<String, NDArray> zy = LangevinChain.run(e, Map.of("z", z0, "y", y0),
                    ChainConfig.of(1, ChainPart.energy("z", step), ChainPart.energy("y", step)));
            // z1 = z0 − c·y0; y1 = y0 − c·z1
            float[] z1 = {1f - 0.1f * 3f, 2f - 0.1f * -1f};
            assertThat(zy.get("z").toFloatArray()).containsExactly(new float[] {z1[0], z1[1]}, within(1e-6f));
            assertThat(zy.get("y").toFloatArray()).containsExactly(new float[] {3f - 0.1f * z1[0], -1f - 0.1f * z1[1]}, within(1e-6f));
            Map<String, NDArray> yz = LangevinChain.run(e, Map.of("z", z0, "y", y0),
                    ChainConfig.of(1, ChainPart.energy("y", step), ChainPart.energy("z", step)));
            float[] y1 = {3f - 0.1f * 1f, -1f - 0.1f * 2f};
            assertThat(yz.get("z").toFloatArray()).containsExactly(new float[] {1f - 0.1f * y1[0], 2f - 0.1f * y1[1]}, within(1e-6f));
        }
    }

    /** A part not listed in the config conditions the chain and comes back unchanged; the prior pulls towards 0. */
    @Test
    void fixedPartsStayAndThePriorTermIsAGaussianDrift() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {2f, -4f}, new Shape(2, 1));
            NDArray y0 = m.zeros(new Shape(2, 3));
            // E = ½‖y − z‖²  with prior σ = 1 on y: stationary mean of y (noise-free fixed point) = z/2
            ChainConfig cfg = ChainConfig.of(300, ChainPart.energy("y", new LangevinStep(0.05, 0, 1)).withPrior(1.0));
            Map<String, NDArray> out = LangevinChain.run(st -> st.get("y").sub(st.get("z")).square().mul(0.5),
                    Map.of("z", z, "y", y0), cfg);
            assertThat(out.get("z").toFloatArray()).containsExactly(2f, -4f);
            assertThat(out.get("z")).isNotSameAs(z);
            float[] y = out.get("y").toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertThat(y[i]).isCloseTo(1f, within(1e-4f));
                assertThat(y[3 + i]).isCloseTo(-2f, within(1e-4f));
            }
        }
    }

    /** The per-sample clip acts on each row of a rank-2 state separately, on ∇/T. */
    @Test
    void perSampleGradientClipOnRank2States() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.zeros(new Shape(3, 4));
            NDArray w = m.create(new float[] {0.05f, 100f, 300f}, new Shape(3, 1));
            // f = Σ w_n·x_n: row n's gradient is w_n·1, norm 2·w_n = 0.1, 200, 600
            for (double t : new double[] {1.0, 2.0}) {
                LangevinStep step = new LangevinStep(0.1, 0, t);
                ChainConfig cfg = ChainConfig.of(1, ChainPart.score("x", step).withGradClip(1.0));
                NDArray x = LangevinChain.run(s -> s.get("x").mul(w), Map.of("x", x0), cfg).get("x");
                float[] norms = x.square().sum(new int[] {1}).sqrt().toFloatArray();
                // drift·clip(∇/T): ‖∇/T‖ = 0.1/T (kept), 200/T and 600/T (clipped to 1)
                assertThat(norms[0]).isCloseTo((float) (0.1 * 0.1 / t), within(1e-6f));
                assertThat(norms[1]).isCloseTo(0.1f, within(1e-6f));
                assertThat(norms[2]).isCloseTo(0.1f, within(1e-6f));
                // the direction is unchanged: every entry of a row moves equally
                assertThat(x.get(2).toFloatArray()).containsOnly(0.05f);
            }
        }
    }

    @Test
    void listenerLogsPerPartGradientNormsAndEnergy() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z0 = m.create(new float[] {1f, 2f}, new Shape(2, 1));
            NDArray y0 = m.create(new float[] {3f, 4f, 0f, 0f}, new Shape(2, 2));
            List<String> log = new ArrayList<>();
            ChainListener l = new ChainListener() {
                @Override
                public void onStep(int step, Map<String, NDArray> state, Map<String, PartStats> stats) {
                    log.add(step + " " + stats.get("z").gradNormMean() + " " + stats.get("y").gradNormMean() + " "
                            + stats.get("z").target() + " " + stats.get("y").target());
                }

                @Override
                public boolean wantsTarget() {
                    return true;
                }
            };
            // E = ½z² + ½‖y‖²: ∇z = z, ∇y = y
            ChainConfig cfg = ChainConfig.of(1, ChainPart.energy("z", new LangevinStep(0.5, 0, 1)),
                    ChainPart.energy("y", new LangevinStep(0.5, 0, 1)));
            LangevinChain.run(st -> st.get("z").square().mul(0.5).add(st.get("y").square().sum(new int[] {1}, true).mul(0.5)),
                    Map.of("z", z0, "y", y0), cfg, Map.of(), l);
            // z: norms |1|, |2| → 1.5; E = ½(1 + 4) + ½(25 + 0) = 15. Then z = 0.5, 1: y: norms 5, 0 → 2.5;
            // E = ½(0.25 + 1) + 12.5 = 13.125
            assertThat(log).containsExactly("0 1.5 2.5 15.0 13.125");
        }
    }

    @Test
    void masksHoldEntriesAndClipRangesHoldPerPart() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(4);
            NDArray z0 = m.zeros(new Shape(4, 6));
            NDArray y0 = m.zeros(new Shape(4, 2, 3, 3));
            NDArray mask = m.create(new float[] {1, 1, 0, 0, 1, 0}, new Shape(1, 6));
            ChainConfig cfg = ChainConfig.of(10, ChainPart.score("z", new LangevinStep(0.1, 0.5, 1)).withClip(-0.2, 0.3),
                    ChainPart.score("y", new LangevinStep(0.1, 0.5, 1)).withClip(Double.NaN, 0.1));
            Map<String, NDArray> out = LangevinChain.run(st -> st.get("z").sum(new int[] {1}).add(st.get("y").sum(new int[] {1, 2, 3})),
                    Map.of("z", z0, "y", y0), cfg, Map.of("z", mask), null);
            NDArray z = out.get("z");
            assertThat(z.mul(mask.mul(-1).add(1)).abs().max().getFloat()).isEqualTo(0f);
            assertThat(z.max().getFloat()).isLessThanOrEqualTo(0.3f);
            assertThat(z.min().getFloat()).isGreaterThanOrEqualTo(-0.2f);
            assertThat(z.mul(mask).abs().sum().getFloat()).isGreaterThan(0f);
            assertThat(out.get("y").max().getFloat()).isLessThanOrEqualTo(0.1f);
            assertThat(out.get("y").min().getFloat()).isLessThan(-0.5f); // open below
        }
    }

    @Test
    void chainOfSeveralPartsLeavesNoLiveTensorsBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z0 = m.randomNormal(new Shape(2, 5));
            NDArray y0 = m.randomNormal(new Shape(2, 3, 4, 4));
            NDArray c = m.randomNormal(new Shape(2, 5));
            java.util.function.Function<Map<String, NDArray>, NDArray> e = st -> st.get("z").mul(st.get("c")).sum(new int[] {1})
                    .add(st.get("y").square().sum(new int[] {1, 2, 3}));
            ChainConfig cfg = ChainConfig.of(3, ChainPart.energy("z", LangevinStep.fromDelta(0.1)).withGradClip(1),
                    ChainPart.energy("y", LangevinStep.fromDelta(0.1)).withPrior(2));
            LangevinChain.run(e, Map.of("z", z0, "y", y0, "c", c), cfg).values().forEach(NDArray::close);
            int after3 = m.getManagedArrays().size();
            LangevinChain.run(e, Map.of("z", z0, "y", y0, "c", c), cfg.withSteps(40)).values().forEach(NDArray::close);
            assertThat(m.getManagedArrays().size()).isEqualTo(after3);
        }
    }

    @Test
    void badStatesAndConfigsAreRejectedByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.zeros(new Shape(2, 3));
            NDArray y = m.zeros(new Shape(3, 3));
            ChainPart pz = ChainPart.energy("z", LangevinStep.fromDelta(0.1));
            assertThatThrownBy(() -> LangevinChain.run(st -> st.get("z"), Map.of("z", z, "y", y), ChainConfig.of(1, pz)))
                    .hasMessageContaining("samples");
            assertThatThrownBy(() -> LangevinChain.run(st -> st.get("z"), Map.of("z", z), ChainConfig.of(1,
                    ChainPart.energy("w", LangevinStep.fromDelta(0.1))))).hasMessageContaining("'w' is not in the state");
            assertThatThrownBy(() -> LangevinChain.run(st -> st.get("z"), Map.of("z", z, "c", z), ChainConfig.of(1, pz),
                    Map.of("c", z), null)).hasMessageContaining("not a moving part");
            assertThatThrownBy(() -> ChainConfig.of(1, pz, pz)).hasMessageContaining("listed twice");
            assertThatThrownBy(() -> pz.withClip(1, -1)).hasMessageContaining("is empty");
        }
    }
}
