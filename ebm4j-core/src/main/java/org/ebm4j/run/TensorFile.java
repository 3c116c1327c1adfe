package org.ebm4j.run;

import org.ebm4j.core.AtomicFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * A small, bit-exact container for named tensors plus a JSON metadata string (used for checkpoints).
 *
 * <h2>Format (version 01). All integers are little-endian.</h2>
 *
 * <pre>
 * magic      8 bytes  ASCII "EBM4JT01"
 * int32      metadata length M, then M bytes UTF-8 JSON
 * int32      tensor count N
 * N times:
 *   int32    name length L, then L bytes UTF-8 name
 *   int32    dtype length D, then D bytes ASCII dtype (lower-case DJL DataType name: "float32",
 *            "float64", "int32", "int64", "uint8", "boolean", ...)
 *   int32    ndim (0 = scalar)
 *   int64    dims[ndim]
 *   int64    nbytes (= product(dims) * element size)
 *   nbytes   raw element bytes, little-endian, row-major (exactly NDArray.toByteBuffer())
 * uint32     CRC32 of every preceding byte
 * </pre>
 *
 * Raw bytes are stored, not values, so NaN payloads and -0.0 survive. Files are written atomically
 * ({@link AtomicFiles}); on load the CRC is verified before anything is parsed, so a torn, truncated
 * or bit-flipped file is reported as {@link CorruptException} instead of silently loading garbage.
 */
public final class TensorFile {

    public static final String MAGIC = "EBM4JT01";
    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_NDIM = 64;
    private static final int CRC_BYTES = 4;

    private TensorFile() {}

