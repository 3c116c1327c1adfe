package org.ebm4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ebm4j.eval.features.FidEval;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "fid", description = "FID and KID of a folder of generated images on the features of ebm4j's own "
        + "Fashion-MNIST (or MNIST) classifier, with the real-vs-real floor; prints one JSON object.")
final class FidCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--real", required = true, description = "fashion-mnist[:test|:train] | mnist[:test|:train] | DIR (default split: test).") String real;
    @Option(names = "--fake", required = true, description = "Folder of generated images (any size; grey or RGB).") Path fake;
    @Option(names = "--n", defaultValue = "0", description = "Images per side (default: min of both sets).") int n;
    @Option(names = "--extractor", description = "fmnist (bundled) | FILE written by 'eval train-features' (default: fmnist).") String extractor;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subsets (default: ${DEFAULT-VALUE}).") long seed;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast(spec, "--n", n, 0);
        if (n == 1) Checks.atLeast(spec, "--n", n, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            FidEval.Result r = FidEval.evaluate(real, fake, n, extractor, seed, m);
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            put(o, "fid", r.value().fid());
            if (r.value().fidSkipped() != null) o.put("fid_skipped", r.value().fidSkipped());
            o.put("kid", r.value().kid());
            o.put("kid_std", r.value().kidStd());
            o.put("n", r.n());
            o.put("extractor", r.extractor());
            if (r.floor() != null) {
                put(o, "floor", r.floor().fid());
                o.put("floor_kid", r.floor().kid());
                o.put("floor_kid_std", r.floor().kidStd());
            } else {
                o.putNull("floor");
                o.put("floor_skipped", r.floorSkipped());
            }
            o.put("real", r.real());
            o.put("fake", r.fake());
            o.put("real_available", r.realAvailable());
            o.put("fake_available", r.fakeAvailable());
            o.put("seed", seed);
            o.put("notes", "features: 128-d penultimate layer of ebm4j's CNN classifier (not Inception); images grey, "
                    + "resized to 28x28 (bicubic); kid = mean over " + FidEval.KID_SUBSETS + " subsets of min(1000, n); "
                    + "floor = other real split vs the same real images");
            System.out.println(om.writeValueAsString(o));
        }
        return 0;
    }

    private static void put(ObjectNode o, String k, Double v) {
        if (v == null) o.putNull(k); else o.put(k, v);
    }
}
