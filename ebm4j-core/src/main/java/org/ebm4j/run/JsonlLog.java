package org.ebm4j.run;

import org.ebm4j.core.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Append-only JSON-lines log ({@code log.jsonl}): one compact JSON object per line.
 *
 * <p>Crash rule, shared by {@link #read}, {@link #open} and {@link #truncateAfter}: a line counts only
 * once its terminating {@code '\n'} is in the file. A process killed mid-write leaves at most one
 * unterminated tail, which readers ignore and {@link #open} cuts off before appending, so the next
 * record never gets glued onto a fragment.
 *
 * <p>Each record is written with a single unbuffered channel write, so it reaches the OS (and survives
 * the process being killed) as soon as {@link #append} returns; {@link #sync} additionally forces it to
 * disk, e.g. right before a checkpoint is written.
 */
public final class JsonlLog implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;

    private JsonlLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens {@code file} for appending (creating it and its parent directories if needed). */
    public static JsonlLog open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            // Cut a torn tail left by a killed process, then append after the last complete line.
            long end = completeLength(ch);
            if (end < ch.size()) ch.truncate(end);
            ch.position(end);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new JsonlLog(file, ch);
    }

    public Path file() {
        return file;
    }

    /**
     * Appends {@code record} (a Map, record, or any Jackson-serialisable object that serialises to a
     * JSON object) as one line.
     */
    public synchronized void append(Object record) throws IOException {
        byte[] json = AtomicFiles.MAPPER.writeValueAsBytes(record);
        // Compact Jackson output escapes newlines inside strings, so the line cannot be split.
        if (json.length == 0 || json[0] != '{') {
            throw new IllegalArgumentException("log records must serialise to a JSON object, got: "
                    + new String(json, 0, Math.min(json.length, 80), StandardCharsets.UTF_8));
        }
        ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        while (line.hasRemaining()) {
            channel.write(line);
        }
    }

    /** Forces appended lines to disk (not just to the OS), e.g. before writing a checkpoint. */
    public synchronized void sync() throws IOException {
        channel.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    /**
     * Reads all complete lines of a log. An unterminated last line (torn write) is ignored, blank lines
     * are skipped, and a missing file reads as empty (nothing logged yet).
     *
     * @throws IOException if a complete line is not valid JSON (the message gives the line number)
     */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        forEachLine(file, (node, bytes, off, len) -> out.add(node));
        return out;
    }

    /**
     * Atomically rewrites {@code file}, keeping only the complete lines for which {@code keep} is true
     * (typically {@code n -> n.path("iteration").asLong() <= checkpointIteration}), so a resumed run's
     * log matches an uninterrupted one. Kept lines are copied byte-for-byte, not re-serialised.
     * Must not be called while a {@link JsonlLog} is open on the same file.
     *
     * @return the number of lines dropped (not counting a torn tail or blank lines, which are always
     *     dropped); 0 if the file does not exist
     */
    public static int truncateAfter(Path file, Predicate<JsonNode> keep) throws IOException {
        if (!Files.exists(file)) return 0;
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        int[] dropped = {0};
        forEachLine(file, (node, bytes, off, len) -> {
            if (keep.test(node)) {
                kept.write(bytes, off, len);
                kept.write('\n');
            } else {
                dropped[0]++;
            }
        });
        AtomicFiles.write(file, kept.toByteArray());
        return dropped[0];
    }

    // --- helpers -------------------------------------------------------------------------------

    private interface LineVisitor {
        void visit(JsonNode node, byte[] bytes, int offset, int length) throws IOException;
    }

    private static void forEachLine(Path file, LineVisitor visitor) throws IOException {
        if (!Files.exists(file)) return;
        byte[] all = Files.readAllBytes(file);
        int start = 0;
        int lineNo = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] != '\n') continue;
            lineNo++;
            int len = i - start;
            if (!isBlank(all, start, len)) {
                JsonNode node;
                try {
                    node = AtomicFiles.MAPPER.readTree(all, start, len);
                } catch (JsonProcessingException e) {
                    throw new IOException(
                            "log '" + file + "' line " + lineNo + " is not valid JSON: " + e.getOriginalMessage(), e);
                }
                visitor.visit(node, all, start, len);
            }
            start = i + 1;
        }
        // bytes after the last '\n' are a torn write: ignored by design
    }

    private static boolean isBlank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') return false;
        }
        return true;
    }

    /** Length of the file up to and including its last '\n' (0 if there is none). */
    private static long completeLength(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long pos = size;
        while (pos > 0) {
            int n = (int) Math.min(buf.capacity(), pos);
            pos -= n;
            buf.clear().limit(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) throw new IOException("unexpected end of file");
            }
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') return pos + i + 1;
            }
        }
        return 0;
    }
}
