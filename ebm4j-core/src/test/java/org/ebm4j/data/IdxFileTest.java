package org.ebm4j.data;

import org.ebm4j.core.EbmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdxFileTest {
    @TempDir Path tmp;

    private static byte[] sample() {
        byte[] d = new byte[2 * 3 * 4];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 11);
        }
        return d;
    }

    @Test
    void readsRawAndGzippedFilesAlike() throws Exception {
        byte[] bytes = IdxFile.encode(new int[] {2, 3, 4}, sample());
        Path raw = tmp.resolve("a-idx3-ubyte");
        Files.write(raw, bytes);
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(bytes);
        }
        Path gzf = tmp.resolve("b-no-suffix"); // recognised by content, not name
        Files.write(gzf, bo.toByteArray());
        for (Path p : new Path[] {raw, gzf}) {
            IdxFile f = IdxFile.read(p);
            assertThat(f.dims()).containsExactly(2, 3, 4);
            assertThat(f.data()).isEqualTo(sample());
        }
    }

    @Test
    void rejectsBadMagicTypeTruncationAndTrailingBytes() throws Exception {
        byte[] good = IdxFile.encode(new int[] {2, 3, 4}, sample());
        byte[] badMagic = good.clone();
        badMagic[0] = 0x50;
        assertThatThrownBy(() -> IdxFile.parse(badMagic, "x")).isInstanceOf(EbmException.class).hasMessageContaining("bad magic 50 00 08 03");
        byte[] badType = good.clone();
        badType[2] = 0x0D;
        assertThatThrownBy(() -> IdxFile.parse(badType, "x")).hasMessageContaining("type 0xd");
        assertThatThrownBy(() -> IdxFile.parse(Arrays.copyOf(good, good.length - 5), "x"))
                .hasMessageContaining("truncated").hasMessageContaining("needs 24 data bytes, the file has 19");
        assertThatThrownBy(() -> IdxFile.parse(Arrays.copyOf(good, 10), "x")).hasMessageContaining("truncated inside its header");
        assertThatThrownBy(() -> IdxFile.parse(Arrays.copyOf(good, good.length + 3), "x")).hasMessageContaining("3 bytes after");
        assertThatThrownBy(() -> IdxFile.parse(new byte[0], "x")).hasMessageContaining("(empty file)");
        Path gz = tmp.resolve("broken.gz");
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(good);
        }
        Files.write(gz, Arrays.copyOf(bo.toByteArray(), bo.size() / 2));
        assertThatThrownBy(() -> IdxFile.read(gz)).isInstanceOf(EbmException.class).hasMessageContaining("damaged gzip");
        assertThatThrownBy(() -> IdxFile.read(tmp.resolve("missing"))).hasMessageContaining("does not exist");
    }
}
