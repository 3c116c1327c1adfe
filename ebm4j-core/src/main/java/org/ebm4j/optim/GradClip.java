package org.ebm4j.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * Gradient-norm clipping. DJL's optClipGrad clamps each element from above only; EBM training
 * needs the norm-preserving direction, as tf.clip_by_norm / torch.nn.utils.clip_grad_norm_ do.
 */
public final class GradClip {
    private GradClip() {}

    /** Scales all gradients in place so that their global L2 norm is at most maxNorm; returns the norm before. */
    public static double globalNorm(List<NDArray> grads, double maxNorm) {
        double sq = 0;
        for (NDArray g : grads) {
            try (NDArray s = g.square().sum()) {
                sq += s.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (NDArray g : grads) {
                g.muli(scale);
            }
        }
        return norm;
    }

    /** tf.clip_by_norm applied to each tensor separately (PatchGenCN's grad_clamp). */
    public static void perTensor(List<NDArray> grads, double maxNorm) {
        if (maxNorm <= 0) {
            return;
        }
        for (NDArray g : grads) {
            double n;
            try (NDArray s = g.square().sum()) {
                n = Math.sqrt(s.getFloat());
            }
            if (n > maxNorm) {
                g.muli((float) (maxNorm / n));
            }
        }
    }
}
