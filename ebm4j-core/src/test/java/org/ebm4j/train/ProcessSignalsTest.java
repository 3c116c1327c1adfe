package org.ebm4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenTrainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A training JVM killed with SIGKILL resumes from its last periodic checkpoint, and one stopped
 * with SIGTERM first writes a checkpoint of the iteration it was in; in both cases the resumed run
 * equals an uninterrupted one bit for bit (checkpoints and log). The signals go to the training
 * JVM itself, started here as a separate process.
 */
class ProcessSignalsTest {
    @TempDir static Path tmp;
    static Path image;
    static Path reference;
    static int threadsBefore;

    static PatchGenConfig tiny(int checkpointEvery) {
        return PatchGenConfig.fast().withScales(2, 20, 40).withIterations(8).withSteps(4, 3, 3)
                .withIntervals(1, 100, checkpointEvery).withSeed(3);
    }

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        ai.djl.engine.Engine.getInstance();
        threadsBefore = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1); // as the child: results depend on libtorch's thread count
        image = tmp.resolve("stripes.png");
        int w = 40;
        int h = 30;
        float[] d = new float[3 * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) Math.sin(i * 0.37) * 0.8f;
        }
        ImageFiles.writePng(image, new FloatImage(3, h, w, d));
        reference = tmp.resolve("reference");
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenTrainer.trainNew(image, reference, false, tiny(2), ProgressListener.NONE, m).close();
        }
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(threadsBefore);
    }

    static Process start(Path run, int checkpointEvery, long sleepMs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-Dai.djl.offline=true", "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), TrainMain.class.getName(), run.toString(), image.toString(),
                Integer.toString(checkpointEvery), Long.toString(sleepMs)))
                .redirectOutput(tmp.resolve(run.getFileName() + ".out").toFile())
                .redirectError(tmp.resolve(run.getFileName() + ".err").toFile())
                .start();
    }

    static void await(BooleanSupplier cond, Process p, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!cond.getAsBoolean()) {
            assertThat(p.isAlive()).as("training process alive while waiting for " + what).isTrue();
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
            Thread.sleep(20);
        }
    }

    static void resumeAndCompare(Path run) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenTrainer.resume(run, ProgressListener.NONE, m).close();
        }
        for (String f : List.of("checkpoints/scale-00.ckpt", "checkpoints/scale-01.ckpt")) {
            CheckpointAssert.sameContent(run.resolve(f), reference.resolve(f));
        }
        assertThat(run.resolve("checkpoints/partial.ckpt")).doesNotExist();
        assertThat(withoutTiming(run.resolve("log.jsonl"))).containsExactlyElementsOf(withoutTiming(reference.resolve("log.jsonl")));
    }

    static List<String> withoutTiming(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(l -> l.replaceAll(",?\"ms_per_iter\":[0-9.Ee+-]+", "")).toList();
    }

    @Test
    void sigkillMidScaleResumesFromTheLastCheckpointAsIfUninterrupted() throws Exception {
        Path run = tmp.resolve("killed");
        Process p = start(run, 2, 150);
        // mid scale 1: its first partial checkpoint exists
        await(() -> Files.exists(run.resolve("checkpoints/scale-00.ckpt"))
                && Files.exists(run.resolve("checkpoints/partial.ckpt")), p, "a mid-scale checkpoint of scale 1");
        p.destroyForcibly(); // SIGKILL to the training JVM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);
        assertThat(run.resolve("checkpoints/scale-01.ckpt")).doesNotExist();
        resumeAndCompare(run);
    }

    @Test
    void sigtermWritesACheckpointOfTheCurrentIterationThenExits() throws Exception {
        Path run = tmp.resolve("terminated");
        Path out = tmp.resolve("terminated.out");
        Process p = start(run, 0, 150); // no periodic mid-scale checkpoints at all
        await(() -> {
            try {
                return Files.exists(out) && Files.readString(out, StandardCharsets.UTF_8).contains("iter 11");
            } catch (IOException e) {
                return false;
            }
        }, p, "iteration 3 of scale 1");
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(tmp.resolve("terminated.err"), StandardCharsets.UTF_8);
        assertThat(err).contains("stop requested").contains("checkpoint written, continue with --resume");
        assertThat(run.resolve("checkpoints/partial.ckpt")).as("partial checkpoint; child stderr: %s", err).exists();
        assertThat(new Checkpoint("patchgen").readMeta(run.resolve("checkpoints/partial.ckpt"), null).iteration())
                .isBetween(3L, 8L);
        resumeAndCompare(run);
    }
}
