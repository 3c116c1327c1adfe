package org.ebm4j.method.patchgen;

import org.ebm4j.image.Masks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.ebm4j.core.EbmException;
import org.ebm4j.image.ImageTensors;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.image.FloatImage;
import org.ebm4j.image.ImageFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Super-resolution, injection (edit / harmonize / paint2image / style transfer), masks and start-scale sampling on a tiny run. */
class PatchGenApplicationsTest {
    @TempDir
    static Path tmp;
    static Path run;
    static FloatImage source;
    static NDManager manager;
    static PatchGenModel model;

    @BeforeAll
    static void trainTinyRun() throws Exception {
        Path image = PatchGenEndToEndTest.writeStripes(tmp);
        source = ImageFiles.readRgb(image);
        run = tmp.resolve("run");
        manager = NDManager.newBaseManager();
        PatchGenTrainer.trainNew(image, run, false, PatchGenEndToEndTest.tiny(),
                ProgressListener.NONE, manager).close();
        model = PatchGenRun.load(run, manager);
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    /** A grey mask image (RGB in [-1, 1]) that is white inside the rectangle. */
    static FloatImage rectMask(int w, int h, int x0, int y0, int x1, int y1) {
        FloatImage m = FloatImage.zeros(3, h, w);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    m.set(c, y, x, x >= x0 && x < x1 && y >= y0 && y < y1 ? 1f : -1f);
                }
            }
        }
        return m;
    }

    /**
     * scaleNoise: the synthesis path adds N(0, scaleNoise²) to the up-sampled image before the next
     * scale's chain (measured with zero-step chains, so the output is the up-sampled start plus the
     * noise); the recovery ('fix') path and scaleNoise 0 add nothing.
     */
    @Test
    void scaleNoiseIsAddedAfterEachUpsamplingOfTheSynthesisPathOnly() {
        double sigma = 0.2;
        PatchGenConfig.Builder b = model.config().toBuilder();
        b.stepsInit = 0;
        b.steps = 0;
        b.stepsRec = 0;
        PatchGenConfig quiet = b.build();
        b.scaleNoise = sigma;
        PatchGenConfig noisy = b.build();
        try (NDManager m = manager.newSubManager()) {
            PatchGenModel plain = new PatchGenModel(m, quiet, model.pyramid(), model.reals());
            PatchGenModel withNoise = new PatchGenModel(m, noisy, model.pyramid(), model.reals());
            plain.setNet(0, model.net(0));
            withNoise.setNet(0, model.net(0));
            int w0 = model.pyramid().widths()[0];
            int h0 = model.pyramid().heights()[0];
            NDArray init = plain.initialNoise(m, 2, h0, w0).mul(0.5);
            float[] ref = plain.multiScale(init, 0, 1, false, 0.0, 1.0, 1.0, true).toFloatArray();
            float[] syn = withNoise.multiScale(init, 0, 1, false, 0.0, 1.0, 1.0, true).toFloatArray();
            float[] fix = withNoise.multiScale(init, 0, 1, true, 0.0, 1.0, 1.0, true).toFloatArray();
            assertThat(ref.length).isEqualTo(2 * 3 * model.pyramid().widths()[1] * model.pyramid().heights()[1]);
            assertThat(fix).containsExactly(ref);
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < ref.length; i++) {
                double d = syn[i] - ref[i];
                sum += d;
                sq += d * d;
            }
            double mean = sum / ref.length;
            double sd = Math.sqrt(sq / ref.length - mean * mean);
            assertThat(sd).isCloseTo(sigma, org.assertj.core.data.Offset.offset(0.1 * sigma));
            assertThat(Math.abs(mean)).isLessThan(0.1 * sigma);
        }
    }

    @Test
    void superResolutionHasTheRequestedSize() {
        for (double factor : new double[] {2.0, 2.5, 1.3}) {
            PatchGenApplications.SuperResolution r = PatchGenApplications.superResolve(model, source, factor, -1);
            assertThat(r.sr().width()).as("factor %s", factor).isEqualTo((int) Math.rint(factor * 40));
            assertThat(r.sr().height()).as("factor %s", factor).isEqualTo((int) Math.rint(factor * 30));
            assertThat(r.bicubic().width()).isEqualTo(r.sr().width());
            assertThat(r.netScale()).isEqualTo(0); // 2 trained scales → max(0, 2 − 3)
            double r1 = 1 / model.pyramid().scaleFactor();
            assertThat(r.steps()).isEqualTo(Math.max(1, (int) Math.floor(Math.log(factor) / Math.log(r1) + 1e-9)));
        }
        assertThat(PatchGenApplications.superResolve(model, source, 2.0, 1).netScale()).isEqualTo(1);
        assertThatThrownBy(() -> PatchGenApplications.superResolve(model, source, 1.0, -1))
                .isInstanceOf(EbmException.class).hasMessageContaining("> 1");
        assertThatThrownBy(() -> PatchGenApplications.superResolve(model, source, 2.0, 5))
                .isInstanceOf(EbmException.class).hasMessageContaining("0..1");
    }

    @Test
    void srStepCountFollowsTheOfficialFormula() {
        double r = Math.pow(0.5, 1.0 / 3); // (1/r)^3 = 2
        assertThat(PatchGenApplications.srSteps(4.0, r)).isEqualTo(6);
        assertThat(PatchGenApplications.srSteps(2.0, r)).isEqualTo(3);
        assertThat(PatchGenApplications.srSteps(1.1, r)).isEqualTo(0);
        assertThatThrownBy(() -> PatchGenApplications.srSteps(2.0, 1.0)).isInstanceOf(EbmException.class);
    }

    @Test
    void srLastChainRunsAtExactlyTheOutputSize() {
        double r = Math.pow(0.5, 1.0 / 3); // (1/r)^3 = 2
        int[][] s = PatchGenApplications.srSizes(40, 30, 2.5, r);
        // floor(log 2.5 / log 2^(1/3)) = 3 steps: ×1.26, ×1.59, then exactly ×2.5 (the official last step)
        assertThat(s).hasNumberOfRows(3);
        assertThat(s[0]).containsExactly(50, 38);
        assertThat(s[1]).containsExactly(63, 48);
        assertThat(s[2]).containsExactly(100, 75);
        // below one pyramid step the official script does nothing; ebm4j runs one chain at the output size
        int[][] one = PatchGenApplications.srSizes(40, 30, 1.1, r);
        assertThat(one).hasNumberOfRows(1);
        assertThat(one[0]).containsExactly(44, 33);
    }

    @Test
    void srBelowOnePyramidStepStillRunsTheChain() {
        // factor 1.05 < 1/r: before the official last step was followed, this returned plain bicubic
        PatchGenApplications.SuperResolution r = PatchGenApplications.superResolve(model, source, 1.05, -1);
        assertThat(r.steps()).isEqualTo(1);
        double diff = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < r.sr().height(); y++) {
                for (int x = 0; x < r.sr().width(); x++) {
                    diff = Math.max(diff, Math.abs(r.sr().get(c, y, x) - r.bicubic().get(c, y, x)));
                }
            }
        }
        assertThat(diff).as("the chain moved the bicubic image").isGreaterThan(1e-3);
    }

    @Test
    void blendingLeavesUnmaskedPixelsExactlyEqualToTheReference() {
        FloatImage ref = source.copy();
        FloatImage lum = Masks.luminance(rectMask(40, 30, 15, 10, 25, 18), "m");
        var r = PatchGenApplications.injectAndBlend(model, ref, lum, 1, PatchGenApplications.Mode.HARMONIZE, "ref", "m");
        assertThat(r.blended().width()).isEqualTo(40);
        assertThat(r.raw().height()).isEqualTo(30);
        int zeros = 0;
        int changed = 0;
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                float m = r.mask().get(0, y, x);
                for (int c = 0; c < 3; c++) {
                    if (m == 0f) {
                        assertThat(r.blended().get(c, y, x)).as("(%d,%d,%d)", c, y, x).isEqualTo(ref.get(c, y, x));
                    } else if (m == 1f) {
                        assertThat(r.blended().get(c, y, x)).isEqualTo(r.raw().get(c, y, x));
                    }
                }
                if (m == 0f) {
                    zeros++;
                } else if (Math.abs(r.blended().get(0, y, x) - ref.get(0, y, x)) > 1e-6) {
                    changed++;
                }
            }
        }
        assertThat(zeros).as("most of the image is outside the mask").isGreaterThan(600);
        assertThat(changed).as("the masked region is regenerated").isGreaterThan(0);
        assertThat(r.mask().get(0, 14, 20)).isEqualTo(1f);
    }

    @Test
    void maskIsDilatedAndBlurred() {
        FloatImage lum = Masks.luminance(rectMask(40, 30, 15, 10, 25, 18), "m");
        FloatImage m = Masks.prepare(lum, 40, 30, 2, 1.0, "m");
        assertThat(m.get(0, 14, 20)).isEqualTo(1f);
        assertThat(m.get(0, 14, 13)).isStrictlyBetween(0f, 1f); // 2 px dilation, then blur
        assertThat(m.get(0, 0, 0)).isEqualTo(0f);
        // a mask of another size (same shape) is resized
        FloatImage big = Masks.luminance(rectMask(80, 60, 30, 20, 50, 36), "m");
        assertThat(Masks.prepare(big, 40, 30, 2, 1.0, "m").width()).isEqualTo(40);
    }

    @Test
    void badMasksAreRejected() {
        FloatImage colour = rectMask(40, 30, 15, 10, 25, 18);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                colour.set(0, y, x, 1f);
                colour.set(2, y, x, -1f);
            }
        }
        assertThatThrownBy(() -> Masks.luminance(colour, "colour.png"))
                .isInstanceOf(EbmException.class).hasMessageContaining("colour.png").hasMessageContaining("colour");
        FloatImage black = Masks.luminance(rectMask(40, 30, 0, 0, 0, 0), "black.png");
        assertThatThrownBy(() -> Masks.prepare(black, 40, 30, 2, 1.0, "black.png"))
                .isInstanceOf(EbmException.class).hasMessageContaining("all black");
        FloatImage white = Masks.luminance(rectMask(40, 30, 0, 0, 40, 30), "white.png");
        assertThatThrownBy(() -> Masks.prepare(white, 40, 30, 2, 1.0, "white.png"))
                .isInstanceOf(EbmException.class).hasMessageContaining("all white");
        assertThatThrownBy(() -> PatchGenApplications.injectAndBlend(model, source, white, 1,
                PatchGenApplications.Mode.EDIT, "ref", "white.png"))
                .isInstanceOf(EbmException.class).hasMessageContaining("all white");
    }

    @Test
    void referencesAreResizedOrRejectedByAspectRatio() {
        FloatImage twice = org.ebm4j.image.Resize.bicubicFloat(source, 80, 60);
        assertThat(PatchGenApplications.fitReference(model, twice, "r").width()).isEqualTo(40);
        FloatImage square = org.ebm4j.image.Resize.bicubicFloat(source, 40, 40);
        assertThatThrownBy(() -> PatchGenApplications.fitReference(model, square, "square.png"))
                .isInstanceOf(EbmException.class).hasMessageContaining("square.png").hasMessageContaining("aspect");
    }

    @Test
    void startScaleOutOfRangeIsRejected() {
        for (int bad : new int[] {0, 2, -1}) {
            assertThatThrownBy(() -> PatchGenApplications.paintToImage(model, source, bad, "p"))
                    .isInstanceOf(EbmException.class).hasMessageContaining("valid: 1..1");
        }
    }

    @Test
    void paintToImageAndInjectionRunTheFinerChains() {
        var r = PatchGenApplications.paintToImage(model, source, 1, "p");
        assertThat(r.raw().width()).isEqualTo(40);
        assertThat(r.blended()).isNull();
        // injection is deterministic (noise-free chains)
        FloatImage again = PatchGenApplications.inject(model, source, 1);
        assertThat(again.data()).containsExactly(r.raw().data());
    }

    /** A content image unlike the stripes: a diagonal colour ramp of its own size. */
    static FloatImage ramp(int w, int h) {
        FloatImage c = FloatImage.zeros(3, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                c.set(0, y, x, 2f * x / (w - 1) - 1f);
                c.set(1, y, x, 2f * y / (h - 1) - 1f);
                c.set(2, y, x, 0.3f);
            }
        }
        return c;
    }

    @Test
    void styleTransferKeepsTheContentsAspectAndRedrawsIt() {
        FloatImage content = ramp(120, 40); // aspect 3, the run's is 4:3
        var r = PatchGenApplications.styleTransfer(model, content, 1, 1.0, false, 0);
        // same pixel count as the finest scale (40x30 = 1200), aspect kept: 60x20
        assertThat(r.content().width()).isEqualTo(60);
        assertThat(r.content().height()).isEqualTo(20);
        assertThat(r.stylized().width()).isEqualTo(60);
        assertThat(r.stylized().height()).isEqualTo(20);
        assertThat(r.noise()).isEqualTo(model.config().noiseMin());
        // the chains moved the image away from the content, and longer chains move it farther
        double moved = meanAbsDiff(r.content(), r.stylized());
        var longer = PatchGenApplications.styleTransfer(model, content, 1, 3.0, false, 0);
        assertThat(moved).isGreaterThan(0.004); // half an 8-bit level
        assertThat(meanAbsDiff(r.content(), longer.stylized())).isGreaterThan(moved);
        // noise-free: deterministic whatever the seed
        assertThat(PatchGenApplications.styleTransfer(model, content, 1, 1.0, false, 5).stylized().data())
                .containsExactly(r.stylized().data());
        // with noise: seeded, so reproducible, and another seed gives another result
        var n1 = PatchGenApplications.styleTransfer(model, content, 1, 1.0, true, 1);
        assertThat(n1.noise()).isGreaterThan(0);
        assertThat(PatchGenApplications.styleTransfer(model, content, 1, 1.0, true, 1).stylized().data())
                .containsExactly(n1.stylized().data());
        assertThat(PatchGenApplications.styleTransfer(model, content, 1, 1.0, true, 2).stylized().data())
                .isNotEqualTo(n1.stylized().data());
    }

    static double meanAbsDiff(FloatImage a, FloatImage b) {
        double d = 0;
        for (int i = 0; i < a.data().length; i++) {
            d += Math.abs(a.data()[i] - b.data()[i]);
        }
        return d / a.data().length;
    }

    @Test
    void styleTransferRejectsBadScalesAndStepFactors() {
        FloatImage content = ramp(50, 50);
        for (int bad : new int[] {0, 2}) {
            assertThatThrownBy(() -> PatchGenApplications.styleTransfer(model, content, bad, 1.0, false, 0))
                    .isInstanceOf(EbmException.class).hasMessageContaining("valid: 1..1");
        }
        assertThatThrownBy(() -> PatchGenApplications.styleTransfer(model, content, 1, 0.0, false, 0))
                .isInstanceOf(EbmException.class).hasMessageContaining("> 0");
    }

    @Test
    void generalInjectionEqualsThePlainOneAtTheTrainingSize() {
        // the general injection (any size, steps factor) is the one behind edit/harmonize/paint2image
        FloatImage a = PatchGenApplications.inject(model, source, 1);
        FloatImage b = PatchGenApplications.inject(model, source, 1, model.config().noiseMin(), 1.0);
        assertThat(b.data()).containsExactly(a.data());
        assertThat(PatchGenModel.scaledSteps(20, 1.0)).isEqualTo(20);
        assertThat(PatchGenModel.scaledSteps(20, 1.5)).isEqualTo(30);
        assertThat(PatchGenModel.scaledSteps(20, 0.01)).isEqualTo(1);
    }

    @Test
    void samplingFromAStartScale() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = model.sampleFromScale(m, 2, 1, 1.0, 1.0, 0.01);
            List<FloatImage> imgs = ImageTensors.fromTensor(x);
            assertThat(imgs).hasSize(2);
            assertThat(imgs.get(0).width()).isEqualTo(40);
            assertThat(imgs.get(0).data()).isNotEqualTo(imgs.get(1).data()); // Langevin noise varies the detail
            assertThatThrownBy(() -> model.sampleFromScale(m, 1, 2, 1.0, 1.0, 0.0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(PatchGenApplications.scalesInfo(model)).hasSize(3)
                .anySatisfy(l -> assertThat(l).contains("scale 1: 40x30 trained"));
    }

    /**
     * sample's steps factor: 1 is the plain sampler bit for bit; 2 runs twice the steps at every
     * scale (noise-free, two chains of k steps on the padded state equal one of 2k).
     */
    @Test
    void samplingWithLongerChains() {
        try (NDManager m = manager.newSubManager()) {
            org.ebm4j.core.Torch.seed(4);
            float[] plain = model.sample(m, 2, 1.0, 1.0, 0.0).toFloatArray();
            org.ebm4j.core.Torch.seed(4);
            float[] one = model.sample(m, 2, 1.0, 1.0, 0.0, 1.0).toFloatArray();
            org.ebm4j.core.Torch.seed(4);
            float[] two = model.sample(m, 2, 1.0, 1.0, 0.0, 2.0).toFloatArray();
            assertThat(one).containsExactly(plain);
            assertThat(two).isNotEqualTo(plain);

            NDArray init = model.initialNoise(m, 1, model.pyramid().heights()[0], model.pyramid().widths()[0]);
            int k = model.config().stepsAt(0);
            NDArray doubled = model.multiScale(init, 0, 1, false, 0.0, 1.0, 1.0, false, 2.0);
            NDArray padded = org.ebm4j.core.Torch.pad(init, model.config().pad());
            NDArray twice = org.ebm4j.core.Torch.unpad(model.chain(0, model.chain(0, padded, k, 0.0), k, 0.0),
                    model.config().pad());
            assertThat(doubled.toFloatArray()).containsExactly(twice.toFloatArray());
            assertThat(doubled.toFloatArray()).isNotEqualTo(model.multiScale(init, 0, 1, false, 0.0, 1.0, 1.0, false)
                    .toFloatArray());
            // from a start scale too
            org.ebm4j.core.Torch.seed(5);
            float[] a = model.sampleFromScale(m, 1, 1, 1.0, 1.0, 0.0).toFloatArray();
            org.ebm4j.core.Torch.seed(5);
            float[] b = model.sampleFromScale(m, 1, 1, 1.0, 1.0, 0.0, 2.0).toFloatArray();
            assertThat(b).isNotEqualTo(a);
        }
        assertThatThrownBy(() -> PatchGenOutputs.writeSamples(model, tmp.resolve("s-bad"), 1, 0, 1.0, 1.0, 0, 0.0))
                .isInstanceOf(EbmException.class).hasMessageContaining("steps scale must be > 0");
        assertThat(tmp.resolve("s-bad")).doesNotExist();
    }
}
