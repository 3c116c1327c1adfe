package org.ebm4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.Compute;
import org.ebm4j.core.NativeAllocator;
import org.ebm4j.core.Torch;
import org.ebm4j.image.FloatImage;
import org.ebm4j.method.dualmcmc.DualMcmcConfig;
import org.ebm4j.method.dualmcmc.DualMcmcModel;
import org.ebm4j.method.dualmcmc.DualMcmcTrainer;
import org.ebm4j.method.hatebm.HatEbmConfig;
import org.ebm4j.method.hatebm.HatEbmModel;
import org.ebm4j.method.hatebm.HatEbmTrainer;
import org.ebm4j.method.multigrid.MultigridConfig;
import org.ebm4j.method.multigrid.MultigridModel;
import org.ebm4j.method.multigrid.MultigridTrainer;
import org.ebm4j.method.patchgen.PatchGenConfig;
import org.ebm4j.method.patchgen.PatchGenModel;
import org.ebm4j.method.patchgen.PatchGenRun;
import org.ebm4j.method.patchgen.PatchGenStep;
import org.ebm4j.method.patchgen.Pyramid;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.sampling.PersistentBank;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark workloads of docs/BENCHMARKS.md, built from the library's own pieces and timed as
 * bench/torch_reference.py (their plain PyTorch reference) times them: median wall-clock time per
 * iteration after untimed warm-up iterations, and an analytic GFLOP count per iteration that equals
 * the reference's (2 FLOPs per multiply-add of every conv and linear call, per pass that needs it).
 */
public final class Workloads {
    private Workloads() {}

    /**
     * PatchGenCN's official settings, those of the workloads: zero padding 5, Langevin step size
     * 0.01 (drift 0.5 * 0.01), noise 0.01, 30 synthesis and recovery steps (60 at the coarsest
     * scale), λ 0.1, Adam lr 4e-4 and β1 0.5, N(0, 0.005) initialisation.
     */
    static final PatchGenConfig PAPER = PatchGenConfig.paper();

    public static List<String> names() {
        return List.of("patchgencn-s48", "patchgencn-s128", "patchgencn-s250", "patchgencn-sample250", "multigrid-64",
                "dualmcmc-32", "hatebm-32");
    }

