package org.ebm4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The README's main job. A texture: at the fast preset's budget PatchGenCN reproduces a texture and
 * extends it to a larger canvas (docs/PATCHGENCN.md), while the layout of a photograph needs ~800
 * iterations of the coarsest scale alone ("Layout: where it comes from"), more than the demo's ten minutes.
 */
@Command(name = "demo", description = "Train the fast PatchGenCN preset on the bundled CC0 brick texture and write samples "
        + "(twice as wide and high as the training image, beside it), a grid and plots to runs/demo.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", description = "Run folder to write; an earlier run in it is replaced (default: ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--image", defaultValue = "examples/skimage_brick.png", description = "Training image (default: "
            + "${DEFAULT-VALUE}, found when run from the repository root).") Path image;
    @Option(names = "--quiet", description = "No progress output of the training (for scripts).") boolean quiet;

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
        // a texture extended to a canvas 2x as wide and high: no seams, no repetition, if the model is right
        rc = Main.run("patchgen", "sample", "--run", out.toString(), "--out", out.resolve("samples-2x").toString(),
                "--n", "4", "--width-scale", "2", "--height-scale", "2");
        if (rc == 0) {
            try {
                org.ebm4j.report.RunReport.write(out); // again, now with samples-2x/
            } catch (java.io.IOException e) {
                System.err.println("error: cannot write the report: " + e.getMessage());
                return 1;
            }
            System.out.println("demo done: look at " + out.resolve("samples/grid.png") + ", "
                    + out.resolve("samples-2x/grid.png") + " (the training image beside the samples) and " + out.resolve("plots/loss.png")
                    + ", or open " + out.resolve("report.html"));
        }
        return rc;
    }
}
