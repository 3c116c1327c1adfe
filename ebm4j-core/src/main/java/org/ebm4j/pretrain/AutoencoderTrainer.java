package org.ebm4j.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Seeds;
import org.ebm4j.data.Batches;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.BatchNorm2d;
import org.ebm4j.nn.Nets;
import org.ebm4j.nn.RetrofitDecoder;
import org.ebm4j.nn.RetrofitEncoder;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.train.Checkpoint;
import org.ebm4j.train.DivergencePolicy;
import org.ebm4j.train.TrainingLoop;
import org.ebm4j.train.TrainingRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The retrofit pre-stage of Hat EBM: a deterministic autoencoder (encoder {@link RetrofitEncoder},
 * decoder {@link RetrofitDecoder}) trained by reconstruction, whose decoder then carries a joint
 * Hat EBM. One iteration ({@code train_ae.py train_step}):
 * <pre>  z = project(E(x)) + σ·ξ,  ξ ~ N(0, I)        (noise added after the sphere projection)
 *  L = λ · mean((D(z) − x)²)                      (λ = 1000, σ = 2e-2)
 *  Adam step on D and on E, each with its own Adam (lr 1e-4, β = (0.9, 0.999))</pre>
 * The decoder's BN stays in test mode (the official code calls it with {@code training=False}), so
 * its γ, β train and its running statistics stay at 0/1.
 *
 * <p>The trainer is a phase on the shared {@link TrainingLoop}: the caller owns the run folder and
 * its {@link TrainingRun} (the Hat EBM retrofit run trains this phase, then the joint EBM), gives
 * the checkpoint file of the phase and the nets; seeds are keyed by (seed, {@link #SEED_TAG},
 * iteration) and batches by (seed, epoch), so a resumed phase equals an uninterrupted one. Log rows
 * carry {@code "phase": "ae"}.
 *
 * <p>Not reproduced: the official optimiser wraps Adam in a 0.9999 weight moving average that no
 * code ever swaps into the nets (the saved weights are the raw ones), so it has no effect on the
 * retrofit and is left out.
 *
 * <p>References: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
 * Latent Spaces with Hat EBM", NeurIPS 2022 (App. A, E, J; retrofit).
 */
public final class AutoencoderTrainer implements AutoCloseable {
    /** The phase name in log rows and messages. */
    public static final String PHASE = "ae";
    /** Key that separates this phase's random draws from the other phases of a run with the same seed. */
    public static final long SEED_TAG = 0x6165L; // "ae"

    /**
     * Settings of the pre-stage.
     *
     * @param iterations   Adam steps on each net (official: 100 epochs × 499 steps = 49,900)
     * @param batchSize    images per step (official 128)
     * @param lr           Adam learning rate of both nets (official 1e-4)
     * @param beta1        Adam β₁ (0.9)
     * @param beta2        Adam β₂ (0.999)
     * @param adamEps      Adam ε (Keras' default 1e-7)
     * @param latentNoise  σ of the Gaussian noise added to the projected latent (official 2e-2, the config's
     *                     {@code data_epsilon})
     * @param lossFactor   λ on the mean squared error (official 1000)
     * @param seed         base seed of the phase's draws and batch order
     * @param logEvery     log-row interval (iterations)
     * @param checkpointEvery checkpoint interval (iterations; 0 = only at epoch ends and at the end)
     */
    public record Config(long iterations, int batchSize, double lr, double beta1, double beta2, double adamEps,
                         double latentNoise, double lossFactor, long seed, int logEvery, int checkpointEvery) {
        public Config {
            if (iterations < 1) {
                throw new IllegalArgumentException("ae.iterations must be >= 1, got " + iterations);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("ae.batchSize must be >= 1, got " + batchSize);
            }
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("ae.lr must be a positive number, got " + lr);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("ae.beta1 and ae.beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(adamEps > 0) || Double.isInfinite(adamEps)) {
                throw new IllegalArgumentException("ae.adamEps must be a positive number, got " + adamEps);
            }
            if (!(latentNoise >= 0) || Double.isInfinite(latentNoise)) {
                throw new IllegalArgumentException("ae.latentNoise must be finite and >= 0, got " + latentNoise);
            }
            if (!(lossFactor > 0) || Double.isInfinite(lossFactor)) {
                throw new IllegalArgumentException("ae.lossFactor must be a positive number, got " + lossFactor);
            }
            if (logEvery < 1 || checkpointEvery < 0) {
                throw new IllegalArgumentException("ae.logEvery must be >= 1 and ae.checkpointEvery >= 0, got "
                        + logEvery + ", " + checkpointEvery);
            }
        }

        /** The official CIFAR-10 autoencoder ({@code configs_joint/cifar10_ae.py}). */
        public static Config official(long seed) {
            return new Config(100L * 499, 128, 1e-4, 0.9, 0.999, 1e-7, 2e-2, 1000, seed, 50, 1000);
        }

        /** A copy with another iteration count. */
        public Config withIterations(long n) {
            return new Config(n, batchSize, lr, beta1, beta2, adamEps, latentNoise, lossFactor, seed, logEvery, checkpointEvery);
        }
    }

    private final Config cfg;
    private final RetrofitDecoder decoder;
    private final RetrofitEncoder encoder;
    private final NDManager manager;
    private final Adam adamDecoder;
    private final Adam adamEncoder;
    private final Checkpoint parts;

    /**
     * Builds the phase's optimizers on initialised nets (the caller keeps the nets; {@link #close}
     * frees the optimizers' moments).
     *
     * @param manager where the optimizers' moments and each iteration's scope live
     * @param method the method name written into the phase's checkpoints ("hatebm")
     */
    public AutoencoderTrainer(Config cfg, RetrofitDecoder decoder, RetrofitEncoder encoder, NDManager manager,
                              String method) {
        this.cfg = cfg;
        this.decoder = decoder;
        this.encoder = encoder;
        this.manager = manager;
        if (!encoder.latentShape(1).equals(decoder.latentShape(1))) {
            throw new EbmException("the encoder's latent " + encoder.latentShape(1) + " is not the decoder's "
                    + decoder.latentShape(1));
        }
        if (encoder.config().imageChannels() != decoder.config().imageChannels()
                || encoder.config().imageSize() != decoder.config().imageSize()) {
            throw new EbmException("the encoder takes " + encoder.config().imageChannels() + "x" + encoder.config().imageSize()
                    + " images, the decoder makes " + decoder.config().imageChannels() + "x" + decoder.config().imageSize());
        }
        this.adamDecoder = new Adam(manager, Nets.trainableParameters(decoder), LrSchedule.constant(cfg.lr()),
                cfg.beta1(), cfg.beta2(), cfg.adamEps(), 0);
        this.adamEncoder = new Adam(manager, Nets.trainableParameters(encoder), LrSchedule.constant(cfg.lr()),
                cfg.beta1(), cfg.beta2(), cfg.adamEps(), 0);
        this.parts = new Checkpoint(method).block("dec", decoder).block("enc", encoder)
                .optimizer("adam_dec", adamDecoder).optimizer("adam_enc", adamEncoder);
    }

    /** The checkpoint parts: nets "dec", "enc" and their Adams "adam_dec", "adam_enc". */
    public Checkpoint parts() {
        return parts;
    }

    /**
     * The iteration a phase checkpoint would resume at (0 when the file does not exist), for the
     * caller's log truncation before it opens the {@link TrainingRun}.
     */
    public long resumeIteration(Path checkpointFile) {
        if (!Files.exists(checkpointFile)) {
            return 0;
        }
        return parts.readMeta(checkpointFile, null).iteration();
    }

    /**
     * λ · mean((D(project(E(x)) + σ·ξ) − x)²) with ξ drawn from libtorch's generator (σ = 0: no
     * draw); the decoder runs in its current BN mode.
     */
    public static NDArray loss(RetrofitDecoder decoder, RetrofitEncoder encoder, NDArray x, double latentNoise,
                               double lossFactor) {
        NDArray z = encoder.apply(x);
        if (latentNoise > 0) {
            NDArray noise = z.getManager().randomNormal(0f, (float) latentNoise, z.getShape(), z.getDataType());
            NDArray noisy = z.add(noise);
            z.close();
            noise.close();
            z = noisy;
        }
        try (NDArray y = decoder.apply(z); NDArray d = y.sub(x); NDArray sq = d.square(); NDArray mse = sq.mean()) {
            z.close();
            return mse.mul(lossFactor);
        }
    }

    /**
     * Trains from {@code checkpointFile} (when it exists) up to {@link Config#iterations}; the
     * checkpoint is written at the checkpoint interval, at epoch ends and at the end. The caller
     * opens the run (dropping log rows after {@link #resumeIteration}) and starts the progress bar.
     *
     * @param progressBase progress units done before this phase
     * @return the number of iterations this call ran
     */
    public long train(TrainingRun run, Path checkpointFile, ImageDataset data, long progressBase) throws IOException {
        data.requireTraining(encoder.config().imageChannels(), encoder.config().imageSize(), cfg.batchSize());
        ProgressListener progress = run.progress();
        int n = data.size();
        int perEpoch = Batches.perEpoch(n, cfg.batchSize());
        long start = 0;
        if (Files.exists(checkpointFile)) {
            try (NDManager tmp = manager.newSubManager()) {
                Checkpoint.Loaded ld = parts.load(checkpointFile, tmp, null);
                ld.extras().values().forEach(NDArray::close);
                start = ld.meta().iteration();
            }
        }
        if (start >= cfg.iterations()) {
            return 0;
        }
        decoder.setBnMode(BatchNorm2d.Mode.RUNNING);
        int[][] perm = new int[1][];
        long[] permEpoch = {-1};
        List<Parameter> params = new ArrayList<>(Nets.trainableParameters(decoder));
        int nDec = params.size();
        params.addAll(Nets.trainableParameters(encoder));
        TrainingLoop.Step step = ctx -> {
            long it = ctx.index();
            long epoch = it / perEpoch;
            if (epoch != permEpoch[0]) {
                perm[0] = Batches.permutation(n, cfg.seed(), epoch);
                permEpoch[0] = epoch;
            }
            NDArray x = data.batch(ctx.scope(), Batches.batch(perm[0], (int) (it % perEpoch), cfg.batchSize()));
            Map<String, Object> row = ctx.row();
            row.put("phase", PHASE);
            row.put("iter", it);
            row.put("lr", adamDecoder.currentLr());
            try (Gradients.Result gr = Gradients.of(ctx.scope(), params,
                    () -> loss(decoder, encoder, x, cfg.latentNoise(), cfg.lossFactor()))) {
                Nets.setTrainable(decoder, false);
                Nets.setTrainable(encoder, false);
                row.put("loss_ae", gr.loss());
                row.put("mse", gr.loss() / cfg.lossFactor());
                ctx.requireFinite(gr.loss(), "the autoencoder");
                adamDecoder.update(gr.grads().subList(0, nDec));
                adamEncoder.update(gr.grads().subList(nDec, params.size()));
            }
            ctx.status(String.format("ae %d/%d mse %.4g", it + 1, cfg.iterations(), (Double) row.get("mse")));
            if (!ctx.logDue()) {
                row.clear();
            }
        };
        TrainingLoop.builder(run, manager, step)
                .task("autoencoder")
                .iterations(start, cfg.iterations())
                .seedKey(it -> Seeds.derive(cfg.seed(), SEED_TAG, it))
                .logEvery(cfg.logEvery())
                .checkpoint(parts, checkpointFile, next -> null, cfg.checkpointEvery(), perEpoch, true)
                .divergence(DivergencePolicy.ROLLBACK, 3, 0.5)
                .phaseRows(r -> PHASE.equals(r.path("phase").asText()))
                .progressBase(progressBase + start)
                .build()
                .run();
        return cfg.iterations() - start;
    }

    /** Frees the optimizers' moments (the nets stay with the caller). */
    @Override
    public void close() {
        adamDecoder.close();
        adamEncoder.close();
    }
}
