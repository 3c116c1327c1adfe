package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Batch normalisation over (N, H, W) with an explicit choice of statistics, because the EBMs need
 * three behaviours: batch statistics without touching the running averages (Langevin chains and
 * the synthesized half of the loss, as the TF multigrid code runs BN with phase=True), batch
 * statistics that update the running averages (the observed half of the loss), and the running
 * averages (scoring single images, feature extraction). RUNNING also serves nets whose BN is
 * "always in test mode" (Hat EBM's generators, Hill et al. 2022, App. E): the statistics stay at
 * their initial 0/1 and BN is a learnable per-channel affine map. Independently of the mode, γ and
 * β can be frozen ({@link #setAffineFrozen}).
 */
public final class BatchNorm2d extends AbstractBlock {
    /** Which statistics forward calls use. */
    public enum Mode {
        /** Batch statistics; the running averages are left alone. */
        BATCH,
        /** Batch statistics; the running averages move towards them by {@code momentum}. */
        BATCH_UPDATE,
        /** The running averages (PyTorch's eval mode, Keras' training=False). */
        RUNNING
    }

    private final int channels;
    private final float momentum;
    private final float eps;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private NDArray sinkMean;
    private NDArray sinkVar;

    /** @param momentum weight of the new batch in the running averages (PyTorch's convention: 0.1) */
    public BatchNorm2d(int channels, float momentum, float eps) {
        this(channels, momentum, eps, Initializer.ONES);
    }

    /**
     * As above with γ drawn from {@code gammaInit} (Dual-MCMC draws γ ~ N(0, 1), see
     * {@link Init#bnGammaNormal}); β starts at 0, the running mean at 0 and the running variance at 1.
     */
    public BatchNorm2d(int channels, float momentum, float eps, Initializer gammaInit) {
        if (channels < 1 || !(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm2d needs channels >= 1, momentum in [0, 1] and eps > 0, got "
                    + channels + ", " + momentum + ", " + eps);
        }
        this.channels = channels;
        this.momentum = momentum;
        this.eps = eps;
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).optInitializer(gammaInit).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).optInitializer(Initializer.ZEROS).build());
        runningMean = addParameter(Parameter.builder().setName("running_mean").setType(Parameter.Type.RUNNING_MEAN)
                .optShape(new Shape(channels)).optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
        runningVar = addParameter(Parameter.builder().setName("running_var").setType(Parameter.Type.RUNNING_VAR)
                .optShape(new Shape(channels)).optInitializer(Initializer.ONES).optRequiresGrad(false).build());
    }

    /**
     * Freezes (true) or releases the affine γ and β: frozen, they are no longer trainable parameters
     * ({@link Nets#trainableParameters} leaves them out and {@link Nets#setTrainable} leaves them
     * frozen), whatever the statistics mode; with {@link Mode#RUNNING} the layer is then a fixed
     * per-channel affine map.
     */
    public void setAffineFrozen(boolean frozen) {
        gamma.freeze(frozen);
        beta.freeze(frozen);
    }

    /** Whether γ and β are frozen. */
    public boolean isAffineFrozen() {
        return !gamma.requiresGradient();
    }

    public int channels() {
        return channels;
    }

    /** x [N, C, H, W] normalised with the statistics of {@code mode}, then γ·x̂ + β. */
    public NDArray apply(NDArray x, Mode mode) {
        NDArray g = gamma.getArray();
        NDArray b = beta.getArray();
        if (mode == Mode.RUNNING) {
            return BatchNorm.batchNorm(x, runningMean.getArray(), runningVar.getArray(), g, b, 1, 0f, eps, false)
                    .singletonOrThrow();
        }
        if (mode == Mode.BATCH_UPDATE) {
            // DJL passes (1 − momentum) to libtorch: DJL's momentum is the weight of the old average
            return BatchNorm.batchNorm(x, runningMean.getArray(), runningVar.getArray(), g, b, 1, 1f - momentum, eps, true)
                    .singletonOrThrow();
        }
        if (sinkMean == null || sinkMean.getDataType() != x.getDataType()) {
            // libtorch writes the batch statistics into whatever running arrays it is given; these
            // two are never read, and keeping them avoids two allocations per call in Langevin chains
            NDManager owner = g.getManager();
            sinkMean = owner.zeros(new Shape(channels), x.getDataType());
            sinkVar = owner.ones(new Shape(channels), x.getDataType());
        }
        return BatchNorm.batchNorm(x, sinkMean, sinkVar, g, b, 1, 1f - momentum, eps, true).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow(), training ? Mode.BATCH_UPDATE : Mode.RUNNING));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}
