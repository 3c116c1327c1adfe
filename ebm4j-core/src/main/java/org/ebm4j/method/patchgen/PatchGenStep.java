package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import org.ebm4j.core.Torch;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.optim.Adam;
import org.ebm4j.optim.GradClip;
import org.ebm4j.optim.Gradients;
import org.ebm4j.optim.LrSchedule;
import org.ebm4j.sampling.NoiseSchedule;

import java.util.List;
import java.util.Objects;

/**
 * One PatchGenCN training iteration at one scale (Alg. 1 of the supplement; Zheng, Xie, Li,
 * "Patchwise Generative ConvNet: Training Energy-Based Models from a Single Natural Image for
 * Internal Learning", 2021): a synthesis chain from the given start, the noise-free recovery
 * chain from the scale's fixed start, the loss mean f(syn) − mean f(obs) + λ·(mean f(rec) −
 * mean f(obs)) (Eq. 5 with the recovery term) and one Adam step.
 *
 * <p>The single implementation of the iteration: {@link PatchGenTrainer} runs it on the shared
 * training loop, the benchmark ({@code org.ebm4j.bench.Workloads}) times it. It holds the scale's
 * fixed tensors (the padded observed image and the padded recovery start), the net, its Adam and
 * the noise schedule; the caller owns (and closes) all of them. The start of the synthesis chain
 * is an argument because it is where a scale differs (noise at the coarsest scale, the upsampled
 * coarser sample above) and drawing it consumes random numbers before the chains do.
 */
public final class PatchGenStep {
    private final PatchGenConfig cfg;
    private final PatchEnergyNet net;
    private final Adam adam;
    private final List<Parameter> params;
    private final NoiseSchedule noise;
    private final NDArray obsPadded;
    private final NDArray recStartPadded;
    private final int synSteps;

    /**
     * @param cfg            step size, recovery steps, λ, gradient clamp, padding and noise schedule
     * @param scale          the pyramid scale: its synthesis steps ({@link PatchGenConfig#stepsAt}) and noise decay
     * @param net            the scale's net (its trainable parameters are updated)
     * @param adam           the optimizer of {@code net}'s trainable parameters
     * @param obsPadded      the observed image at this scale, zero-padded by {@code cfg.pad()}
     * @param recStartPadded the recovery chain's start, zero-padded (fixed for the whole scale)
     */
    public PatchGenStep(PatchGenConfig cfg, int scale, PatchEnergyNet net, Adam adam, NDArray obsPadded,
                        NDArray recStartPadded) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.net = Objects.requireNonNull(net, "net");
        this.adam = Objects.requireNonNull(adam, "adam");
        this.obsPadded = Objects.requireNonNull(obsPadded, "obsPadded");
        this.recStartPadded = Objects.requireNonNull(recStartPadded, "recStartPadded");
        if (scale < 0 || scale >= cfg.numScales()) {
            throw new IllegalArgumentException("scale must be in 0.." + (cfg.numScales() - 1) + ", got " + scale);
        }
        this.synSteps = cfg.stepsAt(scale);
        this.params = net.trainableParameters();
        this.noise = noiseSchedule(cfg, scale);
    }

    /** The Adam of a scale's net as the official code sets it up: lr decaying linearly to a floor, (β1, β2) of the config. */
    public static Adam newAdam(PatchGenConfig cfg, int scale, NDManager manager, PatchEnergyNet net) {
        return new Adam(manager, net.trainableParameters(),
                LrSchedule.linearToFloor(cfg.lrInit(), cfg.lrMin(), cfg.lrDecayItersAt(scale)),
                cfg.beta1(), cfg.beta2(), 1e-8, 0);
    }

    /** The synthesis chain's noise std per iteration: linear decay from noiseInit to noiseMin. */
    public static NoiseSchedule noiseSchedule(PatchGenConfig cfg, int scale) {
        return NoiseSchedule.linearDecay(cfg.noiseInit(), cfg.noiseMin(), cfg.noiseDecayItersAt(scale));
    }

    /**
     * What one iteration computed. The tensors belong to the iteration's scope.
     *
     * @param obs     the padded observed image (a copy in the scope)
     * @param syn     the synthesis chain's end, padded
     * @param rec     the recovery chain's end, padded
     * @param loss    the loss of Eq. 5 with the recovery term
     * @param fObs    mean f(obs)
     * @param fSyn    mean f(syn)
     * @param fRec    mean f(rec)
     * @param lr      the learning rate of this iteration's Adam step
     * @param noise   the synthesis chain's noise std
     * @param updated false when the loss was not finite: the weights were left untouched
     */
    public record Result(NDArray obs, NDArray syn, NDArray rec, double loss, float fObs, float fSyn, float fRec,
                         double lr, double noise, boolean updated) {
    }

    /**
     * Runs one iteration in {@code scope}: both chains, the loss and (when the loss is finite) the
     * gradient clamp and the Adam step. A non-finite loss returns with {@code updated} false and
     * the weights intact, so the caller can report the divergence before anything is poisoned.
     *
     * @param scope     the iteration's manager: everything computed is freed with it
     * @param iteration the iteration number within the scale (selects the noise std)
     * @param synInit   the synthesis chain's start, unpadded, at the scale's size
     */
    public Result run(NDManager scope, long iteration, NDArray synInit) {
        // per-iteration copies of the scale's tensors, so what is computed from them is freed
        // with this iteration and not kept until the scale ends (see Torch.scopedCopy)
        NDArray obs = Torch.scopedCopy(obsPadded, scope);
        NDArray recStart = Torch.scopedCopy(recStartPadded, scope);
        double sigma = noise.std(iteration);
        NDArray syn = PatchGenModel.chain(net, Torch.pad(synInit, cfg.pad()), PatchGenModel.langevin(cfg, synSteps, sigma));
        NDArray rec = PatchGenModel.chain(net, recStart, PatchGenModel.langevin(cfg, cfg.stepsRec(), 0.0));
        net.setTrainable(true);
        float[] f = new float[3];
        // Eq. 5 with the recovery term: mean f(syn) − mean f(obs) + λ·(mean f(rec) − mean f(obs))
        try (Gradients.Result g = Gradients.of(scope, params, () -> {
            NDArray fObs = net.output(obs).mean();
            NDArray fSyn = net.output(syn).mean();
            NDArray fRec = net.output(rec).mean();
            f[0] = fObs.getFloat();
            f[1] = fSyn.getFloat();
            f[2] = fRec.getFloat();
            return fSyn.sub(fObs).add(fRec.sub(fObs).mul(cfg.lambdaRec()));
        })) {
            double lr = adam.currentLr();
            // a NaN step would poison the weights for good: checked before the update
            if (!Double.isFinite(g.loss())) {
                return new Result(obs, syn, rec, g.loss(), f[0], f[1], f[2], lr, sigma, false);
            }
            GradClip.perTensor(g.grads(), cfg.gradClamp());
            adam.update(g.grads());
            return new Result(obs, syn, rec, g.loss(), f[0], f[1], f[2], lr, sigma, true);
        }
    }
}
