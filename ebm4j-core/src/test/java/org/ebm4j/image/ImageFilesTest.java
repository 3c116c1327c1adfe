package org.ebm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFilesTest {
    @TempDir Path tmp;

    private static byte[] resource(String name) {
        try (InputStream in = ImageFilesTest.class.getResourceAsStream("/image/" + name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path copyResource(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, resource(name));
        return p;
    }

    /** Expected RGB from Pillow's convert("RGB") (16-bit: rounded 65535 -> 255), see make_fixtures.py. */
    private static FloatImage expected(String name, int w, int h) {
        byte[] rgb = resource(name.substring(0, name.lastIndexOf('.')) + ".rgb");
        return FloatImage.fromUint8(rgb, 3, h, w);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "rgb8.png", "grey8.png", "grey1.png", "grey2.png", "grey16.png", "la8.png", "la16.png",
                "rgba8.png", "rgba16.png", "rgb16.png", "palette8.png", "palette4.png", "rgb8_iccp.png"
            })
    void pngVariantsReadToPillowRgb(String name) throws IOException {
        FloatImage im = ImageFiles.readRgb(copyResource(name));
        assertThat(im.channels()).isEqualTo(3);
        assertThat(im.width()).isEqualTo(6);
        assertThat(im.height()).isEqualTo(5);
        assertThat(im.toUint8()).isEqualTo(expected(name, 6, 5).toUint8());
        assertThat(im).isEqualTo(expected(name, 6, 5));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"photo.jpg", "photo_icc.jpg", "photo_progressive.jpg", "photo_grey.jpg"})
    void jpegsReadToPillowRgb(String name) throws IOException {
        FloatImage im = ImageFiles.readRgb(copyResource(name));
        assertThat(im.width()).isEqualTo(32);
        assertThat(im.height()).isEqualTo(24);
        assertThat(im).isEqualTo(expected(name, 32, 24));
    }

    @Test
    void embeddedIccProfileIsIgnored() throws IOException {
        // Same JPEG data with and without a (very non-sRGB) linear-RGB profile: identical pixels.
        assertThat(ImageFiles.readRgb(copyResource("photo_icc.jpg")))
                .isEqualTo(ImageFiles.readRgb(copyResource("photo.jpg")));
        assertThat(ImageFiles.readRgb(copyResource("rgb8_iccp.png")))
                .isEqualTo(ImageFiles.readRgb(copyResource("rgb8.png")));
    }

    private static FloatImage sampleRgb(int w, int h) {
        return FloatImage.fromUint8(TestPatterns.patternU8(3, h, w), 3, h, w);
    }

    /** The 8-bit samples stored in a PNG, straight from the raster (HWC). */
    private static byte[] pngSamples(Path p) throws IOException {
        BufferedImage bi = ImageIO.read(p.toFile());
        int[] s = bi.getRaster().getPixels(0, 0, bi.getWidth(), bi.getHeight(), (int[]) null);
        byte[] b = new byte[s.length];
        for (int i = 0; i < s.length; i++) {
            b[i] = (byte) s[i];
        }
        return b;
    }

    @Test
    void writePngStoresExactlyTheUint8SamplesAndReadsBackAsQuantize8() throws IOException {
        FloatImage im = TestPatterns.patternF(3, 17, 23);
        Path p = tmp.resolve("a/b/out.png"); // parent folders are created
        ImageFiles.writePng(p, im);
        assertThat(pngSamples(p)).isEqualTo(im.toUint8());
        FloatImage back = ImageFiles.readRgb(p);
        assertThat(back).isEqualTo(im.quantize8());
        try (Stream<Path> files = Files.list(p.getParent())) {
            assertThat(files).containsExactly(p); // no temp file left behind
        }
    }

    @Test
    void writePngGreyAndReplace() throws IOException {
        FloatImage grey = TestPatterns.patternF(1, 9, 11);
        Path p = tmp.resolve("grey.png");
        ImageFiles.writePng(p, sampleRgb(4, 4)); // replaced below
        ImageFiles.writePng(p, grey);
        byte[] b = Files.readAllBytes(p);
        assertThat(b[25]).as("PNG colour type").isEqualTo((byte) 0); // greyscale
        assertThat(pngSamples(p)).isEqualTo(grey.toUint8());
        FloatImage back = ImageFiles.readRgb(p);
        assertThat(back.width()).isEqualTo(11);
        FloatImage q = grey.quantize8();
        assertThat(back.data()).isEqualTo(concat(q.data(), q.data(), q.data()));
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void writePngIntoUnwritableLocationFailsClearly() throws IOException {
        Path blocker = tmp.resolve("notADir");
        Files.writeString(blocker, "x");
        Path target = blocker.resolve("out.png");
        assertThatThrownBy(() -> ImageFiles.writePng(target, sampleRgb(2, 2)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("notADir")
                .hasMessageNotContaining("\n");
        Path dirTarget = Files.createDirectory(tmp.resolve("taken.png"));
        assertThatThrownBy(() -> ImageFiles.writePng(dirTarget, sampleRgb(2, 2)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("taken.png");
    }

    @Test
    void truncatedPngIsRejectedAtEveryLength() throws IOException {
        byte[] full = ImageFiles.encodePng(sampleRgb(40, 30));
        List<Integer> lengths = new ArrayList<>();
        for (int n = 1; n < full.length; n += 37) {
            lengths.add(n);
        }
        for (int n = Math.max(1, full.length - 40); n < full.length; n++) {
            lengths.add(n); // the tail: inside the last IDAT, the IEND chunk, its CRC
        }
        Path p = tmp.resolve("truncated.png");
        for (int n : lengths) {
            Files.write(p, Arrays.copyOf(full, n));
            assertThatThrownBy(() -> ImageFiles.readRgb(p))
                    .as("truncated to %d of %d bytes", n, full.length)
                    .isInstanceOf(ImageReadException.class)
                    .hasMessageContaining("truncated.png")
                    .hasMessageNotContaining("\n");
        }
        Files.write(p, full);
        assertThat(ImageFiles.readRgb(p)).isEqualTo(sampleRgb(40, 30).quantize8());
    }

    @Test
    void corruptPngIsRejected() throws IOException {
        byte[] b = ImageFiles.encodePng(sampleRgb(40, 30));
        b[b.length / 2] ^= 0x55; // inside IDAT: CRC no longer matches
        Path p = tmp.resolve("corrupt.png");
        Files.write(p, b);
        assertThatThrownBy(() -> ImageFiles.readRgb(p))
                .isInstanceOf(ImageReadException.class)
                .hasMessageContaining("corrupt.png")
                .hasMessageContaining("corrupt");
    }

    @Test
    void truncatedJpegIsRejected() throws IOException {
        byte[] full = resource("photo.jpg");
        Path p = tmp.resolve("cut.jpg");
        for (int n : new int[] {3, 100, full.length / 2, full.length - 20, full.length - 2}) {
            Files.write(p, Arrays.copyOf(full, n));
            assertThatThrownBy(() -> ImageFiles.readRgb(p))
                    .as("truncated to %d of %d bytes", n, full.length)
                    .isInstanceOf(ImageReadException.class)
                    .hasMessageContaining("cut.jpg");
        }
    }

    @Test
    void nonImagesAreRejectedWithHelpfulMessages() throws IOException {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "this is not an image\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ImageFiles.readRgb(text))
                .isInstanceOf(ImageReadException.class)
                .hasMessageContaining("notes.png")
                .hasMessageContaining("PNG or JPEG");

        Path empty = Files.createFile(tmp.resolve("empty.jpg"));
        assertThatThrownBy(() -> ImageFiles.readRgb(empty))
                .isInstanceOf(ImageReadException.class)
                .hasMessageContaining("empty.jpg")
                .hasMessageContaining("empty");

        Path missing = tmp.resolve("missing.png");
        assertThatThrownBy(() -> ImageFiles.readRgb(missing))
                .isInstanceOf(ImageReadException.class)
                .hasMessageContaining("missing.png")
                .hasMessageContaining("not found");

        assertThatThrownBy(() -> ImageFiles.readRgb(tmp))
                .isInstanceOf(ImageReadException.class)
                .hasMessageContaining("folder");
    }

    @Test
    void zeroSizePngIsRejected() throws IOException {
        // A structurally valid PNG whose header says 0 x 5 pixels.
        byte[] png = ImageFiles.encodePng(sampleRgb(3, 5));
        png[16] = png[17] = png[18] = png[19] = 0; // IHDR width
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17); // "IHDR" + 13 data bytes
        long v = crc.getValue();
        for (int i = 0; i < 4; i++) {
            png[29 + i] = (byte) (v >>> (24 - 8 * i));
        }
        Path p = tmp.resolve("zero.png");
        Files.write(p, png);
        assertThatThrownBy(() -> ImageFiles.readRgb(p))
                .isInstanceOf(ImageReadException.class)
                .hasMessageContaining("zero.png")
                .hasMessageContaining("zero size");
    }
}
