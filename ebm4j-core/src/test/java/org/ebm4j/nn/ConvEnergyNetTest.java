package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.Torch;
import org.ebm4j.optim.Gradients;
import org.ebm4j.sampling.Langevin;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class ConvEnergyNetTest {
    private static final List<ConvEnergyNet.Layer> SPEC = List.of(
            new ConvEnergyNet.Layer(16, 5, 2), new ConvEnergyNet.Layer(16, 3, 1), new ConvEnergyNet.Layer(24, 3, 2));

    private static ConvEnergyNet net(NDManager m, DataType t, boolean leaky) {
        Torch.seed(3);
        return new ConvEnergyNet(2, 8, SPEC, leaky, "xavier", 0.1f).init(m, t);
    }

    /** Σ f(x) with batch-statistics BN couples the images of a batch; the input gradient must include that. */
    @Test
    void inputGradientMatchesFiniteDifferencesWithBatchStatistics() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean leaky : new boolean[] {false, true}) {
                ConvEnergyNet n = net(m, DataType.FLOAT64, leaky);
                n.setTrainable(false);
                n.setBnMode(BatchNorm2d.Mode.BATCH);
                NDArray x = m.randomNormal(new Shape(3, 2, 8, 8)).toType(DataType.FLOAT64, false);
                NDArray g = Langevin.gradient(n::langevinTarget, x);
                double[] gx = g.toDoubleArray();
                double[] xs = x.toDoubleArray();
                double h = 1e-6;
                for (int k : new int[] {0, 17, 63, 100, 200, 383}) {
                    double[] p = xs.clone();
                    double[] q = xs.clone();
                    p[k] += h;
                    q[k] -= h;
                    double fp = n.output(m.create(p, x.getShape())).sum().getDouble();
                    double fq = n.output(m.create(q, x.getShape())).sum().getDouble();
                    assertThat(gx[k]).as("d/dx[%d] (leaky %s)", k, leaky).isCloseTo((fp - fq) / (2 * h), offset(1e-6 + 1e-5 * Math.abs(gx[k])));
                }
            }
        }
    }

    @Test
    void parameterGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvEnergyNet n = net(m, DataType.FLOAT64, false);
            NDArray x = m.randomNormal(new Shape(4, 2, 8, 8)).toType(DataType.FLOAT64, false);
            NDArray x2 = m.randomNormal(new Shape(4, 2, 8, 8)).toType(DataType.FLOAT64, false);
            List<Parameter> params = n.trainableParameters();
            assertThat(params).extracting(Parameter::getName).doesNotContain("running_mean", "running_var");
            java.util.function.Supplier<NDArray> loss = () -> n.output(x2).mean().sub(n.output(x).mean());
            n.setBnMode(BatchNorm2d.Mode.BATCH);
            try (Gradients.Result r = Gradients.of(m, params, loss)) {
                n.setTrainable(false);
                for (int pi = 0; pi < params.size(); pi++) {
                    NDArray p = params.get(pi).getArray();
                    double[] g = r.grads().get(pi).toDoubleArray();
                    double[] v = p.toDoubleArray();
                    int k = v.length / 2;
                    double h = 1e-6;
                    v[k] += h;
                    org.ebm4j.core.TensorCopy.copyInto(m.create(v, p.getShape()), p);
                    double lp = loss.get().getDouble();
                    v[k] -= 2 * h;
                    org.ebm4j.core.TensorCopy.copyInto(m.create(v, p.getShape()), p);
                    double lq = loss.get().getDouble();
                    v[k] += h;
                    org.ebm4j.core.TensorCopy.copyInto(m.create(v, p.getShape()), p);
                    assertThat(g[k]).as(params.get(pi).getName()).isCloseTo((lp - lq) / (2 * h), offset(1e-6 + 1e-5 * Math.abs(g[k])));
                }
            }
        }
    }

    @Test
    void batchNormModesUpdateRunningAveragesOnlyWhenAskedAndRunningModeScoresImagesAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvEnergyNet n = net(m, DataType.FLOAT32, false);
            n.setTrainable(false);
            BatchNorm2d bn = n.norms().get(0);
            NDArray mean0 = bn.getParameters().get("running_mean").getArray().duplicate();
            NDArray x = m.randomNormal(1f, 2f, new Shape(6, 2, 8, 8), DataType.FLOAT32);
            n.setBnMode(BatchNorm2d.Mode.BATCH);
            n.output(x);
            assertThat(bn.getParameters().get("running_mean").getArray().toFloatArray()).containsExactly(mean0.toFloatArray());
            // BATCH_UPDATE: running = 0.9·running + 0.1·(batch mean of the first conv's output), PyTorch's convention
            SpectralConv2d conv1 = n.convs().get(0);
            float[] batchMean = conv1.apply(x).transpose(1, 0, 2, 3).reshape(16, -1).mean(new int[] {1}).toFloatArray();
            n.setBnMode(BatchNorm2d.Mode.BATCH_UPDATE);
            n.output(x);
            float[] rm = bn.getParameters().get("running_mean").getArray().toFloatArray();
            for (int c = 0; c < 16; c++) {
                assertThat(rm[c]).isCloseTo(0.1f * batchMean[c], offset(1e-5f));
            }
            // RUNNING: an image's score does not depend on the rest of its batch
            n.setBnMode(BatchNorm2d.Mode.RUNNING);
            float alone = n.output(x.get("0:1")).getFloat(0, 0);
            float inBatch = n.output(x).getFloat(0, 0);
            assertThat(alone).isCloseTo(inBatch, offset(1e-4f));
        }
    }
}
