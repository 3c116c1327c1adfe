package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every new block's input and parameter gradients against central finite differences (float64). */
class BlocksGradientTest {

    private static NDArray input(NDManager m, Shape s) {
        return m.randomNormal(s).toType(DataType.FLOAT64, false);
    }

    @Test
    void spectralLinearWithAndWithoutSpectralNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean sn : new boolean[] {false, true}) {
                Torch.seed(1);
                SpectralLinear l = new SpectralLinear(5, 4, true, sn, Init.glorotUniform(), Init.torchDefault(5))
                        .init(m, DataType.FLOAT64);
                if (sn) {
                    // converge u, then hold it: at the fixed point dσ/du = 0, so the detached-u
                    // gradient (PyTorch's) equals the full derivative finite differences measure
                    for (int i = 0; i < 200; i++) {
                        l.sigma().close();
                    }
                    l.setUpdateU(false);
                }
                GradCheck.checkInputAndParameters(m, l::apply, input(m, new Shape(3, 5)), Nets.trainableParameters(l));
            }
        }
    }

    @Test
    void residualBlocksStemAndBlockWithDownSamplingSpectralNormAndBias() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (ResBlock.Kind kind : ResBlock.Kind.values()) {
                for (boolean sn : new boolean[] {false, true}) {
                    Torch.seed(2);
                    ResBlock b = new ResBlock(kind, 3, 5, true, new ResBlock.Convs(sn, !sn, Init.Scheme.PYTORCH_XAVIER_NORMAL));
                    b.initialize(m, DataType.FLOAT64, new Shape(2, 3, 6, 6));
                    if (sn) {
                        for (int i = 0; i < 200; i++) {
                            b.apply(input(m, new Shape(1, 3, 6, 6))).close();
                        }
                        b.setUpdateU(false);
                    }
                    assertThat(b.hasLearnableShortcut()).isTrue();
                    GradCheck.checkInputAndParameters(m, b::apply, input(m, new Shape(2, 3, 6, 6)), Nets.trainableParameters(b));
                }
            }
            // identity shortcut, no down-sampling
            Torch.seed(3);
            ResBlock id = new ResBlock(ResBlock.Kind.BLOCK, 4, 4, false, new ResBlock.Convs(false, true, Init.Scheme.KERAS_GLOROT_UNIFORM));
            id.initialize(m, DataType.FLOAT64, new Shape(2, 4, 4, 4));
            assertThat(id.hasLearnableShortcut()).isFalse();
            GradCheck.checkInputAndParameters(m, id::apply, input(m, new Shape(2, 4, 4, 4)), Nets.trainableParameters(id));
        }
    }

    @Test
    void generatorBlockInEveryBatchNormMode() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (BatchNorm2d.Mode mode : new BatchNorm2d.Mode[] {BatchNorm2d.Mode.BATCH, BatchNorm2d.Mode.RUNNING}) {
                for (boolean align : new boolean[] {true, false}) {
                    Torch.seed(4);
                    GenBlock g = new GenBlock(3, 4, true, new ResBlock.Convs(false, true, Init.Scheme.PYTORCH_XAVIER_NORMAL),
                            0.1f, 1e-5f, align);
                    g.initialize(m, DataType.FLOAT64, new Shape(3, 3, 3, 3));
                    g.setBnMode(mode);
                    GradCheck.checkInputAndParameters(m, g::apply, input(m, new Shape(3, 3, 3, 3)), Nets.trainableParameters(g));
                }
            }
        }
    }

    @Test
    void bilinearUpSampling() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean align : new boolean[] {true, false}) {
                GradCheck.checkInputAndParameters(m, x -> Upsample.bilinear(x, 2, align), input(m, new Shape(2, 2, 3, 4)),
                        java.util.List.of());
            }
        }
    }

    @Test
    void smallGeneratorEncoderAndEbm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(5);
            Generator g = new Generator(new Generator.Config(3, 2, new int[] {4, 3}, 2, 2.0,
                    new ResBlock.Convs(false, true, Init.Scheme.PYTORCH_XAVIER_NORMAL), true, 0.1f, 1e-5f)).init(m, DataType.FLOAT64);
            g.setBnMode(BatchNorm2d.Mode.BATCH);
            GradCheck.checkInputAndParameters(m, g::apply, input(m, new Shape(3, 3)), Nets.trainableParameters(g));

            Torch.seed(6);
            Encoder e = new Encoder(new Encoder.Config(2, 8, 3, new int[] {3, 4}, 2, false, Init.Scheme.PYTORCH_XAVIER_NORMAL))
                    .init(m, DataType.FLOAT64);
            // a scalar of both heads: Σ R₁⊙μ + Σ R₂⊙log σ²
            GradCheck.checkInputAndParameters(m, x -> {
                NDList o = e.apply(x);
                return o.get(0).concat(o.get(1), 1);
            }, input(m, new Shape(2, 2, 8, 8)), Nets.trainableParameters(e));

            Torch.seed(7);
            ResidualEbm ebm = new ResidualEbm(new ResidualEbm.Config(2, 8, new int[] {4, 4, 4}, new boolean[] {true, true, false},
                    new ResBlock.Convs(true, false, Init.Scheme.PYTORCH_XAVIER_NORMAL))).init(m, DataType.FLOAT64);
            for (int i = 0; i < 200; i++) {
                ebm.output(input(m, new Shape(1, 2, 8, 8))).close();
            }
            ebm.setUpdateU(false);
            GradCheck.checkInputAndParameters(m, ebm::output, input(m, new Shape(2, 2, 8, 8)), ebm.trainableParameters());
        }
    }

    @Test
    void reparameterisationAndGaussianNll() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(8);
            NDArray mu = input(m, new Shape(3, 4, 1, 1));
            NDArray logVar = input(m, new Shape(3, 4, 1, 1));
            NDArray eps = input(m, new Shape(3, 4, 1, 1));
            NDArray z = input(m, new Shape(3, 4, 1, 1));
            GradCheck.check(m, () -> Encoder.reparameterize(mu, logVar, eps).mul(z).sum(), java.util.List.of(mu, logVar),
                    java.util.List.of("mu", "logvar"));
            GradCheck.check(m, () -> Encoder.gaussianNll(z, mu, logVar).mul(eps.get(":, 0, 0, 0")).sum(),
                    java.util.List.of(z, mu, logVar), java.util.List.of("z", "mu", "logvar"));
        }
    }
}
