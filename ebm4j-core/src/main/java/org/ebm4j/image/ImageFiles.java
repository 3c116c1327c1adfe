package org.ebm4j.image;

import org.ebm4j.core.AtomicFiles;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reading and writing image files as {@link FloatImage}s.
 *
 * <p>Reading aims to give the same 8-bit RGB values as Pillow's {@code Image.open(p).convert("RGB")}
 * for the usual cases, so that a model sees the same pixels as the Python reference:
 *
 * <ul>
 *   <li>Samples are taken from the decoded raster directly, never through {@code
 *       BufferedImage.getRGB}, which colour-converts (for example it applies a gamma curve to grey
 *       images). A grey value g becomes (g, g, g).
 *   <li>Alpha is dropped without premultiplying or compositing.
 *   <li>Palette images are expanded through their palette.
 *   <li>Embedded ICC profiles (JPEG APP2, PNG iCCP) and PNG gAMA chunks are ignored: the stored values
 *       are used as if they were sRGB, as Pillow does by default. (ImageIO would convert JPEGs
 *       through their profile, so the profile segments are removed before decoding.)
 *   <li>EXIF orientation is not applied (Pillow does not either).
 *   <li>Deliberate difference: 16-bit samples are scaled to 8 bits with rounding, {@code
 *       round(v * 255 / 65535)}. (Pillow clips 16-bit grey to 255, which turns most images white, and
 *       keeps the high byte of 16-bit RGB.)
 * </ul>
 *
 * <p>Damaged files are rejected rather than returned half-decoded: PNG chunk structure and CRCs are
 * verified before decoding and decoder warnings about premature ends of JPEG data are errors.
 */
public final class ImageFiles {
    /** ImageIO formats accepted; WBMP and similar headerless formats would "decode" random bytes. */
    private static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp", "gif", "tif");

