package org.ebm4j.method.patchgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.Torch;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.Resize;
import org.ebm4j.nn.PatchEnergyNet;
import org.ebm4j.sampling.Langevin;
import org.ebm4j.sampling.LangevinConfig;
import org.ebm4j.sampling.LangevinStep;

import java.util.ArrayList;
import java.util.List;

/**
 * A PatchGenCN pyramid: one patch energy net per scale plus the training image at every scale.
 * Holds the multi-scale chains of Alg. 2 ('rand': from noise; 'fix': from the blurred coarsest
 * image), used by training, sampling and reconstruction alike.
 */
public final class PatchGenModel implements AutoCloseable {
    private final PatchGenConfig config;
    private final Pyramid pyramid;
    private final List<FloatImage> reals;
    private final List<PatchEnergyNet> nets = new ArrayList<>();
    private final NDManager manager;

    public PatchGenModel(NDManager parent, PatchGenConfig config, Pyramid pyramid, List<FloatImage> reals) {
        this.config = config;
        this.pyramid = pyramid;
        this.reals = List.copyOf(reals);
        this.manager = parent.newSubManager();
    }

    public PatchGenConfig config() {
        return config;
    }

    public Pyramid pyramid() {
        return pyramid;
    }

    public List<FloatImage> reals() {
        return reals;
    }

    public NDManager manager() {
        return manager;
    }

    /** Number of scales with a trained (or loaded) net. */
    public int trainedScales() {
        return nets.size();
    }

    public PatchEnergyNet net(int scale) {
        return nets.get(scale);
    }

    /** A freshly initialised net for the next scale (seed libtorch first for reproducibility). */
    public PatchEnergyNet newNet(int scale) {
        int[] widths = config.netWidths(pyramid.widths()[scale], pyramid.heights()[scale]);
        return new PatchEnergyNet(3, widths, (float) config.initStd()).init(manager);
    }

    /** Adds (or replaces) the net of a scale. */
    public void setNet(int scale, PatchEnergyNet net) {
        if (scale < nets.size()) {
            nets.set(scale, net);
        } else if (scale == nets.size()) {
            nets.add(net);
        } else {
            throw new IllegalArgumentException("scale " + scale + " set before scale " + nets.size());
        }
    }

    /**
     * Langevin of Eq. (7) as the official code runs it: x ← clip(x + ½·δ²·∇Σf + s·ξ, −1, 1), with
     * the config's step size δ² ({@link LangevinStep#fromStepSize}) and the scheduled noise std s.
     */
    public LangevinConfig langevin(int steps, double noiseStd) {
        return langevin(config, steps, noiseStd);
    }

    /** {@link #langevin(int, double)} of a given config (training and sampling share it). */
    static LangevinConfig langevin(PatchGenConfig config, int steps, double noiseStd) {
        return LangevinConfig.scoreClipped(steps, LangevinStep.fromStepSize(config.stepSize()).withNoise(noiseStd));
    }

    /** Runs {@link #langevin} on the padded state with the scale's net (parameters frozen). */
    public NDArray chain(int scale, NDArray padded, int steps, double noiseStd) {
        return chain(nets.get(scale), padded, langevin(steps, noiseStd));
    }

    /** One chain of {@code net} on the padded state, its parameters frozen (no weight gradients are taped). */
    static NDArray chain(PatchEnergyNet net, NDArray padded, LangevinConfig langevin) {
        net.setTrainable(false);
        return Langevin.run(net::langevinTarget, padded, langevin);
    }

    /** Grey initial noise of the coarsest scale (one channel tiled to RGB), as the official code draws it. */
    public NDArray initialNoise(NDManager m, int n, int height, int width) {
        Shape s = new Shape(n, 1, height, width);
        NDArray grey = config.noiseType() == PatchGenConfig.NoiseType.GAUSS ? m.randomNormal(s) : Torch.uniform(m, -1f, 1f, s);
        return grey.repeat(1, 3);
    }

