package org.ebm4j.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkloadsTest {

    @Test
    void s48RunsAndReportsThePeerFields() {
        Map<String, Object> r = Workloads.run("patchgencn-s48", 0, 1);
        assertThat(List.copyOf(r.keySet())).containsExactly("impl", "djl", "torch", "workload", "device", "threads",
                "compute", "iters", "ms_per_iter_median", "ms_per_iter_min", "ms_per_iter_max", "gflop_per_iter",
                "gflops_achieved");
        assertThat(r.get("impl")).isEqualTo("ebm4j");
        assertThat(r.get("workload")).isEqualTo("patchgencn-s48");
        assertThat(r.get("compute")).isEqualTo("fp32");
        assertThat((Double) r.get("ms_per_iter_median")).isGreaterThan(0);
        assertThat((Double) r.get("ms_per_iter_min")).isGreaterThan(0);
        assertThat((Double) r.get("gflop_per_iter")).isGreaterThan(0);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Workloads.run("nope", 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patchgencn-s48").hasMessageContaining("patchgencn-sample250");
    }

    @Test
    void hatebmFlopCountIsThePeersOwn() {
        // bench/torch_reference.py --workload hatebm-32 --gflop prints 494.626 GFLOP per iteration (hooks on the
        // PyTorch nets): generator forward + 50 Langevin steps + 2 EBM passes into the weights + 1 generator pass
        double[] ce = Workloads.hatEbmCost(64, 32, 3, 32);
        double[] cg = Workloads.hatGenCost(64, 128, 32);
        double flops = cg[0] + 50 * (ce[0] + ce[1]) + 2 * (ce[0] + ce[2]) + (cg[0] + cg[2]);
        assertThat(flops / 1e9).isCloseTo(494.626, org.assertj.core.api.Assertions.within(0.0005));
        assertThat(Workloads.names()).contains("hatebm-32");
    }

    @Test
    void flopCountMatchesTheHandFormula() {
        // net (a) on a 58x46 padded input: layer outputs 56x44, 54x42, 52x40, 50x38, 48x36
        double l1 = 64.0 * 56 * 44 * 3 * 9;
        double l2 = 32.0 * 54 * 42 * 64 * 9;
        double l3 = 32.0 * 52 * 40 * 32 * 9;
        double l4 = 32.0 * 50 * 38 * 32 * 9;
        double l5 = 1.0 * 48 * 36 * 32 * 9;
        double total = l1 + l2 + l3 + l4 + l5;
        Workloads.Cost c = Workloads.Cost.of(new int[] {64, 32, 32, 32}, 58, 46);
        assertThat(c.fwd()).isEqualTo(2 * total);
        assertThat(c.gradW()).isEqualTo(2 * total + 2 * (total - l1));
    }

    @Test
    void dualMcmcMacsEqualThoseThePeerCountsWithItsForwardHooks() {
        // {all layers, layers whose input carries a gradient} per image, as the forward hooks of
        // bench/torch_reference.py's probe count them on its Dual-MCMC nets at width 64, latent 128
        // (MACs = FLOPs / 2; a PyTorch peer implementation counts the same)
        assertThat(Workloads.residualEbmMacs(64, 32)).containsExactly(68927552.0, 67108928.0);
        assertThat(Workloads.generatorMacs(128, 64)).containsExactly(106496000.0, 106364928.0);
        assertThat(Workloads.inferenceMacs(64, 128)).containsExactly(104529920.0, 102760448.0);
    }

    static boolean benchRequested() {
        return workload() != null;
    }

    private static String workload() {
        String w = System.getProperty("bench.workload");
        return w != null && !w.isBlank() ? w : System.getenv("BENCH_WORKLOAD");
    }

    /** Manual benchmark: mvn -o test -pl ebm4j-core -Dtest=WorkloadsTest#bench -Dbench.workload=NAME. */
    @Test
    @EnabledIf("benchRequested")
    void bench() {
        int warmup = Integer.getInteger("bench.warmup", 2);
        int iters = Integer.getInteger("bench.iters", 5);
        System.out.println("BENCH " + Workloads.toJson(Workloads.run(workload(), warmup, iters)));
    }
}
