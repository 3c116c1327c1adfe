package org.ebm4j.run;

import java.nio.file.Path;

/**
 * A second writer for {@link RunLockTest}, run in its own JVM: opens the run folder in args[0] for
 * writing, prints "locked" and sleeps args[1] ms; prints "refused: message" and exits 3 when the
 * lock is held elsewhere.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws InterruptedException {
        try (RunFolder run = RunFolder.openForWriting(Path.of(args[0]))) {
            System.out.println("locked " + run.dir());
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
        } catch (RunFolderException e) {
            System.out.println("refused: " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
