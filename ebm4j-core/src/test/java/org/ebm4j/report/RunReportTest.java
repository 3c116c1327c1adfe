package org.ebm4j.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report page is driven by the files of a run folder, is self-contained, and loads in a browser. */
class RunReportTest {
    @TempDir
    Path tmp;

    static FloatImage stripes(int h, int w, int period) {
        FloatImage img = FloatImage.zeros(3, h, w);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) img.set(c, y, x, ((x / period + c) % 2 == 0) ? 0.8f : -0.6f);
            }
        }
        return img;
    }

    /** A run folder of a made-up method with every kind of file the report knows about. */
    static Path fakeRun(Path dir, String method) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"method\":\"" + method + "\",\"config\":{\"lr\":0.001,\"note\":\"<b>&\"}}\n");
        StringBuilder log = new StringBuilder();
        for (int s = 0; s < 2; s++) {
            for (int it = 0; it < 40; it += 10) {
                log.append("{\"scale\":").append(s).append(",\"iter\":").append(it).append(",\"loss\":").append(1.0 / (it + 1 + s))
                        .append(",\"energy_pos\":").append(-0.1 * it).append(",\"ms_per_iter\":").append(100 + s * 50)
                        .append(",\"tag\":\"x\"}\n");
            }
        }
        Files.writeString(dir.resolve("log.jsonl"), log);
        ImageFiles.writePng(dir.resolve("images/scale_0/syn_00000.png"), stripes(16, 16, 2));
        ImageFiles.writePng(dir.resolve("images/scale_0/syn_00010.png"), stripes(16, 16, 3));
        ImageFiles.writePng(dir.resolve("images/real_scale_0.png"), stripes(16, 16, 4));
        ImageFiles.writePng(dir.resolve("samples/grid.png"), stripes(34, 70, 5));
        ImageFiles.writePng(dir.resolve("plots/loss.png"), stripes(40, 60, 6));
        Files.createDirectories(dir.resolve("metrics"));
        Files.writeString(dir.resolve("metrics/fid.json"), "{\"fid\":12.5,\"kid\":{\"mean\":0.01,\"std\":0.002},\"n\":1000}\n");
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"iter\":10,\"fid\":30.1}\n{\"iter\":20,\"fid\":20.7}\n");
        return dir;
    }

    @Test
    void reportShowsEveryPartOfTheRun() throws Exception {
        Path run = fakeRun(tmp.resolve("run"), "multigrid");
        Path page = RunReport.write(run);
        assertThat(page).isEqualTo(run.resolve("report.html"));
        String html = Files.readString(page);
        assertThat(html).contains("(multigrid)").contains("&quot;&lt;b&gt;&amp;&quot;").doesNotContain("<b>&");
        // three numeric columns plotted (scale and iter are axes / series), the text column not
        assertThat(html).contains("alt=\"loss\"").contains("alt=\"energy_pos\"").contains("alt=\"ms_per_iter\"")
                .doesNotContain("alt=\"tag\"").doesNotContain("alt=\"iter\"");
        assertThat(html).contains("alt=\"images/scale_0/syn_00000.png\"").contains("alt=\"images/real_scale_0.png\"")
                .contains("alt=\"samples/grid.png\"").contains("alt=\"plots/loss.png\"");
        assertThat(html.indexOf("syn_00000.png")).isLessThan(html.indexOf("syn_00010.png"));
        assertThat(html).contains("metrics/fid.json").contains("kid.mean").contains("12.5").contains("metrics.jsonl").contains("20.7");
        // timing: 4 rows per scale at gaps of 10 iterations, 100 then 150 ms
        assertThat(html).contains("ms_per_iter (median of log rows)").contains("<td>150</td>");
        assertThat(html).contains("segments (&#39;iter&#39; restarts)");
        // self-contained: every image is a data URI, nothing is fetched
        Matcher m = Pattern.compile("<img [^>]*src=\"([^\"]*)\"").matcher(html);
        int n = 0;
        while (m.find()) {
            assertThat(m.group(1)).startsWith("data:image/png;base64,");
            n++;
        }
        assertThat(n).isEqualTo(3 + 5);
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script");
        // rewriting replaces our own report
        assertThat(RunReport.write(run)).exists();
    }

    @Test
    void emptyRunAndNonRuns() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("bare"));
        Files.writeString(run.resolve("config.json"), "{\"method\":\"patchgen\"}");
        String html = Files.readString(RunReport.write(run));
        assertThat(html).contains("no numeric columns").contains("no images").contains("no metrics recorded yet");

        Path other = Files.createDirectories(tmp.resolve("photos"));
        assertThatThrownBy(() -> RunReport.write(other)).isInstanceOf(EbmException.class).hasMessageContaining("not an ebm4j run");
        assertThatThrownBy(() -> RunReport.write(tmp.resolve("missing"))).hasMessageContaining("not found");
        Files.writeString(run.resolve("report.html"), "<html>my own notes</html>");
        assertThatThrownBy(() -> RunReport.write(run)).hasMessageContaining("not written by ebm4j");
        assertThat(Files.readString(run.resolve("report.html"))).isEqualTo("<html>my own notes</html>");
    }

    @Test
    void reportOpensInHeadlessChromiumWithAllImagesLoaded() throws Exception {
        Path chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null,
                "chromium is not installed: skipping the browser test (apt-get install -y chromium)");
        Path run = fakeRun(tmp.resolve("run"), "patchgen");
        Path page = RunReport.write(run);
        Chromium.Result r = Chromium.open(chromium, page, Files.createDirectories(tmp.resolve("work")));
        assertThat(r.errors()).as("page errors; chromium stderr:\n" + r.stderr()).isEmpty();
        assertThat(r.images()).hasSize(8);
        assertThat(r.images()).allSatisfy(i -> assertThat(i.naturalWidth()).as(i.alt()).isGreaterThan(0));
        Chromium.Image grid = r.images().stream().filter(i -> i.alt().equals("samples/grid.png")).findFirst().orElseThrow();
        assertThat(grid.naturalWidth()).isEqualTo(70);
        assertThat(grid.naturalHeight()).isEqualTo(34);
    }

    @Test
    void theBrowserProbeSeesABrokenImage() throws Exception {
        Path chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null,
                "chromium is not installed: skipping the browser test (apt-get install -y chromium)");
        // guards the probe itself: a corrupt data URI must show up as naturalWidth 0 and an error
        Path page = Files.writeString(tmp.resolve("broken.html"), "<!DOCTYPE html><html><head><title>t</title></head><body>"
                + "<img alt=\"bad\" src=\"data:image/png;base64,iVBORw0KGgoAAAAN\"></body></html>");
        Chromium.Result r = Chromium.open(chromium, page, Files.createDirectories(tmp.resolve("work")));
        assertThat(r.images()).hasSize(1);
        assertThat(r.images().get(0).naturalWidth()).isZero();
        assertThat(r.errors()).anySatisfy(e -> assertThat(e).contains("failed to load <img>"));
    }
}