    /** The blurred coarsest real (×initFactor down, back up): start of the recovery ('fix') chain. */
    public FloatImage blurredCoarsest() {
        FloatImage r0 = reals.get(0);
        int w = (int) Math.rint(r0.width() * config.initFactor());
        int h = (int) Math.rint(r0.height() * config.initFactor());
        FloatImage small = Resize.resize(r0, Math.max(1, w), Math.max(1, h), config.quantize8());
        return Resize.resize(small, r0.width(), r0.height(), config.quantize8());
    }

    /**
     * Alg. 2: runs the chains of scales 0..upTo−1 from {@code init} (unpadded, at scale 0's size
     * times the factors) and returns the result upsampled to scale {@code upTo}'s size, unpadded.
     * With upTo = number of trained scales and {@code finalUpsample} false, returns the last chain's output.
     *
     * @param fix   true: the noise-free recovery chain of stepsRec steps at every scale ('fix');
     *              false: the synthesis chain (stepsInit at scale 0, steps above) with noise {@code noise}
     */
    public NDArray multiScale(NDArray init, int upTo, boolean fix, double noise, double widthScale,
                              double heightScale, boolean finalUpsample) {
        return multiScale(init, 0, upTo, fix, noise, widthScale, heightScale, finalUpsample);
    }

    /**
     * Alg. 2 started at scale {@code from}: {@code init} is at scale {@code from}'s (scaled) size and
     * the chains of scales from..upTo−1 run on it, upsampling between scales (SinGAN-style injection).
     */
    public NDArray multiScale(NDArray init, int from, int upTo, boolean fix, double noise, double widthScale,
                              double heightScale, boolean finalUpsample) {
        return multiScale(init, from, upTo, fix, noise, widthScale, heightScale, finalUpsample, 1.0);
    }

    /** As above, with every chain's step count multiplied by {@code stepsScale} (see {@link #scaledSteps}). */
    public NDArray multiScale(NDArray init, int from, int upTo, boolean fix, double noise, double widthScale,
                              double heightScale, boolean finalUpsample, double stepsScale) {
        if (!(stepsScale > 0)) {
            throw new IllegalArgumentException("steps scale must be > 0, got " + stepsScale);
        }
        if (from < 0 || from > upTo || upTo > nets.size()) {
            throw new IllegalArgumentException("scales " + from + ".." + (upTo - 1) + " outside the trained 0.."
                    + (nets.size() - 1));
        }
        NDArray x = init.duplicate();
        for (int s = from; s < upTo; s++) {
            int k = scaledSteps(fix ? config.stepsRec() : config.stepsAt(s), stepsScale);
            NDArray padded = Torch.pad(x, config.pad());
            NDArray out = chain(s, padded, k, fix ? 0.0 : noise);
            NDArray cropped = Torch.unpad(out, config.pad());
            x.close();
            padded.close();
            out.close();
            x = cropped;
            if (s + 1 < upTo || finalUpsample) {
                int next = Math.min(s + 1, pyramid.numScales() - 1);
                NDArray up = ImageTensors.resize(x, sizeAt(pyramid.widths()[next], widthScale),
                        sizeAt(pyramid.heights()[next], heightScale), config.quantize8());
                x.close();
                x = up;
                if (!fix && config.scaleNoise() > 0) {
                    // SinGAN's per-scale noise: without it a noise-free chain can only sharpen what
                    // the up-sampling left, and sharpening an up-sampled image puts edges on the
                    // coarser scale's pixel boundaries (a grid; docs/PATCHGENCN.md, "the grid")
                    NDArray z = x.getManager().randomNormal(0f, (float) config.scaleNoise(), x.getShape(), x.getDataType());
                    NDArray noisy = x.add(z);
                    z.close();
                    x.close();
                    x = noisy;
                }
            }
        }
        return x;
    }

