package org.ebm4j.sampling;

/**
 * How one named part of a chain's state moves (see {@link LangevinChain}). The update of part x,
 * with the other parts held at their newest values, is
 * <pre>
 *   x ← clip_[lo,hi]( x + m ⊙ ( ±c·clipₙ(∇ₓ Σ target / T) − c·x/σ_prior² + s·ξ ) )
 * </pre>
 * + for a score target (log p = Σ target), − for an energy target (p ∝ exp(−Σ target)); clipₙ is
 * the per-sample L2 clip g·min(1, n/‖g‖) over all axes but the first; m the optional mask. c, s and
 * T follow {@link LangevinStep}. The prior term is the drift of a Gaussian N(0, σ_prior² I) on the
 * part: the multi-grid reference (Gao et al. 2018, Eq. 8), Hat EBM's residual prior τ·‖y‖² with
 * τ = 1/(2σ²), Dual-MCMC's z/σ_p² of the latent chain. It is neither divided by T nor clipped.
 *
 * @param name         the part's key in the state
 * @param step         drift, noise std and temperature
 * @param priorSigma   σ_prior of a Gaussian prior on the part; ≤ 0 = none
 * @param gradClipNorm per-sample L2 clip of ∇/T (Hat EBM Eq. 6); ≤ 0 = none
 * @param clipMin      lower state bound (NaN = none)
 * @param clipMax      upper state bound (NaN = none)
 * @param energyForm   true when the target is an energy (drift −∇), false for a score (drift +∇)
 */
public record ChainPart(String name, LangevinStep step, double priorSigma, double gradClipNorm,
                        double clipMin, double clipMax, boolean energyForm) {

    public ChainPart {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a chain part needs a non-empty name");
        }
        if (step == null) {
            throw new IllegalArgumentException("chain part '" + name + "' needs a step (drift, noise, temperature)");
        }
        if (!Double.isNaN(clipMin) && !Double.isNaN(clipMax) && clipMin > clipMax) {
            throw new IllegalArgumentException("chain part '" + name + "': clip range [" + clipMin + ", " + clipMax
                    + "] is empty");
        }
    }

    /** A score-form part with the given step and nothing else: no prior, no clips. */
    public static ChainPart score(String name, LangevinStep step) {
        return new ChainPart(name, step, 0, 0, Double.NaN, Double.NaN, false);
    }

    /** An energy-form part with the given step and nothing else: no prior, no clips. */
    public static ChainPart energy(String name, LangevinStep step) {
        return new ChainPart(name, step, 0, 0, Double.NaN, Double.NaN, true);
    }

    public ChainPart withStep(LangevinStep s) {
        return new ChainPart(name, s, priorSigma, gradClipNorm, clipMin, clipMax, energyForm);
    }

    /** Adds the Gaussian prior N(0, σ²I): drift −c·x/σ². */
    public ChainPart withPrior(double sigma) {
        return new ChainPart(name, step, sigma, gradClipNorm, clipMin, clipMax, energyForm);
    }

    public ChainPart withGradClip(double norm) {
        return new ChainPart(name, step, priorSigma, norm, clipMin, clipMax, energyForm);
    }

    /** Clips the state to [lo, hi] after every update (NaN = that side open). */
    public ChainPart withClip(double lo, double hi) {
        return new ChainPart(name, step, priorSigma, gradClipNorm, lo, hi, energyForm);
    }

    public boolean clips() {
        return !Double.isNaN(clipMin) || !Double.isNaN(clipMax);
    }
}
