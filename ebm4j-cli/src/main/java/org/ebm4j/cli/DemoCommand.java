package org.ebm4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", description = "Train the fast PatchGenCN preset on the bundled CC0 image and write samples, a grid and plots to runs/demo.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo") Path out;
    @Option(names = "--image", defaultValue = "examples/skimage_chelsea.png") Path image;
    @Option(names = "--quiet") boolean quiet;

    @Override
    public Integer call() {
        if (!Files.exists(image)) {
            System.err.println("error: demo image " + image + " not found; run the demo from the repository root");
            return 1;
        }
        java.util.List<String> train = new java.util.ArrayList<>(java.util.List.of("patchgen", "train", "--image",
                image.toString(), "--out", out.toString(), "--preset", "fast", "--force"));
        if (quiet) {
            train.add("--quiet");
        }
        int rc = Main.run(train.toArray(new String[0]));
        if (rc != 0) {
            return rc;
        }
        rc = Main.run("patchgen", "sample", "--run", out.toString(), "--out", out.resolve("samples-wide").toString(),
                "--n", "4", "--width-scale", "1.5");
        if (rc == 0) {
            try {
                org.ebm4j.report.RunReport.write(out); // again, now with samples-wide/
            } catch (java.io.IOException e) {
                System.err.println("error: cannot write the report: " + e.getMessage());
                return 1;
            }
            System.out.println("demo done: look at " + out.resolve("samples/grid.png") + ", "
                    + out.resolve("samples-wide/grid.png") + " and " + out.resolve("plots/loss.png")
                    + ", or open " + out.resolve("report.html"));
        }
        return rc;
    }
}
