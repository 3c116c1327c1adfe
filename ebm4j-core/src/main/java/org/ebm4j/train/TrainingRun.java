package org.ebm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.run.Checkpoints;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.util.function.Predicate;

/**
 * One training process writing into one run folder: the folder, its checkpoint names, its JSONL
 * log and the progress listener, shared by every phase ({@link TrainingLoop}) of the training.
 * Close it when training ends (the log is closed; a held run lock is released).
 */
public final class TrainingRun implements AutoCloseable {
    private final RunFolder folder;
    private final ProgressListener progress;
    private final Checkpoints checkpoints;
    private JsonlLog log;

    private TrainingRun(RunFolder folder, ProgressListener progress) {
        this.folder = folder;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.checkpoints = folder == null ? null : Checkpoints.of(folder);
    }

    /**
     * Opens the run's log for appending, first dropping the rows {@code keep} rejects (on resume:
     * the rows written after the checkpoint being resumed, so the log equals an uninterrupted run's).
     */
    public static TrainingRun open(RunFolder folder, ProgressListener progress, Predicate<JsonNode> keep) throws IOException {
        TrainingRun r = new TrainingRun(folder, progress);
        if (keep != null && Files.exists(folder.logFile())) {
            JsonlLog.truncateAfter(folder.logFile(), keep);
        }
        r.log = JsonlLog.open(folder.logFile());
        return r;
    }

    /**
     * A training without a run folder (a classifier fitted inside an evaluation, a benchmark): no
     * log is written and no checkpoint can be named; seeds, scopes, progress and the divergence
     * guard work as usual.
     */
    public static TrainingRun detached(ProgressListener progress) {
        return new TrainingRun(null, progress);
    }

    /** The run folder, or null for a {@link #detached} training. */
    public RunFolder folder() {
        return folder;
    }

    public Checkpoints checkpoints() {
        return checkpoints;
    }

    public ProgressListener progress() {
        return progress;
    }

    public void append(Object row) throws IOException {
        if (log != null) {
            log.append(row);
        }
    }

    /** Forces the log to disk (before a checkpoint, so a resumed log never lacks rows the checkpoint has seen). */
    public void sync() throws IOException {
        if (log != null) {
            log.sync();
        }
    }

    /** Drops log rows that {@code keep} rejects (a rollback's discarded iterations), keeping the log open. */
    public void truncateLog(Predicate<JsonNode> keep) throws IOException {
        if (log == null) {
            return;
        }
        log.close();
        JsonlLog.truncateAfter(folder.logFile(), keep);
        log = JsonlLog.open(folder.logFile());
    }

    /**
     * Reads a run's config.json as the method's info record; a folder of another method, or an
     * unreadable file, is one clear error naming the folder and what was expected.
     *
     * @param method the method id stored in the file's {@code method} field
     * @param label  the method's name for messages and the command that writes such runs
     */
    public static <T> T readInfo(RunFolder run, String method, String label, String writer, Class<T> type) {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = org.ebm4j.core.AtomicFiles.MAPPER.readTree(run.configFile().toFile());
        } catch (IOException e) {
            throw new org.ebm4j.core.EbmException("cannot read " + run.configFile() + " (" + e.getMessage()
                    + "); is '" + run.dir() + "' a " + label + " run folder?", e);
        }
        String found = node != null && node.has("method") ? node.get("method").asText() : "unknown";
        if (!method.equals(found)) {
            throw new org.ebm4j.core.EbmException("run '" + run.dir() + "' is a " + found + " run, not a " + label
                    + " run; pass a folder written by '" + writer + "'");
        }
        try {
            return org.ebm4j.core.AtomicFiles.MAPPER.treeToValue(node, type);
        } catch (IOException | RuntimeException e) {
            throw new org.ebm4j.core.EbmException("cannot read " + run.configFile() + " (" + e.getMessage()
                    + "); is '" + run.dir() + "' a " + label + " run folder?", e);
        }
    }

    @Override
    public void close() throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
