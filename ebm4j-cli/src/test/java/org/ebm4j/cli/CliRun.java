package org.ebm4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** Runs the CLI in-process and captures its exit code, standard output and standard error. */
final class CliRun {
    record Result(int code, String out, String err) { }

    private CliRun() {}

    static Result run(String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        System.setOut(new PrintStream(out, true));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}
