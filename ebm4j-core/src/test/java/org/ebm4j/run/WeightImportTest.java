package org.ebm4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Generator;
import org.ebm4j.nn.ResidualEbm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightImportTest {
    @TempDir Path tmp;

    private static List<float[]> snapshot(Block b) {
        List<float[]> out = new ArrayList<>();
        for (var e : b.getParameters()) {
            out.add(e.getValue().getArray().toType(DataType.FLOAT32, true).toFloatArray());
        }
        return out;
    }

    private static void assertSame(List<float[]> a, List<float[]> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i)).containsExactly(b.get(i));
        }
    }

    @Test
    void theTableMapsEveryParameterToItsPyTorchName() {
        try (NDManager m = NDManager.newBaseManager()) {
            Generator g = HatEbmFixtureTest.generator(m, DataType.FLOAT32);
            LinkedHashMap<String, String> t = WeightImport.names(g);
            assertThat(t).hasSize(g.getParameters().size());
            assertThat(t).containsEntry("linear.weight", "01linear_weight")
                    .containsEntry("block1.bn1.weight", "02block1_01bn1_gamma")
                    .containsEntry("block1.bn1.bias", "02block1_01bn1_beta")
                    .containsEntry("block1.bn1.running_var", "02block1_01bn1_running_var")
                    .containsEntry("block3.sc.bias", "04block3_05sc_bias")
                    .containsEntry("bn.running_mean", "05bn_running_mean")
                    .containsEntry("out.weight", "06out_weight");
            // the names of the PyTorch fixture's state_dict, nothing more, nothing less
            Map<String, TensorFile.HostTensor> file = NpzFile.read(HatEbmFixtureTest.fixture("generator.npz"));
            List<String> expected = new ArrayList<>(t.keySet());
            expected.addAll(WeightImport.ignoredNames(g));
            assertThat(file.keySet()).containsExactlyInAnyOrderElementsOf(expected);
            ResidualEbm h = HatEbmFixtureTest.hat(m, DataType.FLOAT32);
            assertThat(WeightImport.names(h).keySet()).containsExactlyInAnyOrderElementsOf(
                    NpzFile.read(HatEbmFixtureTest.fixture("hat.npz")).keySet());
            assertThat(WeightImport.ignoredNames(h)).isEmpty();
        }
    }

    @Test
    void refusesSpectrallyNormalisedNets() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResidualEbm sn = new ResidualEbm(ResidualEbm.Config.dualMcmcCifar10(8)).init(m, DataType.FLOAT32);
            assertThatThrownBy(() -> WeightImport.names(sn)).isInstanceOf(EbmException.class)
                    .hasMessageContaining("stem.conv1").hasMessageContaining("spectral norm");
        }
    }

    private void refused(Map<String, TensorFile.HostTensor> tensors, Block net, String... parts) throws IOException {
        Path f = tmp.resolve("w.npz");
        NpzFile.write(f, tensors);
        List<float[]> before = snapshot(net);
        assertThatThrownBy(() -> WeightImport.load(f, net, "generator")).isInstanceOf(EbmException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(f.toString()).contains(parts));
        assertSame(snapshot(net), before); // checked before any write: the net is untouched
    }

    @Test
    void missingExtraMisshapedOrNonFloatTensorsAreOneLineAndLeaveTheNetUntouched() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(3);
            Generator g = HatEbmFixtureTest.generator(m, DataType.FLOAT32);
            LinkedHashMap<String, TensorFile.HostTensor> good = NpzFile.read(HatEbmFixtureTest.fixture("generator.npz"));

            LinkedHashMap<String, TensorFile.HostTensor> t = new LinkedHashMap<>(good);
            t.remove("block2.conv1.weight");
            t.remove("out.bias");
            refused(t, g, "lacks 'block2.conv1.weight' (and 1 more)", "generator");

            t = new LinkedHashMap<>(good);
            t.put("block4.conv1.weight", good.get("block3.conv1.weight"));
            refused(t, g, "has 'block4.conv1.weight'", "does not have");

            t = new LinkedHashMap<>(good);
            t.put("block1.conv2.weight", TensorFile.HostTensor.ofFloats(new float[8 * 8 * 9], 8, 8, 9, 1));
            refused(t, g, "'block1.conv2.weight' has shape [8, 8, 9, 1]", "expects [8, 8, 3, 3]");

            t = new LinkedHashMap<>(good);
            t.put("out.bias", new TensorFile.HostTensor(DataType.INT32, new long[] {3}, new byte[12]));
            refused(t, g, "'out.bias' is int32", "float32 or float64");

            // a wider net than the file's: the first mismatch is named with both shapes
            Generator wide = new Generator(Generator.Config.hatEbm32(16, 16, 2.0)).init(m, DataType.FLOAT32);
            refused(good, wide, "'linear.weight' has shape [128, 16]", "expects [256, 16]");

            // the hat net's file is not a generator
            refused(NpzFile.read(HatEbmFixtureTest.fixture("hat.npz")), g, "lacks 'linear.bias'");
        }
    }

    @Test
    void saveThenLoadIsBitExactAndFloat64FilesAreRounded() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(5);
            Generator a = HatEbmFixtureTest.generator(m, DataType.FLOAT32);
            Torch.seed(6);
            Generator b = HatEbmFixtureTest.generator(m, DataType.FLOAT32);
            Path f = tmp.resolve("g.npz");
            WeightImport.save(a, f);
            assertThat(NpzFile.read(f)).containsKey("block1.bn1.num_batches_tracked");
            WeightImport.load(f, b, "generator");
            assertSame(snapshot(b), snapshot(a));
            NDArray z = m.randomNormal(new Shape(3, 16));
            // the weights are bit-exact (above); the outputs of two nets with equal weights in
            // different buffers may differ in the last bits (libtorch's CPU kernels can sum in an
            // order that depends on the buffers' alignment; seen once in a full-suite run)
            float[] outB = b.apply(z).toFloatArray();
            float[] outA = a.apply(z).toFloatArray();
            assertThat(outB).hasSameSizeAs(outA);
            for (int i = 0; i < outA.length; i++) {
                assertThat(outB[i]).as("output %d", i).isCloseTo(outA[i], org.assertj.core.data.Offset.offset(1e-5f + 1e-4f * Math.abs(outA[i])));
            }

            // a float64 net written out, read into a float32 net: the values rounded to float32
            Torch.seed(7);
            Generator c64 = HatEbmFixtureTest.generator(m, DataType.FLOAT64);
            Path f64 = tmp.resolve("g64.npz");
            WeightImport.save(c64, f64);
            WeightImport.load(f64, b, "generator");
            assertSame(snapshot(b), snapshot(c64));
            assertThat(b.getParameters().get("01linear_weight").getArray().getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void importedBatchNormStatisticsAreUsedInRunningMode() {
        try (NDManager m = NDManager.newBaseManager()) {
            Generator g = HatEbmFixtureTest.generator(m, DataType.FLOAT32);
            WeightImport.load(HatEbmFixtureTest.fixture("generator.npz"), g, "generator");
            float[] mean = g.getParameters().get("05bn_running_mean").getArray().toFloatArray();
            float[] want = NpzFile.read(HatEbmFixtureTest.fixture("generator.npz")).get("bn.running_mean").toFloats();
            assertThat(mean).containsExactly(want);
            assertThat(g.bnMode()).isEqualTo(BatchNorm2d.Mode.RUNNING);
        }
    }
}
