package org.ebm4j.run;

import org.ebm4j.core.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * A run's output directory: {@code config.json}, {@code log.jsonl}, {@code checkpoints/},
 * {@code images/} and a {@code .ebm4j-run} marker file.
 *
 * <p>The marker is what makes {@code --force} safe: a folder is only ever cleared if it looks like an
 * ebm4j run (has the marker or a {@code config.json}), so a mistyped {@code --out} cannot wipe
 * unrelated user files. All failures are {@link RunFolderException}s with user-facing messages.
 *
 * <p>Writers hold the folder's {@link RunLock}: {@link #create} and {@link #openForWriting} take it,
 * so a second process (train into the same {@code --out}, or {@code --resume} while the first
 * still runs) is refused with one line naming the holder's pid. {@link #close()} releases it; the
 * operating system releases it when the process dies, so a crash never leaves the folder blocked.
 * {@link #open} is for readers and takes no lock.
 */
public final class RunFolder implements AutoCloseable {

    public static final String MARKER = ".ebm4j-run";
    public static final String CONFIG = "config.json";
    public static final String LOG = "log.jsonl";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String IMAGES = "images";

    private final Path dir;
    private final RunLock lock; // null for a read-only open

    private RunFolder(Path dir, RunLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /**
     * Creates a new run folder (or reuses an existing empty directory).
     *
     * <p>A non-empty {@code dir} is refused unless {@code force}; with {@code force} its contents are
     * deleted only if it is an ebm4j run folder. Nothing is deleted or created before all checks pass.
     * The returned folder holds the {@link RunLock} (taken before anything is cleared, so
     * {@code --force} never wipes a run another process is writing); close it when done writing.
     *
     * @throws RunFolderException if the folder cannot be used or another process writes it; the
     *         message says why and what to do
     */
    public static RunFolder create(Path dir, boolean force) {
        Path abs = dir.toAbsolutePath().normalize();
        boolean clear = false;
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new RunFolderException(
                        "run folder '" + abs + "' exists and is not a directory; choose another --out");
            }
            if (!isEmptyDir(abs)) {
                if (!force) {
                    throw new RunFolderException("run folder '" + abs
                            + "' already exists; pass --force to overwrite it or --resume to continue it");
                }
                if (!looksLikeRun(abs)) {
                    throw new RunFolderException("'" + abs + "' is not an ebm4j run folder (no " + CONFIG
                            + " or " + MARKER + " in it), so --force will not delete it; choose another --out");
                }
                refuseIfDangerous(abs);
                requireWritable(abs, abs);
                clear = true;
            } else {
                requireWritable(abs, abs);
            }
        } else {
            // Check before creating anything, so a failure leaves no half-made directories behind.
            Path ancestor = nearestExistingAncestor(abs);
            if (!Files.isDirectory(ancestor)) {
                throw new RunFolderException("cannot create run folder '" + abs + "': '" + ancestor
                        + "' is not a directory; choose another --out");
            }
            requireWritable(abs, ancestor);
            try {
                Files.createDirectories(abs);
            } catch (IOException e) {
                throw new RunFolderException("cannot create run folder '" + abs + "': " + e, e);
            }
        }
        RunLock lock = RunLock.acquire(abs);
        RunFolder run = new RunFolder(abs, lock);
        try {
            if (clear) {
                clearContents(abs);
            }
            Files.createDirectories(run.checkpoints());
            Files.createDirectories(run.images());
            AtomicFiles.writeString(abs.resolve(MARKER), "{\"kind\":\"ebm4j-run\",\"format\":1}\n");
        } catch (IOException e) {
            lock.close();
            throw new RunFolderException("cannot initialise run folder '" + abs + "': " + e, e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        return run;
    }

    /**
     * Opens an existing run to write into it ({@code --resume}, outputs written after training):
     * {@link #open} plus the folder's {@link RunLock}. Close the folder when done writing.
     *
     * @throws RunFolderException if {@code dir} is not an ebm4j run folder, or another process
     *         writes it (the message names its pid)
     */
    public static RunFolder openForWriting(Path dir) {
        RunFolder read = open(dir);
        return new RunFolder(read.dir, RunLock.acquire(read.dir));
    }

    /**
     * Opens an existing run (for {@code --resume}, sampling, evaluation). Creates nothing, so a
     * read-only run can be opened.
     *
     * @throws RunFolderException if {@code dir} is missing or is not an ebm4j run folder
     */
    public static RunFolder open(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new RunFolderException("run folder '" + abs + "' does not exist");
        }
        if (!Files.isDirectory(abs)) {
            throw new RunFolderException("run folder '" + abs + "' is not a directory");
        }
        if (!looksLikeRun(abs)) {
            throw new RunFolderException(
                    "'" + abs + "' is not an ebm4j run folder (no " + CONFIG + " or " + MARKER + " in it)");
        }
        return new RunFolder(abs, null);
    }

    /** True if {@code dir} has the marker or a config.json, i.e. was written by ebm4j. */
    public static boolean looksLikeRun(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER)) || Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** Absolute, normalised path of the run directory. */
    public Path dir() {
        return dir;
    }

    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    public Path images() {
        return dir.resolve(IMAGES);
    }

    public Path configFile() {
        return dir.resolve(CONFIG);
    }

    public Path logFile() {
        return dir.resolve(LOG);
    }

    /**
     * A path inside the run folder, e.g. {@code file("images/final.png")}.
     *
     * @throws IllegalArgumentException if {@code name} is absolute or escapes the folder via ".."
     */
    public Path file(String name) {
        Path p = dir.resolve(name).normalize();
        if (Paths.get(name).isAbsolute() || !p.startsWith(dir) || p.equals(dir)) {
            throw new IllegalArgumentException("'" + name + "' is not a file name inside the run folder");
        }
        return p;
    }

    /** True if this instance holds the folder's write lock ({@link #create}, {@link #openForWriting}). */
    public boolean isLocked() {
        return lock != null && lock.isHeld();
    }

    /** Releases the write lock, if this instance holds one; idempotent. */
    @Override
    public void close() {
        if (lock != null) {
            lock.close();
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    // --- helpers -------------------------------------------------------------------------------

    private static boolean isEmptyDir(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            // a lone lock file (left by a writer that stopped before writing anything) is no content
            return s.noneMatch(p -> !p.getFileName().toString().equals(RunLock.FILE));
        } catch (IOException e) {
            throw new RunFolderException("cannot read run folder '" + dir + "': " + e, e);
        }
    }

    private static Path nearestExistingAncestor(Path abs) {
        Path p = abs.getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        // abs is absolute, so the root always exists; null only on exotic file systems
        return p != null ? p : abs.getRoot();
    }

    private static void requireWritable(Path runDir, Path checked) {
        if (!Files.isWritable(checked)) {
            throw new RunFolderException("cannot create run folder '" + runDir + "': '" + checked
                    + "' is not writable; check its permissions or choose another --out");
        }
    }

    /**
     * Last line of defence for --force: never clear a file-system root, the home directory or a
     * directory containing the working directory, even if someone left a config.json there.
     */
    private static void refuseIfDangerous(Path abs) {
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            real = abs;
        }
        boolean isRoot = real.getParent() == null;
        boolean isHome = real.equals(realOrNull(System.getProperty("user.home")));
        Path cwd = realOrNull(System.getProperty("user.dir"));
        boolean containsCwd = cwd != null && cwd.startsWith(real) && !cwd.equals(real);
        if (isRoot || isHome || containsCwd) {
            throw new RunFolderException("refusing to clear '" + abs + "' with --force (it is "
                    + (isRoot ? "a file-system root" : isHome ? "your home directory" : "a parent of the working directory")
                    + "); choose another --out");
        }
    }

    private static Path realOrNull(String path) {
        if (path == null || path.isEmpty()) return null;
        try {
            return Paths.get(path).toRealPath();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Deletes everything inside {@code dir} but keeps {@code dir} (and its permissions / symlink). */
    private static void clearContents(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                // the lock file stays: we hold it, and deleting it would let another writer lock a new one
                if (child.getFileName().toString().equals(RunLock.FILE)) {
                    continue;
                }
                deleteTree(child);
            }
        } catch (IOException e) {
            throw new RunFolderException("cannot clear run folder '" + dir + "' for --force: " + e, e);
        }
    }

    /** Recursive delete that never follows symlinks: a link is removed, never what it points to. */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) throw exc;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