    /**
     * The synthesis chains of scales {@code startScale}..last trained, started from {@code init}
     * (unpadded, at scale {@code startScale}'s size times the factors) instead of from noise.
     */
    public NDArray fromScale(NDArray init, int startScale, double noise, double widthScale, double heightScale) {
        return fromScale(init, startScale, noise, widthScale, heightScale, 1.0);
    }

    /** {@link #fromScale(NDArray, int, double, double, double)} with the step counts scaled by {@code stepsScale}. */
    public NDArray fromScale(NDArray init, int startScale, double noise, double widthScale, double heightScale,
                             double stepsScale) {
        return multiScale(init, startScale, nets.size(), false, noise, widthScale, heightScale, false, stepsScale);
    }

    /** A chain length times a factor, rounded, at least 1 step (factor 1 keeps it exactly). */
    public static int scaledSteps(int steps, double factor) {
        return factor == 1.0 ? steps : Math.max(1, (int) Math.rint(steps * factor));
    }

    /** A scale's side length at an output scale factor (at least the net's receptive field). */
    public static int sizeAt(int side, double factor) {
        return Math.max(3, (int) Math.rint(side * factor));
    }

    /**
     * N random samples through every trained scale (Alg. 2), at any output size: the coarsest
     * noise is drawn at the scaled size and each fully-convolutional net runs at its scaled size.
     */
    public NDArray sample(NDManager m, int n, double widthScale, double heightScale, double noise) {
        return sample(m, n, widthScale, heightScale, noise, 1.0);
    }

    /**
     * {@link #sample(NDManager, int, double, double, double)} with every chain's step count
     * multiplied by {@code stepsScale} (longer chains than training used, at sampling time only).
     */
    public NDArray sample(NDManager m, int n, double widthScale, double heightScale, double noise, double stepsScale) {
        int w0 = sizeAt(pyramid.widths()[0], widthScale);
        int h0 = sizeAt(pyramid.heights()[0], heightScale);
        NDArray init = initialNoise(m, n, h0, w0);
        NDArray out = multiScale(init, 0, nets.size(), false, noise, widthScale, heightScale, false, stepsScale);
        init.close();
        return out;
    }

    /**
     * N samples that begin at scale {@code startScale} from the training image of the scale below,
     * upsampled (SinGAN's gen_start_scale): coarser structure is kept, scales ≥ startScale redraw
     * the finer detail. startScale 0 is plain {@link #sample}.
     */
    public NDArray sampleFromScale(NDManager m, int n, int startScale, double widthScale, double heightScale,
                                   double noise) {
        return sampleFromScale(m, n, startScale, widthScale, heightScale, noise, 1.0);
    }

    /** {@link #sampleFromScale(NDManager, int, int, double, double, double)} with the step counts scaled by {@code stepsScale}. */
    public NDArray sampleFromScale(NDManager m, int n, int startScale, double widthScale, double heightScale,
                                   double noise, double stepsScale) {
        if (startScale == 0) {
            return sample(m, n, widthScale, heightScale, noise, stepsScale);
        }
        if (startScale < 0 || startScale >= nets.size()) {
            throw new IllegalArgumentException("start scale " + startScale + " outside 0.." + (nets.size() - 1));
        }
        FloatImage below = reals.get(startScale - 1);
        FloatImage up = Resize.resize(below, sizeAt(pyramid.widths()[startScale], widthScale),
                sizeAt(pyramid.heights()[startScale], heightScale), config.quantize8());
        NDArray one = ImageTensors.toTensor(m, up);
        NDArray init = one.repeat(0, n);
        NDArray out = fromScale(init, startScale, noise, widthScale, heightScale, stepsScale);
        one.close();
        init.close();
        return out;
    }

    /** The deterministic reconstruction chain ('fix' mode) through every trained scale. */
    public NDArray reconstruct(NDManager m) {
        NDArray init = ImageTensors.toTensor(m, blurredCoarsest());
        NDArray out = multiScale(init, nets.size(), true, 0.0, 1.0, 1.0, false);
        init.close();
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
