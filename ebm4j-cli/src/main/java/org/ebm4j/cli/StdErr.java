package org.ebm4j.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;

/**
 * Lets the JVM's own error output bypass the launcher's stderr filter.
 *
 * <p>The {@code ./ebm4j} launcher {@code exec}s the JVM (so signals reach it) with its stderr (fd 2)
 * going through a filter process that drops libtorch's repeated NNPACK warnings. That filter may
 * print its last lines after the JVM has exited, so a caller that reads a redirected stderr file
 * right after the exit could miss the final error line. The launcher therefore also passes the
 * real stderr as fd 3 and sets {@value #PROPERTY}; Java's {@code System.err} (error lines,
 * progress) is then written straight to it, synchronously, and only native output (libtorch)
 * goes through the filter.
 *
 * <p>Java has no public way to wrap an inherited descriptor number, so this sets the private
 * {@code fd} field of a {@link FileDescriptor}, which needs {@code --add-opens
 * java.base/java.io=ALL-UNNAMED} (the launcher passes it). Without the property, or if that fails,
 * {@code System.err} stays as it is.
 */
final class StdErr {
    static final String PROPERTY = "ebm4j.stderr.fd";

    private static volatile int descriptor = 2;

    private StdErr() {}

    /** The descriptor {@code System.err} writes to: 2, or the launcher's direct one once in use. */
    static int descriptor() {
        return descriptor;
    }

    /** Points {@code System.err} at the descriptor named by {@value #PROPERTY}, if any. */
    static void useDirectDescriptor() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            int fd = Integer.parseInt(value.trim());
            FileDescriptor d = new FileDescriptor();
            Field f = FileDescriptor.class.getDeclaredField("fd");
            f.setAccessible(true);
            f.setInt(d, fd);
            if (!d.valid()) {
                return;
            }
            System.err.flush();
            System.setErr(new PrintStream(new FileOutputStream(d), true));
            descriptor = fd;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // keep System.err on fd 2: the only cost is that the filter may deliver its last lines late
        }
    }
}
