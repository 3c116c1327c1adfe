package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * A bottom-up ConvNet scoring a whole image: conv ('same' padding k/2, no bias) → BatchNorm →
 * ReLU or leaky ReLU, repeated, then one fully connected layer to a scalar f(Y) per image (the
 * multi-grid nets of paper 004 §7.1). The last conv block's output is the net's feature map
 * (paper 004 §7.3, unsupervised features).
 */
public final class ConvEnergyNet extends AbstractBlock implements EnergyNet {
    /** One conv block: output channels, kernel size, stride. */
    public record Layer(int channels, int kernel, int stride) {
    }

    private final int inChannels;
    private final int inSize;
    private final List<Layer> spec;
    private final boolean leaky;
    private final List<SpectralConv2d> convs = new ArrayList<>();
    private final List<BatchNorm2d> norms = new ArrayList<>();
    /** 0, 1, … : the conv blocks' indices, the stages of {@link #features}'s loop. */
    private final List<Integer> order;
    private final Parameter fcWeight;
    private final Parameter fcBias;
    private final int featureChannels;
    private final int featureSize;
    private BatchNorm2d.Mode bnMode = BatchNorm2d.Mode.BATCH;

    /**
     * @param init "xavier" (Glorot uniform, the TF code) or "normal" (N(0, 0.02), the PyTorch port)
     * @param bnMomentum weight of a new batch in BN's running averages
     */
    public ConvEnergyNet(int inChannels, int inSize, List<Layer> spec, boolean leakyRelu, String init, float bnMomentum) {
        this(inChannels, inSize, spec, leakyRelu, init, bnMomentum, true);
    }

    /** As above; without batchNorm the blocks are conv (with bias) → activation. */
    public ConvEnergyNet(int inChannels, int inSize, List<Layer> spec, boolean leakyRelu, String init, float bnMomentum,
                         boolean batchNorm) {
        this.inChannels = inChannels;
        this.inSize = inSize;
        this.spec = List.copyOf(spec);
        this.leaky = leakyRelu;
        Initializer wInit = switch (init) {
            case "xavier" -> new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3);
            case "normal" -> new NormalInitializer(0.02f);
            default -> throw new IllegalArgumentException("unknown init '" + init + "'; use xavier or normal");
        };
        int c = inChannels;
        int side = inSize;
        for (int i = 0; i < spec.size(); i++) {
            Layer l = spec.get(i);
            convs.add(addChildBlock("conv" + (i + 1),
                    new SpectralConv2d(c, l.channels(), l.kernel(), l.stride(), l.kernel() / 2, !batchNorm, false, wInit)));
            if (batchNorm) {
                norms.add(addChildBlock("bn" + (i + 1), new BatchNorm2d(l.channels(), bnMomentum, 1e-5f)));
            }
            c = l.channels();
            side = (side + 2 * (l.kernel() / 2) - l.kernel()) / l.stride() + 1;
        }
        order = java.util.stream.IntStream.range(0, spec.size()).boxed().toList();
        featureChannels = c;
        featureSize = side;
        fcWeight = addParameter(Parameter.builder().setName("fc_weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, (long) c * side * side)).optInitializer(wInit).build());
        fcBias = addParameter(Parameter.builder().setName("fc_bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(1)).optInitializer(Initializer.ZEROS).build());
    }

    /** Creates the parameters (drawing from libtorch's generator: seed it first). */
    public ConvEnergyNet init(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(2, inChannels, inSize, inSize));
        return this;
    }

    public int inSize() {
        return inSize;
    }

    public int featureChannels() {
        return featureChannels;
    }

    public int featureSize() {
        return featureSize;
    }

    public List<Layer> spec() {
        return spec;
    }

    public List<SpectralConv2d> convs() {
        return convs;
    }

    public List<BatchNorm2d> norms() {
        return norms;
    }

    /** Which statistics BatchNorm uses in the following calls. */
    public void setBnMode(BatchNorm2d.Mode mode) {
        this.bnMode = mode;
    }

    /** The last conv block's output [N, C, h, w]. */
    public NDArray features(NDArray x) {
        return Nets.through(x, order, this::block);
    }

    /** Conv block i: conv → BatchNorm (when the net has it) → ReLU or leaky ReLU. */
    private NDArray block(int i, NDArray h) {
        NDArray y = convs.get(i).apply(h);
        NDArray n = norms.isEmpty() ? y : norms.get(i).apply(y, bnMode);
        if (n != y) {
            y.close();
        }
        NDArray a = leaky ? Activation.leakyRelu(n, 0.2f) : Activation.relu(n);
        n.close();
        return a;
    }

    /** f(Y): one score per image, shape [N, 1]. */
    @Override
    public NDArray output(NDArray x) {
        NDArray h = features(x);
        try (NDArray flat = h.reshape(h.getShape().get(0), -1)) {
            h.close();
            return Linear.linear(flat, fcWeight.getArray(), fcBias.getArray()).singletonOrThrow();
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(output(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 1)};
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, s);
            s = convs.get(i).getOutputShapes(new Shape[] {s})[0];
            if (!norms.isEmpty()) {
                norms.get(i).initialize(manager, dataType, s);
            }
        }
    }

    @Override
    public String toString() {
        return "ConvEnergyNet" + spec;
    }
}
