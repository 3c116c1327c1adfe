package org.ebm4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenTrainer;

import java.nio.file.Path;

/**
 * A training in its own JVM for the signal tests: {@code TrainMain RUN IMAGE CHECKPOINT_EVERY SLEEP_MS}
 * trains the tiny PatchGenCN configuration of {@link ProcessSignalsTest#tiny}, sleeping after each
 * iteration so the test can signal it mid-run, and prints "iter N" per iteration.
 */
public final class TrainMain {
    private TrainMain() {}

    public static void main(String[] args) throws Exception {
        ai.djl.engine.Engine.getInstance();
        JniUtils.setNumThreads(1);
        long sleep = Long.parseLong(args[3]);
        ProgressListener slow = new ProgressListener() {
            @Override
            public void progress(long done, String status) {
                System.out.println("iter " + done);
                System.out.flush();
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            PatchGenTrainer.trainNew(Path.of(args[1]), Path.of(args[0]), false,
                    ProcessSignalsTest.tiny(Integer.parseInt(args[2])), slow, m).close();
        }
        System.out.println("done");
    }
}
