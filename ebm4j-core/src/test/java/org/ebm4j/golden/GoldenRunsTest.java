package org.ebm4j.golden;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.eval.features.FeatureNet;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridFeatures;
import org.ebm4j.method.multigrid.MultigridModel;
import org.ebm4j.method.multigrid.MultigridTrainer;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenModel;
import org.ebm4j.method.patchgen.PatchGenTrainer;
import org.ebm4j.method.patchgen.PatchGenRun;
import org.ebm4j.method.multigrid.MultigridRun;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.ebm4j.run.TensorFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden runs: tiny seeded trainings of every method whose checkpoint tensors (SHA-256 of their raw
 * bytes) and log values (timings excluded) were recorded before the training layer was shared
 * between the methods. A refactor must reproduce them bit for bit.
 *
 * <p>To re-record after an intended change of numbers (never for a refactor), run with
 * {@code -Debm4j.golden.record=true}; the files in src/test/resources/golden/ are rewritten and the
 * change must be explained in the commit. The runs need MKL's strict reproducible mode
 * ({@code MKL_CBWR=AUTO,STRICT}, set by the pom and the launcher).
 *
 * <p>History: recorded before the shared training layer (a415ecc); re-recorded once when the
 * tests and launcher started setting {@code MKL_CBWR=AUTO,STRICT} (MKL's other kernels give
 * different last bits), with the refactored code giving identical results in both modes. The
 * AVX2 set (golden-avx2/) was recorded on 2026-12-03 on an AMD EPYC without AVX-512, from the
 * code of that day, whose numbers the AVX-512 set checks on the machines it holds for.
 */
class GoldenRunsTest {
    /**
     * The recorded values of this machine's CPU kernel family ({@link CpuKernels}): golden/ for
     * AVX-512 (where they were first recorded), golden-avx2/ for AVX2-only CPUs. A family without
     * recorded values skips these tests with a message saying how to record them.
     */
    static final Path GOLDEN = Paths.get("src/test/resources/golden"
            + (CpuKernels.family().equals("avx512") ? "" : "-" + CpuKernels.family()));
    static final boolean RECORD = Boolean.getBoolean("ebm4j.golden.record");
    /** Log fields that measure time, not numbers. */
    static final Set<String> TIMING = Set.of("ms_per_iter", "images_per_s", "ms_chains", "ms_updates");

    @TempDir Path tmp;
    static int threadsBefore;

    /**
     * libtorch's results depend on its intra-op thread count (reductions are split per thread), so
     * the golden runs pin one thread: they then hold on any machine with the same kernels.
     */
    @BeforeAll
    static void oneThread() {
        ai.djl.engine.Engine.getInstance();
        threadsBefore = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(threadsBefore);
    }

    @Test
    void patchgen() throws Exception {
        Path image = stripes(tmp);
        PatchGenConfig cfg = PatchGenConfig.fast().withScales(2, 20, 40).withIterations(6).withSteps(6, 4, 4)
                .withIntervals(2, 3, 2).withSeed(7);
        Path run = tmp.resolve("patchgen");
        try (NDManager m = NDManager.newBaseManager();
             PatchGenModel model = PatchGenTrainer.trainNew(image, run, false, cfg, ProgressListener.NONE, m)) {
            assertThat(model.trainedScales()).isEqualTo(2);
        }
        check("patchgen", fingerprint(run));
        keepAsLegacy(run, "patchgen");
    }

    /**
     * A run folder written before the shared training layer (config.json and checkpoints as they
     * were) still loads, samples the same numbers, and resumes (nothing left to train).
     */
    @Test
    void legacyRunFoldersStillLoad() throws Exception {
        Path pg = copyLegacy("patchgen");
        Path mg = copyLegacy("multigrid-pcd");
        ObjectNode fp = JsonNodeFactory.instance.objectNode();
        try (NDManager m = NDManager.newBaseManager()) {
            try (PatchGenModel model = PatchGenRun.load(pg, m)) {
                org.ebm4j.core.Torch.seed(3);
                fp.put("patchgen_sample", hash(model.sample(m, 2, 1.0, 1.0, 0.0)));
                fp.put("patchgen_reconstruct", hash(model.reconstruct(m)));
            }
            try (PatchGenModel model = PatchGenTrainer.resume(pg, ProgressListener.NONE, m)) {
                assertThat(model.trainedScales()).isEqualTo(2);
            }
            try (MultigridModel model = MultigridRun.load(mg, m)) {
                fp.put("multigrid_sample", hash(model.sample(m, 3, 4)));
            }
        }
        check("legacy-load", fp);
    }

