package org.ebm4j.method.multigrid;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.Seeds;
import org.ebm4j.core.Torch;
import org.ebm4j.data.ImageDataset;
import org.ebm4j.nn.ConvEnergyNet;
import org.ebm4j.nn.SpectralConv2d;
import org.ebm4j.report.RunReport;
import org.ebm4j.run.JsonlLog;
import org.ebm4j.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Fig. 4 diagnostic: {@code grad_l1_<g>} in log.jsonl is Σ|∂L/∂θ| over every parameter of grid
 * g's net, L = mean f(syn) − mean f(obs) (Eq. 9), checked against a backward pass written out by hand
 * in double precision for one training step of a tiny net; and the report draws it.
 */
class MultigridGradL1Test {
    @TempDir Path tmp;

    private static final int SIDE = 4;
    private static final int N = 8;

    /** 8 grey 4×4 images of random pixels: one batch, so the first iteration sees all of them. */
    private static ImageDataset images() {
        byte[] px = new byte[N * SIDE * SIDE];
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        return new ImageDataset("random", 1, SIDE, SIDE, px, null, null);
    }

    /**
     * mcd on grids 1→2→4 without BatchNorm and with 0 Langevin steps, so the synthesized image of
     * every grid is known without running a chain: the up-scaled 1×1 mean of each image.
     */
    private static MultigridConfig config() {
        return MultigridConfig.fast().toBuilder().method("mcd").data("random").imageSize(SIDE).grids(new int[] {1, 2, 4})
                .trainLimit(0).widthMult(0.1).steps(0).baselineSteps(0).batchSize(N).epochs(1).maskSize(2)
                .batchNorm(false).noise(false).seed(5).logEvery(1).sampleEvery(1).checkpointEvery(1).build();
    }

    /** A conv layer's weights on the host, in double. */
    private record Conv(double[] w, double[] b, int out, int in, int k, int stride) {
    }

