package org.ebm4j.run;

import ai.djl.ndarray.types.DataType;
import org.ebm4j.core.EbmException;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads (and writes) numpy's {@code .npz} archives ({@code numpy.savez} and {@code savez_compressed}): a zip of
 * {@code NAME.npy} entries, stored or deflated, ZIP64 included (numpy always writes ZIP64 entries).
 * Each entry becomes a {@link TensorFile.HostTensor} under NAME, in Java memory.
 *
 * <p>DJL's {@code NDList.decode} reads npz too, but it puts every array on the engine before one
 * can look at names and shapes, and its errors name neither the file nor the entry (a Fortran-order
 * or big-endian array is an "Invalid numpy header"). Weight import wants to check the whole file
 * against a net before touching it, with errors that say which tensor is wrong, hence this reader.
 *
 * <p>Supported: {@code .npy} format versions 1.0, 2.0 and 3.0; little-endian (or byte-order-free)
 * float32/64, int8/32/64, uint8 and bool; C order. Anything else is refused with one line naming
 * the entry.
 *
 * <p>References: numpy, "A simple file format for NumPy arrays" (NEP 1, {@code numpy.lib.format}).
 */
public final class NpzFile {
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzFile() {}

    /**
     * Every array of an {@code .npz} file, in the archive's order, named as in
     * {@code numpy.savez(file, name=array)} (the entry name without {@code .npy}).
     *
     * @throws EbmException one line naming the file (and the entry) when the file is missing, not a
     *                      zip, or holds an array this reader does not support
     */
    public static LinkedHashMap<String, TensorFile.HostTensor> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new EbmException("weights file " + file + " does not exist or is not a file");
        }
        LinkedHashMap<String, TensorFile.HostTensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String entry = e.getName();
                if (!entry.endsWith(".npy")) {
                    throw new EbmException("weights file " + file + " has an entry '" + entry
                            + "' that is not a .npy array; is it a numpy .npz file?");
                }
                String name = entry.substring(0, entry.length() - 4);
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, readNpy(new DataInputStream(in), file, name));
                }
            }
        } catch (ZipException e) {
            throw new EbmException("weights file " + file + " is not a numpy .npz (zip) archive: " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new EbmException("weights file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new EbmException("cannot read weights file " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new EbmException("weights file " + file + " holds no arrays");
        }
        return out;
    }

    /**
     * Writes {@code tensors} as an uncompressed {@code .npz} that {@code numpy.load} reads (format
     * 1.0 entries, little-endian, C order), atomically: a failed write leaves no partial file.
     */
    public static void write(Path file, Map<String, TensorFile.HostTensor> tensors) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (var e : tensors.entrySet()) {
                byte[] npy = npy(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.length);
                entry.setCompressedSize(npy.length);
                CRC32 crc = new CRC32();
                crc.update(npy);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(npy);
                zip.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] npy(TensorFile.HostTensor t) {
        String descr = switch (t.dataType()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT8 -> "|i1";
            case UINT8 -> "|u1";
            case INT32 -> "<i4";
            case INT64 -> "<i8";
            case BOOLEAN -> "|b1";
            default -> throw new IllegalArgumentException("no numpy type for " + t.dataType());
        };
        long[] shape = t.shape();
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String tuple = shape.length == 0 ? "()" : shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + dims.substring(0, dims.length() - 2) + ")";
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        // numpy pads the header with spaces and a newline so that the data start at a multiple of 64
        int pre = NPY_MAGIC.length + 2 + 2;
        int len = dict.length() + 1;
        int pad = (64 - (pre + len) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] data = t.bytes();
        ByteBuffer b = ByteBuffer.allocate(pre + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NPY_MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    /** One {@code .npy} stream (magic, version, header dict, raw C-order data). */
    static TensorFile.HostTensor readNpy(DataInputStream in, Path file, String name) throws IOException {
        String where = "weights file " + file + ", array '" + name + "'";
        byte[] magic = new byte[NPY_MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, NPY_MAGIC)) {
            throw new EbmException(where + ": not a .npy array (bad magic)");
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte(); // minor version: no format difference
        long headerLen;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2 || major == 3) {
            headerLen = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        } else {
            throw new EbmException(where + ": unknown .npy format version " + major);
        }
        if (headerLen > 1 << 20) {
            throw new EbmException(where + ": header of " + headerLen + " bytes, not a .npy array");
        }
        byte[] hb = new byte[(int) headerLen];
        in.readFully(hb);
        // version 3 allows UTF-8 in the header (field names of structured arrays); 1 and 2 are Latin-1
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, where, "descr");
        String fortran = group(FORTRAN, header, where, "fortran_order");
        String shapeText = group(SHAPE, header, where, "shape");
        if (fortran.equals("True")) {
            throw new EbmException(where + " is in Fortran order; save np.ascontiguousarray(a) instead");
        }
        DataType type = dataType(descr, where);
        long[] shape = parseShape(shapeText, where);
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        long nbytes = Math.multiplyExact(count, (long) type.getNumOfBytes());
        if (nbytes > Integer.MAX_VALUE - 8) {
            throw new EbmException(where + " is larger than 2 GiB; not supported");
        }
        byte[] data = new byte[(int) nbytes];
        try {
            in.readFully(data);
        } catch (java.io.EOFException e) {
            throw new EbmException(where + " is truncated: shape " + Arrays.toString(shape) + " of " + descr
                    + " needs " + nbytes + " bytes", e);
        }
        return new TensorFile.HostTensor(type, shape, data);
    }

    private static String group(Pattern p, String header, String where, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new EbmException(where + ": .npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    /** numpy's type string ('<f4', '|u1', …) as a DJL type; big-endian multi-byte types are refused. */
    static DataType dataType(String descr, String where) {
        if (descr.length() < 3) {
            throw new EbmException(where + ": unsupported dtype '" + descr + "'");
        }
        char order = descr.charAt(0);
        String kind = descr.substring(1);
        DataType t = switch (kind) {
            case "f4" -> DataType.FLOAT32;
            case "f8" -> DataType.FLOAT64;
            case "i1" -> DataType.INT8;
            case "u1" -> DataType.UINT8;
            case "i4" -> DataType.INT32;
            case "i8" -> DataType.INT64;
            case "b1" -> DataType.BOOLEAN;
            default -> throw new EbmException(where + ": unsupported dtype '" + descr
                    + "' (float32/64, int8/32/64, uint8 or bool)");
        };
        boolean little = order == '<' || (order == '=' && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        if (!little && !(order == '|' && t.getNumOfBytes() == 1)) {
            throw new EbmException(where + " is big-endian ('" + descr + "'); save a.astype('<" + kind + "') instead");
        }
        return t;
    }

    private static long[] parseShape(String text, String where) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new long[0];
        }
        String[] parts = t.split(",");
        int n = parts.length;
        if (parts[n - 1].isBlank()) {
            n--; // the trailing comma of a 1-tuple "(3,)"
        }
        long[] shape = new long[n];
        for (int i = 0; i < n; i++) {
            try {
                shape[i] = Long.parseLong(parts[i].trim().replace("L", ""));
            } catch (NumberFormatException e) {
                throw new EbmException(where + ": bad shape (" + text + ")", e);
            }
            if (shape[i] < 0) {
                throw new EbmException(where + ": negative dimension in shape (" + text + ")");
            }
        }
        return shape;
    }

    /** The values of a float32/64, integer or bool tensor as doubles (for checks and conversions). */
    public static double[] toDoubles(TensorFile.HostTensor t) {
        ByteBuffer b = ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int size = b.remaining() / t.dataType().getNumOfBytes();
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = switch (t.dataType()) {
                case FLOAT32 -> b.getFloat();
                case FLOAT64 -> b.getDouble();
                case INT8 -> b.get();
                case UINT8 -> Byte.toUnsignedInt(b.get());
                case INT32 -> b.getInt();
                case INT64 -> b.getLong();
                case BOOLEAN -> b.get() != 0 ? 1 : 0;
                default -> throw new IllegalStateException("unsupported dtype " + t.dataType());
            };
        }
        return out;
    }
}