    @Test
    void multigridEveryMethod() throws Exception {
        for (String method : List.of("mcd", "cd1", "pcd", "single-grid", "mcd-inpaint")) {
            boolean inpaint = method.equals("mcd-inpaint");
            String mth = inpaint ? "mcd" : method;
            MultigridConfig cfg = MultigridConfig.fast().toBuilder().method(mth).data("bars").imageSize(8)
                    .grids(new int[] {1, 2, 8}).trainLimit(0).widthMult(0.1).steps(3).baselineSteps(6).batchSize(8)
                    .epochs(2).maskSize(4).logEvery(1).sampleEvery(2).checkpointEvery(2).batchNorm(!mth.equals("cd1"))
                    .inpaintTraining(inpaint).seed(11)
                    .pcdChains("batch") // recorded before per-image chains became pcd's default
                    .build().validate();
            RunFolder run = RunFolder.create(tmp.resolve("mg-" + method), false);
            try (NDManager m = NDManager.newBaseManager();
                 MultigridModel model = MultigridTrainer.trainNew(run, cfg, bars(8), null, m)) {
                assertThat(model.nets()).isNotEmpty();
            }
            check("multigrid-" + method, fingerprint(run.dir()));
            if (method.equals("pcd")) {
                keepAsLegacy(run.dir(), "multigrid-pcd");
            }
        }
    }

    @Test
    void featureNetTraining() throws Exception {
        ImageDataset d = bars(28);
        try (NDManager m = NDManager.newBaseManager();
             FeatureNet net = FeatureNet.train(d, d, "bars", new FeatureNet.TrainConfig(3, 2, 8, 1e-3),
                     ProgressListener.NONE, m)) {
            Path f = tmp.resolve("fnet.ebt");
            net.save(f);
            ObjectNode fp = JsonNodeFactory.instance.objectNode();
            fp.set("tensors", tensorHashes(f));
            fp.put("accuracy", net.meta().testAccuracy());
            check("featurenet", fp);
        }
    }

    @Test
    void multigridFeatureHead() throws Exception {
        MultigridConfig cfg = MultigridConfig.fast().toBuilder().method("mcd").data("bars").imageSize(8)
                .grids(new int[] {1, 2, 8}).trainLimit(0).widthMult(0.1).steps(3).batchSize(8).epochs(1).maskSize(4)
                .logEvery(1).sampleEvery(4).checkpointEvery(4).seed(5).build().validate();
        RunFolder run = RunFolder.create(tmp.resolve("mg-features"), false);
        ImageDataset d = bars(8);
        try (NDManager m = NDManager.newBaseManager();
             MultigridModel model = MultigridTrainer.trainNew(run, cfg, d, null, m)) {
            MultigridFeatures.Result r = MultigridFeatures.evaluate(model, d, d,
                    new MultigridFeatures.Settings(16, 3, 8, 1e-2, 1e-4, 9), true);
            ObjectNode fp = JsonNodeFactory.instance.objectNode();
            fp.put("test_error", r.testError());
            fp.put("train_error", r.trainError());
            fp.put("supervised_test_error", r.supervisedTestError());
            fp.put("feature_dim", r.featureDim());
            check("multigrid-features", fp);
        }
    }

    // --- fingerprints ------------------------------------------------------------------------