    private static double[] host(Parameter p) {
        float[] f = p.getArray().toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** conv with 'same' padding k/2: in [C][s][s] → out [O][s'][s']. */
    private static double[] conv(Conv c, double[] in, int s) {
        int p = c.k() / 2;
        int so = (s + 2 * p - c.k()) / c.stride() + 1;
        double[] out = new double[c.out() * so * so];
        for (int o = 0; o < c.out(); o++) {
            for (int oy = 0; oy < so; oy++) {
                for (int ox = 0; ox < so; ox++) {
                    double z = c.b() == null ? 0 : c.b()[o];
                    for (int ci = 0; ci < c.in(); ci++) {
                        for (int ky = 0; ky < c.k(); ky++) {
                            for (int kx = 0; kx < c.k(); kx++) {
                                int iy = oy * c.stride() + ky - p;
                                int ix = ox * c.stride() + kx - p;
                                if (iy >= 0 && iy < s && ix >= 0 && ix < s) {
                                    z += c.w()[((o * c.in() + ci) * c.k() + ky) * c.k() + kx] * in[(ci * s + iy) * s + ix];
                                }
                            }
                        }
                    }
                    out[(o * so + oy) * so + ox] = z;
                }
            }
        }
        return out;
    }

    /**
     * f of each image and Σ|∂L/∂θ| for L = Σᵢ cᵢ·f(Yᵢ), by a forward and a backward pass written out:
     * conv → ReLU per layer, then the fully connected layer. Returns {l1, f₀, f₁, …}.
     */
    private static double[] byHand(ConvEnergyNet net, double[][] ys, double[] coef) {
        List<SpectralConv2d> convs = net.convs();
        int layers = convs.size();
        Conv[] c = new Conv[layers];
        for (int l = 0; l < layers; l++) {
            SpectralConv2d sc = convs.get(l);
            c[l] = new Conv(host(sc.weight()), sc.bias() == null ? null : host(sc.bias()), sc.outChannels(), sc.inChannels(),
                    sc.kernel(), net.spec().get(l).stride());
        }
        double[] fcW = host(net.getDirectParameters().get("fc_weight"));
        double fcB = host(net.getDirectParameters().get("fc_bias"))[0];
        double[][] gW = new double[layers][];
        double[][] gB = new double[layers][];
        for (int l = 0; l < layers; l++) {
            gW[l] = new double[c[l].w().length];
            gB[l] = new double[c[l].out()];
        }
        double[] gFcW = new double[fcW.length];
        double gFcB = 0;
        double[] out = new double[1 + ys.length];
        for (int i = 0; i < ys.length; i++) {
            double[][] a = new double[layers + 1][];
            double[][] z = new double[layers][];
            int[] side = new int[layers + 1];
            a[0] = ys[i];
            side[0] = net.inSize();
            for (int l = 0; l < layers; l++) {
                z[l] = conv(c[l], a[l], side[l]);
                side[l + 1] = (side[l] + 2 * (c[l].k() / 2) - c[l].k()) / c[l].stride() + 1;
                a[l + 1] = new double[z[l].length];
                for (int j = 0; j < z[l].length; j++) {
                    a[l + 1][j] = Math.max(0, z[l][j]);
                }
            }
            double f = fcB;
            for (int j = 0; j < fcW.length; j++) {
                f += fcW[j] * a[layers][j];
            }
            out[1 + i] = f;
            // backward: ∂L/∂f = cᵢ
            gFcB += coef[i];
            double[] ga = new double[fcW.length];
            for (int j = 0; j < fcW.length; j++) {
                gFcW[j] += coef[i] * a[layers][j];
                ga[j] = coef[i] * fcW[j];
            }
            for (int l = layers - 1; l >= 0; l--) {
                Conv cl = c[l];
                int s = side[l];
                int so = side[l + 1];
                int p = cl.k() / 2;
                double[] gaPrev = new double[a[l].length];
                for (int o = 0; o < cl.out(); o++) {
                    for (int oy = 0; oy < so; oy++) {
                        for (int ox = 0; ox < so; ox++) {
                            int oi = (o * so + oy) * so + ox;
                            double gz = z[l][oi] > 0 ? ga[oi] : 0; // ReLU
                            if (gz == 0) {
                                continue;
                            }
                            gB[l][o] += gz;
                            for (int ci = 0; ci < cl.in(); ci++) {
                                for (int ky = 0; ky < cl.k(); ky++) {
                                    for (int kx = 0; kx < cl.k(); kx++) {
                                        int iy = oy * cl.stride() + ky - p;
                                        int ix = ox * cl.stride() + kx - p;
                                        if (iy >= 0 && iy < s && ix >= 0 && ix < s) {
                                            int wi = ((o * cl.in() + ci) * cl.k() + ky) * cl.k() + kx;
                                            int ii = (ci * s + iy) * s + ix;
                                            gW[l][wi] += gz * a[l][ii];
                                            gaPrev[ii] += gz * cl.w()[wi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                ga = gaPrev;
            }
        }
        double l1 = Math.abs(gFcB);
        for (double v : gFcW) {
            l1 += Math.abs(v);
        }
        for (int l = 0; l < layers; l++) {
            for (double v : gW[l]) {
                l1 += Math.abs(v);
            }
            for (double v : gB[l]) {
                l1 += Math.abs(v);
            }
        }
        out[0] = l1;
        return out;
    }

    /** Image i of the set block-averaged to a g×g grid, on [−1, 1] (the "unit" pixel range). */
    private static double[] observedAt(ImageDataset d, int i, int g) {
        int f = SIDE / g;
        float[] img = d.image(i).data();
        double[] out = new double[g * g];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                out[(y / f) * g + x / f] += img[y * SIDE + x] / (f * f);
            }
        }
        return out;
    }

    @Test
    void theLoggedGradientL1NormOfEveryGridEqualsABackwardPassByHand() throws Exception {
        MultigridConfig cfg = config();
        ImageDataset data = images();
        RunFolder run = RunFolder.create(tmp.resolve("run"), false);
        try (NDManager m = NDManager.newBaseManager(); MultigridModel trained = MultigridTrainer.trainNew(run, cfg, data, null, m)) {
            assertThat(trained.nets().keySet()).containsExactly(2, 4);
        }
        List<JsonNode> rows = JsonlLog.read(run.logFile());
        assertThat(rows).hasSize(1); // one batch of 8 = one iteration
        JsonNode row = rows.get(0);

        // the nets before the step: the trainer seeds libtorch with derive(seed, −1) and builds the model
        Torch.seed(Seeds.derive(cfg.seed(), -1));
        try (NDManager m = NDManager.newBaseManager(); MultigridModel before = new MultigridModel(m, cfg)) {
            double[] coef = new double[2 * N];
            for (int i = 0; i < N; i++) {
                coef[i] = -1.0 / N; // −mean f(obs)
                coef[N + i] = 1.0 / N; // +mean f(syn)
            }
            for (int g : new int[] {2, 4}) {
                double[][] ys = new double[2 * N][];
                for (int i = 0; i < N; i++) {
                    ys[i] = observedAt(data, i, g);
                    double mean = observedAt(data, i, 1)[0];
                    ys[N + i] = new double[g * g];
                    java.util.Arrays.fill(ys[N + i], mean); // 0 Langevin steps: the up-scaled 1×1 image
                }
                double[] r = byHand(before.nets().get(g), ys, coef);
                double fObs = 0;
                double fSyn = 0;
                for (int i = 0; i < N; i++) {
                    fObs += r[1 + i] / N;
                    fSyn += r[1 + N + i] / N;
                }
                // the hand forward pass reproduces what the step logged, so it saw the same nets and images
                assertThat(row.get("f_obs_" + g).asDouble()).as("f_obs_%d", g).isCloseTo(fObs, within(1e-5 * (1 + Math.abs(fObs))));
                assertThat(row.get("f_syn_" + g).asDouble()).as("f_syn_%d", g).isCloseTo(fSyn, within(1e-5 * (1 + Math.abs(fSyn))));
                double logged = row.get("grad_l1_" + g).asDouble();
                assertThat(r[0]).as("the hand gradient of grid %d is not trivially 0", g).isGreaterThan(1e-3);
                assertThat(logged).as("grad_l1_%d", g).isCloseTo(r[0], within(1e-4 * r[0]));
            }
        }

        // the run's plots and report draw it over iterations, one curve per grid
        try (NDManager m = NDManager.newBaseManager(); MultigridModel model = MultigridRun.load(run.dir(), m)) {
            MultigridOutputs.writePlots(run, model);
        }
        assertThat(run.dir().resolve("plots/grad_l1.png")).exists();
        RunReport.write(run.dir());
        String html = Files.readString(run.dir().resolve(RunReport.FILE));
        assertThat(html).contains("alt=\"grad_l1_2\"").contains("alt=\"grad_l1_4\"").contains("alt=\"plots/grad_l1.png\"");
    }
}
