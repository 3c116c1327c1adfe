package org.ebm4j.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file writes: readers (and a resumed run) see either the old content or the complete new
 * content, never a half-written file.
 *
 * <p>Every write goes to a temp file {@code .NAME.tmp-<random>} in the target's directory (same file
 * system, so the rename can be atomic), is fsynced, then renamed over the target with {@code
 * ATOMIC_MOVE} (falling back to {@code REPLACE_EXISTING} where the file system cannot do atomic moves).
 * The temp file is removed if anything fails. Missing parent directories are created.
 */
public final class AtomicFiles {

    /**
     * The project's shared JSON mapper. Records are supported; unknown properties fail so typos in a
     * config file are reported instead of silently ignored. Compact output (used for JSON lines);
     * {@link #writeJson} pretty-prints. Treat it as read-only: do not reconfigure it.
     */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    // "lr": 0.1 garbage  -> error rather than silently reading 0.1
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .disable(SerializationFeature.INDENT_OUTPUT)
                    .build();

    /** Streams the new content of a file; used for large files (checkpoints) to avoid a byte[] copy. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code value} as pretty-printed JSON (with a trailing newline) using {@link #MAPPER}. */
    public static void writeJson(Path target, Object value) throws IOException {
        byte[] json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        write(target, out -> {
            out.write(json);
            out.write('\n');
        });
    }

    /**
     * Reads JSON into {@code type}. Jackson errors are rethrown as an IOException whose message names
     * the file (Jackson's own messages do not), with the Jackson exception as the cause.
     */
    public static <T> T readJson(Path file, Class<T> type) throws IOException {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (JsonProcessingException e) {
            throw invalidJson(file, e);
        }
    }

    public static <T> T readJson(Path file, TypeReference<T> type) throws IOException {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (JsonProcessingException e) {
            throw invalidJson(file, e);
        }
    }

    public static JsonNode readTree(Path file) throws IOException {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw invalidJson(file, e);
        }
    }

    /** The general form: {@code writer} streams the content into the temp file. */
    public static void write(Path target, ContentWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = null;
        try {
            FileChannel channel = null;
            // Our own random name (not Files.createTempFile) so the file gets the normal umask
            // permissions instead of createTempFile's owner-only 0600.
            for (int attempt = 0; channel == null; attempt++) {
                tmp = dir.resolve("." + abs.getFileName() + ".tmp-"
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()));
                try {
                    channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null;
                    if (attempt >= 100) throw e;
                }
            }
            try (FileChannel ch = channel;
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                ch.force(true); // data must be on disk before the rename makes it visible
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the original failure is the one worth reporting
                }
            }
        }
    }

    /** Makes the rename itself durable. Not possible on every OS (e.g. Windows); then skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // durability of the directory entry is best effort
        }
    }

    private static IOException invalidJson(Path file, JsonProcessingException e) {
        var loc = e.getLocation();
        String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        String field = "";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            field = " at " + m.getPathReference(); // e.g. Config["sampler"]->Sampler["stpes"]
        }
        return new IOException(
                "invalid JSON in '" + file + "'" + where + field + ": " + e.getOriginalMessage(), e);
    }
}
