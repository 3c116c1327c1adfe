package org.ebm4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command and subcommand answers --help; the hint printed with a usage error is a command that works. */
class HelpTest {

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
        out.add(prefix);
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            collect(e.getValue(), p, out);
        }
    }

    @Test
    void everyCommandPrintsItsUsageWithHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        assertThat(commands).hasSizeGreaterThan(10); // patchgen, multigrid, eval, ... and their subcommands
        for (List<String> cmd : commands) {
            List<String> args = new ArrayList<>(cmd);
            args.add("--help");
            CliRun.Result r = CliRun.run(args.toArray(String[]::new));
            String name = String.join(" ", cmd);
            assertThat(r.code()).as("exit code of '%s --help'", name).isZero();
            assertThat(r.out()).as("help of '%s'", name)
                    .startsWith(("Usage: ebm4j " + name).trim());
        }
    }

    @Test
    void theHintOfAUsageErrorWorks() {
        CliRun.Result bad = CliRun.run("patchgen", "super-resolve", "--factor", "2");
        assertThat(bad.code()).isEqualTo(2);
        Matcher m = Pattern.compile("see '([^']+)'").matcher(bad.err());
        assertThat(m.find()).as(bad.err()).isTrue();
        assertThat(m.group(1)).isEqualTo("ebm4j patchgen super-resolve --help");
        String[] hint = m.group(1).substring("ebm4j ".length()).split(" ");
        CliRun.Result help = CliRun.run(hint);
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--factor=<factor>").contains("--net-scale");
    }

    @Test
    void everyCommandTakesThreadsAndRefusesANonPositiveCount() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        for (List<String> cmd : commands) {
            List<String> args = new ArrayList<>(cmd);
            args.add("--threads=0");
            CliRun.Result r = CliRun.run(args.toArray(String[]::new));
            assertThat(r.code()).as("exit code of '%s --threads=0'", String.join(" ", cmd)).isEqualTo(2);
            assertThat(r.err()).contains("--threads must be >= 1, got 0");
        }
        int before = org.ebm4j.core.Torch.threads();
        try {
            int other = before == 1 ? 2 : 1;
            CliRun.Result r = CliRun.run("bench", "--workload", "nope", "--threads", Integer.toString(other));
            assertThat(r.err()).contains("unknown workload"); // the command ran, with the threads set first
            assertThat(org.ebm4j.core.Torch.threads()).isEqualTo(other);
        } finally {
            org.ebm4j.core.Torch.setThreads(before);
        }
    }

    @Test
    void everyCommandTakesComputeAndRefusesAnUnknownFormatInOneLine() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        for (List<String> cmd : commands) {
            List<String> args = new ArrayList<>(cmd);
            args.add("--compute=fp16");
            CliRun.Result r = CliRun.run(args.toArray(String[]::new));
            assertThat(r.code()).as("exit code of '%s --compute=fp16'", String.join(" ", cmd)).isEqualTo(2);
            assertThat(r.err()).contains("--compute must be fp32 or bf16, got 'fp16'");
            // one line: the problem and where to look (engine log lines, if any, are not ours)
            // (the hint names the top command, where the inherited option is declared, as for --threads)
            assertThat(r.err().lines().filter(l -> l.contains("--compute")).toList()).as(r.err())
                    .containsExactly("error: --compute must be fp32 or bf16, got 'fp16' (see 'ebm4j --help')");
        }
        try {
            CliRun.Result r = CliRun.run("bench", "--workload", "nope", "--compute", "bf16");
            assertThat(r.err()).contains("unknown workload"); // the command ran, with the mode set first
            assertThat(org.ebm4j.core.Compute.current()).isEqualTo(org.ebm4j.core.Compute.BF16);
            CliRun.run("bench", "--workload", "nope", "--compute", "fp32");
            assertThat(org.ebm4j.core.Compute.current()).isEqualTo(org.ebm4j.core.Compute.FP32);
        } finally {
            org.ebm4j.core.Compute.set(org.ebm4j.core.Compute.FP32);
        }
    }

    /** Every option of every command says in its help what it does (only picocli's -h and -V are its own). */
    @Test
    void everyOptionHasADescription() {
        List<String> missing = new ArrayList<>();
        int[] checked = {0};
        walkOptions(new CommandLine(new Main()), missing, checked);
        assertThat(checked[0]).as("options checked").isGreaterThan(100);
        assertThat(missing).as("options without a description").isEmpty();
    }

    private static void walkOptions(CommandLine cl, List<String> missing, int[] checked) {
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            List<String> names = List.of(o.names());
            if (names.contains("--help") || names.contains("--version")) {
                continue;
            }
            checked[0]++;
            String text = String.join(" ", o.description()).trim();
            if (text.isEmpty()) {
                missing.add(cl.getCommandSpec().qualifiedName() + " " + o.longestName());
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            walkOptions(sub, missing, checked);
        }
    }
}
