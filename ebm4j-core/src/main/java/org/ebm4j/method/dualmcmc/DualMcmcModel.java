package org.ebm4j.method.dualmcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Encoder;
import org.ebm4j.nn.Generator;
import org.ebm4j.nn.Nets;
import org.ebm4j.nn.ResidualEbm;
import org.ebm4j.sampling.ChainConfig;
import org.ebm4j.sampling.ChainPart;
import org.ebm4j.sampling.LangevinChain;
import org.ebm4j.sampling.LangevinStep;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The three nets of Dual-MCMC teaching (Cui, Han 2023) and their two chains: the EBM E (energy
 * form, π ∝ exp(−E/T)), the generator G (p(x|z) = N(G(z), σ²I), p(z) = N(0, σ_p²I)) and the
 * inference net I (q(z|x) = N(μ(x), diag σ²(x))).
 * <ul>
 *   <li>T^x (Eq. 3, code form): x ← x − ½s²∇ₓE(x) + n·ξ, started at G(z);</li>
 *   <li>T^z (Eq. 6, code form): z ← z − ½s_z²∇_z(k‖G(z) − x‖²/σ² + ‖z‖²/(2σ_p²)) + n_z·ξ, started
 *       at z ~ q(z|x); k = 1 in the official code, ½ for the textbook Gaussian.</li>
 * </ul>
 * Images are in [−1, 1]. Every method here leaves the nets frozen (no weight gradients); the
 * trainer unfreezes one net for its update.
 */
public final class DualMcmcModel implements AutoCloseable {
    private final NDManager manager;
    private final DualMcmcConfig cfg;
    private final ResidualEbm ebm;
    private final Generator gen;
    private final Encoder inf;
    private boolean training;

