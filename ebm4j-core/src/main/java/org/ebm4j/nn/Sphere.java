package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Projection of latents onto the sphere of radius √D (D the number of latent scalars per sample),
 * where N(0, I_D) puts almost all its mass: the retrofit autoencoder's encoder projects its output
 * there, and latents drawn from N(0, I) are projected the same way, so that decoded noise lies where
 * the decoder was trained (Hill et al. 2022, App. A; {@code InfEncoder32(normalize=True)}).
 *
 * <p>References: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
 * Latent Spaces with Hat EBM", NeurIPS 2022.
 */
public final class Sphere {
    /** The official code's ε in the denominator. */
    public static final double EPS = 1e-6;

    private Sphere() {}

    /**
     * z [N, ...] → √D · z / (‖z‖₂ + ε) per sample, D = the product of the non-batch axes; ε keeps a
     * zero latent finite (it is added to the norm, not under the root, as in the official code).
     * Differentiable in z.
     */
    public static NDArray project(NDArray z, double eps) {
        Shape s = z.getShape();
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("sphere projection takes [N, ...] latents, got " + s);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("sphere projection eps must be >= 0, got " + eps);
        }
        long d = s.size() / s.get(0);
        try (NDArray flat = z.reshape(s.get(0), d);
             NDArray sq = flat.square();
             NDArray sum = sq.sum(new int[] {1}, true);
             NDArray norm = sum.sqrt();
             NDArray den = norm.add(eps);
             NDArray scaled = flat.div(den);
             NDArray r = scaled.mul(Math.sqrt(d))) {
            return r.reshape(s);
        }
    }
}
