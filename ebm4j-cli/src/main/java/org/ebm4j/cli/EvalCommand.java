package org.ebm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ebm4j.eval.MeanStd;
import org.ebm4j.eval.SingleImageEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", description = "Evaluate generated images (see docs/METRICS.md).",
        subcommands = {EvalCommand.SingleImage.class})
final class EvalCommand {

    @Command(name = "single-image", description = "Patch FD, sliced Wasserstein distance and diversity of a folder "
            + "of samples against the one training image; prints one JSON object.")
    static final class SingleImage implements Callable<Integer> {
        @Option(names = "--real", required = true, description = "The training image.") Path real;
        @Option(names = "--fake", required = true, description = "Folder of generated *.png/*.jpg samples.") Path fake;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of patch subsampling and SWD directions (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() throws Exception {
            SingleImageEval.Report r = SingleImageEval.evaluate(real, fake, seed);
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            o.put("real", r.real().toString());
            o.put("n_fakes", r.fakes().size());
            o.set("patch_fd", meanStd(om, r.patchFd()));
            o.set("swd", meanStd(om, r.swd()));
            if (r.diversity() != null) {
                o.put("diversity", r.diversity());
            } else {
                o.putNull("diversity");
                o.put("diversity_skipped", r.diversitySkipped());
            }
            o.put("seed", r.seed());
            o.put("notes", SingleImageEval.NOTES);
            System.out.println(om.writeValueAsString(o));
            return 0;
        }

        private static ObjectNode meanStd(ObjectMapper om, MeanStd m) {
            ObjectNode n = om.createObjectNode();
            n.put("mean", m.mean());
            n.put("std", m.std());
            return n;
        }
    }
}
