package org.ebm4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.Plots;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;

/**
 * Writes {@code RUN/report.html}: one self-contained page (every image embedded as a base64 data
 * URI, CSS inline, no script, no network) that shows what the run folder holds. It is driven only by
 * the files present, so it works for every method that uses the {@link RunFolder} layout:
 *
 * <ul>
 *   <li>{@code config.json}, pretty-printed (its {@code "method"} field names the method);
 *   <li>one plot per numeric column of {@code log.jsonl} over iterations (one series per
 *       {@code "scale"} value when rows carry one; where {@code "iter"} restarts, e.g. at a new scale or a
 *       restart, the segments are laid end to end);
 *   <li>PNG/JPEG images under {@code plots/}, {@code images/} (recursively) and every
 *       {@code samples*} folder, sorted by path;
 *   <li>metrics: every {@code metrics/*.json} and {@code metrics.jsonl}, as tables;
 *   <li>timing: {@code ms_per_iter} from the log and the wall-clock span of the run's files.
 * </ul>
 */
public final class RunReport {
    /** The report's file name inside the run folder. */
    public static final String FILE = "report.html";
    /** Images larger than this are linked rather than embedded, so the page stays loadable. */
    static final long MAX_EMBED_BYTES = 8L << 20;
    /** At most this many images per folder are embedded (the rest are listed). */
    static final int MAX_IMAGES_PER_FOLDER = 60;

    private static final Set<String> INDEX_COLUMNS = Set.of("iter", "scale");

    private RunReport() {}

