package org.ebm4j.core;

/** Progress of a long library call; the CLI renders it as a bar with ETA, library users may ignore it. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() { };

    /** A phase starts with {@code total} units of work. */
    default void start(String task, long total) { }

    /** {@code done} units of the current phase are finished; {@code status} is a short summary. */
    default void progress(long done, String status) { }

    /** A line worth showing the user (warnings, phase results). */
    default void message(String line) { }

    default void end() { }
}
