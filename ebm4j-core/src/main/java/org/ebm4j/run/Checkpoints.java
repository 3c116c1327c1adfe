package org.ebm4j.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Naming and housekeeping for the {@code *.ckpt} files of a run's checkpoints directory.
 *
 * <p>A checkpoint is {@code <prefix><number>.ckpt}, e.g. {@code scale-03.ckpt} (prefix
 * {@code "scale-"}) or {@code iter-000500.ckpt}. Ordering is by the number's value, not the file name,
 * so {@code scale-10} is newer than {@code scale-9} whatever the zero padding. Temp files left by an
 * interrupted atomic write ({@code .NAME.tmp-*}) never match.
 */
public final class Checkpoints {

    public static final String EXTENSION = ".ckpt";

    private final Path dir;

    public Checkpoints(Path dir) {
        this.dir = dir;
    }

    public static Checkpoints of(RunFolder run) {
        return new Checkpoints(run.checkpoints());
    }

    public Path dir() {
        return dir;
    }

    /** {@code dir/<tag>.ckpt}; the tag must be a plain file name (no separators, not hidden). */
    public Path pathFor(String tag) {
        if (tag.isEmpty() || tag.startsWith(".") || tag.contains("/") || tag.contains("\\")) {
            throw new IllegalArgumentException("invalid checkpoint tag '" + tag + "'");
        }
        return dir.resolve(tag + EXTENSION);
    }

    /** {@code dir/<prefix><number zero-padded to width>.ckpt}, e.g. ("scale-", 3, 2) → scale-03.ckpt. */
    public Path pathFor(String prefix, long number, int width) {
        if (number < 0) throw new IllegalArgumentException("checkpoint number must be >= 0: " + number);
        String digits = Long.toString(number);
        return pathFor(prefix + "0".repeat(Math.max(0, width - digits.length())) + digits);
    }

    /** The number in a checkpoint file name for {@code prefix}, if the name has that form. */
    public static Optional<Long> numberOf(Path file, String prefix) {
        Matcher m = pattern(prefix).matcher(file.getFileName().toString());
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** All checkpoints with this prefix, oldest (smallest number) first; empty if the dir is missing. */
    public List<Path> list(String prefix) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        Pattern p = pattern(prefix);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (p.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)) out.add(f);
            }
        }
        // number first; the name breaks ties (scale-3 vs scale-03) so the order is deterministic
        out.sort(Comparator.<Path>comparingLong(f -> numberOf(f, prefix).orElseThrow())
                .thenComparing(f -> f.getFileName().toString()));
        return out;
    }

    /** The checkpoint with the largest number for this prefix. */
    public Optional<Path> latest(String prefix) throws IOException {
        List<Path> all = list(prefix);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Deletes all but the {@code k} newest checkpoints with this prefix.
     *
     * @return the deleted files, oldest first
     */
    public List<Path> keepLast(int k, String prefix) throws IOException {
        if (k < 0) throw new IllegalArgumentException("k must be >= 0: " + k);
        List<Path> all = list(prefix);
        List<Path> doomed = new ArrayList<>(all.subList(0, Math.max(0, all.size() - k)));
        for (Path f : doomed) {
            Files.deleteIfExists(f);
        }
        return doomed;
    }

    private static Pattern pattern(String prefix) {
        // at most 18 digits so the number always fits in a long
        return Pattern.compile(Pattern.quote(prefix) + "(\\d{1,18})" + Pattern.quote(EXTENSION));
    }
}
