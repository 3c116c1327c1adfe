package org.ebm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.imageio.ImageIO;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./ebm4j} launcher script, run for real: its PID is the JVM's (it {@code exec}s), so a
 * SIGTERM sent to it stops the training JVM and frees the run folder, and the last error line is in
 * a redirected stderr file as soon as it exits.
 *
 * <p>The script is copied into a temporary root whose application jar is only a manifest pointing at
 * this test's classpath, so the launcher's build step (a {@code mvn install}) never runs here.
 */
class LauncherTest {
    @TempDir Path tmp;
    private Path launcher;

    @BeforeEach
    void fakeRoot() throws IOException {
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("ebm4j");
        Assumptions.assumeTrue(Files.isRegularFile(script), "launcher script not found at " + script);
        Assumptions.assumeTrue(new File("/bin/bash").canExecute() && onPath("perl"), "needs bash and perl");
        Path root = Files.createDirectories(tmp.resolve("root"));
        launcher = Files.copy(script, root.resolve("ebm4j"));
        Path target = Files.createDirectories(root.resolve("ebm4j-cli/target/lib"));
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath();
            cp.append(' ').append(p.toUri()); // directory URIs end with '/', as Class-Path needs
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString().trim());
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(target.getParent().resolve("ebm4j-cli-0.1.0-SNAPSHOT.jar")), m)) {
            // nothing but the manifest
        }
    }

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    private ProcessBuilder ebm4j(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("EBM4J_JAVA_OPTS", "-Xmx1g -Dai.djl.pytorch.num_threads=1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb;
    }

    @Test
    void sigtermToTheLauncherStopsTheJvmAndFreesTheRun() throws Exception {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, (x * 6) << 16 | (y * 6) << 8 | (x + y) * 3);
        Path image = tmp.resolve("tiny.png");
        ImageIO.write(img, "png", image.toFile());
        Path run = tmp.resolve("run");
        Process p = ebm4j("patchgen", "train", "--image", image.toString(), "--out", run.toString(), "--iters", "1000000",
                "--scales", "2", "--min-size", "16", "--max-size", "32", "--quiet")
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!(Files.exists(run.resolve(RunFolder.LOG)) && Files.size(run.resolve(RunFolder.LOG)) > 0)) {
                assertThat(p.isAlive()).as("training ended early: %s", Files.readString(tmp.resolve("err.txt"))).isTrue();
                assertThat(System.nanoTime()).as("training did not start within 180 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            // exec: the launcher's own PID now runs java, not bash
            Optional<String> command = p.toHandle().info().command();
            command.ifPresent(c -> assertThat(Path.of(c).getFileName().toString()).isEqualTo("java"));

            p.destroy(); // SIGTERM to the launcher's PID
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("JVM still running 30 s after SIGTERM").isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
            // the stop is reported once, by the hook, and not a second time as an error
            List<String> err = Files.readAllLines(tmp.resolve("err.txt"), StandardCharsets.UTF_8);
            assertThat(err).anySatisfy(l -> assertThat(l).contains("checkpoint written, continue with --resume"));
            assertThat(err).noneSatisfy(l -> assertThat(l).startsWith("error: "));
            // no process holds the run any more: a new writer gets its lock
            try (RunFolder again = RunFolder.openForWriting(run)) {
                assertThat(again.isLocked()).isTrue();
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void theErrorLineIsInTheStderrFileWhenTheLauncherExits() throws Exception {
        Path bad = Files.writeString(tmp.resolve("notes.png"), "hello, not a png");
        for (int i = 0; i < 3; i++) {
            Path err = tmp.resolve("err" + i + ".txt");
            Process p = ebm4j("patchgen", "train", "--image", bad.toString(), "--out", tmp.resolve("r" + i).toString())
                    .redirectError(err.toFile()).redirectOutput(tmp.resolve("out" + i + ".txt").toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            // read at once: a filter process that printed after the JVM's exit would lose this race
            List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("error: ").contains("notes.png"));
        }
    }
}
