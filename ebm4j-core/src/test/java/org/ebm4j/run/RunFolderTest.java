package org.ebm4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    @TempDir Path tmp;

    /** Relative path -> content (base64; "<dir>" for directories), to prove nothing was touched. */
    private static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                out.put(rel, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "<dir>"
                        : Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private Path userFolder() throws IOException {
        Path dir = tmp.resolve("photos");
        Files.createDirectories(dir.resolve("2024"));
        Files.write(dir.resolve("cat.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        Files.writeString(dir.resolve("2024/notes.txt"), "do not delete me");
        return dir;
    }

    @Test
    void createsLayoutAndMarker() {
        RunFolder run = RunFolder.create(tmp.resolve("runs/r1"), false);
        assertThat(run.dir()).isEqualTo(tmp.resolve("runs/r1").toAbsolutePath().normalize());
        assertThat(run.dir().resolve(RunFolder.MARKER)).isRegularFile();
        assertThat(run.checkpoints()).isDirectory().isEqualTo(run.dir().resolve("checkpoints"));
        assertThat(run.images()).isDirectory().isEqualTo(run.dir().resolve("images"));
        assertThat(run.configFile()).isEqualTo(run.dir().resolve("config.json"));
        assertThat(run.logFile()).isEqualTo(run.dir().resolve("log.jsonl"));
        assertThat(run.file("images/final.png")).isEqualTo(run.dir().resolve("images/final.png"));
    }

    @Test
    void usesAnExistingEmptyDirectory() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        RunFolder run = RunFolder.create(dir, false);
        assertThat(RunFolder.looksLikeRun(run.dir())).isTrue();
    }

    @Test
    void refusesExistingNonEmptyFolderWithoutForce() throws IOException {
        Path dir = userFolder();
        var before = snapshot(dir);
        assertThatThrownBy(() -> RunFolder.create(dir, false))
                .isInstanceOf(RunFolderException.class)
                .hasMessage("run folder '" + dir.toAbsolutePath()
                        + "' already exists; pass --force to overwrite it or --resume to continue it");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void refusesExistingRunWithoutForce() throws IOException {
        RunFolder run = RunFolder.create(tmp.resolve("r"), false);
        Files.writeString(run.configFile(), "{}");
        var before = snapshot(run.dir());
        assertThatThrownBy(() -> RunFolder.create(run.dir(), false))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining("--force")
                .hasMessageContaining("--resume");
        assertThat(snapshot(run.dir())).isEqualTo(before);
    }

    @Test
    void forceRefusesAFolderThatIsNotARun() throws IOException {
        Path dir = userFolder();
        var before = snapshot(dir);
        assertThatThrownBy(() -> RunFolder.create(dir, true))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining("is not an ebm4j run folder")
                .hasMessageContaining("choose another --out");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void forceOverwritesAnEbm4jRun() throws IOException {
        RunFolder old = RunFolder.create(tmp.resolve("r"), false);
        Files.writeString(old.configFile(), "{\"lr\":1}");
        Files.writeString(old.checkpoints().resolve("scale-01.ckpt"), "x");
        Files.writeString(old.logFile(), "{}\n");
        old.close(); // its writer finished

        RunFolder run = RunFolder.create(old.dir(), true);
        assertThat(snapshot(run.dir()).keySet())
                .containsExactly("", RunLock.FILE, ".ebm4j-run", "checkpoints", "images");
    }

    @Test
    void forceAcceptsALegacyRunWithOnlyConfigJson() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("legacy"));
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("log.jsonl"), "{}\n");
        RunFolder run = RunFolder.create(dir, true);
        assertThat(run.configFile()).doesNotExist();
        assertThat(run.logFile()).doesNotExist();
        assertThat(run.dir().resolve(RunFolder.MARKER)).exists();
    }

    @Test
    void forceDeletesSymlinksNotTheirTargets() throws IOException {
        Path outside = userFolder();
        var before = snapshot(outside);
        RunFolder old = RunFolder.create(tmp.resolve("r"), false);
        Path link;
        try {
            link = Files.createSymbolicLink(old.dir().resolve("data"), outside);
            Files.createSymbolicLink(old.images().resolve("cat.jpg"), outside.resolve("cat.jpg"));
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("symlinks not supported here: " + e);
            return;
        }
        old.close();
        RunFolder.create(old.dir(), true).close();
        assertThat(link).doesNotExist();
        assertThat(snapshot(outside)).isEqualTo(before);
    }

    @Test
    void forceNeverClearsTheHomeDirectory() throws IOException {
        Path home = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(home.resolve("config.json"), "{}"); // some other tool's config
        var before = snapshot(home);
        String saved = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            assertThatThrownBy(() -> RunFolder.create(home, true))
                    .isInstanceOf(RunFolderException.class)
                    .hasMessageContaining("your home directory");
        } finally {
            System.setProperty("user.home", saved);
        }
        assertThat(snapshot(home)).isEqualTo(before);
    }

    @Test
    void refusesAPathThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file.txt"), "hello");
        assertThatThrownBy(() -> RunFolder.create(file, true))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> RunFolder.create(file.resolve("sub/run"), false))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining("'" + file.toAbsolutePath() + "' is not a directory");
        assertThat(Files.readString(file)).isEqualTo("hello");
    }

    @Test
    void unwritableParentGivesAClearError() throws IOException {
        Path parent = Files.createDirectory(tmp.resolve("readonly"));
        try {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("---------"));
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("no POSIX permissions on this file system");
        }
        try {
            Assumptions.assumeFalse(Files.isWritable(parent), "permissions not enforced (running as root?)");
            assertThatThrownBy(() -> RunFolder.create(parent.resolve("a/b/run"), false))
                    .isInstanceOf(RunFolderException.class)
                    .hasMessageContaining("'" + parent.toAbsolutePath() + "' is not writable");
        } finally {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(parent.resolve("a")).doesNotExist();
    }

    @Test
    void openAcceptsRunsAndRejectsOtherFolders() throws IOException {
        RunFolder created = RunFolder.create(tmp.resolve("r"), false);
        assertThat(RunFolder.open(created.dir()).dir()).isEqualTo(created.dir());

        Path user = userFolder();
        assertThatThrownBy(() -> RunFolder.open(user))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining("is not an ebm4j run folder");
        assertThatThrownBy(() -> RunFolder.open(tmp.resolve("missing")))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining("does not exist");
        assertThat(tmp.resolve("missing")).doesNotExist();
    }

    @Test
    void fileRejectsNamesOutsideTheRun() {
        RunFolder run = RunFolder.create(tmp.resolve("r"), false);
        assertThatThrownBy(() -> run.file("../escape.txt")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> run.file("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> run.file(".")).isInstanceOf(IllegalArgumentException.class);
    }
}
