package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.sampling.PersistentBank;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** {@link MultigridTrainer#step}, the iteration shared by the trainer and the benchmark. */
class MultigridStepTest {

    private static Map<Integer, Adam> adams(NDManager m, MultigridModel model) {
        MultigridConfig cfg = model.config();
        Map<Integer, Adam> out = new LinkedHashMap<>();
        for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
            out.put(e.getKey(), new Adam(m, e.getValue().trainableParameters(), LrSchedule.constant(cfg.lr()),
                    cfg.beta1(), cfg.beta2(), 1e-8, 0));
        }
        return out;
    }

    private static List<float[]> weights(ConvEnergyNet net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.trainableParameters()) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void multiGridStepSynthesizesAtEveryGridAndUpdatesEveryNetOnce() {
        MultigridConfig cfg = MultigridTest.tiny("mcd");
        Torch.seed(11);
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg)) {
            Map<Integer, Adam> adams = adams(m, model);
            try (NDManager it = m.newSubManager()) {
                NDArray y = Torch.uniform(it, -1f, 1f, new Shape(cfg.batchSize(), 1, 8, 8));
                MultigridTrainer.StepResult r = MultigridTrainer.step(model, adams, null, y, null, it);
                assertThat(r.syn()).hasSize(2);
                assertThat(r.syn().get(0).getShape()).isEqualTo(new Shape(cfg.batchSize(), 1, 2, 2));
                assertThat(r.syn().get(1).getShape()).isEqualTo(new Shape(cfg.batchSize(), 1, 8, 8));
                assertThat(r.updates().keySet()).containsExactly(2, 8);
                for (MultigridTrainer.Update u : r.updates().values()) {
                    // Eq. 9: mean f(syn) − mean f(obs)
                    assertThat(u.loss()).isCloseTo(u.fSyn() - u.fObs(), within(1e-5 * Math.max(1, Math.abs(u.loss()))));
                    assertThat(u.gradL1()).isPositive();
                }
                assertThat(r.lr()).isEqualTo(cfg.lr());
            }
            assertThat(adams.get(2).step()).isEqualTo(1);
            assertThat(adams.get(8).step()).isEqualTo(1);
        }
    }

    @Test
    void aNonFiniteLossStopsTheUpdatesAtThatGrid() {
        MultigridConfig cfg = MultigridTest.tiny("mcd");
        Torch.seed(12);
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg)) {
            Map<Integer, Adam> adams = adams(m, model);
            List<float[]> before2 = weights(model.nets().get(2));
            List<float[]> before8 = weights(model.nets().get(8));
            try (NDManager it = m.newSubManager()) {
                NDArray y = it.full(new Shape(cfg.batchSize(), 1, 8, 8), Float.NaN);
                MultigridTrainer.StepResult r = MultigridTrainer.step(model, adams, null, y, null, it);
                // the first grid's loss is NaN: it is reported, and neither it nor the finer net is updated
                assertThat(r.updates().keySet()).containsExactly(2);
                assertThat(r.updates().get(2).loss()).isNaN();
            }
            assertThat(adams.get(2).step()).isZero();
            assertThat(adams.get(8).step()).isZero();
            List<float[]> after2 = weights(model.nets().get(2));
            List<float[]> after8 = weights(model.nets().get(8));
            for (int i = 0; i < after2.size(); i++) {
                assertThat(after2.get(i)).containsExactly(before2.get(i));
            }
            for (int i = 0; i < after8.size(); i++) {
                assertThat(after8.get(i)).containsExactly(before8.get(i));
            }
        }
    }

    @Test
    void persistentCdWithoutItsBankIsRefused() {
        MultigridConfig cfg = MultigridTest.tiny("pcd");
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg)) {
            Map<Integer, Adam> adams = adams(m, model);
            NDArray y = m.zeros(new Shape(cfg.batchSize(), 1, 8, 8));
            assertThatThrownBy(() -> MultigridTrainer.step(model, adams, null, y, null, m))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bank");
        }
    }

    /**
     * Persistent CD as the paper defines it (its §6, after Tieleman 2008): the chain of training
     * image i starts at image i itself and, at i's next visit, continues from where it stopped;
     * the chains of images not in the batch do not move.
     */
    @Test
    void perImagePersistentCdContinuesEachImagesOwnChain() {
        MultigridConfig cfg = MultigridTest.tiny("pcd");
        assertThat(cfg.pcdChains()).isEqualTo(MultigridConfig.PcdChains.PER_IMAGE); // the default
        assertThat(cfg.noise()).isFalse(); // deterministic chains: the expected states can be recomputed
        int n = 3 * cfg.batchSize();
        Torch.seed(13);
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg);
             PersistentBank bank = MultigridTrainer.pcdBank(model, n)) {
            assertThat(bank.capacity()).isEqualTo(n);
            Map<Integer, Adam> adams = adams(m, model);
            NDArray images = Torch.uniform(m, -1f, 1f, new Shape(n, 1, 8, 8));
            bank.fill(Map.of(MultigridTrainer.PCD_BANK, images));
            int[] idx = {17, 3, 9, 0, 22, 5, 11, 8};
            int[] others = java.util.stream.IntStream.range(0, n).filter(i -> java.util.Arrays.stream(idx).noneMatch(j -> j == i)).toArray();
            ConvEnergyNet finest = model.nets().get(8);
            float[] syn1;
            try (NDManager it = m.newSubManager()) {
                NDArray y = bank.read(idx, it).get(MultigridTrainer.PCD_BANK); // the batch's observed images
                // first visit: the chain of image idx[k] starts at that image
                float[] expected = model.chainAt(finest, y, 8, cfg.baselineSteps(), null).toFloatArray();
                MultigridTrainer.StepResult r = MultigridTrainer.step(model, adams, bank, idx, y, null, it);
                syn1 = r.syn().get(0).toFloatArray();
                assertClose(syn1, expected);
                assertThat(bank.read(idx, it).get(MultigridTrainer.PCD_BANK).toFloatArray()).containsExactly(syn1);
                assertThat(bank.read(others, it).get(MultigridTrainer.PCD_BANK).toFloatArray())
                        .containsExactly(images.get(it.create(java.util.Arrays.stream(others).asLongStream().toArray())).toFloatArray());
            }
            assertThat(adams.get(8).step()).isEqualTo(1);
            try (NDManager it = m.newSubManager()) {
                // next visit of the same images (other observed pixels, to show they are not the start):
                // the chains continue from syn1 with the updated net
                NDArray y = Torch.uniform(it, -1f, 1f, new Shape(idx.length, 1, 8, 8));
                NDArray from = it.create(syn1, new Shape(idx.length, 1, 8, 8));
                float[] expected = model.chainAt(finest, from, 8, cfg.baselineSteps(), null).toFloatArray();
                MultigridTrainer.StepResult r = MultigridTrainer.step(model, adams, bank, idx, y, null, it);
                float[] syn2 = r.syn().get(0).toFloatArray();
                assertClose(syn2, expected);
                assertThat(bank.read(idx, it).get(MultigridTrainer.PCD_BANK).toFloatArray()).containsExactly(syn2);
            }
        }
    }

    @Test
    void perImagePersistentCdWithoutTheBatchsIndicesIsRefused() {
        MultigridConfig cfg = MultigridTest.tiny("pcd");
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg);
             PersistentBank bank = MultigridTrainer.pcdBank(model, 2 * cfg.batchSize())) {
            Map<Integer, Adam> adams = adams(m, model);
            NDArray y = m.zeros(new Shape(cfg.batchSize(), 1, 8, 8));
            bank.fill(Map.of(MultigridTrainer.PCD_BANK, m.zeros(new Shape(2 * cfg.batchSize(), 1, 8, 8))));
            assertThatThrownBy(() -> MultigridTrainer.step(model, adams, bank, y, null, m))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index of each");
        }
    }

    /** The batch variant (ebm4j's pcd before per-image chains): one batch of chains from the first batch's 1×1 images. */
    @Test
    void batchPersistentCdKeepsOneBatchOfChains() {
        MultigridConfig cfg = MultigridTest.tiny("pcd").toBuilder().pcdChains("batch").build();
        Torch.seed(14);
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = new MultigridModel(m, cfg);
             PersistentBank bank = MultigridTrainer.pcdBank(model, 5 * cfg.batchSize())) {
            assertThat(bank.capacity()).isEqualTo(cfg.batchSize());
            Map<Integer, Adam> adams = adams(m, model);
            try (NDManager it = m.newSubManager()) {
                NDArray y = Torch.uniform(it, -1f, 1f, new Shape(cfg.batchSize(), 1, 8, 8));
                NDArray start = org.ebm4j.nn.BlockResample.up(org.ebm4j.nn.BlockResample.down(y, 8), 8);
                float[] expected = model.chainAt(model.nets().get(8), start, 8, cfg.baselineSteps(), null).toFloatArray();
                MultigridTrainer.StepResult r = MultigridTrainer.step(model, adams, bank, null, y, null, it);
                assertClose(r.syn().get(0).toFloatArray(), expected);
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
        }
    }
}
