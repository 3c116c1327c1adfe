package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Semantics of the nn building blocks: interpolation, BN modes, σ, freezing, shapes and the papers' parameter counts. */
class NetsTest {

    /**
     * align_corners=True, 2×2 → 4×4: output i samples the input at i/3, so for the input
     * [[1,2],[3,4]] (= 1 + x + 2y on the grid) the output is 1 + j/3 + 2i/3, e.g. row 1 is
     * 5/3, 2, 7/3, 8/3. Half-pixel (align_corners=False): samples at 0, ¼, ¾, 1 (clamped).
     */
    @Test
    void bilinearMatchesHandComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            double[] expectAligned = {
                1, 4 / 3.0, 5 / 3.0, 2,
                5 / 3.0, 2, 7 / 3.0, 8 / 3.0,
                7 / 3.0, 8 / 3.0, 3, 10 / 3.0,
                3, 10 / 3.0, 11 / 3.0, 4};
            assertThat(Upsample.bilinear2x(x).toDoubleArray()).containsExactly(expectAligned, within(1e-12));
            double[] c = {0, 0.25, 0.75, 1};
            double[] expectHalf = new double[16];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    expectHalf[i * 4 + j] = 1 + c[j] + 2 * c[i];
                }
            }
            assertThat(Upsample.bilinear(x, 2, false).toDoubleArray()).containsExactly(expectHalf, within(1e-12));
            // corners kept, and per-channel / per-image independence on a larger batch
            NDArray big = m.randomNormal(new Shape(2, 3, 5, 4));
            NDArray up = Upsample.bilinear2x(big);
            assertThat(up.getShape()).isEqualTo(new Shape(2, 3, 10, 8));
            assertThat(up.getFloat(1, 2, 9, 7)).isCloseTo(big.getFloat(1, 2, 4, 3), within(1e-6f));
            assertThat(up.getFloat(0, 1, 0, 0)).isCloseTo(big.getFloat(0, 1, 0, 0), within(1e-6f));
            assertThatThrownBy(() -> Upsample.bilinear2x(m.zeros(new Shape(2, 3)))).hasMessageContaining("[N, C, H, W]");
        }
    }

    @Test
    void batchNormBatchRunningAndFrozenAffine() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1);
            BatchNorm2d bn = new BatchNorm2d(2, 0.1f, 1e-5f, Init.bnGammaNormal());
            bn.initialize(m, DataType.FLOAT64, new Shape(4, 2, 3, 3));
            NDArray gamma = bn.getParameters().get("gamma").getArray();
            assertThat(gamma.toDoubleArray()).doesNotContain(1.0); // drawn from N(0,1), not ones
            NDArray x = m.randomNormal(2f, 3f, new Shape(4, 2, 3, 3), DataType.FLOAT64);
            double[] xs = x.toDoubleArray();
            double[] g = gamma.toDoubleArray();
            // BATCH: per channel (x − batch mean)/√(batch var + ε)·γ + β, running stats untouched
            double[] y = bn.apply(x, BatchNorm2d.Mode.BATCH).toDoubleArray();
            for (int c = 0; c < 2; c++) {
                double s = 0;
                double q = 0;
                for (int n = 0; n < 4; n++) {
                    for (int k = 0; k < 9; k++) {
                        double v = xs[(n * 2 + c) * 9 + k];
                        s += v;
                        q += v * v;
                    }
                }
                double mean = s / 36;
                double var = q / 36 - mean * mean;
                int at = (2 * 2 + c) * 9 + 4;
                assertThat(y[at]).isCloseTo((xs[at] - mean) / Math.sqrt(var + 1e-5) * g[c], within(1e-9));
            }
            assertThat(bn.getParameters().get("running_mean").getArray().toDoubleArray()).containsExactly(0, 0);
            // RUNNING at the initial statistics (0, 1): y = γ x / √(1+ε) + β, image by image
            double[] r = bn.apply(x, BatchNorm2d.Mode.RUNNING).toDoubleArray();
            assertThat(r[9 + 5]).isCloseTo(g[1] * xs[9 + 5] / Math.sqrt(1 + 1e-5), within(1e-12));
            // frozen affine: γ, β leave the trainable set and stay out when the net is unfrozen
            assertThat(Nets.trainableParameters(bn)).extracting(Parameter::getName).containsExactly("gamma", "beta");
            bn.setAffineFrozen(true);
            assertThat(bn.isAffineFrozen()).isTrue();
            assertThat(Nets.trainableParameters(bn)).isEmpty();
            Nets.setTrainable(bn, true);
            assertThat(gamma.hasGradient()).isFalse();
            bn.setAffineFrozen(false);
            assertThat(Nets.parameterCount(bn)).isEqualTo(4);
        }
    }

    /** σ from the persistent u converges to the largest singular value (computed here independently on WᵀW). */
    @Test
    void spectralLinearSigmaConvergesToTheLargestSingularValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(2);
            SpectralLinear l = new SpectralLinear(7, 5, false, true, Init.normal(1), Init.ZEROS).init(m, DataType.FLOAT64);
            double[] w = l.weight().getArray().toDoubleArray();
            double[] v = new double[7];
            java.util.Arrays.fill(v, 1);
            double lambda = 0;
            for (int it = 0; it < 5000; it++) { // power iteration on WᵀW in plain Java
                double[] wv = new double[5];
                for (int i = 0; i < 5; i++) for (int j = 0; j < 7; j++) wv[i] += w[i * 7 + j] * v[j];
                double[] next = new double[7];
                for (int j = 0; j < 7; j++) for (int i = 0; i < 5; i++) next[j] += w[i * 7 + j] * wv[i];
                double n = 0;
                for (double e : next) n += e * e;
                n = Math.sqrt(n);
                lambda = n;
                for (int j = 0; j < 7; j++) v[j] = next[j] / n;
            }
            double sigmaMax = Math.sqrt(lambda);
            double first = l.sigma().getDouble();
            for (int i = 0; i < 300; i++) {
                l.sigma().close();
            }
            assertThat(first).isLessThanOrEqualTo(sigmaMax + 1e-9);
            assertThat(l.sigma().getDouble()).isCloseTo(sigmaMax, within(1e-8 * sigmaMax));
            // W/σ has spectral norm 1: ‖W_SN v‖ = 1 for the top right singular vector
            NDArray out = l.apply(m.create(v, new Shape(1, 7)));
            double n = 0;
            for (double e : out.toDoubleArray()) n += e * e;
            assertThat(Math.sqrt(n)).isCloseTo(1, within(1e-8));
            // u is state, not a parameter; with updates off repeated calls are one function
            assertThat(Nets.trainableParameters(l)).extracting(Parameter::getName).containsExactly("weight");
            l.setUpdateU(false);
            NDArray x = m.randomNormal(new Shape(3, 7)).toType(DataType.FLOAT64, false);
            assertThat(l.apply(x).toDoubleArray()).containsExactly(l.apply(x).toDoubleArray());
            assertThatThrownBy(() -> l.apply(m.zeros(new Shape(3, 6), DataType.FLOAT64))).hasMessageContaining("[N, 7]");
        }
    }

    @Test
    void freezingAnyBlockStopsGradientRecordingButKeepsTheParameterList() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(3);
            Generator g = new Generator(new Generator.Config(4, 2, new int[] {8, 4}, 3, 1.0,
                    new ResBlock.Convs(true, true, Init.Scheme.PYTORCH_XAVIER_NORMAL), true, 0.1f, 1e-5f)).init(m, DataType.FLOAT32);
            int n = Nets.trainableParameters(g).size();
            assertThat(Nets.trainableParameters(g)).extracting(Parameter::getName)
                    .doesNotContain("running_mean", "running_var", "sn_u");
            Nets.setTrainable(g, false);
            assertThat(Nets.isTrainable(g)).isFalse();
            assertThat(Nets.trainableParameters(g)).hasSize(n);
            Nets.setTrainable(g, true);
            assertThat(Nets.isTrainable(g)).isTrue();
        }
    }

    @Test
    void outputShapesAndBadInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(4);
            Generator g = new Generator(new Generator.Config(6, 4, new int[] {16, 8, 8}, 3, 2.0,
                    new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM), false, 0.01f, 1e-3f)).init(m, DataType.FLOAT32);
            g.setBnMode(BatchNorm2d.Mode.RUNNING);
            NDArray img = g.apply(m.randomNormal(new Shape(5, 6)));
            assertThat(img.getShape()).isEqualTo(new Shape(5, 3, 16, 16));
            assertThat(g.config().imageSize()).isEqualTo(16);
            assertThat(img.abs().max().getFloat()).isLessThanOrEqualTo(2f); // tanh × 2
            assertThat(g.apply(m.randomNormal(new Shape(2, 6, 1, 1))).getShape()).isEqualTo(new Shape(2, 3, 16, 16));
            assertThatThrownBy(() -> g.apply(m.zeros(new Shape(2, 5)))).hasMessageContaining("[N, 6]");

            Encoder e = new Encoder(new Encoder.Config(3, 16, 3, new int[] {4, 8, 16}, 5, false, Init.Scheme.PYTORCH_XAVIER_NORMAL))
                    .init(m, DataType.FLOAT32);
            NDList o = e.apply(m.randomNormal(new Shape(2, 3, 16, 16)));
            assertThat(o.get(0).getShape()).isEqualTo(new Shape(2, 5, 1, 1));
            assertThat(o.get(1).getShape()).isEqualTo(new Shape(2, 5, 1, 1));
            assertThatThrownBy(() -> new Encoder.Config(3, 8, 3, new int[] {4, 8, 16}, 5, false, Init.Scheme.KERAS_GLOROT_UNIFORM))
                    .hasMessageContaining("4x4 heads");

            ResidualEbm ebm = new ResidualEbm(new ResidualEbm.Config(3, 16, new int[] {8, 8, 8}, new boolean[] {true, true, false},
                    new ResBlock.Convs(true, false, Init.Scheme.PYTORCH_XAVIER_NORMAL))).init(m, DataType.FLOAT32);
            assertThat(ebm.output(m.randomNormal(new Shape(3, 3, 16, 16))).getShape()).isEqualTo(new Shape(3, 1));
            assertThatThrownBy(() -> new ResidualEbm.Config(3, 6, new int[] {8, 8}, new boolean[] {true, true},
                    new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM))).hasMessageContaining("cannot be halved");
        }
    }

    @Test
    void reparameterisationAndNllValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mu = m.create(new double[] {1, -1}, new Shape(1, 2));
            NDArray lv = m.create(new double[] {Math.log(4), 0}, new Shape(1, 2));
            NDArray eps = m.create(new double[] {0.5, 2}, new Shape(1, 2));
            assertThat(Encoder.reparameterize(mu, lv, eps).toDoubleArray()).containsExactly(new double[] {2, 1}, within(1e-12));
            NDArray z = m.create(new double[] {3, 0}, new Shape(1, 2));
            // ½(log 4 + 0) + ½((3−1)²/(4+1e-6) + 1²/(1+1e-6))
            double expect = 0.5 * Math.log(4) + 0.5 * (4 / (4 + 1e-6) + 1 / (1 + 1e-6));
            assertThat(Encoder.gaussianNll(z, mu, lv).getDouble(0)).isCloseTo(expect, within(1e-12));
        }
    }

    @Test
    void crossEntropyIsTheMeanNegativeLogSoftmaxAtTheLabel() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {1, 2, 3, 0, 0, 0}, new Shape(2, 3));
            double l0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
            double l1 = Math.log(3);
            assertThat(Losses.crossEntropy(logits, new int[] {2, 0}).getFloat()).isCloseTo((float) ((l0 + l1) / 2), within(1e-6f));
            assertThatThrownBy(() -> Losses.crossEntropy(logits, new int[] {3, 0})).hasMessageContaining("outside [0, 3)");
            assertThatThrownBy(() -> Losses.crossEntropy(logits, new int[] {1})).hasMessageContaining("and 1 labels");
        }
    }

    @Test
    void initialisersHaveTheirScales() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(5);
            Shape s = new Shape(64, 32, 3, 3); // fan_in 288, fan_out 576
            double sd = std(Init.xavierNormal().initialize(m, s, DataType.FLOAT64));
            assertThat(sd).isCloseTo(Math.sqrt(2.0 / 864), within(0.02 * Math.sqrt(2.0 / 864)));
            double bound = Math.sqrt(6.0 / 864);
            NDArray gu = Init.glorotUniform().initialize(m, s, DataType.FLOAT64);
            assertThat(gu.abs().max().getDouble()).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
            NDArray td = Init.torchDefaultWeight().initialize(m, s, DataType.FLOAT64);
            assertThat(td.abs().max().getDouble()).isLessThanOrEqualTo(1 / Math.sqrt(288)).isGreaterThan(0.99 / Math.sqrt(288));
            assertThat(std(Init.normal(0.02).initialize(m, s, DataType.FLOAT64))).isCloseTo(0.02, within(0.001));
            Torch.seed(9);
            float[] a = Init.xavierNormal().initialize(m, s, DataType.FLOAT32).toFloatArray();
            Torch.seed(9);
            assertThat(Init.xavierNormal().initialize(m, s, DataType.FLOAT32).toFloatArray()).containsExactly(a);
        }
    }

    private static double std(NDArray a) {
        double[] v = a.toDoubleArray();
        double s = 0;
        double q = 0;
        for (double x : v) {
            s += x;
            q += x * x;
        }
        double mean = s / v.length;
        return Math.sqrt(q / v.length - mean * mean);
    }

    /**
     * The reference nets at full width, counted from their declared shapes (trainable scalars;
     * BN running statistics and spectral-norm vectors are buffers, as in PyTorch and Keras).
     *
     * <pre>Dual-MCMC CIFAR-10 EBM (nef 512, convs bias-free):
     *   stem: conv1 3·512·9 = 13,824 + conv2 512·512·9 = 2,359,296 + sc 3·512 = 1,536  →  2,374,656
     *   block (down): 2·2,359,296 + sc 512·512 = 262,144                                    →  4,980,736
     *   2 blocks (identity shortcut): 2·(2·2,359,296)                                       →  9,437,184
     *   linear 512→1, no bias                                                               →        512
     *   total 16,793,088  (methods.md's "≈ 16.5M" is a mis-recount; the paper's "16M" is 16.0 Mi)
     * Dual-MCMC CIFAR-10 generator (nz 128, ngf 512, convs with bias):
     *   linear 128·8192 + 8192 = 1,056,768
     *   up-block: bn1 1,024 + bn2 1,024 + conv1 2,359,808 + conv2 2,359,808 + sc 262,656 = 4,984,320, ×3 = 14,952,960
     *   bn 1,024 + conv 512·3·9 + 3 = 13,827
     *   total 16,024,579
     * Dual-MCMC CIFAR-10 inference net (nif 128, nz 128):
     *   3·128·9 = 3,456 + 128·256·16 = 524,288 + 256·512·16 = 2,097,152 + 512·1024·16 = 8,388,608
     *   + 2 heads (1024·128·16 + 128) = 4,194,560      total 15,208,064
     * Hat EBM 32-px EBM (ngf 256, convs with bias):
     *   stem 7,168 + 590,080 + 1,024 = 598,272; block (down) 2·590,080 + 65,792 = 1,245,952;
     *   2 blocks 2·1,180,160 = 2,360,320; dense 256 (no bias)         total 4,204,800
     * Hat EBM 32-px generator (nz 128, ngf 256):
     *   dense 128·4096 + 4096 = 528,384; up-block 512 + 512 + 590,080 + 590,080 + 65,792 = 1,246,976, ×3 = 3,740,928;
     *   bn 512; conv 256·3·9 + 3 = 6,915                               total 4,276,739</pre>
     */
    @Test
    void referenceNetsHaveTheirParameterCounts() {
        assertThat(Nets.parameterCount(new ResidualEbm(ResidualEbm.Config.dualMcmcCifar10(512)))).isEqualTo(16_793_088L);
        assertThat(Nets.parameterCount(new Generator(Generator.Config.dualMcmcCifar10(128, 512)))).isEqualTo(16_024_579L);
        assertThat(Nets.parameterCount(new Encoder(Encoder.Config.dualMcmcCifar10(128, 128)))).isEqualTo(15_208_064L);
        assertThat(Nets.parameterCount(new ResidualEbm(ResidualEbm.Config.hatEbm32(256)))).isEqualTo(4_204_800L);
        assertThat(Nets.parameterCount(new Generator(Generator.Config.hatEbm32(128, 256, 2.0)))).isEqualTo(4_276_739L);
    }

    /**
     * The Dual-MCMC EBM has no biases and only ReLU, average pooling and linear maps, so its energy
     * is positively homogeneous: E(a·x) = a·E(x) for a > 0. (Why uniform noise can get a lower
     * energy than every training image: nothing in training pins the energy of far-away inputs.)
     */
    @Test
    void dualMcmcEnergyIsPositivelyHomogeneous() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(3);
            ResidualEbm ebm = new ResidualEbm(ResidualEbm.Config.dualMcmcCifar10(8)).init(m, DataType.FLOAT32);
            ebm.setUpdateU(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(4, 3, 32, 32));
            float[] e = ebm.output(x).toFloatArray();
            float[] e3 = ebm.output(x.mul(3f)).toFloatArray();
            float[] eNeg = ebm.output(x.neg()).toFloatArray();
            for (int i = 0; i < e.length; i++) {
                assertThat(e3[i]).isCloseTo(3 * e[i], org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(3 * e[i]))));
            }
            assertThat(eNeg).isNotEqualTo(e); // homogeneous for a > 0 only: the sign of x matters
        }
    }

    /** The full-width Dual-MCMC nets build, initialise and run on a tiny batch with the official shapes. */
    @Test
    void fullWidthDualMcmcNetsRun() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(6);
            Generator g = new Generator(Generator.Config.dualMcmcCifar10(128, 512)).init(m, DataType.FLOAT32);
            assertThat(Nets.parameterCount(g)).isEqualTo(16_024_579L);
            g.setBnMode(BatchNorm2d.Mode.BATCH);
            NDArray x = g.apply(m.randomNormal(new Shape(2, 128, 1, 1)));
            assertThat(x.getShape()).isEqualTo(new Shape(2, 3, 32, 32));
            Encoder e = new Encoder(Encoder.Config.dualMcmcCifar10(128, 128)).init(m, DataType.FLOAT32);
            assertThat(e.apply(x).get(0).getShape()).isEqualTo(new Shape(2, 128, 1, 1));
            ResidualEbm ebm = new ResidualEbm(ResidualEbm.Config.dualMcmcCifar10(512)).init(m, DataType.FLOAT32);
            assertThat(ebm.output(x).getShape()).isEqualTo(new Shape(2, 1));
        }
    }

    /**
     * Nets.through, the forward loop of every net here: each intermediate is closed once the next
     * exists, the input never (the caller owns it), also when a step throws; a step that returns its
     * input unchanged does not close it; no stages give back the input itself.
     */
    @Test
    void throughClosesEveryIntermediateButNeverTheInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2});
            java.util.List<NDArray> made = new java.util.ArrayList<>();
            NDArray out = Nets.through(x, java.util.List.of(1f, 2f, 3f), (k, h) -> {
                NDArray y = h.add(k);
                made.add(y);
                return y;
            });
            assertThat(out.toFloatArray()).containsExactly(7f, 8f);
            assertThat(x.isReleased()).isFalse();
            assertThat(made.get(0).isReleased()).isTrue();
            assertThat(made.get(1).isReleased()).isTrue();
            assertThat(out).isSameAs(made.get(2));
            assertThat(out.isReleased()).isFalse();

            assertThat(Nets.through(x, java.util.List.<Float>of(), (k, h) -> h.add(k))).isSameAs(x);

            made.clear();
            NDArray kept = Nets.through(x, java.util.List.of(1f, 0f), (k, h) -> {
                NDArray y = k == 0f ? h : h.add(k);
                made.add(y);
                return y;
            });
            assertThat(kept).isSameAs(made.get(0));
            assertThat(kept.isReleased()).isFalse();

            made.clear();
            assertThatThrownBy(() -> Nets.through(x, java.util.List.of(1f, 2f, 3f), (k, h) -> {
                if (k == 3f) {
                    throw new IllegalStateException("step 3 failed");
                }
                NDArray y = h.add(k);
                made.add(y);
                return y;
            })).hasMessage("step 3 failed");
            assertThat(made.get(0).isReleased()).isTrue();
            assertThat(made.get(1).isReleased()).isTrue();
            assertThat(x.isReleased()).isFalse();
        }
    }
}
