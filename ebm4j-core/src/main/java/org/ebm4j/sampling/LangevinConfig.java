package org.ebm4j.sampling;

/**
 * One single-part Langevin chain's settings ({@link Langevin}). The update for a score-form net f
 * (log p = Σf + const) is
 * <pre>
 *   x ← clip( x + c·g(x) − c·x/σ_ref² + s·ξ ),   g(x) = clipₙ( ∇ₓ Σ f(x) / T ),  ξ ~ N(0, I)
 * </pre>
 * and for an energy-form net E the drift uses −∇E. The drift coefficient c and the noise std s are
 * separate because the papers decouple them; build (c, s, T) with the factories of
 * {@link LangevinStep} (the one step convention) and {@link #of}. This is the one-part case of
 * {@link ChainPart} (see {@link #part}).
 *
 * @param steps            K, number of updates
 * @param drift            c, coefficient of the gradient term
 * @param noiseStd         s, noise standard deviation (0 = deterministic gradient ascent)
 * @param temperature      T, divides the gradient of the net
 * @param referenceSigma   σ_ref of a Gaussian reference N(0, σ²I) (multigrid Eq. 8); ≤ 0 = none
 * @param gradClipNorm     per-sample L2 clip of the net's gradient (Hat EBM); ≤ 0 = none
 * @param clipMin          lower state bound (NaN = none)
 * @param clipMax          upper state bound (NaN = none)
 * @param energyForm       true when the net outputs an energy (drift −∇E), false for a score f
 */
public record LangevinConfig(int steps, double drift, double noiseStd, double temperature,
                             double referenceSigma, double gradClipNorm, double clipMin, double clipMax,
                             boolean energyForm) {

    public LangevinConfig {
        if (steps < 0) {
            throw new IllegalArgumentException("Langevin steps must be >= 0, got " + steps);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("Langevin temperature must be > 0, got " + temperature);
        }
        if (noiseStd < 0) {
            throw new IllegalArgumentException("Langevin noise std must be >= 0, got " + noiseStd);
        }
    }

    /** A chain of K steps with the step's drift, noise and temperature. */
    public static LangevinConfig of(int steps, LangevinStep step, double referenceSigma, double gradClipNorm,
                                    double clipMin, double clipMax, boolean energyForm) {
        return new LangevinConfig(steps, step.drift(), step.noiseStd(), step.temperature(), referenceSigma,
                gradClipNorm, clipMin, clipMax, energyForm);
    }

    /** Score-form chain with state clipping to [−1, 1] (PatchGenCN). */
    public static LangevinConfig scoreClipped(int steps, LangevinStep step) {
        return of(steps, step, 0, 0, -1, 1, false);
    }

    /** Score-form chain with state clipping to [−1, 1] (PatchGenCN). */
    public static LangevinConfig scoreClipped(int steps, double drift, double noiseStd) {
        return new LangevinConfig(steps, drift, noiseStd, 1.0, 0, 0, -1, 1, false);
    }

    public LangevinConfig withSteps(int k) {
        return new LangevinConfig(k, drift, noiseStd, temperature, referenceSigma, gradClipNorm, clipMin, clipMax, energyForm);
    }

    public LangevinConfig withNoise(double s) {
        return new LangevinConfig(steps, drift, s, temperature, referenceSigma, gradClipNorm, clipMin, clipMax, energyForm);
    }

    /** The drift, noise std and temperature. */
    public LangevinStep step() {
        return new LangevinStep(drift, noiseStd, temperature);
    }

    /** This chain's update as the part {@code name} of a {@link ChainConfig}. */
    public ChainPart part(String name) {
        return new ChainPart(name, step(), referenceSigma, gradClipNorm, clipMin, clipMax, energyForm);
    }

    public boolean clips() {
        return !Double.isNaN(clipMin) || !Double.isNaN(clipMax);
    }
}
