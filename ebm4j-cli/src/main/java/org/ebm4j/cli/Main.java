package org.ebm4j.cli;

import org.ebm4j.core.EbmException;
import org.ebm4j.core.NativeAllocator;
import org.ebm4j.run.RunFolderException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The ebm4j command line: a thin layer over the library (org.ebm4j.*). */
// scope INHERIT: every subcommand gets -h/--help and -V/--version, so the "see '... --help'" hint
// of a usage error works on the subcommand it names
@Command(name = "ebm4j", mixinStandardHelpOptions = true, versionProvider = Main.Versions.class, scope = CommandLine.ScopeType.INHERIT,
        description = "Energy-based generative ConvNets on images.",
        subcommands = {PatchgenCommand.class, MultigridCommand.class, DualmcmcCommand.class, HatebmCommand.class, BenchCommand.class, DemoCommand.class, EvalCommand.class,
                ReportCommand.class})
public final class Main {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** --threads on every command (inherited): libtorch's intra-op threads for this process. */
    @CommandLine.Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.INHERIT,
            description = "libtorch threads per operation (default: all cores). 1 is faster when other jobs "
                    + "share the machine's cores.")
    void setThreads(int n) {
        if (n < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + n);
        }
        org.ebm4j.core.Torch.setThreads(n);
    }

    /** --compute on every command (inherited): the number format of the convolutions, process-wide. */
    @CommandLine.Option(names = "--compute", paramLabel = "fp32|bf16", scope = CommandLine.ScopeType.INHERIT,
            description = "number format of the convolutions (default: fp32). bf16 runs them in bfloat16 "
                    + "(casts per call; parameters, optimiser and chains stay fp32), faster on CPUs with "
                    + "AMX/AVX-512 bf16; check sample quality before trusting it for training (docs/BF16.md).")
    void setCompute(String value) {
        org.ebm4j.core.Compute c;
        try {
            c = org.ebm4j.core.Compute.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--compute must be fp32 or bf16, got '" + value + "'");
        }
        if (c == org.ebm4j.core.Compute.BF16) {
            try {
                org.ebm4j.nn.Bf16.ensureLoaded(); // fail here, in one line, rather than at the first convolution
            } catch (IllegalStateException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--compute bf16: " + e.getMessage());
            }
        }
        org.ebm4j.core.Compute.set(c);
    }

    /** --version: ebm4j's one version constant, with the engine it runs on. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ebm4j " + org.ebm4j.core.Version.VERSION + " (DJL " + ai.djl.engine.Engine.getDjlVersion()
                    + ", " + ai.djl.engine.Engine.getInstance().getEngineName() + " " + ai.djl.engine.Engine.getInstance().getVersion() + ")"};
        }
    }

    public static void main(String[] args) {
        StdErr.useDirectDescriptor(); // before anything captures System.err
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 ok, 2 usage error, 1 runtime error. */
    public static int run(String... args) {
        NativeAllocator.tune();
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            if (t instanceof org.ebm4j.train.TrainingStoppedException) {
                return 1; // the stop hook has printed where the run stopped; the JVM exits with the signal's status
            }
            if (t instanceof EbmException || t instanceof IOException || t instanceof RunFolderException
                    || t instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + t.getMessage());
            } else {
                cmd.getErr().println("error: " + t);
            }
            if (verbose) {
                t.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        // usage errors: one line with the problem and where to look, not the whole help page
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cl.execute(args);
    }
}
