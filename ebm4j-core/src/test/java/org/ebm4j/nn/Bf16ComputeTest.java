package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import org.ebm4j.core.Compute;
import org.ebm4j.core.Torch;
import org.ebm4j.optim.Gradients;
import org.ebm4j.sampling.Langevin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --compute bf16: convolutions in bfloat16 (per-call casts), everything else float32. */
class Bf16ComputeTest {
    /** bf16 keeps 8 mantissa bits: ~4e-3 per conv (docs/BF16.md); a few layers stay well inside 2e-2. */
    private static final float TOL = 2e-2f;

    @AfterEach
    void backToDefault() {
        Compute.set(Compute.FP32);
    }

    private static float relErr(NDArray got, NDArray ref) {
        return got.sub(ref).abs().max().getFloat() / ref.abs().max().getFloat();
    }

    private static <T> T in(Compute mode, Supplier<T> f) {
        Compute before = Compute.current();
        Compute.set(mode);
        try {
            return f.get();
        } finally {
            Compute.set(before);
        }
    }

    /** Forward value and input gradient of sum(f(x)) in a mode; both float32 arrays. */
    private static NDArray[] fwdGrad(Compute mode, Function<NDArray, NDArray> f, NDArray x) {
        return in(mode, () -> {
            NDArray y = f.apply(x);
            NDArray g = Langevin.gradient(f, x);
            return new NDArray[] {y, g};
        });
    }

    private static SpectralConv2d conv(NDManager m, int in, int out, boolean bias, boolean sn) {
        SpectralConv2d c = new SpectralConv2d(in, out, 3, 1, 1, bias, sn, new NormalInitializer(0.1f),
                new NormalInitializer(0.1f));
        c.initialize(m, DataType.FLOAT32, new Shape(1, in, 8, 8));
        c.setUpdateU(false); // the same W_SN in both modes
        return c;
    }

