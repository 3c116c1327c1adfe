package org.ebm4j.method.hatebm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Generator;
import org.ebm4j.nn.LatentGenerator;
import org.ebm4j.nn.Nets;
import org.ebm4j.nn.ResidualEbm;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.nn.Sphere;
import org.ebm4j.optim.WeightEma;
import org.ebm4j.sampling.ChainConfig;
import org.ebm4j.sampling.ChainPart;
import org.ebm4j.sampling.LangevinChain;
import org.ebm4j.sampling.LangevinStep;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two nets of a Hat EBM and its chains: the hat network H (energy form, p ∝ exp(−H/T)) and the
 * generator G, with X = Y + G(Z). G's batch norms are always in test mode (App. E), so G is a
 * deterministic per-sample function and its BN layers act as learnable affine maps.
 * <ul>
 *   <li>Residual chain (Eq. 6, Z fixed): Y ← Y − (ε²/2)·clip(∇_Y H(Y + G(Z))/T) − (ε²/2)·Y/σ² + ε·ξ;</li>
 *   <li>joint chain (refinement): per step Z ← Z − (ε_z²/2)·∇_Z H(G(Z) + Y)/T + ε_z·ξ, then Y as above;</li>
 *   <li>latent chain (the App. H "no residual" ablation): Z ← Z − (ε_z²/2)·∇_Z H(G(Z))/T + ε_z·ξ.</li>
 * </ul>
 * The residual prior's drift is added after the clip (the official code adds τ·ΣY² to the energy
 * after the /T and clips the sum; with the official T ≤ 1e-3 the prior's share of that gradient is
 * negligible). The weight EMAs of both nets (App. J: 0.9999) live here; {@link #useAverages}
 * swaps them into the nets for sampling.
 *
 * <p>References: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
 * Latent Spaces with Hat EBM", NeurIPS 2022 (Eq. 6, App. E, G, H, J).
 */
public final class HatEbmModel implements AutoCloseable {
    private final NDManager manager;
    private final HatEbmConfig cfg;
    private final ResidualEbm ebm;
    private final LatentGenerator gen;
    private final WeightEma emaEbm;
    private final WeightEma emaGen;

    /** Creates H, then G, from the seed {@code derive(cfg.seed, -1)}, and their averages. */
    public HatEbmModel(NDManager parent, HatEbmConfig cfg) {
        this.cfg = cfg;
        this.manager = parent.newSubManager();
        try {
            Torch.seed(Seeds.derive(cfg.seed(), -1));
            ebm = new ResidualEbm(cfg.ebmConfig()).init(manager, DataType.FLOAT32);
            gen = cfg.nets().genLayout() == HatEbmConfig.GenLayout.RETROFIT
                    ? new RetrofitDecoder(cfg.decoderConfig()).init(manager, DataType.FLOAT32)
                    : new Generator(cfg.generatorConfig()).init(manager, DataType.FLOAT32);
            gen.setBnMode(BatchNorm2d.Mode.RUNNING); // App. E: "batch norm is set to test mode for all generators"
            ebm.setUpdateU(false);
            Nets.setTrainable(ebm, false);
            Nets.setTrainable(gen, false);
            boolean ema = cfg.optim().emaDecay() > 0;
            emaEbm = ema ? new WeightEma(manager, Nets.trainableParameters(ebm), cfg.optim().emaDecay()) : null;
            emaGen = ema && cfg.mode() == HatEbmConfig.Mode.SYNTHESIS
                    ? new WeightEma(manager, Nets.trainableParameters(gen), cfg.optim().emaDecay()) : null;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public HatEbmConfig config() {
        return cfg;
    }

    public NDManager manager() {
        return manager;
    }

    public ResidualEbm ebm() {
        return ebm;
    }

    /** G: the SN-GAN generator, or the retrofit decoder (layout retrofit). */
    public LatentGenerator generator() {
        return gen;
    }

    /**
     * Z₀ for a batch of n: N(0, I) of the generator's latent shape; for the retrofit decoder
     * projected onto the sphere of radius √D, where its encoder put every training latent
     * (App. A: noise off the sphere decodes to images the decoder never saw). Draws from
     * libtorch's generator (seed it first).
     */
    public NDArray drawLatents(NDManager m, long n) {
        NDArray z = m.randomNormal(gen.latentShape(n));
        if (cfg.nets().genLayout() != HatEbmConfig.GenLayout.RETROFIT) {
            return z;
        }
        NDArray p = Sphere.project(z, Sphere.EPS);
        z.close();
        return p;
    }

    /** The EMA of H's weights (null when optim.emaDecay is 0). */
    public WeightEma emaEbm() {
        return emaEbm;
    }

    /** The EMA of G's weights (null when emaDecay is 0 or the generator is frozen). */
    public WeightEma emaGen() {
        return emaGen;
    }

    /** Replaces the nets' weights by their moving averages (for sampling; training must not go on after). */
    public void useAverages() {
        if (emaEbm == null) {
            throw new org.ebm4j.core.EbmException("this run keeps no weight averages (optim.emaDecay = 0)");
        }
        emaEbm.copyTo();
        if (emaGen != null) {
            emaGen.copyTo();
        }
    }

    /** H(x), one energy per image, shape [N]. */
    public NDArray energy(NDArray x) {
        try (NDArray e = ebm.output(x)) {
            return e.reshape(-1);
        }
    }

    /** G(z) for z of the generator's latent shape. */
    public NDArray generate(NDArray z) {
        return gen.apply(z);
    }

    /** The residual part of Eq. 6: energy form, ε and T, the per-sample clip and the prior when set. */
    public ChainPart residualPart(double temperature, boolean clip) {
        HatEbmConfig.Chains c = cfg.chains();
        ChainPart p = ChainPart.energy("y", LangevinStep.hatEbm(c.epsilon(), temperature));
        if (clip && c.maxDisplacement() > 0) {
            p = p.withGradClip(c.gradClip());
        }
        if (c.priorSigma() > 0) {
            p = p.withPrior(c.priorSigma());
        }
        return p;
    }

    /** The latent part of joint sampling: ε_z and T, no clip, no prior (official {@code update_latents}). */
    public ChainPart latentPart(double temperature) {
        return ChainPart.energy("z", LangevinStep.hatEbm(cfg.chains().zEpsilon(), temperature));
    }

    /** Eq. 6: K steps on Y from y0 with G(Z) = gz fixed; returns Y_K. */
    public NDArray residualChain(NDArray gz, NDArray y0, int steps, double temperature, boolean clip) {
        Map<String, NDArray> start = new LinkedHashMap<>();
        start.put("y", y0);
        start.put("gz", gz);
        Map<String, NDArray> out = LangevinChain.run(s -> ebm.output(s.get("gz").add(s.get("y"))), start,
                ChainConfig.of(steps, residualPart(temperature, clip)));
        out.get("gz").close();
        return out.get("y");
    }

    /** Joint sampling: K steps, each first on Z then on Y (methods' order z, y); returns {z, y}. */
    public Map<String, NDArray> jointChain(NDArray z0, NDArray y0, int steps, double temperature, boolean clip) {
        Map<String, NDArray> start = new LinkedHashMap<>();
        start.put("z", z0);
        start.put("y", y0);
        return LangevinChain.run(s -> {
            try (NDArray g = gen.apply(s.get("z"))) {
                return ebm.output(g.add(s.get("y")));
            }
        }, start, ChainConfig.of(steps, latentPart(temperature), residualPart(temperature, clip)));
    }

    /** The no-residual ablation: K steps on Z under U(z) = H(G(z)); returns Z_K. */
    public NDArray latentChain(NDArray z0, int steps, double temperature) {
        Map<String, NDArray> start = new LinkedHashMap<>();
        start.put("z", z0);
        return LangevinChain.run(s -> {
            try (NDArray g = gen.apply(s.get("z"))) {
                return ebm.output(g);
            }
        }, start, ChainConfig.of(steps, latentPart(temperature))).get("z");
    }

    /**
     * Negative samples of one iteration: G(Z₀), X⁻ and X⁻ − G(Z₀) (Y_K with a residual), and for a
     * joint chain the mean per-sample ‖Z_K‖ (NaN otherwise; the official joint code's {@code z_norm},
     * which shows how far the latents leave the sphere of radius √D in a retrofit).
     */
    public record Negatives(NDArray generated, NDArray x, NDArray residual, double latentNorm) implements AutoCloseable {
        @Override
        public void close() {
            generated.close();
            x.close();
            residual.close();
        }
    }

    /**
     * The training chain of this model's mode from Z₀ = z and Y₀ = y0: synthesis X⁻ = G(Z) + Y_K
     * (Z fixed), its no-residual ablation X⁻ = G(Z_K), refine and retrofit X⁻ = G(Z_K) + Y_K (joint).
     */
    public Negatives negatives(NDArray z, NDArray y0, int steps, double temperature, boolean clip) {
        NDArray g0 = generate(z);
        if (cfg.joint()) {
            Map<String, NDArray> out = jointChain(z, y0, steps, temperature, clip);
            NDArray zk = out.get("z");
            NDArray y = out.get("y");
            try (NDArray g = generate(zk); NDArray flat = zk.reshape(zk.getShape().get(0), -1);
                 NDArray norms = flat.norm(new int[] {1}); NDArray mean = norms.mean()) {
                double zNorm = mean.getFloat();
                zk.close();
                return new Negatives(g0, g.add(y), y, zNorm);
            }
        }
        if (!cfg.train().residual()) {
            NDArray zk = latentChain(z, steps, temperature);
            NDArray x = generate(zk);
            zk.close();
            return new Negatives(g0, x, x.sub(g0), Double.NaN);
        }
        NDArray y = residualChain(g0, y0, steps, temperature, clip);
        return new Negatives(g0, g0.add(y), y, Double.NaN);
    }

    /** Generated and EBM-refined samples of a batch. */
    public record Samples(NDArray generated, NDArray refined) implements AutoCloseable {
        @Override
        public void close() {
            generated.close();
            refined.close();
        }
    }

    /**
     * n samples at test time (official {@code fid_save_ims.py}): Z ~ N(0, I) (retrofit: projected
     * onto the sphere, {@link #drawLatents}), Y₀ ~
     * testInitResidual·N(0, I), {@code steps} steps at the test temperature, the residual clip
     * when testClip. Drawn in batches of the training batch size, each from its own seed, so
     * sample i is the same for any n ≥ i.
     */
    public Samples sample(NDManager m, int n, long seed, int steps) {
        HatEbmConfig.Chains c = cfg.chains();
        int b = cfg.batchSize();
        NDList gens = new NDList();
        NDList refs = new NDList();
        for (int i = 0, chunk = 0; i < n; i += b, chunk++) {
            int k = Math.min(b, n - i);
            try (NDManager s = m.newSubManager()) {
                Torch.seed(Seeds.derive(seed, chunk));
                NDArray z = drawLatents(s, b);
                Shape img = new Shape(b, cfg.channels(), cfg.imageSize(), cfg.imageSize());
                NDArray y0 = c.testInitResidual() > 0 ? s.randomNormal(img).mul(c.testInitResidual()) : s.zeros(img);
                Negatives neg = negatives(z, y0, steps, c.testTemperature(), c.testClip());
                NDArray g = neg.generated().get("0:" + k);
                NDArray r = neg.x().get("0:" + k);
                g.attach(m);
                r.attach(m);
                gens.add(g);
                refs.add(r);
            }
        }
        NDArray g = gens.size() == 1 ? gens.get(0) : NDArrays.concat(gens);
        NDArray r = refs.size() == 1 ? refs.get(0) : NDArrays.concat(refs);
        if (gens.size() > 1) {
            gens.close();
            refs.close();
        }
        return new Samples(g, r);
    }

    /** H(x) of every image of a set, in batches of the training batch size. */
    public double[] energies(org.ebm4j.data.ImageDataset data) {
        return data.perImage(manager, cfg.batchSize(),
                x -> energy(x).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray());
    }

    /**
     * An image set prepared as this run's training data (resized, converted to its channels), at most
     * n images (a seeded subset; 0 = all). An empty set is an error.
     */
    public static org.ebm4j.data.ImageDataset data(HatEbmConfig cfg, String spec, org.ebm4j.data.Datasets.Split split,
                                                   int n, long seed) throws java.io.IOException {
        return org.ebm4j.data.Datasets.loadNonEmpty(spec, split,
                new org.ebm4j.data.DataOptions(cfg.imageSize(), cfg.channels(), n, seed));
    }

    /**
     * The mean of a per-image vector as Σ(e/N): mean() hands the last linear layer a stride-0
     * gradient, on which libtorch 2.7.1's CPU matmul backward reads uninitialised memory (see
     * DualMcmcTrainer.mean).
     */
    static NDArray mean(NDArray e) {
        try (NDArray scaled = e.mul(1.0f / e.getShape().get(0))) {
            return scaled.sum();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
