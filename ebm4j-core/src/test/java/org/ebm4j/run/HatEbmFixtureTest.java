package org.ebm4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Generator;
import org.ebm4j.nn.ResidualEbm;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.nn.RetrofitEncoder;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ebm4j reproduces PyTorch: the nets of scripts/hatebm_fixture.py (Hat EBM's generator and hat
 * net, the retrofit decoder and encoder, small widths, random weights with non-trivial BN
 * statistics) are imported from their .npz files and run on the script's inputs; the outputs equal
 * PyTorch's (computed in float64 from the same float32 weights) within 1e-4 in float32 and within
 * the float32 rounding of the stored reference (1e-6) in float64.
 */
class HatEbmFixtureTest {
    static final int LATENT = 16;
    static final int NGF = 8;

    static Path fixture(String name) {
        try {
            return Path.of(HatEbmFixtureTest.class.getResource("/fixtures/hatebm/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Generator generator(NDManager m, DataType t) {
        Generator g = new Generator(Generator.Config.hatEbm32(LATENT, NGF, 2.0)).init(m, t);
        g.setBnMode(BatchNorm2d.Mode.RUNNING);
        return g;
    }

    static ResidualEbm hat(NDManager m, DataType t) {
        return new ResidualEbm(ResidualEbm.Config.hatEbm32(NGF)).init(m, t);
    }

    static RetrofitDecoder decoder(NDManager m, DataType t) {
        return new RetrofitDecoder(RetrofitDecoder.Config.hatEbm32(1, NGF, 2.0)).init(m, t);
    }

    static RetrofitEncoder encoder(NDManager m, DataType t) {
        return new RetrofitEncoder(RetrofitEncoder.Config.hatEbm32(1, NGF)).init(m, t);
    }

    /** max |net(in) − out| for the io.npz pair (in, out), after importing weights into the net. */
    private static double maxAbsError(NDManager m, Block net, String weights, Function<NDArray, NDArray> f,
                                      String in, String out, DataType t) {
        Map<String, TensorFile.HostTensor> io = NpzFile.read(fixture("io.npz"));
        WeightImport.load(fixture(weights), net, weights);
        NDArray x = array(m, io.get(in), t);
        NDArray want = array(m, io.get(out), DataType.FLOAT64);
        try (NDArray y = f.apply(x); NDArray y64 = y.toType(DataType.FLOAT64, false)) {
            assertThat(y.getShape()).isEqualTo(want.getShape());
            assertThat(y.getDataType()).isEqualTo(t);
            return y64.sub(want).abs().max().getDouble();
        }
    }

    static NDArray array(NDManager m, TensorFile.HostTensor h, DataType t) {
        return m.create(org.ebm4j.run.NpzFile.toDoubles(h), new Shape(h.shape())).toType(t, false);
    }

    private static void reproduces(DataType t, double tol) {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1); // the nets' own initial weights are overwritten by the import
            Generator g = generator(m, t);
            double eg = maxAbsError(m, g, "generator.npz", g::apply, "z", "g_z", t);
            ResidualEbm h = hat(m, t);
            double eh = maxAbsError(m, h, "hat.npz", h::output, "x", "h_x", t);
            RetrofitDecoder d = decoder(m, t);
            double ed = maxAbsError(m, d, "decoder.npz", d::apply, "dz", "d_z", t);
            RetrofitEncoder e = encoder(m, t);
            double ee = maxAbsError(m, e, "encoder.npz", e::apply, "ex", "e_x", t);
            System.out.printf("PyTorch fixture, %s max abs error: G %.3g, H %.3g, decoder %.3g, encoder %.3g%n",
                    t, eg, eh, ed, ee);
            assertThat(eg).as("generator").isLessThan(tol);
            assertThat(eh).as("hat net").isLessThan(tol);
            assertThat(ed).as("retrofit decoder").isLessThan(tol);
            assertThat(ee).as("retrofit encoder").isLessThan(tol);
        }
    }

    @Test
    void float32ReproducesPyTorchWithin1e4() {
        reproduces(DataType.FLOAT32, 1e-4);
    }

    @Test
    void float64ReproducesPyTorchUpToTheReferencesRounding() {
        // the reference is PyTorch's float64 result rounded to float32: |y| <= 2 gives <= 1.2e-7
        reproduces(DataType.FLOAT64, 1e-6);
    }

    @Test
    void withoutTheImportTheOutputsDiffer() {
        // the tolerance above is meaningful: the nets' own random weights miss PyTorch's outputs by far
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1);
            Generator g = generator(m, DataType.FLOAT32);
            Map<String, TensorFile.HostTensor> io = NpzFile.read(fixture("io.npz"));
            try (NDArray y = g.apply(array(m, io.get("z"), DataType.FLOAT32))) {
                NDArray want = array(m, io.get("g_z"), DataType.FLOAT32);
                assertThat(y.sub(want).abs().max().getFloat()).isGreaterThan(0.1f);
            }
        }
    }
}
