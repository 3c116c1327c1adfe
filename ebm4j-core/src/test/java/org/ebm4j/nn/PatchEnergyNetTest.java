package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.Torch;
import org.ebm4j.optim.Gradients;
import org.ebm4j.sampling.Langevin;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PatchEnergyNetTest {

    private static PatchEnergyNet net(NDManager m) {
        return net(m, DataType.FLOAT32);
    }

    private static PatchEnergyNet net(NDManager m, DataType type) {
        Torch.seed(11);
        PatchEnergyNet net = new PatchEnergyNet(3, new int[] {8, 4, 4, 4}, 0.3f).init(m, type);
        // Converge the power iteration, then keep u fixed so that repeated forward calls see the same
        // function. At the fixed point dσ/du = 0, so the detached-u gradient (as in PyTorch) equals
        // the full derivative that finite differences measure.
        for (SpectralConv2d l : net.layers()) {
            for (int i = 0; l.isSpectralNorm() && i < 200; i++) {
                l.effectiveWeight().close();
            }
            l.setUpdateU(false);
        }
        return net;
    }

    @Test
    void outputMapHasOneValuePerPatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            PatchEnergyNet n = net(m);
            NDArray y = n.output(m.zeros(new Shape(2, 3, 20, 17)));
            assertThat(y.getShape()).isEqualTo(new Shape(2, 1, 10, 7));
            assertThat(n.receptiveField()).isEqualTo(11);
        }
    }

    @Test
    void inputGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            PatchEnergyNet n = net(m, DataType.FLOAT64);
            n.setTrainable(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 3, 13, 12)).toType(DataType.FLOAT64, false);
            NDArray g = Langevin.gradient(n::output, x);
            int[][] probes = {{0, 0, 0}, {1, 6, 5}, {2, 12, 11}, {0, 7, 3}};
            double h = 1e-6;
            for (int[] p : probes) {
                NDIndex idx = new NDIndex(0, p[0], p[1], p[2]);
                NDArray xp = x.duplicate();
                xp.set(idx, x.get(idx).getDouble() + h);
                NDArray xm = x.duplicate();
                xm.set(idx, x.get(idx).getDouble() - h);
                double fd = (n.output(xp).sum().getDouble() - n.output(xm).sum().getDouble()) / (2 * h);
                assertThat(g.get(idx).getDouble()).isCloseTo(fd, within(1e-6 + 1e-5 * Math.abs(fd)));
            }
        }
    }

    @Test
    void parameterGradientsMatchFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            PatchEnergyNet n = net(m, DataType.FLOAT64);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 3, 12, 12)).toType(DataType.FLOAT64, false);
            List<Parameter> ps = n.trainableParameters();
            var res = Gradients.of(m, ps, () -> n.output(x).mean());
            double h = 1e-6;
            for (int pi : new int[] {0, 1, 2, ps.size() - 2, ps.size() - 1}) {
                NDArray p = ps.get(pi).getArray();
                long total = p.size();
                for (long flat : new long[] {0, total / 2, total - 1}) {
                    NDArray pf = p.reshape(-1);
                    double orig = pf.getDouble(flat);
                    pf.set(new NDIndex(flat), orig + h);
                    double fp = n.output(x).mean().getDouble();
                    pf.set(new NDIndex(flat), orig - h);
                    double fm = n.output(x).mean().getDouble();
                    pf.set(new NDIndex(flat), orig);
                    double fd = (fp - fm) / (2 * h);
                    double an = res.grads().get(pi).reshape(-1).getDouble(flat);
                    assertThat(an).as("param %s[%d]", ps.get(pi).getName(), flat)
                            .isCloseTo(fd, within(1e-7 + 1e-4 * Math.abs(fd)));
                }
            }
        }
    }

    /**
     * Regression: libtorch 2.7.1's CPU conv with a single output channel returns an input gradient
     * that reads uninitialised memory. Filling freed memory with NaN between two identical gradient
     * computations exposes it; the widened narrow conv must give identical, finite gradients.
     */
    @Test
    void singleChannelConvGradientIsStableWhenFreedMemoryHoldsNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(4);
            SpectralConv2d last = new SpectralConv2d(64, 1, 3, 1, 0, true, false,
                    new ai.djl.training.initializer.NormalInitializer(0.1f));
            last.initialize(m, DataType.FLOAT32, new Shape(1, 64, 48, 58));
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 64, 48, 58));
            NDArray g1 = Langevin.gradient(last::apply, x).duplicate();
            for (int i = 0; i < 20; i++) {
                try (NDArray junk = m.full(new Shape(64, 3 + i, 40, 50), Float.NaN)) {
                    junk.sum().close();
                }
            }
            NDArray g2 = Langevin.gradient(last::apply, x);
            assertThat(g1.isNaN().any().getBoolean()).isFalse();
            assertThat(g2.sub(g1).abs().max().getFloat()).isEqualTo(0f);
            // and it is the right gradient: the float64 convolution (a different CPU kernel) agrees
            NDArray w64 = last.weight().getArray().toType(DataType.FLOAT64, true);
            NDArray ref = Langevin.gradient(v -> ai.djl.nn.convolutional.Conv2d.conv2d(v, w64).singletonOrThrow(),
                    x.toType(DataType.FLOAT64, true));
            assertThat(g2.toType(DataType.FLOAT64, true).sub(ref).abs().max().getDouble()).isLessThan(1e-5);
        }
    }

    /**
     * The float32 kernels (oneDNN) must agree with the float64 ones (a different CPU code path) on
     * the gradients training and sampling use, for both nets of Table 1 at a realistic size.
     */
    @Test
    void float32GradientsAgreeWithFloat64() {
        for (int[] widths : new int[][] {PatchEnergyNet.WIDTHS_SMALL, PatchEnergyNet.WIDTHS_MEDIUM}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Torch.seed(9);
                PatchEnergyNet n32 = new PatchEnergyNet(3, widths, 0.05f).init(m);
                Torch.seed(9);
                PatchEnergyNet n64 = new PatchEnergyNet(3, widths, 0.05f).init(m, DataType.FLOAT64);
                for (var e : n64.getParameters()) { // same values in both precisions
                    NDArray src = n32.getParameters().get(e.getKey()).getArray().toType(DataType.FLOAT64, true);
                    org.ebm4j.core.TensorCopy.copyInto(src, e.getValue().getArray());
                }
                n32.freezeSpectralState();
                n64.freezeSpectralState();
                NDArray x = Torch.pad(m.randomUniform(-1f, 1f, new Shape(1, 3, 36, 44)), 5);
                NDArray x64 = x.toType(DataType.FLOAT64, true);
                n32.setTrainable(false);
                n64.setTrainable(false);
                NDArray g32 = Langevin.gradient(n32::output, x).toType(DataType.FLOAT64, true);
                NDArray g64 = Langevin.gradient(n64::output, x64);
                double scale = g64.abs().max().getDouble();
                assertThat(g32.sub(g64).abs().max().getDouble()).isLessThan(1e-4 * scale);
                // the Langevin target (Σ h ⊙ K instead of the last conv) has the same gradient
                NDArray t32 = Langevin.gradient(n32::langevinTarget, x).toType(DataType.FLOAT64, true);
                NDArray t64 = Langevin.gradient(n64::langevinTarget, x64);
                assertThat(t64.sub(g64).abs().max().getDouble()).isLessThan(1e-9 * scale);
                assertThat(t32.sub(g64).abs().max().getDouble()).isLessThan(1e-4 * scale);
                double sumOut = n64.output(x64).sum().getDouble();
                double bias = n64.layers().get(n64.layers().size() - 1).getParameters().get("bias").getArray().getDouble(0);
                double sumTarget = n64.langevinTarget(x64).sum().getDouble() + bias * 36 * 44;
                assertThat(sumTarget).isCloseTo(sumOut, within(1e-9 * Math.abs(sumOut) + 1e-12));
                var r32 = Gradients.of(m, n32.trainableParameters(), () -> n32.output(x).mean());
                var r64 = Gradients.of(m, n64.trainableParameters(), () -> n64.output(x64).mean());
                for (int i = 0; i < r32.grads().size(); i++) {
                    NDArray a = r32.grads().get(i).toType(DataType.FLOAT64, true);
                    NDArray b = r64.grads().get(i);
                    double sc = b.abs().max().getDouble();
                    assertThat(a.sub(b).abs().max().getDouble()).as("param grad %d of %s", i, java.util.Arrays.toString(widths))
                            .isLessThan(1e-4 * sc + 1e-12);
                }
            }
        }
    }

    @Test
    void spectralNormDrivesTheLargestSingularValueToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(2);
            SpectralConv2d conv = new SpectralConv2d(5, 7, 3, 1, 0, true, true,
                    new ai.djl.training.initializer.NormalInitializer(1f));
            conv.initialize(m, DataType.FLOAT32, new Shape(1, 5, 8, 8));
            NDArray w = null;
            for (int i = 0; i < 50; i++) {
                if (w != null) {
                    w.close();
                }
                w = conv.effectiveWeight();
            }
            double sigmaMax = largestSingularValue(w.reshape(7, 45).toType(DataType.FLOAT64, false).toDoubleArray(), 7, 45);
            assertThat(sigmaMax).isCloseTo(1.0, within(1e-3));
            double rawSigma = largestSingularValue(conv.weight().getArray().reshape(7, 45).toType(DataType.FLOAT64, false).toDoubleArray(), 7, 45);
            assertThat(rawSigma).isGreaterThan(2.0); // the raw kernel is far from normalised
        }
    }

    /** Power iteration on WᵀW in plain Java, independent of the code under test. */
    static double largestSingularValue(double[] w, int rows, int cols) {
        double[] v = new double[cols];
        java.util.Arrays.fill(v, 1.0);
        double lambda = 0;
        for (int it = 0; it < 2000; it++) {
            double[] wv = new double[rows];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    wv[r] += w[r * cols + c] * v[c];
                }
            }
            double[] wtwv = new double[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    wtwv[c] += w[r * cols + c] * wv[r];
                }
            }
            double n = 0;
            for (double d : wtwv) {
                n += d * d;
            }
            n = Math.sqrt(n);
            for (int c = 0; c < cols; c++) {
                v[c] = wtwv[c] / n;
            }
            lambda = n;
        }
        return Math.sqrt(lambda);
    }
}
