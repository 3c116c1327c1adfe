package org.ebm4j.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ebm4j.core.EbmException;

/**
 * Reads score files for {@link Auroc}: either one number a line, or CSV whose first line is a header.
 * In a CSV the score column is {@code column} when given, else the column named {@code score}, else
 * the only column. Blank lines are skipped. Non-numbers, NaN and infinite values are errors that name
 * the file and line, never skipped.
 */
public final class ScoreFiles {
    private ScoreFiles() {}

    /** The scores of {@code file}; {@code column} may be null. */
    public static double[] read(Path file, String column) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new EbmException("score file " + file + " not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new EbmException("score file " + file + " is not a text file");
        }
        int first = 0;
        while (first < lines.size() && lines.get(first).isBlank()) first++;
        if (first == lines.size()) {
            throw new EbmException("score file " + file + " is empty; put one score a line (or CSV with a header)");
        }
        String head = strip(lines.get(first));
        boolean csv = head.contains(",") || !isNumber(head);
        int col = 0;
        int start = first;
        if (csv && !isNumber(head.split(",", -1)[0].strip())) {
            String[] names = head.split(",", -1);
            col = -1;
            String want = column != null ? column : names.length == 1 ? names[0].strip() : "score";
            for (int i = 0; i < names.length; i++) {
                if (unquote(names[i].strip()).equals(want)) col = i;
            }
            if (col < 0) {
                throw new EbmException("score file " + file + ": no column '" + want + "' in header '" + head
                        + "'" + (column == null ? "; name the score column with --column" : ""));
            }
            start = first + 1;
        } else if (column != null) {
            throw new EbmException("score file " + file + " has no header line, so --column " + column + " cannot be found");
        }
        List<Double> out = new ArrayList<>();
        for (int i = start; i < lines.size(); i++) {
            String line = strip(lines.get(i));
            if (line.isBlank()) continue;
            String[] cells = line.split(",", -1);
            if (col >= cells.length) {
                throw new EbmException("score file " + file + " line " + (i + 1) + ": has " + cells.length
                        + " fields, the score column is field " + (col + 1));
            }
            String cell = unquote(cells[col].strip());
            double v;
            try {
                v = parse(cell);
            } catch (NumberFormatException e) {
                throw new EbmException("score file " + file + " line " + (i + 1) + ": '" + cell + "' is not a number");
            }
            if (!Double.isFinite(v)) {
                throw new EbmException("score file " + file + " line " + (i + 1) + ": score is " + cell
                        + "; NaN/infinite scores make AUROC meaningless, fix or drop them");
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new EbmException("score file " + file + " holds no scores");
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Writes per-image scores as CSV with the header {@code name,score} (the form {@link #read} and
     * {@code eval auroc} take), atomically. Names must not contain commas or line breaks; scores
     * must be finite (a NaN score is refused here rather than when the file is read).
     */
    public static void write(Path file, List<String> names, double[] scores) throws IOException {
        if (names.size() != scores.length) {
            throw new IllegalArgumentException(names.size() + " names for " + scores.length + " scores");
        }
        StringBuilder sb = new StringBuilder("name,score\n");
        for (int i = 0; i < scores.length; i++) {
            String n = names.get(i);
            if (n.contains(",") || n.contains("\n") || n.contains("\r")) {
                throw new IllegalArgumentException("score name '" + n + "' contains a comma or line break");
            }
            if (!Double.isFinite(scores[i])) {
                throw new EbmException("score of '" + n + "' is " + scores[i] + "; refusing to write a score file with it");
            }
            sb.append(n).append(',').append(scores[i]).append('\n');
        }
        org.ebm4j.core.AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * The score file of the {@code score} commands: {@code name,score} with each image named by its
     * row in the scored set ({@code 000000}, {@code 000001}, …), written atomically after creating
     * the parent folder. Higher score = more in-distribution, the convention {@code eval auroc} takes
     * without {@code --lower-is-in}.
     */
    public static void writeIndexed(Path file, double[] scores) throws IOException {
        List<String> names = new ArrayList<>(scores.length);
        for (int i = 0; i < scores.length; i++) {
            names.add(String.format("%06d", i));
        }
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        write(file, names, scores);
    }

    private static String strip(String s) {
        return s.replace("\uFEFF", "").strip();
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** Double.parseDouble plus numpy's spellings nan/inf, so those lines get the NaN/inf error. */
    private static double parse(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        switch (t) {
            case "nan", "-nan", "+nan": return Double.NaN;
            case "inf", "+inf", "infinity", "+infinity": return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity": return Double.NEGATIVE_INFINITY;
            default: return Double.parseDouble(s);
        }
    }

    private static boolean isNumber(String s) {
        try {
            parse(unquote(s.strip()));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