    /** Runs one workload and returns the JSON fields bench/torch_reference.py prints too (impl, workload, ms_per_iter_median, ...). */
    public static Map<String, Object> run(String name, int warmup, int iters) {
        if (name == null || !names().contains(name)) {
            throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + String.join(", ", names()));
        }
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("iters must be >= 1 and warmup >= 0, got iters " + iters
                    + ", warmup " + warmup);
        }
        NativeAllocator.tune();
        Torch.seed(0);
        try (NDManager base = NDManager.newBaseManager()) {
            Workload wl = switch (name) {
                case "patchgencn-s48" -> train(base, 48, 36);
                case "patchgencn-s128" -> train(base, 128, 96);
                case "patchgencn-s250" -> train(base, 250, 188);
                case "patchgencn-sample250" -> sample(base);
                case "multigrid-64" -> multigrid(base);
                case "dualmcmc-32" -> dualmcmc(base);
                case "hatebm-32" -> hatebm(base);
                default -> throw new IllegalStateException(name);
            };
            double[] ms = new double[iters];
            for (int i = 0; i < warmup + iters; i++) {
                long t0 = System.nanoTime();
                try (NDManager it = base.newSubManager()) {
                    wl.step().accept(it);
                }
                long dt = System.nanoTime() - t0;
                if (i >= warmup) {
                    ms[i - warmup] = dt / 1e6;
                }
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : 0.5 * (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]);
            double gflop = wl.flops() / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("impl", "ebm4j");
            out.put("djl", "0.35.1");
            out.put("torch", "2.7.1");
            out.put("workload", name);
            out.put("device", "cpu");
            // the intra-op pool libtorch really uses (--threads / -Dai.djl.pytorch.num_threads),
            // not the core count, so a JSON row says what was measured
            out.put("threads", Torch.threads());
            // fp32 or bf16 convolutions (--compute, see docs/BF16.md)
            out.put("compute", Compute.current().label());
            out.put("iters", iters);
            out.put("ms_per_iter_median", round(median, 2));
            out.put("ms_per_iter_min", round(sorted[0], 2));
            out.put("ms_per_iter_max", round(sorted[sorted.length - 1], 2));
            out.put("gflop_per_iter", round(gflop, 4));
            out.put("gflops_achieved", round(gflop / (median / 1000.0), 3));
            return out;
        }
    }

    /** One JSON line of the fields of {@link #run}, as bench/torch_reference.py prints it. */
    public static String toJson(Map<String, Object> fields) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            sb.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
        }
        return sb.append('}').toString();
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private interface Step {
        void accept(NDManager it);
    }

    private record Workload(Step step, double flops) {}

    private static PatchEnergyNet newNet(NDManager m, int w, int h) {
        return new PatchEnergyNet(3, PatchEnergyNet.widthsFor(w, h), (float) PAPER.initStd()).init(m);
    }

    private static NDArray greyNoise(NDManager m, int w, int h) {
        return Torch.uniform(m, -1f, 1f, new Shape(1, 1, h, w)).repeat(1, 3);
    }

    private static NDArray bicubic(NDArray x, int w, int h) {
        return ImageTensors.resize(x, w, h, false).clip(-1, 1);
    }

    /**
     * One PatchGenCN iteration at one scale of a w x h image (patchgencn_train in bench/torch_reference.py),
     * run by the library's own training step ({@link PatchGenStep}, what PatchGenTrainer runs) with
     * the paper's settings: a synthesis chain of {@code steps} (30) from grey noise at the scale's
     * size, the 30-step recovery chain, the loss with λ 0.1 and one Adam step.
     */
    private static Workload train(NDManager base, int w, int h) {
        PatchGenConfig cfg = PAPER;
        PatchEnergyNet net = newNet(base, w, h);
        Adam adam = PatchGenStep.newAdam(cfg, 1, base, net);
        NDArray real = Torch.uniform(base, -1f, 1f, new Shape(1, 3, h, w));
        NDArray obs = Torch.pad(real, cfg.pad());
        NDArray small = bicubic(real, (int) Math.ceil(cfg.initFactor() * w), (int) Math.ceil(cfg.initFactor() * h));
        NDArray recInit = Torch.pad(bicubic(small, w, h), cfg.pad());
        PatchGenStep train = new PatchGenStep(cfg, 1, net, adam, obs, recInit);
        // iteration 0 of the noise schedule: the chain's noise std is noiseInit (0.01) as the workload says
        Step step = it -> train.run(it, 0, greyNoise(it, w, h));
        Cost c = Cost.of(net.widths(), w + 2 * cfg.pad(), h + 2 * cfg.pad());
        return new Workload(step, c.langevin(cfg.steps() + cfg.stepsRec()) + c.update(3));
    }

    /**
     * Sampling one 250x188 image through the 8-scale pyramid (patchgencn_sample in bench/torch_reference.py),
     * by the library's own sampler ({@link PatchGenModel#sample}, Alg. 2): grey noise at the coarsest
     * scale, 60 steps there and 30 at each finer scale, bicubic upsampling between scales, noise-free
     * chains (the paper's noiseMin 0), freshly initialised nets.
     */
    private static Workload sample(NDManager base) {
        PatchGenConfig cfg = PAPER;
        Pyramid p = Pyramid.of(250, 188, cfg.numScales(), cfg.minSize(), cfg.maxSize());
        FloatImage source = ImageTensors.fromTensor(Torch.uniform(base, -1f, 1f, new Shape(1, 3, 188, 250))).get(0);
        PatchGenModel model = new PatchGenModel(base, cfg, p, PatchGenRun.reals(source, p, cfg.quantize8()));
        double flops = 0;
        for (int s = 0; s < p.numScales(); s++) {
            PatchEnergyNet net = model.newNet(s);
            net.setTrainable(false);
            model.setNet(s, net);
            flops += Cost.of(net.widths(), p.widths()[s] + 2 * cfg.pad(), p.heights()[s] + 2 * cfg.pad())
                    .langevin(cfg.stepsAt(s));
        }
        Step step = it -> model.sample(it, 1, 1.0, 1.0, cfg.noiseMin());
        return new Workload(step, flops);
    }

    /**
     * One multi-grid minimal CD iteration on 100 RGB 64×64 images (multigrid in bench/torch_reference.py),
     * by the library's own training step ({@link MultigridTrainer#step}, what MultigridTrainer runs):
     * block averages to 1, 4, 16, 64; at each grid up-scale and 30 steps of Eq. 8 (δ 0.3, σ 1, with
     * noise); one Adam step (lr 0.3, β1 0.5) per grid net.
     */
    private static Workload multigrid(NDManager base) {
        MultigridConfig cfg = MultigridConfig.paper().toBuilder().channels(3).batchSize(100).clip(false).pixelRange("unit")
                .referenceSigma(1.0).noise(true).delta(0.3).steps(30).lr(0.3)
                .lrSchedule("constant").build().validate();
        MultigridModel model = new MultigridModel(base, cfg);
        Map<Integer, Adam> adams = new LinkedHashMap<>();
        double flops = 0;
        for (Map.Entry<Integer, ConvEnergyNet> e : model.nets().entrySet()) {
            adams.put(e.getKey(), new Adam(base, e.getValue().trainableParameters(), LrSchedule.constant(cfg.lr()),
                    cfg.beta1(), cfg.beta2(), 1e-8, 0));
            double[] c = convCost(cfg.netSpec(e.getKey()), 3, e.getKey(), cfg.batchSize());
            flops += cfg.steps() * (c[0] + c[0]) + 2 * (c[0] + c[0] + c[1]);
        }
        NDArray images = Torch.uniform(base, -1f, 1f, new Shape(100, 3, 64, 64));
        // the batch copied into the iteration's scope, so what is computed from it is freed with it
        Step step = it -> MultigridTrainer.step(model, adams, null, Torch.scopedCopy(images, it), null, it);
        return new Workload(step, flops);
    }

    /**
     * One conditional Hat EBM iteration on 32 RGB 32×32 images (see hatebm in bench/torch_reference.py), by the
     * library's own training step ({@link HatEbmTrainer#step}, what HatEbmTrainer runs): nets of width
     * 64 (H without spectral norm, G with BN in test mode and outputs ×2, latent 128, Keras
     * initialisation), 50 residual Langevin steps from Y₀ = 0 (ε 5e-4, T 1e-3, per-sample clip
     * 2.5/(ε²/2)), the EBM update (Adam 1e-4, β (0.9, 0.999)), the generator update on 32 unique
     * pairs of a persistent bank of 1024 and the bank overwrite. No weight EMA (the peer keeps none).
     */
    private static Workload hatebm(NDManager base) {
        int b = 32;
        int w = 64;
        int nz = 128;
        HatEbmConfig p = HatEbmConfig.paperCifar10();
        HatEbmConfig cfg = p.withTraining(0, 1, b)
                .withNets(new HatEbmConfig.Nets(nz, w, w, 2.0, HatEbmConfig.GenLayout.HAT))
                .withChains(new HatEbmConfig.Chains(50, 5e-4, 1e-3, 2.5, 0, 5e-3, 50, 0.01, 1e-3, true))
                .withTrain(new HatEbmConfig.Train(1e-3, 1024, 1000, HatEbmConfig.GenTarget.HISTORICAL, true, 0))
                .withOptim(new HatEbmConfig.Optim(1e-4, 1e-4, 0.9, 0.999, "", 0.1, 0, 0));
        HatEbmModel model = new HatEbmModel(base, cfg);
        HatEbmTrainer trainer = new HatEbmTrainer(cfg, null);
        Adam[] adams = HatEbmTrainer.optimizers(model);
        PersistentBank bank = trainer.newBank(base);
        trainer.fillBank(model, bank);
        NDArray data = Torch.uniform(base, -1f, 1f, new Shape(b, 3, 32, 32));
        long[] index = {0};
        Step step = it -> trainer.step(model, adams, bank, Torch.scopedCopy(data, it), it, index[0]++);
        double[] ce = hatEbmCost(w, 32, 3, b);
        double[] cg = hatGenCost(w, nz, b);
        double flops = cg[0] + 50 * (ce[0] + ce[1]) + 2 * (ce[0] + ce[2]) + (cg[0] + cg[2]);
        return new Workload(step, flops);
    }

    /**
     * {fwd, grad_x, grad_w} FLOPs of the 32-px Hat EBM critic on a batch, as net_cost in
     * bench/torch_reference.py counts them (2·MACs of every conv and linear layer; grad_w adds 2·MACs of the
     * layers whose input carries a gradient, i.e. all but the stem's first conv and its shortcut).
     */
    static double[] hatEbmCost(int w, int side, int cin, int batch) {
        double s2 = (double) side * side;
        double total = 0;
        double inner = 0;
        double first = w * s2 * cin * 9 + w * (s2 / 4) * cin; // stem conv1 and its shortcut: input = the image
        double stemConv2 = w * s2 * w * 9;
        double block1 = 2 * w * (s2 / 4) * w * 9 + w * (s2 / 4) * w; // down block at side/2, shortcut before the pool
        double blocks23 = 2 * 2 * w * (s2 / 16) * w * 9;
        double head = w;
        total = first + stemConv2 + block1 + blocks23 + head;
        inner = total - first;
        return new double[] {2 * total * batch, 2 * total * batch, (2 * total + 2 * inner) * batch};
    }

    /** {fwd, grad_x, grad_w} FLOPs of the 32-px Hat EBM generator (linear → 3 up-blocks → conv) on a batch. */
    static double[] hatGenCost(int w, int nz, int batch) {
        double lin = 16.0 * w * nz;
        double blocks = 0;
        for (int s = 8; s <= 32; s *= 2) {
            blocks += 2 * w * (double) s * s * w * 9 + w * (double) s * s * w;
        }
        double out = 3 * 1024.0 * w * 9;
        double total = lin + blocks + out;
        double inner = total - lin;
        return new double[] {2 * total * batch, 2 * total * batch, (2 * total + 2 * inner) * batch};
    }

    /** {2·MACs of one forward pass, 2·MACs of the layers whose input carries a gradient in an update} for a batch. */
    static double[] convCost(List<ConvEnergyNet.Layer> spec, int cin, int side, int batch) {
        double total = 0;
        double inner = 0;
        for (int i = 0; i < spec.size(); i++) {
            ConvEnergyNet.Layer l = spec.get(i);
            side = (side + 2 * (l.kernel() / 2) - l.kernel()) / l.stride() + 1;
            double macs = (double) l.channels() * side * side * cin * l.kernel() * l.kernel();
            total += macs;
            if (i > 0) {
                inner += macs;
            }
            cin = l.channels();
        }
        double fc = (double) cin * side * side;
        total += fc;
        inner += fc;
        return new double[] {2 * total * batch, 2 * inner * batch};
    }

    /**
     * One Dual-MCMC teaching iteration on 32 RGB 32×32 images (dualmcmc in bench/torch_reference.py) by the
     * library's own step ({@link DualMcmcTrainer#step}, what DualMcmcTrainer runs): the official
     * CIFAR-10 values (T^x 30 steps s 0.5 n 1e-3; T^z 10 steps s 0.1 n 0.1 σ 0.3; S 50; inference
     * weight 0.1; three Adams β (0, 0.9)) with the residual nets at width 64 and latent 128, the
     * updates in the official order G, I, then E on a fresh T^x chain.
     */
    private static Workload dualmcmc(NDManager base) {
        int batch = 32;
        int nz = 128;
        int w = 64;
        DualMcmcConfig cfg = DualMcmcConfig.paperCifar10()
                .withNets(new DualMcmcConfig.Nets(DualMcmcConfig.Layout.CIFAR, nz, w, w, w))
                .withTraining(0, 1, batch);
        DualMcmcModel model = new DualMcmcModel(base, cfg);
        Adam[] adams = DualMcmcTrainer.optimizers(model, 1);
        DualMcmcTrainer trainer = new DualMcmcTrainer(cfg, org.ebm4j.core.ProgressListener.NONE);
        NDArray images = Torch.uniform(base, -1f, 1f, new Shape(batch, 3, 32, 32));
        long[] index = {0};
        Step step = it -> trainer.step(model, adams, Torch.scopedCopy(images, it), it, index[0]++);
        // FLOPs counted as bench/torch_reference.py counts them: 2 per multiply-add of every conv and linear
        // layer; a layer whose input carries no gradient has no input-gradient pass in an update
        DualMcmcConfig.Chains c = cfg.chains();
        double[] e = residualEbmMacs(w, 32);
        double[] g = generatorMacs(nz, w);
        double[] i = inferenceMacs(w, nz);
        double flops = batch * (langevin(e, 2 * c.xSteps()) + langevin(g, c.zSteps())
                + update(g, 2) + 2 * g[0] + update(i, 2) + update(e, 2));
        return new Workload(step, flops);
    }

    private static double langevin(double[] macs, int steps) {
        return steps * 4 * macs[0];
    }

    private static double update(double[] macs, int passes) {
        return passes * (2 * macs[0] + 2 * macs[0] + 2 * macs[1]);
    }

    /** {total, inner} multiply-adds per image of the 32-px residual EBM of width ch (stem, down, two plain blocks). */
    static double[] residualEbmMacs(int ch, int size) {
        double s = size;
        double first = s * s * 3 * ch * 9 + (s / 2) * (s / 2) * 3 * ch; // stem conv1 and its 1x1 shortcut on x
        double rest = s * s * ch * ch * 9                              // stem conv2
                + 2 * (s / 2) * (s / 2) * ch * ch * 9 + (s / 2) * (s / 2) * ch * ch // down block + 1x1
                + 2 * 2 * (s / 4) * (s / 4) * ch * ch * 9                // two blocks at 8x8
                + ch;                                                   // linear head
        return new double[] {first + rest, rest};
    }

    /** {total, inner} of the 32-px residual generator (linear to 4x4, three up-blocks, output conv). */
    static double[] generatorMacs(int nz, int ch) {
        double lin = (double) nz * 16 * ch;
        double rest = 0;
        for (int side = 8; side <= 32; side *= 2) {
            rest += (double) side * side * ch * ch * (9 + 9 + 1);
        }
        rest += 32.0 * 32 * 3 * ch * 9;
        return new double[] {lin + rest, rest};
    }

    /** {total, inner} of the CIFAR inference net (3x3 stem, three 4x4 stride-2 convs, two 4x4 heads). */
    static double[] inferenceMacs(int w, int nz) {
        double first = 32.0 * 32 * 3 * w * 9;
        double rest = 16.0 * 16 * 2 * w * w * 16 + 8.0 * 8 * 4 * w * 2 * w * 16 + 4.0 * 4 * 8 * w * 4 * w * 16
                + 2.0 * nz * 8 * w * 16;
        return new double[] {first + rest, rest};
    }

    record Cost(double fwd, double gradX, double gradW) {
        static Cost of(int[] widths, int paddedW, int paddedH) {
            double total = 0;
            double inner = 0;
            int cin = 3;
            int ow = paddedW;
            int oh = paddedH;
            for (int i = 0; i <= widths.length; i++) {
                int cout = i < widths.length ? widths[i] : 1;
                ow -= 2;
                oh -= 2;
                double macs = (double) cout * ow * oh * cin * 9;
                total += macs;
                if (i > 0) { // the first layer's input (the image) carries no gradient in an update
                    inner += macs;
                }
                cin = cout;
            }
            return new Cost(2 * total, 2 * total, 2 * total + 2 * inner);
        }

        double langevin(int steps) {
            return steps * (fwd + gradX);
        }

        double update(int passes) {
            return passes * (fwd + gradW);
        }
    }
}
