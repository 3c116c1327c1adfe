package org.ebm4j.run;

import ai.djl.ndarray.types.DataType;
import org.ebm4j.core.EbmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpzFileTest {
    @TempDir Path tmp;

    @Test
    void readsNumpysDeflatedAndStoredArchives() {
        // generator.npz: numpy.savez_compressed (deflated); io.npz: numpy.savez (stored); both ZIP64
        Map<String, TensorFile.HostTensor> g = NpzFile.read(HatEbmFixtureTest.fixture("generator.npz"));
        assertThat(g.keySet()).startsWith("linear.weight", "linear.bias", "block1.bn1.weight");
        assertThat(g.get("linear.weight").shape()).containsExactly(128, 16);
        assertThat(g.get("linear.weight").dataType()).isEqualTo(DataType.FLOAT32);
        TensorFile.HostTensor count = g.get("block1.bn1.num_batches_tracked");
        assertThat(count.dataType()).isEqualTo(DataType.INT64);
        assertThat(count.shape()).isEmpty();
        assertThat(NpzFile.toDoubles(count)).containsExactly(1000);
        Map<String, TensorFile.HostTensor> io = NpzFile.read(HatEbmFixtureTest.fixture("io.npz"));
        assertThat(io.keySet()).containsExactly("z", "g_z", "x", "h_x", "dz", "d_z", "ex", "e_x");
        assertThat(io.get("g_z").shape()).containsExactly(2, 3, 32, 32);
    }

    @Test
    void writeThenReadIsExact() throws IOException {
        LinkedHashMap<String, TensorFile.HostTensor> t = new LinkedHashMap<>();
        t.put("a.weight", TensorFile.HostTensor.ofFloats(new float[] {1.5f, -2f, Float.MIN_VALUE, 3e38f, 0f, -0f}, 2, 3));
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(Math.PI).putDouble(-1e-300);
        t.put("b", new TensorFile.HostTensor(DataType.FLOAT64, new long[] {2}, d.array()));
        t.put("scalar", new TensorFile.HostTensor(DataType.INT64, new long[0], new byte[8]));
        t.put("empty", new TensorFile.HostTensor(DataType.FLOAT32, new long[] {0, 4}, new byte[0]));
        Path f = tmp.resolve("w.npz");
        NpzFile.write(f, t);
        LinkedHashMap<String, TensorFile.HostTensor> back = NpzFile.read(f);
        assertThat(back.keySet()).containsExactlyElementsOf(t.keySet());
        for (String k : t.keySet()) {
            assertThat(back.get(k).dataType()).as(k).isEqualTo(t.get(k).dataType());
            assertThat(back.get(k).shape()).as(k).containsExactly(t.get(k).shape());
            assertThat(back.get(k).bytes()).as(k).containsExactly(t.get(k).bytes());
        }
        assertThat(Files.exists(tmp.resolve("w.npz.tmp"))).isFalse();
    }

    /** A zip holding one entry with the given raw bytes. */
    private Path zipWith(String entry, byte[] content) throws IOException {
        Path f = tmp.resolve("bad.npz");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content);
            z.closeEntry();
        }
        return f;
    }

    private static byte[] npy(String dict, int dataBytes) {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        return b.array();
    }

    private static void refused(Path f, String... parts) {
        assertThatThrownBy(() -> NpzFile.read(f)).isInstanceOf(EbmException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(f.toString()).contains(parts));
    }

    @Test
    void refusesWhatItCannotReadWithOneLineNamingFileAndEntry() throws IOException {
        refused(tmp.resolve("absent.npz"), "does not exist");
        Path text = Files.writeString(tmp.resolve("text.npz"), "not a zip");
        refused(text, "not a numpy .npz");
        refused(zipWith("w.txt", new byte[4]), "'w.txt'", "not a .npy");
        refused(zipWith("w.npy", "garbage!garbage!".getBytes(StandardCharsets.US_ASCII)), "'w'", "bad magic");
        refused(zipWith("w.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16)),
                "'w'", "Fortran order");
        refused(zipWith("w.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8)),
                "'w'", "big-endian");
        refused(zipWith("w.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16)),
                "'w'", "unsupported dtype '<c8'");
        byte[] truncated = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 24);
        refused(zipWith("w.npy", java.util.Arrays.copyOf(truncated, truncated.length - 4)), "'w'", "truncated", "[3, 2]");
        refused(zipWith("w.npy", npy("{'descr': '<f4', 'fortran_order': False}", 0)), "'w'", "no 'shape'");
    }
}
