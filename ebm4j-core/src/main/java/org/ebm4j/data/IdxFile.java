package org.ebm4j.data;

import org.ebm4j.core.EbmException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file of unsigned bytes (the MNIST / Fashion-MNIST format): big-endian magic
 * {@code 00 00 08 nd}, nd big-endian int32 sizes, then row-major uint8 data. Gzipped files are
 * recognised by their content (1f 8b), not by their name.
 *
 * @param dims sizes, outermost first (e.g. 60000, 28, 28)
 * @param data the payload, exactly the product of dims bytes
 */
public record IdxFile(int[] dims, byte[] data) {

    /** Reads and checks a whole file; every defect (magic, type, truncation, trailing bytes) is an error naming the file. */
    public static IdxFile read(Path file) throws IOException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new EbmException("IDX file " + file + " does not exist");
        }
        if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1F && (raw[1] & 0xFF) == 0x8B) {
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                raw = readAll(in);
            } catch (java.io.EOFException | java.util.zip.ZipException e) {
                throw new EbmException("IDX file " + file + " is a damaged gzip file (" + e.getMessage() + ")");
            }
        }
        return parse(raw, file.toString());
    }

    static IdxFile parse(byte[] raw, String name) {
        if (raw.length < 4 || raw[0] != 0 || raw[1] != 0) {
            throw new EbmException("'" + name + "' is not an IDX file (bad magic "
                    + hex(raw, 4) + "; expected 00 00 08 nd)");
        }
        if ((raw[2] & 0xFF) != 0x08) {
            throw new EbmException("IDX file '" + name + "' holds data of type 0x" + Integer.toHexString(raw[2] & 0xFF)
                    + "; only unsigned bytes (0x08) are supported");
        }
        int nd = raw[3] & 0xFF;
        if (nd < 1 || nd > 4) {
            throw new EbmException("IDX file '" + name + "' claims " + nd + " dimensions; expected 1 to 4");
        }
        if (raw.length < 4 + 4 * nd) {
            throw new EbmException("IDX file '" + name + "' is truncated inside its header");
        }
        int[] dims = new int[nd];
        long count = 1;
        for (int i = 0; i < nd; i++) {
            int o = 4 + 4 * i;
            dims[i] = ((raw[o] & 0xFF) << 24) | ((raw[o + 1] & 0xFF) << 16) | ((raw[o + 2] & 0xFF) << 8) | (raw[o + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new EbmException("IDX file '" + name + "' has a negative dimension");
            }
            count *= dims[i];
        }
        long payload = raw.length - 4L - 4L * nd;
        if (payload < count) {
            throw new EbmException("IDX file '" + name + "' is truncated: its header " + Arrays.toString(dims)
                    + " needs " + count + " data bytes, the file has " + payload);
        }
        if (payload > count) {
            throw new EbmException("IDX file '" + name + "' has " + (payload - count)
                    + " bytes after the data its header " + Arrays.toString(dims) + " describes");
        }
        return new IdxFile(dims, Arrays.copyOfRange(raw, 4 + 4 * nd, raw.length));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        in.transferTo(out);
        return out.toByteArray();
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xFF)).append(i + 1 < Math.min(n, b.length) ? " " : "");
        }
        return sb.length() == 0 ? "(empty file)" : sb.toString();
    }

    /** Builds the bytes of an IDX file (tests, and writing small data sets). */
    public static byte[] encode(int[] dims, byte[] data) {
        byte[] out = new byte[4 + 4 * dims.length + data.length];
        out[2] = 0x08;
        out[3] = (byte) dims.length;
        for (int i = 0; i < dims.length; i++) {
            int o = 4 + 4 * i;
            out[o] = (byte) (dims[i] >>> 24);
            out[o + 1] = (byte) (dims[i] >>> 16);
            out[o + 2] = (byte) (dims[i] >>> 8);
            out[o + 3] = (byte) dims[i];
        }
        System.arraycopy(data, 0, out, 4 + 4 * dims.length, data.length);
        return out;
    }
}
