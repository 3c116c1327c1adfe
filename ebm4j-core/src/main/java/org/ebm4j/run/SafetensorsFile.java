package org.ebm4j.run;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.core.EbmException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code .safetensors} files (Hugging Face's format, also written by PyTorch users with
 * {@code safetensors.torch.save_file(net.state_dict(), path)}): an 8-byte little-endian header
 * length, a JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {...}}}, then the little-endian C-order data. Each tensor becomes a {@link TensorFile.HostTensor}.
 * Supported dtypes: F32, F64, I8, U8, I32, I64, BOOL; anything else, or a header that does not
 * describe the file, is one line naming the file (and the tensor).
 *
 * <p>References: the safetensors format specification (huggingface/safetensors, README "Format").
 */
public final class SafetensorsFile {
    private static final long MAX_HEADER = 100L << 20; // the reference implementation's limit

    private SafetensorsFile() {}

    /** Whether {@code file} starts like a safetensors file (a plausible header length, then '{'). */
    public static boolean looksLike(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
            if (b.position() < 9) {
                return false;
            }
            long n = b.getLong(0);
            return n > 1 && n <= MAX_HEADER && n + 8 <= ch.size() && b.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }

    /** Every tensor of the file, in the header's order. */
    public static LinkedHashMap<String, TensorFile.HostTensor> read(Path file) {
        String where = "weights file " + file;
        if (!Files.isRegularFile(file)) {
            throw new EbmException(where + " does not exist or is not a file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, where);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > MAX_HEADER || n + 8 > size) {
                throw new EbmException(where + " is not a safetensors file (header length " + n + " in a file of "
                        + size + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, where);
            JsonNode header;
            try {
                header = AtomicFiles.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new EbmException(where + " has a safetensors header that is not JSON", e);
            }
            if (header == null || !header.isObject()) {
                throw new EbmException(where + " has a safetensors header that is not a JSON object");
            }
            long dataStart = 8 + n;
            long dataSize = size - dataStart;
            LinkedHashMap<String, TensorFile.HostTensor> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = header.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                out.put(e.getKey(), tensor(ch, e.getKey(), e.getValue(), dataStart, dataSize, where));
            }
            if (out.isEmpty()) {
                throw new EbmException(where + " holds no tensors");
            }
            return out;
        } catch (IOException e) {
            throw new EbmException("cannot read " + where + ": " + e.getMessage(), e);
        }
    }

    private static TensorFile.HostTensor tensor(FileChannel ch, String name, JsonNode t, long dataStart, long dataSize,
                                                String where) throws IOException {
        String at = where + ", tensor '" + name + "'";
        JsonNode dtype = t.get("dtype");
        JsonNode shape = t.get("shape");
        JsonNode offsets = t.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null
                || !offsets.isArray() || offsets.size() != 2) {
            throw new EbmException(at + ": header entry needs dtype, shape and data_offsets [begin, end]");
        }
        DataType type = switch (dtype.asText()) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "I32" -> DataType.INT32;
            case "I64" -> DataType.INT64;
            case "BOOL" -> DataType.BOOLEAN;
            default -> throw new EbmException(at + ": unsupported dtype " + dtype.asText()
                    + " (F32, F64, I8, U8, I32, I64 or BOOL)");
        };
        long[] dims = new long[shape.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 0) {
                throw new EbmException(at + ": bad shape " + shape);
            }
            dims[i] = shape.get(i).asLong();
            count = Math.multiplyExact(count, dims[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long nbytes = Math.multiplyExact(count, (long) type.getNumOfBytes());
        if (begin < 0 || end < begin || end > dataSize || end - begin != nbytes) {
            throw new EbmException(at + ": data_offsets " + offsets + " do not hold shape " + shape + " of "
                    + dtype.asText() + " (" + nbytes + " bytes) within the " + dataSize + " data bytes");
        }
        if (nbytes > Integer.MAX_VALUE - 8) {
            throw new EbmException(at + " is larger than 2 GiB; not supported");
        }
        ByteBuffer data = ByteBuffer.allocate((int) nbytes);
        readFully(ch, data, dataStart + begin, where);
        return new TensorFile.HostTensor(type, dims, data.array());
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, String where) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            int r = ch.read(b, p);
            if (r < 0) {
                throw new EbmException(where + " is truncated");
            }
            p += r;
        }
    }
}
