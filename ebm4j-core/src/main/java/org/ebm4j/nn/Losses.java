package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Losses shared by the nets. */
public final class Losses {
    private Losses() {}

    /**
     * Mean over the batch of −log softmax(logits)[label]: logits [B, K], one label in [0, K) per row.
     * Computed as −(Σ_{b,k} onehot ⊙ log_softmax) / B, the feature net's form, whose loss values its
     * training log shows; the multi-grid head's former −mean_b Σ_k form has bit-identical gradients
     * (and logs no loss), so both share this one.
     */
    public static NDArray crossEntropy(NDArray logits, int[] labels) {
        if (logits.getShape().dimension() != 2 || logits.getShape().get(0) != labels.length) {
            throw new IllegalArgumentException("cross-entropy takes logits [B, K] and B labels, got " + logits.getShape()
                    + " and " + labels.length + " labels");
        }
        int k = (int) logits.getShape().get(1);
        for (int l : labels) {
            if (l < 0 || l >= k) {
                throw new IllegalArgumentException("label " + l + " is outside [0, " + k + ")");
            }
        }
        NDManager m = logits.getManager();
        try (NDArray lab = m.create(labels); NDArray onehot = lab.oneHot(k);
             NDArray oh = onehot.toType(logits.getDataType(), false);
             NDArray logp = logits.logSoftmax(1); NDArray picked = logp.mul(oh); NDArray sum = picked.sum();
             NDArray neg = sum.neg()) {
            return neg.div(labels.length);
        }
    }
}