    private static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'
    };

    private ImageFiles() {}

    /**
     * Reads a PNG or JPEG (BMP, GIF and TIFF also work) as a 3-channel image in [-1, 1].
     *
     * @throws ImageReadException if the file is missing, not a supported image, damaged or empty
     */
    public static FloatImage readRgb(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = readBytes(file);
        boolean png = startsWith(bytes, PNG_SIGNATURE);
        boolean jpeg = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8
                && (bytes[2] & 0xFF) == 0xFF;
        if (png) {
            checkPngStructure(file, bytes);
        } else if (jpeg) {
            // ImageIO's JPEG reader colour-converts through an embedded profile; Pillow does not.
            bytes = stripJpegIccProfile(bytes);
        }
        BufferedImage img = decode(file, bytes, png ? "PNG" : jpeg ? "JPEG" : "image");
        if (img.getWidth() <= 0 || img.getHeight() <= 0) {
            throw new ImageReadException(file, "Image " + file + " has zero size ("
                    + img.getWidth() + "x" + img.getHeight() + "); use an image with at least one pixel.");
        }
        return toRgb(img);
    }

    /**
     * Writes an 8-bit PNG (RGB, or grey for a 1-channel image) using the reference float -> uint8 rule
     * ({@link FloatImage#toUint8(float)}). The file appears atomically: it is written to a temporary
     * file in the same folder and renamed. Missing parent folders are created.
     */
    public static void writePng(Path file, FloatImage image) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(image, "image");
        AtomicFiles.write(file, encodePng(image));
    }

    /** The PNG encoding of {@code image} (as written by {@link #writePng}). */
    public static byte[] encodePng(FloatImage image) throws IOException {
        int w = image.width();
        int h = image.height();
        int c = image.channels();
        BufferedImage bi =
                new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        byte[] hwc = image.toUint8();
        int[] samples = new int[hwc.length];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = hwc[i] & 0xFF;
        }
        // Raster bands are in colour-model order (R, G, B) whatever the byte layout, so HWC fits as is.
        bi.getRaster().setPixels(0, 0, w, h, samples);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("No PNG encoder available in this Java runtime.");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bos = new ByteArrayOutputStream(w * h * c / 2 + 1024);
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(bos)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(bi, null, null), null);
        } finally {
            writer.dispose();
        }
        return bos.toByteArray();
    }

    private static byte[] readBytes(Path file) throws ImageReadException {
        if (Files.isDirectory(file)) {
            throw new ImageReadException(file,
                    file + " is a folder, not an image file; pass the path of a PNG or JPEG file.");
        }
        if (!Files.exists(file)) {
            throw new ImageReadException(file, "Image file not found: " + file.toAbsolutePath()
                    + "; check the path and spelling.");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageReadException(file, "Image file not found: " + file.toAbsolutePath()
                    + "; check the path and spelling.", e);
        } catch (AccessDeniedException e) {
            throw new ImageReadException(file, "Cannot read image " + file
                    + ": permission denied; fix the file permissions.", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new ImageReadException(file, "Cannot read image " + file + " (" + oneLine(e)
                    + "); check that the file is accessible.", e);
        }
        if (bytes.length == 0) {
            throw new ImageReadException(file, "Image file " + file
                    + " is empty (0 bytes); re-export or re-download it as PNG or JPEG.");
        }
        return bytes;
    }

    /**
     * Walks the PNG chunks and checks lengths and CRCs up to IEND. ImageIO's decoder neither checks
     * CRCs nor requires IEND, so without this some truncated or damaged files decode "successfully".
     */
    private static void checkPngStructure(Path file, byte[] b) throws ImageReadException {
        CRC32 crc = new CRC32();
        int pos = PNG_SIGNATURE.length;
        boolean first = true;
        boolean sawIdat = false;
        while (true) {
            if (pos + 12 > b.length) {
                throw truncated(file, "PNG");
            }
            long len = u32(b, pos);
            String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (!type.chars().allMatch(Character::isLetter)) {
                throw corrupt(file, "PNG", "invalid chunk type at byte " + (pos + 4));
            }
            if (len > b.length - pos - 12L) {
                throw truncated(file, "PNG");
            }
            int n = (int) len;
            crc.reset();
            crc.update(b, pos + 4, 4 + n);
            if (crc.getValue() != u32(b, pos + 8 + n)) {
                throw corrupt(file, "PNG", "CRC mismatch in " + type + " chunk");
            }
            if (first) {
                if (!type.equals("IHDR") || n < 13) {
                    throw corrupt(file, "PNG", "missing IHDR header");
                }
                if (u32(b, pos + 8) == 0 || u32(b, pos + 12) == 0) {
                    throw new ImageReadException(file, "Image " + file + " has zero size (" + u32(b, pos + 8)
                            + "x" + u32(b, pos + 12) + "); use an image with at least one pixel.");
                }
                first = false;
            }
            if (type.equals("IDAT")) {
                sawIdat = true;
            } else if (type.equals("IEND")) {
                if (!sawIdat) {
                    throw corrupt(file, "PNG", "no image data (IDAT)");
                }
                return;
            }
            pos += 12 + n;
        }
    }

    /**
     * Returns the JPEG without its APP2 "ICC_PROFILE" segments (the entropy-coded data is untouched).
     * Anything unexpected in the marker structure returns the input unchanged for the decoder to judge.
     */
    static byte[] stripJpegIccProfile(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        out.write(b, 0, 2); // SOI
        int pos = 2;
        boolean stripped = false;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) {
                return b;
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                out.write(0xFF);
                pos++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan / end: copy the rest verbatim
                break;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // markers without a length
                out.write(b, pos, 2);
                pos += 2;
                continue;
            }
            int len = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            if (len < 2 || pos + 2 + len > b.length) {
                return b; // truncated header: let the decoder report it
            }
            if (marker == 0xE2 && startsWithAscii(b, pos + 4, len - 2, "ICC_PROFILE\0")) {
                stripped = true;
            } else {
                out.write(b, pos, 2 + len);
            }
            pos += 2 + len;
        }
        if (!stripped) {
            return b;
        }
        out.write(b, pos, b.length - pos);
        return out.toByteArray();
    }

    private static boolean startsWithAscii(byte[] b, int off, int avail, String s) {
        if (avail < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[off + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static BufferedImage decode(Path file, byte[] bytes, String kind)
            throws ImageReadException {
        try (ImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = null;
            for (Iterator<ImageReader> it = ImageIO.getImageReaders(iis); it.hasNext(); ) {
                ImageReader r = it.next();
                String fmt = r.getFormatName().toLowerCase(Locale.ROOT);
                if (reader == null && FORMATS.contains(fmt)) {
                    reader = r;
                } else {
                    r.dispose();
                }
            }
            if (reader == null) {
                throw new ImageReadException(file, file + " is not a supported image (unrecognised content, "
                        + "expected PNG or JPEG); convert it to PNG or JPEG.");
            }
            String fmt = reader.getFormatName().toUpperCase(Locale.ROOT);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((src, msg) -> warnings.add(msg));
            try {
                reader.setInput(iis, true, true);
                BufferedImage img = reader.read(0);
                for (String w : warnings) {
                    String lw = w.toLowerCase(Locale.ROOT);
                    // libjpeg only warns on a premature end and pads the rest with grey: treat as an error.
                    if (lw.contains("premature end") || lw.contains("truncat")) {
                        throw truncated(file, fmt);
                    }
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports damage inconsistently: IIOException, EOFException, or unchecked exceptions.
            String msg = oneLine(e);
            if (msg.contains("Unsupported Image Type")) {
                throw new ImageReadException(file, "Cannot read " + file
                        + ": CMYK/YCCK JPEGs are not supported; convert it to an RGB PNG or JPEG.", e);
            }
            throw new ImageReadException(file, "Cannot decode " + file + " as " + kind + " (" + msg
                    + "): the file is corrupt, truncated or an unsupported variant;"
                    + " re-export it as a standard PNG or JPEG.", e);
        }
    }

    /** Raw raster samples to RGB; see the class comment for the rules. */
    private static FloatImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int hw = w * h;
        float[] d = new float[3 * hw];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int ncc = cm.getNumColorComponents();
        int csType = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            int[] idx = r.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < hw; i++) {
                d[i] = FloatImage.fromUint8(icm.getRed(idx[i]));
                d[hw + i] = FloatImage.fromUint8(icm.getGreen(idx[i]));
                d[2 * hw + i] = FloatImage.fromUint8(icm.getBlue(idx[i]));
            }
        } else if (ncc == 1 && csType == ColorSpace.TYPE_GRAY) {
            int bits = cm.getComponentSize(0);
            int[] g = r.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < hw; i++) {
                float v = FloatImage.fromUint8(to8(g[i], bits));
                d[i] = v;
                d[hw + i] = v;
                d[2 * hw + i] = v;
            }
        } else if (ncc == 3 && csType == ColorSpace.TYPE_RGB) {
            int[] s = null;
            for (int c = 0; c < 3; c++) {
                int bits = cm.getComponentSize(c);
                s = r.getSamples(0, 0, w, h, c, s);
                for (int i = 0; i < hw; i++) {
                    d[c * hw + i] = FloatImage.fromUint8(to8(s[i], bits));
                }
            }
        } else {
            // Other colour spaces (e.g. CMYK from TIFF): let Java2D convert to sRGB.
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y);
                    int i = y * w + x;
                    d[i] = FloatImage.fromUint8((argb >>> 16) & 0xFF);
                    d[hw + i] = FloatImage.fromUint8((argb >>> 8) & 0xFF);
                    d[2 * hw + i] = FloatImage.fromUint8(argb & 0xFF);
                }
            }
        }
        return new FloatImage(3, h, w, d);
    }

    /** Scales a {@code bits}-bit sample to 8 bits with rounding (exact for 1, 2, 4 and 8 bits). */
    static int to8(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        long max = (1L << bits) - 1;
        return (int) ((v * 255L + max / 2) / max);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] b, int p) {
        return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8)
                | (b[p + 3] & 0xFFL);
    }

    private static ImageReadException truncated(Path file, String fmt) {
        return new ImageReadException(file, "Image " + file + " is a truncated " + fmt
                + " file (incomplete download or copy?); re-export or re-download it.");
    }

    private static ImageReadException corrupt(Path file, String fmt, String what) {
        return new ImageReadException(file, "Image " + file + " is a corrupt " + fmt + " file ("
                + what + "); re-export or re-download it.");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        String s = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return s.replaceAll("\\s+", " ").trim();
    }
}