    /** Creates the nets (E, then G, then I) from the seed {@code derive(cfg.seed, -1)}. */
    public DualMcmcModel(NDManager parent, DualMcmcConfig cfg) {
        this.cfg = cfg;
        this.manager = parent.newSubManager();
        try {
            Torch.seed(Seeds.derive(cfg.seed(), -1));
            ebm = new ResidualEbm(cfg.ebmConfig()).init(manager, DataType.FLOAT32);
            gen = new Generator(cfg.generatorConfig()).init(manager, DataType.FLOAT32);
            inf = new Encoder(cfg.encoderConfig()).init(manager, DataType.FLOAT32);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        Nets.setTrainable(ebm, false);
        Nets.setTrainable(gen, false);
        Nets.setTrainable(inf, false);
        setTraining(false);
    }

    public DualMcmcConfig config() {
        return cfg;
    }

    public NDManager manager() {
        return manager;
    }

    public ResidualEbm ebm() {
        return ebm;
    }

    public Generator generator() {
        return gen;
    }

    public Encoder inference() {
        return inf;
    }

    /**
     * Training or evaluation. Training is PyTorch's train mode, which the official code never
     * leaves while training: G's BN uses batch statistics and moves its running averages on every
     * call (chains included), and the EBM runs one spectral-norm power iteration per call.
     * Evaluation follows the official {@code task_fid.py}, which never calls {@code eval()}: G's BN
     * still uses the batch's statistics (so generate in batches, as {@link #sample} does), but
     * the running averages and the spectral-norm vectors stay fixed, so evaluation does not
     * change the model. For PyTorch's eval mode, set {@code generator().setBnMode(RUNNING)} after
     * this call.
     */
    public void setTraining(boolean t) {
        training = t;
        gen.setBnMode(t ? BatchNorm2d.Mode.BATCH_UPDATE : BatchNorm2d.Mode.BATCH);
        ebm.setUpdateU(t);
    }

    public boolean training() {
        return training;
    }

    /** T = (n/s)² of the training chain (1 without use_temp). */
    public double temperature() {
        return cfg.chains().temperature();
    }

    /** E(x), one energy per image, shape [N]. */
    public NDArray energy(NDArray x) {
        try (NDArray e = ebm.output(x)) {
            return e.reshape(-1);
        }
    }

    /** G(z) for z [N, d]. */
    public NDArray generate(NDArray z) {
        return gen.apply(z);
    }

    /** {μ, log σ²} of q(z|x), each [N, d]. */
    public NDList infer(NDArray x) {
        NDList o = inf.apply(x);
        long n = x.getShape().get(0);
        NDArray mu = o.get(0).reshape(n, -1);
        NDArray lv = o.get(1).reshape(n, -1);
        o.close();
        return new NDList(mu, lv);
    }

    /** z ~ q(z|x) by the reparameterisation (draws ε from libtorch's generator). */
    public NDArray inferSample(NDArray x) {
        NDList q = infer(x);
        try (NDArray eps = x.getManager().randomNormal(q.get(0).getShape())) {
            return Encoder.reparameterize(q.get(0), q.get(1), eps);
        } finally {
            q.close();
        }
    }

    /** The chain part of T^x with step size s (the noise n is the configured one). */
    public ChainPart xPart(double stepSize) {
        return ChainPart.energy("x", LangevinStep.dualMcmc(stepSize, cfg.chains().xNoise()));
    }

    /**
     * T^x: {@code steps} steps from x0 with step size s under the EBM. With {@code missing} ([N, 1|C,
     * H, W], 1 = missing) only the missing pixels move and the observed ones keep x0's values.
     */
    public NDArray reviseX(NDArray x0, int steps, double stepSize, NDArray missing) {
        Map<String, NDArray> start = new LinkedHashMap<>();
        start.put("x", x0);
        Map<String, NDArray> masks = missing == null ? Map.of() : Map.of("x", missing);
        Map<String, NDArray> out = LangevinChain.run(s -> ebm.output(s.get("x")), start,
                ChainConfig.of(steps, xPart(stepSize)), masks, null);
        return out.get("x");
    }

    /** The training-time T^x (configured steps and s). */
    public NDArray reviseX(NDArray x0) {
        return reviseX(x0, cfg.chains().xSteps(), cfg.chains().xStepSize(), null);
    }

    /**
     * The negative log-likelihood term of T^z: k·‖v ⊙ (G(z) − x)‖²/σ² as a dense map (its sum is
     * the term), k from the configured likelihood, v the visible mask (null = every pixel).
     */
    static NDArray zEnergy(Function<NDArray, NDArray> g, NDArray z, NDArray x, NDArray visible,
                           DualMcmcConfig.Chains c) {
        double k = c.zLikelihood().factor() / (c.sigma() * c.sigma());
        try (NDArray gz = g.apply(z); NDArray d = gz.sub(x)) {
            if (visible == null) {
                try (NDArray sq = d.square()) {
                    return sq.mul(k);
                }
            }
            try (NDArray dv = d.mul(visible); NDArray sq = dv.square()) {
                return sq.mul(k);
            }
        }
    }

    /**
     * T^z for any generator g (the model's, or a toy one in tests): {@code steps} steps of
     * z ← z − ½s_z²∇_z(k‖v⊙(g(z) − x)‖²/σ² + ‖z‖²/(2σ_p²)) + n_z·ξ from z0.
     */
    public static NDArray reviseZ(Function<NDArray, NDArray> g, NDArray z0, NDArray x, int steps, NDArray visible,
                                  DualMcmcConfig.Chains c) {
        Map<String, NDArray> start = new LinkedHashMap<>();
        start.put("z", z0);
        start.put("x", x);
        ChainPart part = ChainPart.energy("z", LangevinStep.dualMcmc(c.zStepSize(), c.zNoise())).withPrior(c.priorSigma());
        Map<String, NDArray> out = LangevinChain.run(s -> zEnergy(g, s.get("z"), s.get("x"), visible, c), start,
                ChainConfig.of(steps, part), Map.of(), null);
        out.get("x").close();
        return out.get("z");
    }

    /**
     * T^z: {@code steps} steps from z0 towards the posterior p(z | x). With {@code visible} ([N, 1|C,
     * H, W], 1 = observed) the likelihood counts the observed pixels only (inpainting).
     */
    public NDArray reviseZ(NDArray z0, NDArray x, int steps, NDArray visible) {
        return reviseZ(gen::apply, z0, x, steps, visible, cfg.chains());
    }

    /** Generated and EBM-revised samples of one batch. */
    public record Samples(NDArray generated, NDArray revised) implements AutoCloseable {
        @Override
        public void close() {
            generated.close();
            revised.close();
        }
    }

    /**
     * n samples: z ~ N(0, I), x̂ = G(z), x̃ = T^x(x̂) with {@code steps} steps of size s (test time:
     * 70 and 0.4). Drawn in batches of at most the training batch size, each from its own seed,
     * so sample i is the same for any n ≥ i.
     */
    public Samples sample(NDManager m, int n, long seed, int steps, double stepSize) {
        int b = cfg.batchSize();
        NDList gens = new NDList();
        NDList revs = new NDList();
        for (int i = 0, chunk = 0; i < n; i += b, chunk++) {
            int k = Math.min(b, n - i);
            try (NDManager s = m.newSubManager()) {
                Torch.seed(Seeds.derive(seed, chunk));
                NDArray z = s.randomNormal(new Shape(b, cfg.nets().latent()));
                NDArray x0 = generate(z);
                NDArray x1 = reviseX(x0, steps, stepSize, null);
                NDArray g = x0.get("0:" + k);
                NDArray r = x1.get("0:" + k);
                g.attach(m);
                r.attach(m);
                gens.add(g);
                revs.add(r);
            }
        }
        NDArray g = gens.size() == 1 ? gens.get(0) : ai.djl.ndarray.NDArrays.concat(gens);
        NDArray r = revs.size() == 1 ? revs.get(0) : ai.djl.ndarray.NDArrays.concat(revs);
        if (gens.size() > 1) {
            gens.close();
            revs.close();
        }
        return new Samples(g, r);
    }

    /** Reconstructions: G(μ(x)) (inference only) and G(T^z(μ(x))) (inference + T^z). */
    public record Reconstruction(NDArray inference, NDArray revised) implements AutoCloseable {
        @Override
        public void close() {
            inference.close();
            revised.close();
        }
    }

    /**
     * Reconstructs x: z₀ = μ(x) (the mean of q, so "inference only" is deterministic), then
     * {@code zSteps} steps of T^z (seeded), then G.
     */
    public Reconstruction reconstruct(NDArray x, long seed, int zSteps) {
        Torch.seed(seed);
        NDList q = infer(x);
        NDArray z0 = q.get(0);
        q.get(1).close();
        NDArray a = generate(z0);
        NDArray z = reviseZ(z0, x, zSteps, null);
        NDArray b = generate(z);
        z0.close();
        z.close();
        return new Reconstruction(a, b);
    }

    /** The three inpainting pipelines of the paper (supplement 1.3), observed pixels pasted back. */
    public record Inpainting(NDArray infGen, NDArray withZ, NDArray withZX) implements AutoCloseable {
        @Override
        public void close() {
            infGen.close();
            withZ.close();
            withZX.close();
        }
    }

    /**
     * Inpaints x with {@code missing} ([N, 1, H, W], 1 = missing): the occluded image x⊙(1−m) goes to
     * the inference net, z₀ = μ; Inf+Gen = G(z₀); +T^z runs the latent chain with the likelihood over
     * the observed pixels only; +T^z+T^x runs the EBM chain from that image with the observed pixels
     * clamped to x. Every result has the observed pixels of x.
     */
    public Inpainting inpaint(NDArray x, NDArray missing, long seed, int zSteps, int xSteps, double xStepSize) {
        Torch.seed(seed);
        try (NDArray visible = missing.mul(-1).add(1); NDArray occluded = x.mul(visible)) {
            NDList q = infer(occluded);
            NDArray z0 = q.get(0);
            q.get(1).close();
            NDArray a = paste(x, generate(z0), missing, visible);
            NDArray z = reviseZ(z0, x, zSteps, visible);
            NDArray b = paste(x, generate(z), missing, visible);
            NDArray c = reviseX(b, xSteps, xStepSize, missing);
            z0.close();
            z.close();
            return new Inpainting(a, b, c);
        }
    }

    private static NDArray paste(NDArray x, NDArray filled, NDArray missing, NDArray visible) {
        try (filled; NDArray keep = x.mul(visible); NDArray fill = filled.mul(missing)) {
            return keep.add(fill);
        }
    }

    /**
     * Latent interpolation grid: rows of G((1−α)z₁ + αz₂) for α = 0 … 1 in {@code steps} steps, z₁, z₂ ~
     * N(0, I) per row; with {@code revise}, each image is revised by the test-time T^x. Shape
     * [rows·steps, C, H, W], row by row.
     */
    public NDArray interpolate(NDManager m, int rows, int steps, long seed, boolean revise) {
        Torch.seed(seed);
        int d = cfg.nets().latent();
        NDArray z1 = m.randomNormal(new Shape(rows, 1, d));
        NDArray z2 = m.randomNormal(new Shape(rows, 1, d));
        float[] alpha = new float[steps];
        for (int i = 0; i < steps; i++) {
            alpha[i] = steps == 1 ? 0f : i / (float) (steps - 1);
        }
        NDArray a = m.create(alpha, new Shape(1, steps, 1));
        NDArray z = z1.mul(a.mul(-1).add(1)).add(z2.mul(a)).reshape(rows * steps, d);
        NDArray x = generate(z);
        if (revise) {
            NDArray r = reviseX(x, cfg.chains().testXSteps(), cfg.chains().testXStepSize(), null);
            x.close();
            x = r;
        }
        return x;
    }

    @Override
    public void close() {
        manager.close();
    }
}
