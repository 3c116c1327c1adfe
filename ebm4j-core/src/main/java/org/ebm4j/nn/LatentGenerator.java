package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * A deterministic generator z → image, as Hat EBM uses one: the SN-GAN {@link Generator} (flat
 * latent [N, d]) or the retrofit autoencoder's {@link RetrofitDecoder} (spatial latent [N, c, s, s]).
 * The Hat EBM model needs only the map, the latent's shape and the BN mode (Hill, Nijkamp,
 * Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator Latent Spaces with Hat EBM",
 * NeurIPS 2022, App. E: every generator's BN in test mode).
 */
public interface LatentGenerator extends Block {
    /** z of {@link #latentShape} → images [N, C, S, S]. */
    NDArray apply(NDArray z);

    /** The latent shape of a batch of n. */
    Shape latentShape(long n);

    /** Which statistics every BN uses. */
    void setBnMode(BatchNorm2d.Mode mode);

    BatchNorm2d.Mode bnMode();
}
