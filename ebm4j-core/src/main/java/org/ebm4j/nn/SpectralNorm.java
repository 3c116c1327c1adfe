package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/**
 * The power iteration of spectral normalisation (Miyato, Kataoka, Koyama, Yoshida, "Spectral
 * Normalization for Generative Adversarial Networks", 2018, Algorithm 1), shared by
 * {@link SpectralConv2d} and {@link SpectralLinear}: with the persistent u [1, out] and the weight
 * as a matrix W [out, K],
 * <pre>  v = normalize(u W),  u' = normalize(v Wᵀ),  σ = u' W vᵀ</pre>
 * where u and v are detached (as in PyTorch's {@code nn.utils.spectral_norm}) and σ is
 * differentiable in W.
 */
final class SpectralNorm {
    private static final float EPS = 1e-12f;

    private SpectralNorm() {}

    /**
     * One power-iteration step and σ(W) of shape [1] (a new array the caller closes). With
     * {@code update}, the stored u is overwritten in place by u'.
     *
     * <p>σ is computed from the fresh u'/v of this call, never from the stored array, which is
     * overwritten afterwards; reading the stored array inside the graph would make backward see a
     * tensor modified after use.
     */
    static NDArray sigma(NDArray w2, Parameter u, boolean update) {
        NDArray uNew;
        NDArray v;
        try (NDArray wd = w2.stopGradient()) {
            NDArray uOld = u.getArray();
            try (NDArray uw = uOld.matMul(wd)) {           // [1, K]
                v = l2normalize(uw);
            }
            try (NDArray wdt = wd.transpose(); NDArray vwt = v.matMul(wdt)) {  // [1, out]
                uNew = l2normalize(vwt);
            }
        }
        // every temporary is closed: they attach to the parameters' manager, which lives as long as
        // the model, so one left open per forward call grows memory with every Langevin step
        NDArray sigma;
        try (NDArray vt = v.transpose(); NDArray wv = w2.matMul(vt); // [out, 1], differentiable in W
             NDArray uwv = uNew.matMul(wv)) {
            sigma = uwv.reshape(1);                          // u W vᵀ
        }
        v.close();
        if (update) {
            // overwrite the stored u in place (sigma already used the fresh tensor); DJL's intern()
            // would swap native handles under an unchanged uid and confuse the NDManager's bookkeeping
            NDArray stored = u.getArray();
            stored.muli(0f).addi(uNew);
        }
        uNew.close();
        return sigma;
    }

    private static NDArray l2normalize(NDArray x) {
        try (NDArray sq = x.square(); NDArray s = sq.sum(); NDArray c = s.maximum(EPS); NDArray n = c.sqrt()) {
            return x.div(n);
        }
    }
}