    @Test
    void spectralConvForwardAndInputGradientMatchFp32ToBf16Precision() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(3);
            NDArray x = m.randomNormal(new Shape(2, 32, 11, 9));
            // wide with spectral norm and bias; narrow (widened with zero kernels) with and without bias
            for (SpectralConv2d c : List.of(conv(m, 32, 16, true, true), conv(m, 32, 1, true, false),
                    conv(m, 32, 3, false, true))) {
                NDArray[] ref = fwdGrad(Compute.FP32, c::apply, x);
                NDArray[] got = fwdGrad(Compute.BF16, c::apply, x);
                for (int k = 0; k < 2; k++) {
                    assertThat(got[k].getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(got[k].getShape()).isEqualTo(ref[k].getShape());
                    // above 1e-5: it really ran in bf16 (fp32 would agree to ~1e-7)
                    assertThat(relErr(got[k], ref[k])).as("out " + c.outChannels() + " k " + k).isBetween(1e-5f, TOL);
                }
            }
        }
    }

    @Test
    void patchEnergyNetOutputAndLangevinGradientMatchFp32() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(5);
            PatchEnergyNet net = new PatchEnergyNet(3, new int[] {16, 16, 16, 16}, 0.1f).init(m);
            net.freezeSpectralState();
            net.setTrainable(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 3, 23, 19));
            NDArray[] ref = fwdGrad(Compute.FP32, net::output, x);
            NDArray[] got = fwdGrad(Compute.BF16, net::output, x);
            assertThat(relErr(got[0], ref[0])).isBetween(1e-5f, TOL);
            assertThat(relErr(got[1], ref[1])).isBetween(1e-5f, TOL);
            // the Langevin target (conv-transpose head, float32 in both modes) gives the same gradient
            NDArray gRef = in(Compute.FP32, () -> Langevin.gradient(net::langevinTarget, x));
            NDArray gGot = in(Compute.BF16, () -> Langevin.gradient(net::langevinTarget, x));
            assertThat(gGot.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(relErr(gGot, gRef)).isBetween(1e-5f, TOL);
            assertThat(relErr(gRef, ref[1])).isLessThan(1e-4f);
        }
    }

    @Test
    void multigridConvEnergyNetWithBatchNormMatchesFp32AsFarAsTheNetAllows() {
        // the multigrid-64 nets: 'same' padding, strides, no conv bias, BatchNorm (fp32, after the cast back), ReLU
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(6);
            ConvEnergyNet net = new ConvEnergyNet(3, 16, List.of(new ConvEnergyNet.Layer(32, 5, 2),
                    new ConvEnergyNet.Layer(32, 3, 1), new ConvEnergyNet.Layer(64, 3, 2)), false, "xavier", 0.1f)
                    .init(m, DataType.FLOAT32);
            net.setTrainable(false);
            net.setBnMode(BatchNorm2d.Mode.BATCH); // as in the Langevin chains
            NDArray x = m.randomNormal(new Shape(4, 3, 16, 16));
            // each conv alone: bf16 rounding (~4e-3)
            long[][] ins = {{4, 3, 16, 16}, {4, 32, 8, 8}, {4, 32, 8, 8}};
            for (int i = 0; i < ins.length; i++) {
                SpectralConv2d c = net.convs().get(i);
                NDArray xi = m.randomNormal(new Shape(ins[i]));
                NDArray[] r = fwdGrad(Compute.FP32, c::apply, xi);
                NDArray[] g = fwdGrad(Compute.BF16, c::apply, xi);
                assertThat(relErr(g[0], r[0])).isBetween(1e-5f, 1e-2f);
                assertThat(relErr(g[1], r[1])).isBetween(1e-5f, 1e-2f);
            }
            NDArray[] ref = fwdGrad(Compute.FP32, net::langevinTarget, x);
            NDArray[] got = fwdGrad(Compute.BF16, net::langevinTarget, x);
            assertThat(got[1].getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(relErr(got[0], ref[0])).isBetween(1e-5f, 3e-2f);
            // the whole net's input gradient is much more sensitive (ReLU masks flip, the linear head
            // sums terms of both signs): in fp32 alone, a bf16-sized relative perturbation of the input
            // (4e-3) moves it by ~0.14 (max-abs relative), and bf16 compute moves it by ~0.10.
            NDArray jitter = m.randomNormal(x.getShape()).mul(4e-3f).add(1f);
            NDArray perturbed = in(Compute.FP32, () -> Langevin.gradient(net::langevinTarget, x.mul(jitter)));
            float sensitivity = relErr(perturbed, ref[1]);
            float err = relErr(got[1], ref[1]);
            System.out.printf("multigrid net input gradient: bf16 vs fp32 %.3g, fp32 under 4e-3 input jitter %.3g%n",
                    err, sensitivity);
            assertThat(err).isBetween(1e-5f, 2 * sensitivity);
        }
    }

    @Test
    void residualEbmAndGeneratorRunInBf16() {
        // the dualmcmc/hatebm nets: ResBlocks with spectral norm and 1x1 shortcuts, the generator's
        // up-blocks with BatchNorm and its 3-channel output conv (a narrow conv)
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(8);
            ResidualEbm ebm = new ResidualEbm(new ResidualEbm.Config(3, 16, new int[] {16, 16, 16},
                    new boolean[] {true, true, false}, new ResBlock.Convs(true, true, Init.Scheme.PYTORCH_XAVIER_NORMAL)))
                    .init(m, DataType.FLOAT32);
            Generator gen = new Generator(new Generator.Config(8, 4, new int[] {16, 16}, 3, 1.0,
                    new ResBlock.Convs(true, false, Init.Scheme.PYTORCH_XAVIER_NORMAL), true, 0.1f, 1e-5f))
                    .init(m, DataType.FLOAT32);
            Nets.setTrainable(ebm, false);
            Nets.setTrainable(gen, false);
            for (SpectralConv2d c : convsOf(ebm)) {
                c.setUpdateU(false);
            }
            NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
            NDArray z = m.randomNormal(new Shape(8, 8));
            NDArray[] eRef = fwdGrad(Compute.FP32, ebm::output, x);
            NDArray[] eGot = fwdGrad(Compute.BF16, ebm::output, x);
            NDArray[] gRef = fwdGrad(Compute.FP32, gen::apply, z);
            NDArray[] gGot = fwdGrad(Compute.BF16, gen::apply, z);
            float[] errs = {relErr(eGot[0], eRef[0]), relErr(eGot[1], eRef[1]), relErr(gGot[0], gRef[0]),
                    relErr(gGot[1], gRef[1])};
            NDArray[] eJit = fwdGrad(Compute.FP32, ebm::output, x.mul(m.randomNormal(x.getShape()).mul(4e-3f).add(1f)));
            NDArray[] gJit = fwdGrad(Compute.FP32, gen::apply, z.mul(m.randomNormal(z.getShape()).mul(4e-3f).add(1f)));
            float[] sens = {relErr(eJit[0], eRef[0]), relErr(eJit[1], eRef[1]), relErr(gJit[0], gRef[0]),
                    relErr(gJit[1], gRef[1])};
            System.out.printf("residual EBM out %.3g grad_x %.3g; generator out %.3g grad_z %.3g%n",
                    errs[0], errs[1], errs[2], errs[3]);
            System.out.printf("fp32 under 4e-3 input jitter: residual EBM out %.3g grad_x %.3g; generator out %.3g grad_z %.3g%n",
                    sens[0], sens[1], sens[2], sens[3]);
            // these small random nets are ill-conditioned (ReLU masks, batch-statistics BN): a bf16-sized
            // jitter of the input moves them as much as bf16 compute does; bf16 must not be worse than twice that
            for (int i = 0; i < errs.length; i++) {
                assertThat(errs[i]).as("case " + i).isBetween(1e-5f, Math.max(2 * sens[i], TOL));
            }
        }
    }

    private static List<SpectralConv2d> convsOf(ai.djl.nn.Block b) {
        List<SpectralConv2d> out = new ArrayList<>();
        if (b instanceof SpectralConv2d c) {
            out.add(c);
        }
        b.getChildren().values().forEach(child -> out.addAll(convsOf(child)));
        return out;
    }

    @Test
    void parametersStayFp32AndGetGradientsInBf16() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(9);
            PatchEnergyNet net = new PatchEnergyNet(3, new int[] {16, 16, 16, 16}, 0.1f).init(m);
            net.freezeSpectralState();
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 3, 16, 15));
            List<Parameter> ps = net.trainableParameters();
            List<NDArray> ref = new ArrayList<>();
            try (Gradients.Result r = Gradients.of(m, ps, () -> net.output(x).mean())) {
                r.grads().forEach(g -> ref.add(g.duplicate()));
            }
            Compute.set(Compute.BF16);
            try (Gradients.Result r = Gradients.of(m, ps, () -> net.output(x).mean())) {
                for (int i = 0; i < ps.size(); i++) {
                    NDArray g = r.grads().get(i);
                    assertThat(ps.get(i).getArray().getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(g.getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(relErr(g, ref.get(i))).as(ps.get(i).getName()).isLessThan(5e-2f);
                }
            }
        }
    }

    @Test
    void aPinnedLayerAndTheFp32DefaultAreUnchanged() {
        assertThat(Compute.current()).isEqualTo(Compute.FP32);
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(4);
            SpectralConv2d c = conv(m, 16, 16, true, false);
            NDArray x = m.randomNormal(new Shape(1, 16, 7, 7));
            NDArray ref = c.apply(x);
            c.setCompute(Compute.FP32);
            NDArray pinned = in(Compute.BF16, () -> c.apply(x));
            assertThat(pinned.toFloatArray()).containsExactly(ref.toFloatArray());
            c.setCompute(Compute.BF16);
            NDArray bf = c.apply(x); // pinned to bf16 while the process default is fp32
            assertThat(relErr(bf, ref)).isBetween(1e-5f, TOL);
            // float64 inputs (gradient checks) never take the bf16 path
            NDArray x64 = x.toType(DataType.FLOAT64, false);
            SpectralConv2d c64 = new SpectralConv2d(16, 16, 3, 1, 1, true, false, new NormalInitializer(0.1f));
            c64.initialize(m, DataType.FLOAT64, new Shape(1, 16, 7, 7));
            c64.setCompute(Compute.BF16);
            assertThat(c64.apply(x64).getDataType()).isEqualTo(DataType.FLOAT64);
        }
    }

    @Test
    void checkpointProvenanceNamesBf16AndOmitsTheFp32Default() throws Exception {
        var mapper = org.ebm4j.core.AtomicFiles.MAPPER;
        String fp32 = mapper.writeValueAsString(org.ebm4j.train.Provenance.now());
        assertThat(fp32).doesNotContain("compute");
        Compute.set(Compute.BF16);
        org.ebm4j.train.Provenance p = org.ebm4j.train.Provenance.now();
        assertThat(p.compute()).isEqualTo("bf16");
        assertThat(mapper.writeValueAsString(p)).contains("\"compute\":\"bf16\"");
        // metadata of earlier versions (no compute field) still reads
        assertThat(mapper.readValue(fp32, org.ebm4j.train.Provenance.class).compute()).isNull();
    }

    @Test
    void computeParsesFp32AndBf16AndRefusesAnythingElse() {
        assertThat(Compute.parse("fp32")).isEqualTo(Compute.FP32);
        assertThat(Compute.parse("BF16")).isEqualTo(Compute.BF16);
        assertThat(Compute.BF16.label()).isEqualTo("bf16");
        assertThatThrownBy(() -> Compute.parse("fp16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("compute must be fp32 or bf16, got 'fp16'");
    }

    /** A printed, not asserted, sanity check of the speed (seconds; the lead benchmarks in a quiet window). */
    @Test
    void timingSanityCheckPrinted() {
        try (NDManager m = NDManager.newBaseManager()) {
            Torch.seed(1);
            PatchEnergyNet net = new PatchEnergyNet(3, new int[] {64, 64, 64, 64}, 0.1f).init(m);
            net.freezeSpectralState();
            net.setTrainable(false);
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 3, 80, 60));
            for (Compute mode : new Compute[] {Compute.FP32, Compute.BF16, Compute.FP32, Compute.BF16}) {
                double ms = in(mode, () -> {
                    long best = Long.MAX_VALUE;
                    for (int i = 0; i < 4; i++) {
                        try (NDManager it = m.newSubManager()) {
                            NDArray xi = Torch.scopedCopy(x, it);
                            long t0 = System.nanoTime();
                            Langevin.gradient(net::langevinTarget, xi);
                            best = Math.min(best, System.nanoTime() - t0);
                        }
                    }
                    return best / 1e6;
                });
                System.out.printf("bf16 timing sanity: PatchEnergyNet[64x4] 1x3x80x60 forward+grad_x, %s: %.1f ms (best of 4)%n",
                        mode.label(), ms);
            }
        }
    }
}
