package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The retrofit autoencoder of Hat EBM: shapes, the sphere projection, gradients, configs. */
class RetrofitNetsTest {
    private static final ResBlock.Convs KERAS = new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM);

    private static NDArray input(NDManager m, Shape s) {
        return m.randomNormal(s).toType(DataType.FLOAT64, false);
    }

    @Test
    void hatEbm32ShapesGreyAndRgb() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int c : new int[] {1, 3}) {
                Torch.seed(1);
                RetrofitEncoder e = new RetrofitEncoder(RetrofitEncoder.Config.hatEbm32(c, 8)).init(m, DataType.FLOAT32);
                RetrofitDecoder d = new RetrofitDecoder(RetrofitDecoder.Config.hatEbm32(c, 8, 2.0)).init(m, DataType.FLOAT32);
                assertThat(d.config().imageSize()).isEqualTo(32);
                assertThat(d.config().latentSize()).isEqualTo(256);
                NDArray x = m.randomUniform(-1f, 1f, new Shape(3, c, 32, 32));
                NDArray z = e.apply(x);
                assertThat(z.getShape()).isEqualTo(new Shape(3, 1, 16, 16));
                assertThat(z.getShape()).isEqualTo(d.latentShape(3));
                NDArray y = d.apply(z);
                assertThat(y.getShape()).isEqualTo(new Shape(3, c, 32, 32));
                // tanh × 2: inside (−2, 2), and not squashed to nothing
                assertThat(y.abs().max().getFloat()).isLessThan(2f).isGreaterThan(0.05f);
                assertThatThrownBy(() -> d.apply(m.zeros(new Shape(3, 1, 8, 8))))
                        .hasMessageContaining("(3, 1, 16, 16)");
                assertThatThrownBy(() -> e.apply(m.zeros(new Shape(3, c, 16, 16))))
                        .hasMessageContaining("retrofit encoder takes");
            }
        }
    }

    @Test
    void encoderOutputLiesOnTheSphereOfRadiusSqrtD() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(2);
            RetrofitEncoder e = new RetrofitEncoder(RetrofitEncoder.Config.hatEbm32(1, 8)).init(m, DataType.FLOAT32);
            NDArray z = e.apply(m.randomUniform(-1f, 1f, new Shape(4, 1, 32, 32)));
            float[] norms = z.reshape(4, -1).square().sum(new int[] {1}).sqrt().toFloatArray();
            for (float n : norms) {
                assertThat((double) n).isCloseTo(16.0, within(1e-4)); // √(16·16·1)
            }
            // without the projection the raw conv output has another norm
            RetrofitEncoder.Config c = e.config();
            Torch.seed(2);
            RetrofitEncoder raw = new RetrofitEncoder(new RetrofitEncoder.Config(c.imageChannels(), c.imageSize(), c.widths(),
                    c.down(), c.latentChannels(), c.convs(), false, c.eps())).init(m, DataType.FLOAT32);
            float[] rawNorms = raw.apply(m.randomUniform(-1f, 1f, new Shape(4, 1, 32, 32)))
                    .reshape(4, -1).square().sum(new int[] {1}).sqrt().toFloatArray();
            assertThat((double) rawNorms[0]).isNotCloseTo(16.0, within(0.5));
        }
    }

    @Test
    void sphereProjectionFormulaAndZeroLatent() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new double[] {3, 4, 0, 0, 0, 0, 0, 0}, new Shape(2, 1, 2, 2));
            double[] p = Sphere.project(z, 1e-6).toDoubleArray();
            double s = 2 / (5 + 1e-6); // √4 · z / (‖z‖ + ε)
            assertThat(p[0]).isCloseTo(3 * s, within(1e-12));
            assertThat(p[1]).isCloseTo(4 * s, within(1e-12));
            assertThat(p[4]).isEqualTo(0.0); // the ε keeps a zero latent finite
            assertThatThrownBy(() -> Sphere.project(m.zeros(new Shape(3)), 1e-6)).hasMessageContaining("[N, ...]");
        }
    }

    @Test
    void gradientsByFiniteDifferencesOnTinyInstances() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(3);
            // stem (no up), up-block, plain block; grey, latent 4×4×2 → 8×8 images
            RetrofitDecoder d = new RetrofitDecoder(new RetrofitDecoder.Config(2, 4, new int[] {3, 4, 4},
                    new boolean[] {false, true, false}, 1, 2.0, KERAS, false, 0.01f, 1e-3f)).init(m, DataType.FLOAT64);
            // BN as Hat EBM trains it: running statistics, learnable affine; make them non-trivial
            for (var e : d.getParameters()) {
                String k = e.getKey();
                if (k.endsWith("running_mean") || k.endsWith("beta") || k.endsWith("bias")) {
                    org.ebm4j.core.TensorCopy.copyInto(input(m, e.getValue().getArray().getShape()).mul(0.3), e.getValue().getArray());
                }
            }
            assertThat(d.bnMode()).isEqualTo(BatchNorm2d.Mode.RUNNING);
            assertThat(d.blocks().get(0).isStem()).isTrue();
            assertThat(d.blocks().get(0).bn1()).isNull();
            GradCheck.checkInputAndParameters(m, d::apply, input(m, new Shape(2, 2, 4, 4)), Nets.trainableParameters(d));

            Torch.seed(4);
            RetrofitEncoder e = new RetrofitEncoder(new RetrofitEncoder.Config(1, 8, new int[] {3, 4, 4},
                    new boolean[] {false, true, false}, 2, KERAS, true, Sphere.EPS)).init(m, DataType.FLOAT64);
            GradCheck.checkInputAndParameters(m, e::apply, input(m, new Shape(2, 1, 8, 8)), Nets.trainableParameters(e));

            NDArray z = input(m, new Shape(3, 2, 2, 2));
            GradCheck.checkInputAndParameters(m, x -> Sphere.project(x, 1e-6), z, List.of());
        }
    }

    @Test
    void stemGenBlockGradientsInEveryMode() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean up : new boolean[] {false, true}) {
                Torch.seed(5);
                GenBlock g = new GenBlock(2, 3, up, true, KERAS, 0.1f, 1e-3f, false);
                g.initialize(m, DataType.FLOAT64, new Shape(3, 2, 3, 3));
                g.setBnMode(BatchNorm2d.Mode.RUNNING);
                assertThat(g.bn1()).isNull();
                assertThat(g.getParameters().keys()).noneMatch(k -> k.contains("bn1")).anyMatch(k -> k.contains("bn2"));
                GradCheck.checkInputAndParameters(m, g::apply, input(m, new Shape(3, 2, 3, 3)), Nets.trainableParameters(g));
            }
        }
    }

    @Test
    void badConfigsAreRefused() {
        assertThatThrownBy(() -> new RetrofitDecoder.Config(1, 16, new int[] {8, 8}, new boolean[] {false}, 1, 2.0, KERAS,
                false, 0.01f, 1e-3f)).hasMessageContaining("one up flag per width");
        assertThatThrownBy(() -> new RetrofitDecoder.Config(1, 16, new int[] {8}, new boolean[] {false}, 1, 0.0, KERAS,
                false, 0.01f, 1e-3f)).hasMessageContaining("outFactor > 0");
        assertThatThrownBy(() -> new RetrofitEncoder.Config(1, 30, new int[] {8, 8}, new boolean[] {true, true}, 1, KERAS,
                true, 1e-6)).hasMessageContaining("cannot be halved");
        assertThatThrownBy(() -> new RetrofitEncoder.Config(1, 32, new int[] {8}, new boolean[] {false}, 1, KERAS,
                true, -1)).hasMessageContaining("eps");
    }
}
