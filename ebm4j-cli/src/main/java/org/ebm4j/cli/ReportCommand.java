package org.ebm4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ebm4j.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", description = "Write RUN/report.html: config, training curves, sample grids, metrics and "
        + "timing of a run, as one self-contained page that opens offline.")
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "The run folder.") Path run;

    @Override
    public Integer call() throws Exception {
        Path page = RunReport.write(run);
        System.out.println("report: " + page);
        return 0;
    }
}
