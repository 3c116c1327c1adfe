package org.ebm4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.ResidualEbm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFileTest {
    @TempDir Path tmp;

    @Test
    void readsTheFixturesTensors() {
        // written by scripts/hatebm_fixture.py from the format's specification (safetensors.numpy reads it too)
        Path f = HatEbmFixtureTest.fixture("tensors.safetensors");
        assertThat(SafetensorsFile.looksLike(f)).isTrue();
        assertThat(SafetensorsFile.looksLike(HatEbmFixtureTest.fixture("hat.npz"))).isFalse();
        Map<String, TensorFile.HostTensor> t = WeightImport.read(f);
        assertThat(t.keySet()).containsExactly("a.weight", "b", "count");
        assertThat(t.get("a.weight").shape()).containsExactly(2, 3);
        assertThat(t.get("a.weight").toFloats()).containsExactly(-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f);
        assertThat(t.get("b").dataType()).isEqualTo(DataType.FLOAT64);
        assertThat(NpzFile.toDoubles(t.get("b"))).containsExactly(Math.PI, -1e-300);
        assertThat(t.get("count").shape()).isEmpty();
        assertThat(NpzFile.toDoubles(t.get("count"))).containsExactly(1000);
    }

    /** A safetensors file of the given tensors (float32 or int64), written by the format's rules. */
    private Path write(String name, Map<String, TensorFile.HostTensor> tensors, String extraHeader) throws IOException {
        StringBuilder h = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (var e : tensors.entrySet()) {
            TensorFile.HostTensor t = e.getValue();
            String dt = t.dataType() == DataType.FLOAT32 ? "F32" : t.dataType() == DataType.FLOAT64 ? "F64" : "I64";
            int begin = data.size();
            data.write(t.bytes());
            h.append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(dt).append("\",\"shape\":")
                    .append(Arrays.toString(t.shape()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(begin).append(',').append(data.size()).append("]},");
        }
        h.append(extraHeader).append("\"__metadata__\":{}}");
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + hb.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hb.length).put(hb).put(data.toByteArray());
        return Files.write(tmp.resolve(name), b.array());
    }

    @Test
    void theHatNetLoadsFromSafetensorsAndReproducesPyTorch() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1);
            ResidualEbm h = HatEbmFixtureTest.hat(m, DataType.FLOAT32);
            Path f = write("hat.safetensors", NpzFile.read(HatEbmFixtureTest.fixture("hat.npz")), "");
            WeightImport.load(f, h, "hat net");
            Map<String, TensorFile.HostTensor> io = NpzFile.read(HatEbmFixtureTest.fixture("io.npz"));
            NDArray y = h.output(HatEbmFixtureTest.array(m, io.get("x"), DataType.FLOAT32));
            NDArray want = HatEbmFixtureTest.array(m, io.get("h_x"), DataType.FLOAT32);
            assertThat(y.sub(want).abs().max().getFloat()).isLessThan(1e-4f);
        }
    }

    @Test
    void refusesHeadersThatDoNotDescribeTheFile() throws IOException {
        Map<String, TensorFile.HostTensor> one = Map.of("w", TensorFile.HostTensor.ofFloats(new float[4], 2, 2));
        Path bad = write("offsets.safetensors", one, "\"v\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]},");
        assertThatThrownBy(() -> SafetensorsFile.read(bad)).isInstanceOf(EbmException.class)
                .hasMessageContaining("tensor 'v'").hasMessageContaining("do not hold shape [3]");
        Path f16 = write("f16.safetensors", one, "\"v\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},");
        assertThatThrownBy(() -> SafetensorsFile.read(f16)).hasMessageContaining("unsupported dtype F16");
        Path missing = write("fields.safetensors", one, "\"v\":{\"dtype\":\"F32\"},");
        assertThatThrownBy(() -> SafetensorsFile.read(missing)).hasMessageContaining("needs dtype, shape and data_offsets");
        byte[] whole = Files.readAllBytes(write("ok.safetensors", one, ""));
        Path truncated = Files.write(tmp.resolve("cut.safetensors"), Arrays.copyOf(whole, whole.length - 3));
        assertThatThrownBy(() -> SafetensorsFile.read(truncated)).hasMessageContaining("tensor 'w'");
        Path text = Files.writeString(tmp.resolve("text.safetensors"), "neither format");
        assertThatThrownBy(() -> WeightImport.read(text)).isInstanceOf(EbmException.class)
                .hasMessageContaining("neither a numpy .npz nor a safetensors file");
    }
}
