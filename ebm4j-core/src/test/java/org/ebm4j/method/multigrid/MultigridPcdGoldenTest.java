package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.ebm4j.run.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins a tiny seeded persistent-CD run to checksums recorded before the PCD bank moved out of
 * MultigridTrainer into {@link org.ebm4j.sampling.PersistentBank}: the same seed must still give
 * the same checkpoint tensors (the bank included) and the same logged energies, bit for bit.
 */
class MultigridPcdGoldenTest {
    @TempDir Path tmp;

    /**
     * Recorded with the trainer's in-line bank (commit 281c762): SHA-256 of the bank's bytes, of the
     * logged energies, and of the sorted "name=sha256(bytes)" lines of every checkpoint tensor.
     */
    private static final Map<String, String> GOLDEN = Map.of(
            "pcd_bank", "75bf1ae84f5e2f6b02a53dc06cef22c8ee00ad46c359cb3398af21971e2fafb8",
            "log", "17239fd3f2230dc3f0e1d1bcd42f951d61ae63c86b6e142befabb6891e12f534",
            "all_tensors", "7c7e2b2790720b79caabf11d0b92429d57a3ad3c4611ba10c0f546b689386400");

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void pcdRunIsBitIdenticalToTheRecordedOne() throws Exception {
        MultigridConfig cfg = MultigridTest.tiny("pcd").toBuilder().epochs(2).build();
        RunFolder run = RunFolder.create(tmp.resolve("pcd"), false);
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridTrainer.trainNew(run, cfg, MultigridTest.bars(), null, m)) {
            assertThat(model.nets()).isNotEmpty();
        }
        Map<String, String> got = new LinkedHashMap<>();
        TreeMap<String, String> perTensor = new TreeMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            TensorFile.Loaded ld = TensorFile.load(MultigridRun.checkpoint(run), m);
            for (Map.Entry<String, NDArray> e : ld.tensors().entrySet()) {
                perTensor.put(e.getKey(), sha(e.getValue().toByteArray()));
            }
        }
        got.put("pcd_bank", perTensor.get("pcd_bank"));
        StringBuilder all = new StringBuilder();
        perTensor.forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
        got.put("all_tensors", sha(all.toString().getBytes(StandardCharsets.UTF_8)));
        StringBuilder energies = new StringBuilder();
        for (var row : JsonlLog.read(run.logFile())) {
            energies.append(row.get("f_obs_8").asText()).append(',').append(row.get("f_syn_8").asText()).append(',')
                    .append(row.get("loss_8").asText()).append(',').append(row.get("grad_l1_8").asText()).append(';');
        }
        got.put("log", sha(energies.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(got).isEqualTo(GOLDEN);
    }
}
