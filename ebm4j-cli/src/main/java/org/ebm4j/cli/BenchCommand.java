package org.ebm4j.cli;

import org.ebm4j.bench.Workloads;
import org.ebm4j.core.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "bench", description = "Time a workload of docs/BENCHMARKS.md; prints one JSON line, as bench/torch_reference.py does.")
final class BenchCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--workload", required = true, description = "Workload of docs/BENCHMARKS.md, e.g. patchgencn-s48 or "
            + "multigrid-64 (a wrong name lists them all).") String workload;
    @Option(names = "--iters", defaultValue = "5", description = "Timed iterations; the JSON line gives their median, min "
            + "and max time (default: ${DEFAULT-VALUE}).") int iters;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed iterations before the timed ones, 0 = none (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--quiet", description = "Accepted for scripts; bench prints no progress anyway, only its JSON line.") boolean quiet;
    @Option(names = "--verbose", description = "Print stack traces of errors.") boolean verbose;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast(spec, "--iters", iters, 1);
        Checks.atLeast(spec, "--warmup", warmup, 0);
        if (!Workloads.names().contains(workload)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown workload '" + workload + "'; one of " + Workloads.names());
        }
        System.out.println(AtomicFiles.MAPPER.writeValueAsString(Workloads.run(workload, warmup, iters)));
        return 0;
    }
}