    /**
     * Writes (atomically) and returns {@code runDir/report.html}, replacing an older report written by
     * ebm4j (never another file of that name).
     *
     * @throws EbmException if {@code runDir} is not a run folder, or holds a report.html of someone else
     */
    public static Path write(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) {
            throw new EbmException("run folder " + runDir + " not found or not a folder");
        }
        if (!RunFolder.looksLikeRun(runDir) && !Files.isRegularFile(runDir.resolve(RunFolder.CONFIG))
                && !Files.isRegularFile(runDir.resolve(RunFolder.LOG))) {
            throw new EbmException(runDir + " is not an ebm4j run folder (no config.json or log.jsonl)");
        }
        Path target = runDir.resolve(FILE);
        if (Files.exists(target) && !isOurReport(target)) {
            throw new EbmException(target + " exists and was not written by ebm4j; move it away first");
        }
        AtomicFiles.writeString(target, render(runDir));
        return target;
    }

    private static boolean isOurReport(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.limit(5).anyMatch(l -> l.contains(GENERATOR));
        } catch (java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static final String GENERATOR = "<meta name=\"generator\" content=\"ebm4j RunReport\">";

    /** The page as a string. */
    public static String render(Path runDir) throws IOException {
        Html h = new Html();
        JsonNode config = null;
        Path cfgFile = runDir.resolve(RunFolder.CONFIG);
        String configError = null;
        if (Files.isRegularFile(cfgFile)) {
            try {
                config = AtomicFiles.readTree(cfgFile);
            } catch (IOException e) {
                configError = e.getMessage();
            }
        }
        String method = config != null && config.hasNonNull("method") ? config.get("method").asText() : null;
        String title = "ebm4j run " + runDir.toAbsolutePath().normalize().getFileName()
                + (method != null ? " (" + method + ")" : "");
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" + GENERATOR + "\n<title>")
                .text(title).raw("</title>\n<style>\n" + CSS + "</style>\n</head>\n<body>\n<h1>").text(title).raw("</h1>\n");
        h.raw("<p class=\"meta\">folder <code>").text(runDir.toAbsolutePath().normalize().toString())
                .raw("</code> · report written ").text(Instant.now().toString()).raw("</p>\n");
        h.raw("<nav><a href=\"#config\">config</a> <a href=\"#timing\">timing</a> <a href=\"#curves\">training curves</a> "
                + "<a href=\"#images\">images</a> <a href=\"#metrics\">metrics</a></nav>\n");

        // config
        h.raw("<h2 id=\"config\">Config</h2>\n");
        if (config != null) {
            h.raw("<pre class=\"config\">").text(AtomicFiles.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config))
                    .raw("</pre>\n");
        } else if (configError != null) {
            h.raw("<p class=\"warn\">config.json could not be read: ").text(configError).raw("</p>\n");
        } else {
            h.raw("<p class=\"none\">no config.json</p>\n");
        }

        List<JsonNode> rows = readLog(runDir, h);
        LogSeries log = LogSeries.of(rows);

        timing(h, runDir, log);
        curves(h, log);
        images(h, runDir);
        metrics(h, runDir);
        h.raw("</body>\n</html>\n");
        return h.toString();
    }

    private static List<JsonNode> readLog(Path runDir, Html h) {
        Path file = runDir.resolve(RunFolder.LOG);
        if (!Files.isRegularFile(file)) return List.of();
        try {
            return JsonlLog.read(file);
        } catch (IOException | RuntimeException e) {
            h.raw("<p class=\"warn\">log.jsonl could not be read: ").text(String.valueOf(e.getMessage())).raw("</p>\n");
            return List.of();
        }
    }

    // ---------------------------------------------------------------------------------------- log

    /** The log as columns over a global x (iterations, segments laid end to end). */
    record LogSeries(double[] x, Map<String, double[]> columns, double[] group, String xLabel, int segments) {
        static LogSeries of(List<JsonNode> rows) {
            int n = rows.size();
            double[] x = new double[n];
            double[] group = null;
            Map<String, double[]> cols = new LinkedHashMap<>();
            for (JsonNode r : rows) {
                for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isNumber() && !INDEX_COLUMNS.contains(e.getKey())) {
                        cols.computeIfAbsent(e.getKey(), k -> filledNaN(n));
                    }
                }
            }
            boolean hasIter = rows.stream().anyMatch(r -> r.path("iter").isNumber());
            boolean hasScale = rows.stream().anyMatch(r -> r.path("scale").isNumber());
            if (hasScale) group = filledNaN(n);
            double offset = 0;
            double prevIter = Double.NEGATIVE_INFINITY;
            double lastX = -1;
            int segments = n == 0 ? 0 : 1;
            for (int i = 0; i < n; i++) {
                JsonNode r = rows.get(i);
                if (hasIter && r.path("iter").isNumber()) {
                    double it = r.get("iter").asDouble();
                    if (it <= prevIter) { // iter restarted (a new scale, or a restarted scale)
                        offset = lastX + 1 - it;
                        segments++;
                    }
                    prevIter = it;
                    x[i] = offset + it;
                } else {
                    x[i] = i;
                }
                lastX = x[i];
                if (group != null && r.path("scale").isNumber()) group[i] = r.get("scale").asDouble();
                for (Map.Entry<String, double[]> c : cols.entrySet()) {
                    JsonNode v = r.get(c.getKey());
                    if (v != null && v.isNumber()) c.getValue()[i] = v.asDouble();
                }
            }
            String label = !hasIter ? "log row" : segments > 1 ? "iteration (restarts of 'iter' laid end to end)" : "iteration";
            return new LogSeries(x, cols, group, label, segments);
        }

        int size() {
            return x.length;
        }
    }

    private static double[] filledNaN(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    private static void curves(Html h, LogSeries log) throws IOException {
        h.raw("<h2 id=\"curves\">Training curves</h2>\n");
        if (log.size() == 0 || log.columns().isEmpty()) {
            h.raw("<p class=\"none\">no numeric columns in log.jsonl</p>\n");
            return;
        }
        h.raw("<p class=\"meta\">").text(log.size() + " log rows; x = " + log.xLabel()
                + (log.group() != null ? "; one colour per scale" : "")).raw("</p>\n<div class=\"grid\">\n");
        Path tmp = Files.createTempDirectory("ebm4j-report");
        try {
            int k = 0;
            for (Map.Entry<String, double[]> c : log.columns().entrySet()) {
                Map<String, double[][]> series = new LinkedHashMap<>();
                if (log.group() != null) {
                    TreeMap<Double, List<Integer>> byGroup = new TreeMap<>();
                    for (int i = 0; i < log.size(); i++) byGroup.computeIfAbsent(log.group()[i], g -> new ArrayList<>()).add(i);
                    for (Map.Entry<Double, List<Integer>> g : byGroup.entrySet()) {
                        String name = Double.isNaN(g.getKey()) ? "no scale" : "scale " + fmtNum(g.getKey());
                        series.put(name, pick(log.x(), c.getValue(), g.getValue()));
                    }
                } else {
                    series.put(c.getKey(), new double[][] {log.x(), c.getValue()});
                }
                Path png = tmp.resolve("plot" + (k++) + ".png");
                Plots.linePlot(png, c.getKey(), log.xLabel(), c.getKey(), series);
                h.raw("<figure><img alt=\"").text(c.getKey()).raw("\" src=\"").raw(dataUri(png)).raw("\"><figcaption>")
                        .text(c.getKey()).raw("</figcaption></figure>\n");
            }
        } finally {
            try (Stream<Path> s = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(tmp);
        }
        h.raw("</div>\n");
    }

    private static double[][] pick(double[] x, double[] y, List<Integer> idx) {
        double[] px = new double[idx.size()];
        double[] py = new double[idx.size()];
        for (int i = 0; i < idx.size(); i++) {
            px[i] = x[idx.get(i)];
            py[i] = y[idx.get(i)];
        }
        return new double[][] {px, py};
    }

    // ------------------------------------------------------------------------------------- timing

    private static void timing(Html h, Path runDir, LogSeries log) throws IOException {
        h.raw("<h2 id=\"timing\">Timing</h2>\n<table>\n");
        double[] ms = log.columns().get("ms_per_iter");
        boolean any = false;
        if (ms != null) {
            double sum = 0;
            double iters = 0;
            double last = Double.NaN;
            List<Double> vals = new ArrayList<>();
            for (int i = 0; i < log.size(); i++) {
                if (!Double.isFinite(ms[i])) continue;
                // each row's ms_per_iter stands for the iterations since the previous row
                double gap = i == 0 ? 1 : Math.max(1, log.x()[i] - log.x()[i - 1]);
                sum += ms[i] * gap;
                iters += gap;
                last = ms[i];
                vals.add(ms[i]);
            }
            if (!vals.isEmpty()) {
                vals.sort(Double::compare);
                row(h, "ms_per_iter (mean over iterations)", fmt(sum / iters));
                row(h, "ms_per_iter (median of log rows)", fmt(vals.get(vals.size() / 2)));
                row(h, "ms_per_iter (last row)", fmt(last));
                row(h, "training time from ms_per_iter (≈)", duration(sum / 1000));
                any = true;
            }
        }
        if (log.size() > 0) {
            row(h, "iterations logged (x of the last row + 1)", fmtNum(log.x()[log.size() - 1] + 1));
            if (log.segments() > 1) row(h, "segments ('iter' restarts)", String.valueOf(log.segments()));
            any = true;
        }
        FileTime[] span = span(runDir);
        if (span != null) {
            row(h, "first file written", span[0].toInstant().toString());
            row(h, "last file written", span[1].toInstant().toString());
            row(h, "wall-clock span", duration((span[1].toMillis() - span[0].toMillis()) / 1000.0));
            any = true;
        }
        h.raw("</table>\n");
        if (!any) h.raw("<p class=\"none\">no timing information</p>\n");
    }

    /** Oldest and newest modification time of the run's files (the report itself excluded). */
    private static FileTime[] span(Path runDir) throws IOException {
        FileTime[] out = {null, null};
        try (Stream<Path> s = Files.walk(runDir, 4)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p) || p.getFileName().toString().equals(FILE)
                        || p.getFileName().toString().startsWith(".")) continue;
                FileTime t = Files.getLastModifiedTime(p);
                if (out[0] == null || t.compareTo(out[0]) < 0) out[0] = t;
                if (out[1] == null || t.compareTo(out[1]) > 0) out[1] = t;
            }
        }
        return out[0] == null ? null : out;
    }

    private static String duration(double seconds) {
        if (seconds < 120) return String.format(Locale.ROOT, "%.1f s", seconds);
        if (seconds < 7200) return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        return String.format(Locale.ROOT, "%.2f h", seconds / 3600);
    }

    // ------------------------------------------------------------------------------------- images

    private static void images(Html h, Path runDir) throws IOException {
        h.raw("<h2 id=\"images\">Images</h2>\n");
        List<Path> folders = new ArrayList<>();
        for (String name : List.of("plots", RunFolder.IMAGES)) {
            if (Files.isDirectory(runDir.resolve(name))) folders.add(runDir.resolve(name));
        }
        try (Stream<Path> s = Files.list(runDir)) {
            s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("samples"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).forEach(folders::add);
        }
        boolean any = false;
        for (Path folder : folders) {
            // every folder below it is its own section, e.g. images/scale_0, so sections stay small
            List<Path> dirs;
            try (Stream<Path> s = Files.walk(folder, 3)) {
                dirs = s.filter(Files::isDirectory).sorted(Comparator.comparing(Path::toString)).toList();
            }
            for (Path dir : dirs) {
                List<Path> imgs;
                try (Stream<Path> s = Files.list(dir)) {
                    imgs = s.filter(Files::isRegularFile).filter(RunReport::isImage)
                            .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
                }
                if (imgs.isEmpty()) continue;
                any = true;
                String rel = runDir.relativize(dir).toString().replace('\\', '/');
                h.raw("<h3>").text(rel + "/").raw(" <span class=\"meta\">(").text(imgs.size() + " image"
                        + (imgs.size() == 1 ? "" : "s")).raw(")</span></h3>\n<div class=\"grid\">\n");
                int shown = 0;
                for (Path img : imgs) {
                    String relImg = runDir.relativize(img).toString().replace('\\', '/');
                    if (shown >= MAX_IMAGES_PER_FOLDER) {
                        h.raw("<p class=\"meta\">").text((imgs.size() - shown) + " more not embedded (first "
                                + MAX_IMAGES_PER_FOLDER + " shown)").raw("</p>\n");
                        break;
                    }
                    if (Files.size(img) > MAX_EMBED_BYTES) {
                        h.raw("<p class=\"meta\"><a href=\"").text(relImg).raw("\">").text(relImg)
                                .raw("</a> (too large to embed)</p>\n");
                    } else {
                        h.raw("<figure><img alt=\"").text(relImg).raw("\" src=\"").raw(dataUri(img))
                                .raw("\"><figcaption>").text(img.getFileName().toString()).raw("</figcaption></figure>\n");
                    }
                    shown++;
                }
                h.raw("</div>\n");
            }
        }
        if (!any) h.raw("<p class=\"none\">no images under plots/, images/ or samples*/</p>\n");
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    private static String dataUri(Path img) throws IOException {
        byte[] b = Files.readAllBytes(img);
        String n = img.getFileName().toString().toLowerCase(Locale.ROOT);
        String mime = n.endsWith(".png") ? "image/png" : "image/jpeg";
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(b);
    }

    // ------------------------------------------------------------------------------------ metrics

    private static void metrics(Html h, Path runDir) throws IOException {
        h.raw("<h2 id=\"metrics\">Metrics</h2>\n");
        boolean any = false;
        Path dir = runDir.resolve("metrics");
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".json"))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            }
            for (Path f : files) {
                any = true;
                h.raw("<h3>").text("metrics/" + f.getFileName()).raw("</h3>\n");
                try {
                    JsonNode n = AtomicFiles.readTree(f);
                    if (n.isArray()) {
                        List<JsonNode> rows = new ArrayList<>();
                        n.forEach(rows::add);
                        table(h, rows);
                    } else {
                        keyValues(h, n);
                    }
                } catch (IOException e) {
                    h.raw("<p class=\"warn\">").text("cannot read: " + e.getMessage()).raw("</p>\n");
                }
            }
        }
        Path jsonl = runDir.resolve("metrics.jsonl");
        if (Files.isRegularFile(jsonl)) {
            any = true;
            h.raw("<h3>metrics.jsonl</h3>\n");
            try {
                table(h, JsonlLog.read(jsonl));
            } catch (IOException | RuntimeException e) {
                h.raw("<p class=\"warn\">").text("cannot read: " + e.getMessage()).raw("</p>\n");
            }
        }
        if (!any) h.raw("<p class=\"none\">no metrics recorded yet (metrics/*.json, metrics.jsonl)</p>\n");
    }

    private static void keyValues(Html h, JsonNode n) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", n, flat);
        h.raw("<table>\n");
        for (Map.Entry<String, String> e : flat.entrySet()) row(h, e.getKey(), e.getValue());
        h.raw("</table>\n");
    }

    private static void table(Html h, List<JsonNode> rows) {
        List<Map<String, String>> flat = new ArrayList<>();
        Set<String> cols = new LinkedHashSet<>();
        for (JsonNode r : rows) {
            Map<String, String> m = new LinkedHashMap<>();
            flatten("", r, m);
            cols.addAll(m.keySet());
            flat.add(m);
        }
        h.raw("<table>\n<tr>");
        for (String c : cols) h.raw("<th>").text(c).raw("</th>");
        h.raw("</tr>\n");
        for (Map<String, String> m : flat) {
            h.raw("<tr>");
            for (String c : cols) h.raw("<td>").text(m.getOrDefault(c, "")).raw("</td>");
            h.raw("</tr>\n");
        }
        h.raw("</table>\n");
    }

    private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (n.isArray() && n.size() > 0 && n.get(0).isContainerNode()) {
            for (int i = 0; i < n.size(); i++) flatten(prefix + "[" + i + "]", n.get(i), out);
        } else {
            out.put(prefix.isEmpty() ? "value" : prefix, n.isNumber() ? fmt(n.asDouble()) : n.isTextual() ? n.asText() : n.toString());
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private static void row(Html h, String k, String v) {
        h.raw("<tr><th>").text(k).raw("</th><td>").text(v).raw("</td></tr>\n");
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return fmtNum(v);
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String fmtNum(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222}
            h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}h3{font-size:1em;margin-bottom:.3em}
            .meta{color:#666;font-size:.9em}.none{color:#888;font-style:italic}.warn{color:#a00}
            nav a{margin-right:1em}
            pre.config{background:#f6f6f6;padding:.8em;max-height:30em;overflow:auto;font-size:.85em}
            table{border-collapse:collapse;font-size:.9em}th,td{border:1px solid #ddd;padding:2px 8px;text-align:left}
            th{background:#f3f3f3}
            .grid{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
            figure{margin:0;border:1px solid #eee;padding:4px}
            figure img{display:block;max-width:420px;min-width:128px;image-rendering:pixelated}
            figcaption{font-size:.8em;color:#555;text-align:center}
            """;

    /** A tiny HTML builder that escapes text. */
    private static final class Html {
        private final StringBuilder sb = new StringBuilder(1 << 16);

        Html raw(String s) {
            sb.append(s);
            return this;
        }

        Html text(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> sb.append("&lt;");
                    case '>' -> sb.append("&gt;");
                    case '&' -> sb.append("&amp;");
                    case '"' -> sb.append("&quot;");
                    case '\'' -> sb.append("&#39;");
                    default -> sb.append(c);
                }
            }
            return this;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
