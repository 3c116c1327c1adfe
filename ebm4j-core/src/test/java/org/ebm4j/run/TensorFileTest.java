package org.ebm4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileTest {

    @TempDir Path tmp;

    private static final String CORRUPT_MSG = "is corrupt or truncated (";
    private static final String ADVICE = "); delete it to restart from the previous checkpoint";

    private static byte[] bytes(NDArray a) {
        ByteBuffer b = a.toByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Builds an array from exact bytes, bypassing any float conversion that could touch NaN bits. */
    private static NDArray fromBytes(NDManager m, ByteBuffer le, DataType t, long... shape) {
        ByteBuffer direct = ByteBuffer.allocateDirect(le.remaining()).order(ByteOrder.nativeOrder());
        direct.put(le.duplicate()).flip();
        return m.create(direct, new Shape(shape), t);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** One tensor per dtype, filled with the edge cases that must survive bit-for-bit. */
    private static LinkedHashMap<String, NDArray> edgeCases(NDManager m) {
        LinkedHashMap<String, NDArray> t = new LinkedHashMap<>();
        int[] f32 = {
            0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001 /* signalling NaN */, 0x80000000 /* -0.0 */,
            0x00000000, 0x7f800000, 0xff800000, 0x00000001 /* denormal */, Float.floatToIntBits(-1.5f)
        };
        ByteBuffer b = le(f32.length * 4);
        for (int v : f32) b.putInt(v);
        t.put("f32", fromBytes(m, b.flip(), DataType.FLOAT32, 2, 5));

        long[] f64 = {
            0x7ff8000000000000L, 0x7ff8dead0000beefL, 0xfff0000000000001L, 0x8000000000000000L,
            Double.doubleToRawLongBits(Math.PI), 0x0000000000000001L
        };
        b = le(f64.length * 8);
        for (long v : f64) b.putLong(v);
        t.put("f64", fromBytes(m, b.flip(), DataType.FLOAT64, 3, 1, 2));

        b = le(4 * 4).putInt(Integer.MIN_VALUE).putInt(-1).putInt(0).putInt(Integer.MAX_VALUE);
        t.put("i32", fromBytes(m, b.flip(), DataType.INT32, 4));

        b = le(3 * 8).putLong(Long.MIN_VALUE).putLong(123456789012345L).putLong(Long.MAX_VALUE);
        t.put("i64", fromBytes(m, b.flip(), DataType.INT64, 3));

        byte[] u8 = new byte[256];
        for (int i = 0; i < 256; i++) u8[i] = (byte) i;
        t.put("u8", fromBytes(m, ByteBuffer.wrap(u8), DataType.UINT8, 16, 16));

        t.put("bool", fromBytes(m, ByteBuffer.wrap(new byte[] {1, 0, 0, 1, 1, 0}), DataType.BOOLEAN, 2, 3));
        t.put("scalar", fromBytes(m, le(4).putFloat(-0.0f).flip(), DataType.FLOAT32));
        t.put("empty", m.zeros(new Shape(0, 3), DataType.FLOAT32));
        return t;
    }

    @Test
    void roundTripIsBitExactForEveryDtype() throws IOException {
        Path f = tmp.resolve("ckpt/scale-01.ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> saved = edgeCases(m);
            // sanity: the fixtures really hold the bits we meant (NaN payload, -0.0)
            assertThat(ByteBuffer.wrap(bytes(saved.get("f32"))).order(ByteOrder.LITTLE_ENDIAN).getInt(4))
                    .isEqualTo(0x7fc00001);

            String meta = "{\"iteration\":500,\"scale\":1,\"rng\":[1,2,3]}";
            TensorFile.save(f, meta, saved);

            try (NDManager m2 = NDManager.newBaseManager()) {
                TensorFile.Loaded loaded = TensorFile.load(f, m2);
                assertThat(loaded.metadataJson()).isEqualTo(meta);
                assertThat(loaded.metadata(Map.class)).containsEntry("iteration", 500);
                assertThat(loaded.tensors().keySet()).containsExactlyElementsOf(saved.keySet());
                for (var e : saved.entrySet()) {
                    NDArray got = loaded.tensors().get(e.getKey());
                    assertThat(got.getDataType()).as(e.getKey()).isEqualTo(e.getValue().getDataType());
                    assertThat(got.getShape()).as(e.getKey()).isEqualTo(e.getValue().getShape());
                    assertThat(bytes(got)).as(e.getKey()).isEqualTo(bytes(e.getValue()));
                    assertThat(got.getManager()).isSameAs(m2);
                }
            }
        }
        assertThat(tmp.resolve("ckpt").toFile().list()).containsExactly("scale-01.ckpt");
    }

    @Test
    void sameTensorsGiveTheSameFileBytes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            var t = edgeCases(m);
            TensorFile.save(tmp.resolve("a.ckpt"), "{}", t);
            TensorFile.save(tmp.resolve("b.ckpt"), "{}", t);
        }
        assertThat(Files.readAllBytes(tmp.resolve("a.ckpt"))).isEqualTo(Files.readAllBytes(tmp.resolve("b.ckpt")));
    }

    @Test
    void nonContiguousArraysAreSavedInLogicalOrder() throws IOException {
        Path f = tmp.resolve("t.ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(6f).reshape(2, 3).transpose();
            LinkedHashMap<String, NDArray> t = new LinkedHashMap<>();
            t.put("a", a);
            TensorFile.save(f, "{}", t);
            NDArray got = TensorFile.load(f, m).tensors().get("a");
            assertThat(got.getShape()).isEqualTo(new Shape(3, 2));
            assertThat(got.toFloatArray()).containsExactly(0f, 3f, 1f, 4f, 2f, 5f);
        }
    }

    @Test
    void hostVariantInteroperatesWithNDArrays() throws IOException {
        Path f = tmp.resolve("host.ckpt");
        float[] values = {1f, Float.intBitsToFloat(0x7fc0abcd), -0.0f, 4f, 5f, 6f};
        LinkedHashMap<String, TensorFile.HostTensor> host = new LinkedHashMap<>();
        host.put("w", TensorFile.HostTensor.ofFloats(values, 2, 3));
        TensorFile.saveHost(f, "{\"k\":1}", host);

        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = TensorFile.load(f, m).tensors().get("w");
            assertThat(w.getShape()).isEqualTo(new Shape(2, 3));
            assertThat(bytes(w)).isEqualTo(host.get("w").bytes());

            LinkedHashMap<String, NDArray> t = new LinkedHashMap<>();
            t.put("w", w);
            TensorFile.save(tmp.resolve("nd.ckpt"), "{\"k\":1}", t);
        }
        assertThat(Files.readAllBytes(tmp.resolve("nd.ckpt"))).isEqualTo(Files.readAllBytes(f));

        TensorFile.LoadedHost back = TensorFile.loadHost(f);
        TensorFile.HostTensor w = back.tensors().get("w");
        assertThat(w.shape()).containsExactly(2, 3);
        int[] bits = new int[values.length];
        float[] got = w.toFloats();
        for (int i = 0; i < got.length; i++) bits[i] = Float.floatToRawIntBits(got[i]);
        assertThat(bits).containsExactly(Arrays.stream(new int[] {
            Float.floatToRawIntBits(1f), 0x7fc0abcd, 0x80000000, Float.floatToRawIntBits(4f),
            Float.floatToRawIntBits(5f), Float.floatToRawIntBits(6f)}).toArray());
    }

    private Path smallFile() throws IOException {
        Path f = tmp.resolve("c.ckpt");
        LinkedHashMap<String, TensorFile.HostTensor> t = new LinkedHashMap<>();
        t.put("w", TensorFile.HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 4));
        t.put("b", new TensorFile.HostTensor(DataType.INT64, new long[] {2}, new byte[16]));
        TensorFile.saveHost(f, "{\"iteration\":7}", t);
        return f;
    }

    @Test
    void flippedBitIsDetected() throws IOException {
        Path f = smallFile();
        byte[] b = Files.readAllBytes(f);
        for (int pos : List.of(0, 10, b.length / 2, b.length - 6, b.length - 1)) {
            byte[] bad = b.clone();
            bad[pos] ^= 0x10;
            Files.write(f, bad);
            assertThatThrownBy(() -> TensorFile.loadHost(f))
                    .as("flip at %d", pos)
                    .isInstanceOf(TensorFile.CorruptException.class)
                    .hasMessageStartingWith("checkpoint " + f + " " + CORRUPT_MSG)
                    .hasMessageEndingWith(ADVICE);
        }
    }

    @Test
    void truncatedFileIsDetectedAtEveryLength() throws IOException {
        Path f = smallFile();
        byte[] b = Files.readAllBytes(f);
        for (int len = 0; len < b.length; len++) {
            Files.write(f, Arrays.copyOf(b, len));
            assertThatThrownBy(() -> TensorFile.loadHost(f))
                    .as("truncated to %d", len)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(CORRUPT_MSG)
                    .hasMessageEndingWith(ADVICE);
        }
    }

    @Test
    void corruptFileIsRejectedByTheNDArrayLoaderToo() throws IOException {
        Path f = smallFile();
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 3));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> TensorFile.load(f, m))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(CORRUPT_MSG);
        }
    }

    /** Structural checks run even when the CRC matches (e.g. a file from a buggy writer). */
    @Test
    void structuralDamageWithAValidCrcIsRejected() throws IOException {
        Path f = smallFile();
        byte[] b = Files.readAllBytes(f);

        byte[] badMagic = b.clone();
        badMagic[7] = '2';
        Files.write(f, withCrc(badMagic));
        assertThatThrownBy(() -> TensorFile.loadHost(f)).hasMessageContaining("bad magic");

        byte[] badCount = b.clone();
        int countPos = 8 + 4 + "{\"iteration\":7}".length();
        ByteBuffer.wrap(badCount).order(ByteOrder.LITTLE_ENDIAN).putInt(countPos, 1_000_000);
        Files.write(f, withCrc(badCount));
        assertThatThrownBy(() -> TensorFile.loadHost(f)).hasMessageContaining(CORRUPT_MSG);

        byte[] extra = Arrays.copyOf(b, b.length + 5);
        System.arraycopy(b, b.length - 4, extra, b.length - 4 + 5, 4); // keep a CRC slot at the end
        Files.write(f, withCrc(extra));
        assertThatThrownBy(() -> TensorFile.loadHost(f)).hasMessageContaining("unexpected bytes");
    }

    private static byte[] withCrc(byte[] file) {
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - 4);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    @Test
    void invalidMetadataIsRejectedAtSaveTime() {
        LinkedHashMap<String, TensorFile.HostTensor> none = new LinkedHashMap<>();
        assertThatThrownBy(() -> TensorFile.saveHost(tmp.resolve("x.ckpt"), "{oops", none))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> TensorFile.saveHost(tmp.resolve("x.ckpt"), "", none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TensorFile.saveHost(tmp.resolve("x.ckpt"), "[1]", none))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.toFile().list()).isEmpty();
    }
}
