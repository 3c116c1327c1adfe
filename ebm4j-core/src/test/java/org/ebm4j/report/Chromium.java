package org.ebm4j.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a page in headless Chromium without CDP: a copy of the page gets a probe script at the top of
 * its head that records errors (script errors, failed resource loads, console.error) and, after the
 * load event, writes them and every image's naturalWidth into the DOM; {@code --dump-dom} then
 * prints the DOM and the probe's JSON is read back.
 */
final class Chromium {
    static final String PROBE = """
            <script>
            window.__ebm4jErrors = [];
            window.addEventListener('error', function (e) {
              var t = e.target;
              window.__ebm4jErrors.push(t && t !== window && t.tagName
                  ? 'failed to load <' + t.tagName.toLowerCase() + '> ' + String(t.src || t.href || '').slice(0, 80)
                  : 'error: ' + e.message);
            }, true);
            (function () {
              var orig = console.error;
              console.error = function () {
                window.__ebm4jErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
                return orig.apply(console, arguments);
              };
            })();
            window.addEventListener('load', function () {
              var imgs = Array.prototype.map.call(document.images, function (i) {
                return {alt: i.alt, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, complete: i.complete};
              });
              var pre = document.createElement('pre');
              pre.id = 'ebm4j-probe';
              pre.textContent = JSON.stringify({errors: window.__ebm4jErrors, images: imgs});
              document.body.appendChild(pre);
            });
            </script>
            """;

    record Image(String alt, int naturalWidth, int naturalHeight) {}

    record Result(List<String> errors, List<Image> images, String stderr) {}

    private Chromium() {}

    /** The Chromium binary on PATH ({@code chromium} or {@code chromium-browser}), or null. */
    static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    static Result open(Path chromium, Path page, Path work) throws IOException, InterruptedException {
        String html = Files.readString(page, StandardCharsets.UTF_8);
        int head = html.indexOf("<head>");
        if (head < 0) throw new IllegalArgumentException("page has no <head>: " + page);
        // next to the original so relative links resolve the same way
        Path copy = page.resolveSibling(".probe-" + page.getFileName());
        Files.writeString(copy, html.substring(0, head + 6) + "\n" + PROBE + html.substring(head + 6), StandardCharsets.UTF_8);
        try {
            String out = run(chromium, work, "--dump-dom", copy.toUri().toString());
            Matcher m = Pattern.compile("<pre id=\"ebm4j-probe\">(.*?)</pre>", Pattern.DOTALL).matcher(out);
            if (!m.find()) throw new AssertionError("probe output not found in the DOM dump; chromium said:\n" + lastErr);
            String json = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
            JsonNode j = new ObjectMapper().readTree(json);
            List<String> errors = new ArrayList<>();
            j.get("errors").forEach(e -> errors.add(e.asText()));
            List<Image> images = new ArrayList<>();
            j.get("images").forEach(i -> images.add(new Image(i.get("alt").asText(), i.get("naturalWidth").asInt(),
                    i.get("naturalHeight").asInt())));
            return new Result(errors, images, lastErr);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** Renders {@code page} to a PNG screenshot. */
    static void screenshot(Path chromium, Path page, Path png, int width, int height, Path work)
            throws IOException, InterruptedException {
        run(chromium, work, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars", page.toUri().toString());
        if (!Files.isRegularFile(png)) throw new AssertionError("chromium wrote no screenshot:\n" + lastErr);
    }

    private static String lastErr = "";

    private static String run(Path chromium, Path work, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000"));
        cmd.addAll(List.of(args));
        Path out = work.resolve("chromium.out");
        Path err = work.resolve("chromium.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", work.toString());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s");
        }
        lastErr = Files.readString(err);
        return Files.readString(out);
    }
}
