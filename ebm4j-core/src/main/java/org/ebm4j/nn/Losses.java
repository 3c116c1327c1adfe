package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Losses shared by the nets. */
public final class Losses {
    private Losses() {}

    /**
     * Mean over the batch of −log softmax(logits)[label]: logits [B, K], one label in [0, K) per row.
     * Computed as −mean_b Σ_k onehot ⊙ log_softmax, the form both callers had (which keeps their
     * losses and gradients bit-identical).
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
             NDArray oh = onehot.toType(logits.getDataType(), false)) {
            return logits.logSoftmax(1).mul(oh).sum(new int[] {1}).mean().neg();
        }
    }
}
