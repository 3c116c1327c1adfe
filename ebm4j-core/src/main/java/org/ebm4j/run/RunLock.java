package org.ebm4j.run;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive right to write into one run folder, held by at most one process (and one owner inside
 * it) at a time.
 *
 * <p>The lock is an operating-system file lock ({@link FileChannel#tryLock()}) on {@value #FILE}
 * inside the run folder, held until {@link #close()} or until the process ends. Because the
 * operating system drops the lock when the process dies — SIGKILL, a crash, a power cut on a local
 * disk — a lock left behind by a dead process is never an obstacle: it is <em>stale</em> exactly
 * when nobody holds the file lock, and the next writer simply takes it over. The file's text
 * (pid, host, start time of the holder) only serves to name the holder in the refusal message; it
 * is never trusted to decide whether the lock is held.
 *
 * <p>The file is left in place (emptied) on release instead of deleted: deleting it would let a
 * process that opened the old file just before the deletion lock an unlinked file while a third
 * process locks the new one, and both would believe they own the folder.
 *
 * <p>Inside one JVM the file lock cannot tell two owners apart (the JDK refuses a second lock on
 * the same file with {@link OverlappingFileLockException}); a set of held folders gives the same
 * refusal with the same message.
 *
 * <p>File locks on network file systems (NFS, SMB) may be unreliable; on a local disk they are exact.
 */
public final class RunLock implements AutoCloseable {
    /** Name of the lock file inside the run folder. */
    public static final String FILE = ".ebm4j-lock";

    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of the existing folder {@code runDir}, taking over a stale one.
     *
     * @throws RunFolderException if another process (or another owner in this JVM) holds it — the
     *         one-line message names the holder's pid and start time — or the lock file cannot be
     *         written
     */
    public static RunLock acquire(Path runDir) {
        Path dir = runDir.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE);
        if (!HELD_HERE.add(dir)) {
            throw refused(dir, file);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held by a channel of this JVM that bypassed HELD_HERE (should not happen)
            }
            if (l == null) {
                ch.close();
                HELD_HERE.remove(dir);
                throw refused(dir, file);
            }
            // we own it now (a stale holder's text, if any, is replaced)
            String host = hostName();
            String text = "pid=" + ProcessHandle.current().pid() + "\nhost=" + host
                    + "\nstarted=" + Instant.now() + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new RunLock(dir, ch, l);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the original error is the one to report
                }
            }
            HELD_HERE.remove(dir);
            throw new RunFolderException("cannot lock run folder '" + dir + "' for writing ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); check its permissions", e);
        }
    }

    /** The locked run folder (absolute, normalised). */
    public Path dir() {
        return dir;
    }

    /** True until {@link #close()} (and while the process lives). */
    public boolean isHeld() {
        return !closed && lock.isValid();
    }

    /** Empties the lock file and releases the lock; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // emptied while still locked, so no reader ever sees our pid after we let go
            channel.truncate(0);
        } catch (IOException ignored) {
            // a leftover pid is only cosmetic: staleness is decided by the file lock
        }
        try {
            channel.close(); // releases the lock
        } catch (IOException ignored) {
            // closing a channel we opened; the OS releases the lock with the descriptor anyway
        } finally {
            HELD_HERE.remove(dir);
        }
    }

    private static RunFolderException refused(Path dir, Path file) {
        Map<String, String> h = readHolder(file);
        String pid = h.getOrDefault("pid", "?");
        String who = pid.equals(String.valueOf(ProcessHandle.current().pid()))
                ? "this process (pid " + pid + ")" : "process " + pid;
        String host = h.get("host");
        if (host != null && !host.equals(hostName())) {
            who += " on host " + host;
        }
        String started = h.get("started");
        if (started != null) {
            try {
                started = TIME.format(Instant.parse(started));
            } catch (RuntimeException e) {
                // keep the text as written
            }
        }
        return new RunFolderException("run folder '" + dir + "' is being written by " + who
                + (started != null ? " (started " + started + ")" : "") + "; wait for it or stop it");
    }

    /** The holder's key=value lines; empty if the file is missing, unreadable or not yet written. */
    static Map<String, String> readHolder(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the holder is named as "?" then; the refusal itself does not depend on the text
        }
        return out;
    }

    private static String hostName() {
        return Host.NAME;
    }

    /** Looked up once: {@link InetAddress#getLocalHost()} may wait on DNS, so the kernel's name comes first. */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                Path kernel = Path.of("/proc/sys/kernel/hostname");
                if (Files.isReadable(kernel)) {
                    String n = Files.readString(kernel, StandardCharsets.UTF_8).trim();
                    if (!n.isEmpty()) {
                        return n;
                    }
                }
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }
    }
}
