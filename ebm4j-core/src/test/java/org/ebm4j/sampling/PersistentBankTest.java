package org.ebm4j.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.run.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PersistentBankTest {
    @TempDir Path tmp;

    /** A paired bank (z [cap, 3], x [cap, 2, 2, 2]) whose entry i holds the value i everywhere. */
    static PersistentBank paired(NDManager m, int requested, int batch) {
        PersistentBank b = new PersistentBank(m, requested, batch, "z", "x");
        int cap = b.capacity();
        NDArray rows = m.arange(0f, (float) cap);
        b.fill(Map.of("z", rows.reshape(cap, 1).repeat(1, 3), "x", rows.reshape(cap, 1, 1, 1).repeat(1, 2).repeat(2, 2).repeat(3, 2)));
        return b;
    }

    @Test
    void capacityIsRoundedDownToAMultipleOfTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(new PersistentBank(m, 10000, 128, "z", "x").capacity()).isEqualTo(9984); // Hat EBM's example
            assertThat(new PersistentBank(m, 256, 128, "x").capacity()).isEqualTo(256);
            assertThat(PersistentBank.roundCapacity(8, 8)).isEqualTo(8);
            assertThatThrownBy(() -> PersistentBank.roundCapacity(100, 128)).hasMessageContaining("cannot hold one batch of 128");
            assertThatThrownBy(() -> new PersistentBank(m, 10, 2, "x", "x")).hasMessageContaining("unique");
        }
    }

    @Test
    void drawsAreUniqueSeededAndCoverTheBank() {
        try (NDManager m = NDManager.newBaseManager()) {
            PersistentBank b = new PersistentBank(m, 100, 20, "x");
            int[] counts = new int[100];
            SplittableRandom r = new SplittableRandom(3);
            int draws = 2000;
            for (int k = 0; k < draws; k++) {
                int[] idx = b.drawIndices(r);
                assertThat(idx).hasSize(20);
                Set<Integer> u = new HashSet<>();
                for (int i : idx) {
                    assertThat(i).isBetween(0, 99);
                    u.add(i);
                    counts[i]++;
                }
                assertThat(u).hasSize(20);
            }
            // each index is drawn with probability 1/5 per draw, count 400 with variance 2000·0.2·0.8 = 320:
            // Σ (count − 400)²/320 is about χ² with 99 degrees of freedom (mean 99, sd 14)
            double chi2 = Arrays.stream(counts).mapToDouble(c -> (c - 400.0) * (c - 400.0) / 320).sum();
            assertThat(chi2).isBetween(99 - 4 * 14.0, 99 + 5 * 14.0);
            assertThat(Arrays.stream(counts).sum()).isEqualTo(draws * 20);
            assertThat(b.drawIndices(new SplittableRandom(9))).containsExactly(b.drawIndices(new SplittableRandom(9)));
            assertThat(b.drawIndices(new SplittableRandom(9), 100)).containsExactlyInAnyOrder(
                    java.util.stream.IntStream.range(0, 100).toArray());
        }
    }

    @Test
    void readGivesCopiesAndWriteOverwritesOnlyTheDrawnEntries() {
        try (NDManager m = NDManager.newBaseManager(); PersistentBank b = paired(m, 50, 8)) {
            assertThat(b.capacity()).isEqualTo(48);
            int[] idx = {5, 40, 0, 17, 3, 9, 47, 22};
            try (NDManager scope = m.newSubManager()) {
                Map<String, NDArray> e = b.read(idx, scope);
                assertThat(e.get("z").getShape()).isEqualTo(new Shape(8, 3));
                assertThat(e.get("x").getShape()).isEqualTo(new Shape(8, 2, 2, 2));
                for (int j = 0; j < idx.length; j++) {
                    assertThat(e.get("z").get(j).toFloatArray()).containsOnly((float) idx[j]);
                    assertThat(e.get("x").get(j).toFloatArray()).containsOnly((float) idx[j]);
                }
                e.get("z").muli(0); // a copy: the bank is untouched
                assertThat(b.tensor("z").get(5).toFloatArray()).containsOnly(5f);
                b.write(idx, Map.of("z", scope.ones(new Shape(8, 3)).mul(-1), "x", scope.ones(new Shape(8, 2, 2, 2)).mul(-2)));
            }
            float[] z = b.tensor("z").toFloatArray();
            float[] x = b.tensor("x").toFloatArray();
            Set<Integer> written = new HashSet<>();
            for (int i : idx) {
                written.add(i);
            }
            for (int i = 0; i < 48; i++) {
                float wantZ = written.contains(i) ? -1f : i;
                float wantX = written.contains(i) ? -2f : i;
                for (int k = 0; k < 3; k++) {
                    assertThat(z[i * 3 + k]).isEqualTo(wantZ);
                }
                for (int k = 0; k < 8; k++) {
                    assertThat(x[i * 8 + k]).isEqualTo(wantX);
                }
            }
            assertThatThrownBy(() -> b.write(new int[] {48}, Map.of("z", m.zeros(new Shape(1, 3)), "x", m.zeros(new Shape(1, 2, 2, 2)))))
                    .hasMessageContaining("outside [0, 48)");
            assertThatThrownBy(() -> b.write(new int[] {1}, Map.of("z", m.zeros(new Shape(1, 3)))))
                    .hasMessageContaining("lacks tensor 'x'");
            assertThatThrownBy(() -> b.write(new int[] {1}, Map.of("z", m.zeros(new Shape(1, 4)), "x", m.zeros(new Shape(1, 2, 2, 2)))))
                    .hasMessageContaining("entries of shape");
        }
    }

    @Test
    void readingAnEmptyBankIsRefused() {
        try (NDManager m = NDManager.newBaseManager(); PersistentBank b = new PersistentBank(m, 8, 4, "x")) {
            assertThatThrownBy(() -> b.readAll(m)).hasMessageContaining("empty");
            assertThatThrownBy(() -> b.fill(Map.of("x", m.zeros(new Shape(7, 2))))).hasMessageContaining("needs 8 rows");
            assertThat(b.toTensors("")).isEmpty();
        }
    }

    /** Each drawn entry is replaced by its fresh start with probability p; the others are the bank's. */
    @Test
    void reinitialisationRateIsRespected() {
        try (NDManager m = NDManager.newBaseManager(); PersistentBank b = paired(m, 1000, 100)) {
            double p = 0.3;
            SplittableRandom r = new SplittableRandom(11);
            int total = 0;
            int re = 0;
            for (int k = 0; k < 100; k++) {
                try (NDManager scope = m.newSubManager()) {
                    Map<String, NDArray> fresh = Map.of("z", scope.ones(new Shape(100, 3)).mul(-7),
                            "x", scope.ones(new Shape(100, 2, 2, 2)).mul(-7));
                    PersistentBank.Draw d = b.draw(r, scope, p, fresh);
                    float[] z = d.values().get("z").toFloatArray();
                    float[] x = d.values().get("x").toFloatArray();
                    for (int j = 0; j < 100; j++) {
                        float want = d.reinitialised()[j] ? -7f : d.indices()[j];
                        assertThat(z[j * 3]).isEqualTo(want);
                        assertThat(x[j * 8 + 7]).isEqualTo(want);
                        re += d.reinitialised()[j] ? 1 : 0;
                        total++;
                    }
                }
            }
            // 10000 Bernoulli(0.3) draws: 3000 ± 4·√(10000·0.21) ≈ 3000 ± 183
            assertThat(re).isBetween(2817, 3183);
            try (NDManager scope = m.newSubManager()) {
                PersistentBank.Draw none = b.draw(r, scope, 0, null);
                assertThat(none.reinitialised()).containsOnly(false);
                assertThatThrownBy(() -> b.draw(r, scope, 1.5, null)).hasMessageContaining("in [0, 1]");
            }
        }
    }

    @Test
    void checkpointRoundTripIsBitForBit() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); PersistentBank b = new PersistentBank(m, 20, 4, "z", "x")) {
            b.fill(Map.of("z", m.randomNormal(new Shape(20, 5)), "x", m.randomUniform(-1f, 1f, new Shape(20, 3, 4, 4))));
            Path f = tmp.resolve("bank.ebt");
            LinkedHashMap<String, NDArray> t = b.toTensors("bank.");
            assertThat(t.keySet()).containsExactly("bank.z", "bank.x");
            TensorFile.save(f, "{}", t);
            try (NDManager m2 = NDManager.newBaseManager(); PersistentBank c = new PersistentBank(m2, 20, 4, "z", "x")) {
                TensorFile.Loaded ld = TensorFile.load(f, m2);
                assertThat(c.isIn(ld.tensors(), "bank.")).isTrue();
                c.load(ld.tensors(), "bank.");
                for (String n : new String[] {"z", "x"}) {
                    assertThat(c.tensor(n).getShape()).isEqualTo(b.tensor(n).getShape());
                    assertThat(c.tensor(n).toByteArray()).isEqualTo(b.tensor(n).toByteArray());
                }
                assertThat(c.isIn(ld.tensors(), "other.")).isFalse();
                assertThatThrownBy(() -> c.load(ld.tensors(), "other.")).hasMessageContaining("no bank tensor 'other.z'");
            }
        }
    }

    @Test
    void bankOperationsLeaveNoLiveTensorsInTheCallersScope() {
        try (NDManager m = NDManager.newBaseManager(); PersistentBank b = paired(m, 64, 8)) {
            SplittableRandom r = new SplittableRandom(1);
            int before = -1;
            for (int k = 0; k < 5; k++) {
                try (NDManager scope = m.newSubManager()) {
                    Map<String, NDArray> fresh = Map.of("z", scope.zeros(new Shape(8, 3)), "x", scope.zeros(new Shape(8, 2, 2, 2)));
                    PersistentBank.Draw d = b.draw(r, scope, 0.5, fresh);
                    b.write(d.indices(), d.values());
                }
                int now = m.getManagedArrays().size();
                if (k == 1) {
                    before = now;
                } else if (k > 1) {
                    assertThat(now).isEqualTo(before);
                }
            }
        }
    }
}
