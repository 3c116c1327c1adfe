package org.ebm4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two writers on one run folder: the second is refused by pid, the first is unharmed; stale locks are taken over. */
class RunLockTest {

    @TempDir Path tmp;

    private static final long OWN_PID = ProcessHandle.current().pid();

    /** Starts {@link LockHolderMain} in a fresh JVM with this test's classpath. */
    private static Process holder(Path run, long sleepMs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), run.toString(), Long.toString(sleepMs)))
                .redirectErrorStream(true).start();
    }

    private static String firstLine(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        return line == null ? "<no output, exit " + p.exitValue() + ">" : line;
    }

    @Test
    void aSecondProcessIsRefusedByPidAndTheFirstIsUnharmed() throws Exception {
        try (RunFolder first = RunFolder.create(tmp.resolve("r"), false)) {
            Files.writeString(first.logFile(), "{\"iter\":0}\n");
            Process second = holder(first.dir(), 60_000);
            String line = firstLine(second);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(3);
            assertThat(line).isEqualTo("refused: run folder '" + first.dir() + "' is being written by process "
                    + OWN_PID + line.substring(line.indexOf(" (started ")));
            assertThat(line).endsWith("; wait for it or stop it").doesNotContain("\n");
            // the first writer still holds the folder and its files
            assertThat(first.isLocked()).isTrue();
            assertThat(RunLock.readHolder(first.dir().resolve(RunLock.FILE))).containsEntry("pid", Long.toString(OWN_PID));
            assertThat(first.logFile()).hasContent("{\"iter\":0}");
            assertThatThrownBy(() -> RunFolder.openForWriting(first.dir()))
                    .hasMessageContaining("this process (pid " + OWN_PID + ")");
        }
    }

    @Test
    void whileAnotherProcessWritesThisOneIsRefusedEvenWithForce() throws Exception {
        Path dir;
        try (RunFolder r = RunFolder.create(tmp.resolve("r"), false)) {
            dir = r.dir();
            Files.writeString(r.configFile(), "{}");
        }
        Process other = holder(dir, 60_000);
        try {
            assertThat(firstLine(other)).isEqualTo("locked " + dir);
            String expected = "run folder '" + dir + "' is being written by process " + other.pid() + " (started ";
            assertThatThrownBy(() -> RunFolder.openForWriting(dir))
                    .isInstanceOf(RunFolderException.class).hasMessageStartingWith(expected);
            assertThatThrownBy(() -> RunFolder.create(dir, true))
                    .isInstanceOf(RunFolderException.class).hasMessageStartingWith(expected);
            assertThat(dir.resolve(RunFolder.CONFIG)).exists(); // --force cleared nothing
            // reading is never blocked
            assertThat(RunFolder.open(dir).isLocked()).isFalse();

            // SIGKILL: the OS drops the dead process's lock, so its leftover lock file is stale
            other.destroyForcibly();
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(RunLock.readHolder(dir.resolve(RunLock.FILE))).containsEntry("pid", Long.toString(other.pid()));
            try (RunFolder taken = RunFolder.openForWriting(dir)) {
                assertThat(taken.isLocked()).isTrue();
                assertThat(RunLock.readHolder(dir.resolve(RunLock.FILE))).containsEntry("pid", Long.toString(OWN_PID));
            }
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aStaleLockFileOfADeadPidIsTakenOver() throws IOException {
        Path dir;
        try (RunFolder r = RunFolder.create(tmp.resolve("r"), false)) {
            dir = r.dir();
        }
        Files.writeString(dir.resolve(RunLock.FILE), "pid=999999999\nhost=elsewhere\nstarted=2020-01-01T00:00:00Z\n");
        try (RunFolder run = RunFolder.openForWriting(dir)) {
            assertThat(run.isLocked()).isTrue();
            assertThat(RunLock.readHolder(dir.resolve(RunLock.FILE))).containsEntry("pid", Long.toString(OWN_PID));
        }
        // released: emptied, and the next writer gets it
        assertThat(dir.resolve(RunLock.FILE)).isEmptyFile();
        RunFolder.openForWriting(dir).close();
    }

    @Test
    void inOneJvmASecondWriterIsRefusedUntilTheFirstCloses() {
        RunFolder first = RunFolder.create(tmp.resolve("r"), false);
        assertThatThrownBy(() -> RunFolder.openForWriting(first.dir()))
                .isInstanceOf(RunFolderException.class)
                .hasMessageStartingWith("run folder '" + first.dir() + "' is being written by this process (pid " + OWN_PID + ")")
                .hasMessageEndingWith("; wait for it or stop it");
        assertThatThrownBy(() -> RunFolder.create(first.dir(), true)).hasMessageContaining("is being written by");
        assertThat(first.isLocked()).isTrue();
        first.close();
        first.close(); // idempotent
        assertThat(first.isLocked()).isFalse();
        try (RunFolder second = RunFolder.openForWriting(first.dir())) {
            assertThat(second.isLocked()).isTrue();
        }
    }

    @Test
    void aFolderWithOnlyALeftoverLockFileCountsAsEmpty() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("r"));
        Files.writeString(dir.resolve(RunLock.FILE), "");
        try (RunFolder run = RunFolder.create(dir, false)) {
            assertThat(run.isLocked()).isTrue();
        }
    }
}
