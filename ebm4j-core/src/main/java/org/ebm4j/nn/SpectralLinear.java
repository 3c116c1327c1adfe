package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A fully connected layer y = x Wᵀ + b, W [out, in], with optional spectral normalisation
 * W_SN = W / σ(W) (Miyato et al. 2018) in the semantics of PyTorch's
 * {@code nn.utils.spectral_norm}: a persistent u [1, out] (state, saved with the parameters, not
 * trained), one power iteration per forward call while {@link #setUpdateU updating}, u and v
 * detached so that only σ's dependence on W enters the gradient. Shares its power iteration with
 * {@link SpectralConv2d}. Without spectral norm it is a plain linear layer.
 */
public final class SpectralLinear extends AbstractBlock {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean spectralNorm;
    private boolean updateU = true;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter u;

    /**
     * @param bias whether y adds a bias (drawn from {@code biasInit}; ignored without bias)
     * @param spectralNorm whether W is divided by its estimated largest singular value
     */
    public SpectralLinear(int inFeatures, int outFeatures, boolean bias, boolean spectralNorm,
                          Initializer weightInit, Initializer biasInit) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("linear layer needs in and out features >= 1, got " + inFeatures
                    + " -> " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.spectralNorm = spectralNorm;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outFeatures, inFeatures)).optInitializer(weightInit).build());
        this.bias = bias ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(outFeatures)).optInitializer(biasInit).build()) : null;
        // u ~ N(0,1) as PyTorch draws it (it normalises u once more, which the first iteration does anyway)
        u = spectralNorm ? addParameter(Parameter.builder().setName("sn_u").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, outFeatures))
                .optInitializer((m, s, t) -> m.randomNormal(0f, 1f, s, t))
                .optRequiresGrad(false).build()) : null;
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public SpectralLinear init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(1, inFeatures));
        return this;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public boolean isSpectralNorm() {
        return spectralNorm;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias parameter, or null. */
    public Parameter bias() {
        return bias;
    }

    /**
     * Whether forward calls advance the power iteration (PyTorch: in training mode). Off, σ is
     * still computed from one step from the stored u, which is then left unchanged, so repeated
     * calls are one fixed function.
     */
    public void setUpdateU(boolean updateU) {
        this.updateU = updateU;
    }

    /**
     * σ(W) as estimated by one power-iteration step from the stored u (advancing u when updating);
     * a [1] array the caller closes. Without spectral norm, an error.
     */
    public NDArray sigma() {
        if (!spectralNorm) {
            throw new IllegalStateException("this linear layer has no spectral norm");
        }
        return SpectralNorm.sigma(weight.getArray(), u, updateU);
    }

    /** The effective weight of this call: W/σ (a new array the caller closes), or W itself without spectral norm. */
    public NDArray effectiveWeight() {
        NDArray w = weight.getArray();
        if (!spectralNorm) {
            return w;
        }
        try (NDArray sigma = SpectralNorm.sigma(w, u, updateU)) {
            return w.div(sigma);
        }
    }

    /** x [N, in] → [N, out]. */
    public NDArray apply(NDArray x) {
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != inFeatures) {
            throw new IllegalArgumentException("linear layer takes [N, " + inFeatures + "], got " + x.getShape());
        }
        NDArray w = effectiveWeight();
        NDArray y = Linear.linear(x, w, bias == null ? null : bias.getArray()).singletonOrThrow();
        if (w != weight.getArray()) {
            w.close();
        }
        return y;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outFeatures)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}