    /** Every checkpoint's tensors (hash per name) and every log row without timings. */
    static ObjectNode fingerprint(Path run) throws Exception {
        ObjectNode fp = JsonNodeFactory.instance.objectNode();
        ObjectNode cks = fp.putObject("checkpoints");
        try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
            for (Path f : files.sorted().toList()) {
                cks.set(f.getFileName().toString(), tensorHashes(f));
            }
        }
        ArrayNode rows = fp.putArray("log");
        for (JsonNode row : JsonlLog.read(run.resolve("log.jsonl"))) {
            ObjectNode r = ((ObjectNode) row).deepCopy();
            TIMING.forEach(r::remove);
            rows.add(r);
        }
        return fp;
    }

    static ObjectNode tensorHashes(Path ckpt) throws Exception {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        TensorFile.LoadedHost l = TensorFile.loadHost(ckpt);
        for (Map.Entry<String, TensorFile.HostTensor> e : l.tensors().entrySet()) {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(e.getValue().bytes());
            out.put(e.getKey(), HexFormat.of().formatHex(sha, 0, 12));
        }
        return out;
    }

    static final Path LEGACY = Paths.get("src/test/resources/legacy");

    /** In record mode, keeps the run folder (without images) as a fixture of the on-disk format. */
    static void keepAsLegacy(Path run, String name) throws Exception {
        if (!RECORD || Files.exists(LEGACY.resolve(name))) {
            return; // a fixture of an old format is never overwritten by today's
        }
        Path dst = LEGACY.resolve(name);
        copyTree(run, dst, p -> !p.startsWith(run.resolve("images")));
    }

    Path copyLegacy(String name) throws Exception {
        Path src = LEGACY.resolve(name);
        assertThat(src).as("legacy run fixture").isDirectory();
        Path dst = tmp.resolve("legacy-" + name);
        copyTree(src, dst, p -> true);
        return dst;
    }

    static void copyTree(Path src, Path dst, java.util.function.Predicate<Path> keep) throws Exception {
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : all.filter(keep).toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static String hash(ai.djl.ndarray.NDArray a) throws Exception {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(a.toByteArray());
        return HexFormat.of().formatHex(sha, 0, 12);
    }

    static void check(String name, ObjectNode actual) throws Exception {
        Path file = GOLDEN.resolve(name + ".json");
        if (RECORD) {
            Files.createDirectories(GOLDEN);
            AtomicFiles.writeString(file, AtomicFiles.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n");
            return;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(GOLDEN), "no golden runs recorded for this CPU's "
                + "kernel family (" + CpuKernels.family() + ", " + GOLDEN + "); record them with -Debm4j.golden.record=true "
                + "on such a machine, from a commit whose numbers are known to be right");
        assertThat(file).as("golden file (record with -Debm4j.golden.record=true)").exists();
        JsonNode expected = AtomicFiles.MAPPER.readTree(file.toFile());
        // field by field, so a failure names the first tensor or log value that changed
        compare(name, expected, actual);
    }

    static void compare(String where, JsonNode expected, JsonNode actual) {
        if (expected.isObject()) {
            assertThat(actual.isObject()).as(where).isTrue();
            // the order of tensors in a file and of fields in a row is not behaviour; their set and values are
            assertThat(iterable(actual.fieldNames())).as(where + " keys").containsExactlyInAnyOrderElementsOf(iterable(expected.fieldNames()));
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                compare(where + "." + k, expected.get(k), actual.get(k));
            }
        } else if (expected.isArray()) {
            assertThat(actual.size()).as(where + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                compare(where + "[" + i + "]", expected.get(i), actual.get(i));
            }
        } else {
            assertThat(actual).as(where).isEqualTo(expected);
        }
    }

    static List<String> iterable(Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    // --- tiny data ---------------------------------------------------------------------------

    static Path stripes(Path dir) throws Exception {
        int w = 40;
        int h = 30;
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                d[y * w + x] = (float) Math.sin(x * 0.8);
                d[h * w + y * w + x] = (float) Math.cos(y * 0.6);
                d[2 * h * w + y * w + x] = ((x / 5 + y / 5) % 2) * 1.6f - 0.8f;
            }
        }
        Path file = dir.resolve("stripes.png");
        ImageFiles.writePng(file, new FloatImage(3, h, w, d));
        return file;
    }

    /** 24 grey s×s images with a bright vertical (label 0) or horizontal (label 1) bar. */
    static ImageDataset bars(int s) {
        int n = 24;
        byte[] px = new byte[n * s * s];
        int[] labels = new int[n];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int pos = r.nextInt(s);
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    boolean on = labels[i] == 0 ? x == pos : y == pos;
                    px[i * s * s + y * s + x] = (byte) (on ? 230 : 20 + r.nextInt(20));
                }
            }
        }
        return new ImageDataset("bars", 1, s, s, px, labels, List.of("vertical", "horizontal"));
    }
}
