package org.ebm4j.sampling;

/**
 * The one step convention of ebm4j's Langevin chains: the drift coefficient c, the noise standard
 * deviation s and the temperature T are set separately, and one step of a part x is
 * <pre>
 *   x ← x ± c·clip(∇ₓ Σ net / T) − c·x/σ_prior² + s·ξ,   ξ ~ N(0, I)
 * </pre>
 * (+ for a score f, − for an energy E; see {@link ChainPart}). The papers decouple c and s in
 * different ways; each has a factory here so that a method names its paper's parameters and gets
 * the engine's numbers:
 * <table>
 *   <caption>Factories and the numbers they give</caption>
 *   <tr><th>factory</th><th>paper's form</th><th>drift c</th><th>noise s</th><th>T</th></tr>
 *   <tr><td>{@link #fromDelta}</td><td>textbook; multi-grid Eq. 8 (Gao et al. 2018)</td>
 *       <td>δ²/2</td><td>δ</td><td>1</td></tr>
 *   <tr><td>{@link #fromStepSize}</td><td>step size s = δ² (PatchGenCN, Zheng et al. 2021, Eq. 7:
 *       drift ½·s; its noise std is scheduled separately, see {@link #withNoise})</td>
 *       <td>s/2</td><td>√s</td><td>1</td></tr>
 *   <tr><td>{@link #dualMcmc}</td><td>Dual-MCMC (Cui and Han 2023): x ← x − ½s²∇E + n·ξ</td>
 *       <td>s²/2</td><td>n</td><td>1 (the law's temperature (n/s)² is
 *       {@link #stationaryTemperature()})</td></tr>
 *   <tr><td>{@link #hatEbm}</td><td>Hat EBM (Hill et al. 2022) Eq. 6: ε²/2·∇(H/T) and ε</td>
 *       <td>ε²/2</td><td>ε</td><td>T</td></tr>
 * </table>
 * For small steps the chain samples exp(−E/T*) (energy form; exp(f/T*) for a score) with
 * T* = {@link #stationaryTemperature()} = T·s²/(2c): 1 for the textbook form, (n/s)² for Dual-MCMC,
 * T for Hat EBM (the "temperature trick" Hill et al. 2022 use: dividing the energy by T with noise ε is
 * standard Langevin on exp(−E/T)).
 *
 * @param drift       c ≥ 0, coefficient of the gradient (and of the prior) term
 * @param noiseStd    s ≥ 0, noise standard deviation (0 = deterministic gradient steps)
 * @param temperature T &gt; 0, divides the net's gradient (not the prior term)
 */
public record LangevinStep(double drift, double noiseStd, double temperature) {

    public LangevinStep {
        if (!(drift >= 0) || Double.isInfinite(drift)) {
            throw new IllegalArgumentException("Langevin drift must be finite and >= 0, got " + drift);
        }
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException("Langevin noise std must be finite and >= 0, got " + noiseStd);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Langevin temperature must be finite and > 0, got " + temperature);
        }
    }

    /** Textbook Langevin with step δ: drift δ²/2, noise δ, T = 1 (multi-grid Eq. 8). */
    public static LangevinStep fromDelta(double delta) {
        requirePositive("delta", delta);
        return new LangevinStep(delta * delta / 2, delta, 1.0);
    }

    /**
     * Step size s = δ² (PatchGenCN's {@code step_size}): drift s/2, noise √s, T = 1. PatchGenCN
     * schedules its noise std apart from s; set it with {@link #withNoise}.
     */
    public static LangevinStep fromStepSize(double stepSize) {
        requirePositive("step size", stepSize);
        return new LangevinStep(0.5 * stepSize, Math.sqrt(stepSize), 1.0);
    }

    /**
     * Dual-MCMC's chain x ← x − ½·s²·∇E(x) + n·ξ: drift s²/2, noise n, engine temperature 1. The
     * chain then samples π ∝ exp(−E/T*) with T* = (n/s)² ({@link #stationaryTemperature()}), the
     * T that divides the method's EBM loss.
     */
    public static LangevinStep dualMcmc(double stepSize, double noiseStd) {
        requirePositive("step size", stepSize);
        return new LangevinStep(0.5 * stepSize * stepSize, noiseStd, 1.0);
    }

    /** Hat EBM Eq. 6: drift ε²/2 on ∇(H/T), noise ε, temperature T. */
    public static LangevinStep hatEbm(double epsilon, double temperature) {
        requirePositive("epsilon", epsilon);
        return new LangevinStep(epsilon * epsilon / 2, epsilon, temperature);
    }

    /** The same step with another noise std (noise schedules, deterministic chains). */
    public LangevinStep withNoise(double s) {
        return new LangevinStep(drift, s, temperature);
    }

    /** The same step with another temperature. */
    public LangevinStep withTemperature(double t) {
        return new LangevinStep(drift, noiseStd, t);
    }

    /**
     * T* = T·s²/(2c): the temperature of the law the chain samples for small steps (∞ when the
     * drift is 0, 0 for a noise-free chain, which is gradient ascent on the log density).
     */
    public double stationaryTemperature() {
        return temperature * noiseStd * noiseStd / (2 * drift);
    }

    private static void requirePositive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("Langevin " + what + " must be finite and > 0, got " + v);
        }
    }
}