    /** A checkpoint file failed validation. The message says what to do about it. */
    public static final class CorruptException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptException(Path file, String reason, Throwable cause) {
            super("checkpoint " + file + " is corrupt or truncated (" + reason
                    + "); delete it to restart from the previous checkpoint", cause);
        }
    }

    /** Result of {@link #load}: the tensors are owned by the manager that was passed in. */
    public record Loaded(String metadataJson, LinkedHashMap<String, NDArray> tensors) {
        /** Parses the metadata with {@link AtomicFiles#MAPPER}. */
        public <T> T metadata(Class<T> type) throws JsonProcessingException {
            return AtomicFiles.MAPPER.readValue(metadataJson, type);
        }
    }

    /** Result of {@link #loadHost}: plain-Java tensors, no DJL engine needed. */
    public record LoadedHost(String metadataJson, LinkedHashMap<String, HostTensor> tensors) {
        public <T> T metadata(Class<T> type) throws JsonProcessingException {
            return AtomicFiles.MAPPER.readValue(metadataJson, type);
        }
    }

    /**
     * A tensor in Java memory: dtype, shape and its raw little-endian bytes. Lets tools and tests read
     * or write checkpoints without an NDManager.
     */
    public static final class HostTensor {
        private final DataType dataType;
        private final long[] shape;
        private final byte[] data;

        /** @param littleEndianBytes raw element bytes; the array is copied */
        public HostTensor(DataType dataType, long[] shape, byte[] littleEndianBytes) {
            this.dataType = checkStorable(dataType);
            this.shape = shape.clone();
            this.data = littleEndianBytes.clone();
            long expected = byteCount(this.shape, dataType);
            if (expected != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtypeName(dataType)
                        + " needs " + expected + " bytes, got " + data.length);
            }
        }

        public static HostTensor ofFloats(float[] values, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new HostTensor(DataType.FLOAT32, shape, b.array());
        }

        public DataType dataType() {
            return dataType;
        }

        public long[] shape() {
            return shape.clone();
        }

        /** A copy of the raw little-endian bytes. */
        public byte[] bytes() {
            return data.clone();
        }

        /** The values of a float32 tensor, bit-exact (NaN payloads included). */
        public float[] toFloats() {
            if (dataType != DataType.FLOAT32) {
                throw new IllegalStateException("tensor is " + dtypeName(dataType) + ", not float32");
            }
            float[] out = new float[data.length / Float.BYTES];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        ByteBuffer buffer() {
            return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    // --- save ----------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} (in map order) and {@code metadataJson} to {@code file}, atomically.
     * Tensors may live on any device; each is copied to the host one at a time.
     *
     * @param metadataJson a JSON object (iteration, RNG state, config hash, ...), validated here
     * @throws IllegalArgumentException if the metadata is not a JSON object or a tensor is sparse
     */
    public static void save(Path file, String metadataJson, LinkedHashMap<String, NDArray> tensors)
            throws IOException {
        requireLittleEndianHost();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getValue().isSparse()) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is sparse; only dense tensors can be saved");
            }
        }
        writeFile(file, metadataJson, tensors, a -> new Entry(a.getDataType(), a.getShape().getShape(), a.toByteBuffer()));
    }

    /** Plain-Java variant of {@link #save}. */
    public static void saveHost(Path file, String metadataJson, LinkedHashMap<String, HostTensor> tensors)
            throws IOException {
        writeFile(file, metadataJson, tensors, t -> new Entry(t.dataType, t.shape, t.buffer()));
    }

    private record Entry(DataType dataType, long[] shape, ByteBuffer data) {}

    @FunctionalInterface
    private interface EntryFn<T> {
        Entry apply(T t) throws IOException;
    }

    private static <T> void writeFile(Path file, String metadataJson, LinkedHashMap<String, T> tensors, EntryFn<T> toEntry)
            throws IOException {
        // Catch a metadata bug at save time, not when resuming days later.
        if (!AtomicFiles.MAPPER.readTree(metadataJson).isObject()) {
            throw new IllegalArgumentException("checkpoint metadata must be a JSON object: " + metadataJson);
        }
        AtomicFiles.write(file, rawOut -> {
            CRC32 crc = new CRC32();
            OutputStream out = new CheckedOutputStream(rawOut, crc);
            out.write(MAGIC_BYTES);
            writeBytes(out, metadataJson.getBytes(StandardCharsets.UTF_8));
            writeInt(out, tensors.size());
            byte[] chunk = new byte[1 << 16];
            for (Map.Entry<String, T> e : tensors.entrySet()) {
                Entry t = toEntry.apply(e.getValue()); // one host copy alive at a time
                checkStorable(t.dataType);
                long nbytes = byteCount(t.shape, t.dataType);
                ByteBuffer data = t.data.duplicate();
                if (data.remaining() != nbytes) {
                    throw new IOException("tensor '" + e.getKey() + "' has " + data.remaining()
                            + " bytes, expected " + nbytes + " for shape " + Arrays.toString(t.shape));
                }
                writeBytes(out, e.getKey().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, dtypeName(t.dataType).getBytes(StandardCharsets.US_ASCII));
                writeInt(out, t.shape.length);
                for (long d : t.shape) writeLong(out, d);
                writeLong(out, nbytes);
                if (data.hasArray()) {
                    out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
                } else {
                    while (data.hasRemaining()) {
                        int n = Math.min(chunk.length, data.remaining());
                        data.get(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                }
            }
            out.flush();
            writeInt(rawOut, (int) crc.getValue()); // the checksum itself is outside the checksum
        });
    }

    // --- load ----------------------------------------------------------------------------------

    /**
     * Loads a file written by {@link #save}; tensors are created in {@code manager} with the exact
     * dtype, shape and bytes that were saved.
     *
     * @throws CorruptException if the file fails its CRC or structural checks
     */
    public static Loaded load(Path file, NDManager manager) throws IOException {
        requireLittleEndianHost();
        LinkedHashMap<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            String meta = readFile(file, true, (name, dtype, shape, data) -> {
                data.order(ByteOrder.nativeOrder());
                tensors.put(name, manager.create(data, new Shape(shape), dtype));
            });
            return new Loaded(meta, tensors);
        } catch (IOException | RuntimeException e) {
            tensors.values().forEach(NDArray::close); // don't leak native memory on a failed load
            throw e;
        }
    }

    /** Plain-Java variant of {@link #load}. */
    public static LoadedHost loadHost(Path file) throws IOException {
        LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
        String meta = readFile(file, false, (name, dtype, shape, data) -> {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            tensors.put(name, new HostTensor(dtype, shape, bytes));
        });
        return new LoadedHost(meta, tensors);
    }

    @FunctionalInterface
    private interface TensorSink {
        void accept(String name, DataType dtype, long[] shape, ByteBuffer data) throws IOException;
    }

    private static String readFile(Path file, boolean direct, TensorSink sink) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC_BYTES.length + 4 + 4 + CRC_BYTES) {
                throw new CorruptException(file, "only " + size + " bytes", null);
            }
            long bodyEnd = size - CRC_BYTES;
            verifyCrc(file, ch, bodyEnd);

            Reader r = new Reader(file, ch, bodyEnd);
            byte[] magic = r.bytes(MAGIC_BYTES.length);
            if (!Arrays.equals(magic, MAGIC_BYTES)) {
                throw new CorruptException(file, "bad magic, not an " + MAGIC + " file", null);
            }
            String meta = utf8(file, r.bytes(r.length("metadata")), "metadata");
            int count = r.length("tensor count");
            LinkedHashMap<String, Boolean> seen = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = utf8(file, r.bytes(r.length("name")), "tensor name");
                if (seen.put(name, Boolean.TRUE) != null) {
                    throw new CorruptException(file, "duplicate tensor '" + name + "'", null);
                }
                String dtypeName = new String(r.bytes(r.length("dtype")), StandardCharsets.US_ASCII);
                DataType dtype = parseDtype(file, dtypeName);
                int ndim = r.length("ndim");
                if (ndim > MAX_NDIM) throw new CorruptException(file, "tensor '" + name + "' has ndim " + ndim, null);
                long[] shape = new long[ndim];
                for (int d = 0; d < ndim; d++) {
                    shape[d] = r.int64();
                    if (shape[d] < 0) throw new CorruptException(file, "tensor '" + name + "' has a negative dimension", null);
                }
                long nbytes = r.int64();
                long expected;
                try {
                    expected = byteCount(shape, dtype);
                } catch (ArithmeticException e) {
                    throw new CorruptException(file, "tensor '" + name + "' shape overflows", e);
                }
                if (nbytes != expected || nbytes > r.remaining()) {
                    throw new CorruptException(file, "tensor '" + name + "' claims " + nbytes + " bytes", null);
                }
                if (nbytes > Integer.MAX_VALUE - 8) {
                    throw new IOException("tensor '" + name + "' in " + file + " is larger than 2 GiB; not supported");
                }
                ByteBuffer data = direct ? ByteBuffer.allocateDirect((int) nbytes) : ByteBuffer.allocate((int) nbytes);
                r.readFully(data.order(ByteOrder.LITTLE_ENDIAN));
                sink.accept(name, dtype, shape, data.flip());
            }
            if (r.remaining() != 0) {
                throw new CorruptException(file, r.remaining() + " unexpected bytes after the last tensor", null);
            }
            return meta;
        }
    }

    private static void verifyCrc(Path file, FileChannel ch, long bodyEnd) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < bodyEnd) {
            buf.clear().limit((int) Math.min(buf.capacity(), bodyEnd - pos));
            int n = ch.read(buf, pos);
            if (n < 0) throw new CorruptException(file, "file shrank while reading", null);
            pos += n;
            crc.update(buf.flip());
        }
        ByteBuffer stored = ByteBuffer.allocate(CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (stored.hasRemaining()) {
            if (ch.read(stored, bodyEnd + stored.position()) < 0) {
                throw new CorruptException(file, "file shrank while reading", null);
            }
        }
        long expected = Integer.toUnsignedLong(stored.getInt(0));
        if (expected != crc.getValue()) {
            throw new CorruptException(file, String.format(Locale.ROOT, "CRC32 mismatch: stored %08x, computed %08x",
                    expected, crc.getValue()), null);
        }
    }

    /** Sequential little-endian reader that knows how many body bytes are left (for sanity checks). */
    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private final long end;
        private final ByteBuffer small = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long pos;

        Reader(Path file, FileChannel ch, long end) {
            this.file = file;
            this.ch = ch;
            this.end = end;
        }

        long remaining() {
            return end - pos;
        }

        void readFully(ByteBuffer dst) throws IOException {
            if (dst.remaining() > remaining()) throw new CorruptException(file, "unexpected end of data", null);
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) throw new CorruptException(file, "unexpected end of file", null);
                pos += n;
            }
        }

        /** An int32 used as a length or count: must be non-negative and fit in what is left. */
        int length(String what) throws IOException {
            small.clear().limit(4);
            readFully(small);
            int v = small.getInt(0);
            if (v < 0 || v > remaining()) throw new CorruptException(file, "invalid " + what + " " + v, null);
            return v;
        }

        long int64() throws IOException {
            small.clear().limit(8);
            readFully(small);
            return small.getLong(0);
        }

        byte[] bytes(int n) throws IOException {
            byte[] b = new byte[n];
            readFully(ByteBuffer.wrap(b));
            return b;
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private static void writeInt(OutputStream out, int v) throws IOException {
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static void writeLong(OutputStream out, long v) throws IOException {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private static void writeBytes(OutputStream out, byte[] b) throws IOException {
        writeInt(out, b.length);
        out.write(b);
    }

    static String dtypeName(DataType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    private static DataType parseDtype(Path file, String name) throws CorruptException {
        try {
            return checkStorable(DataType.valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new CorruptException(file, "unknown dtype '" + name + "'", e);
        }
    }

    private static DataType checkStorable(DataType t) {
        if (t == DataType.STRING || t == DataType.UNKNOWN || t.getNumOfBytes() <= 0) {
            throw new IllegalArgumentException("dtype " + dtypeName(t) + " cannot be stored as raw bytes");
        }
        return t;
    }

    private static long byteCount(long[] shape, DataType t) {
        long n = t.getNumOfBytes();
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static String utf8(Path file, byte[] b, String what) throws CorruptException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CorruptException(file, "invalid UTF-8 in " + what, e);
        }
    }

    /** NDArray.toByteBuffer() and NDManager.create() use native order; the file is little-endian. */
    private static void requireLittleEndianHost() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("TensorFile with NDArrays needs a little-endian host");
        }
    }
}
