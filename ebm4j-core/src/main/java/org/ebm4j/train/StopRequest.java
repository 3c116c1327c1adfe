package org.ebm4j.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGINT/SIGTERM during training: a JVM shutdown hook asks the running loop to stop, the loop
 * finishes its current iteration, writes a checkpoint and releases the hook, which then lets the
 * JVM exit. So Ctrl-C or {@code kill PID} leaves a run that {@code --resume} continues exactly.
 * (SIGKILL cannot be caught; the run then resumes from its last periodic checkpoint.)
 */
final class StopRequest implements AutoCloseable {
    /** How long the hook waits for the loop to reach the end of its iteration and save. */
    static final long WAIT_SECONDS = 120;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch saved = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean done;
    private volatile String report;

    private StopRequest(String task) {
        hook = new Thread(() -> {
            if (done) {
                return;
            }
            requested.set(true);
            System.err.println("ebm4j: stop requested; finishing the current iteration of " + task + " and saving a checkpoint...");
            try {
                if (saved.await(WAIT_SECONDS, TimeUnit.SECONDS) && report != null) {
                    System.err.println("ebm4j: " + report);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ebm4j-stop");
    }

    /** Installs the hook for the duration of one loop. */
    static StopRequest install(String task) {
        StopRequest r = new StopRequest(task);
        try {
            Runtime.getRuntime().addShutdownHook(r.hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: nothing to hook
        }
        return r;
    }

    boolean requested() {
        return requested.get();
    }

    /** The loop has saved (or had nothing to save); the hook may let the JVM exit. */
    void acknowledge(String message) {
        report = message;
        done = true;
        saved.countDown();
    }

    @Override
    public void close() {
        done = true;
        saved.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutdown in progress: the hook is running or finished
        }
    }
}
