package org.ebm4j.method.patchgen;

/**
 * What one training iteration of each pyramid scale costs, relative to the others, and the
 * progress units derived from it.
 *
 * <p>An iteration of scale s runs the synthesis chains of scales 0..s (stepsInit at 0, steps above,
 * each on its own padded size with its own net), the recovery chain at s (stepsRec) and the
 * update (about three passes of the net at s). Its time is modelled as
 * {@code a · GFLOP + b · (Langevin steps)}: the convolutions' multiply-adds, plus a fixed
 * overhead per step that dominates on the small coarse images. The ratio {@link #STEP_OVERHEAD_GFLOP}
 * = b/a was fitted to the paper preset's measured seconds per iteration of all eight scales of
 * 248×186 balloons (1.3 s at 33×25 … 60 s at 248×186, one thread) and reproduces them, and the
 * quality preset's five, within ±25 %, where counting iterations is wrong by 45×.
 *
 * <p>Progress counts "cost-weighted iterations": the whole run's total is its number of iterations,
 * but an iteration of a fine scale advances the count by more than one of a coarse scale, so
 * the percentage and the ETA follow time.
 */
public final class TrainingCost {
    /** The fixed cost of one Langevin step, in GFLOP of convolution (fitted; see the class comment). */
    public static final double STEP_OVERHEAD_GFLOP = 0.12;

    private final int[] iterations;
    private final double[] weight; // progress units per iteration of each scale

    private TrainingCost(int[] iterations, double[] weight) {
        this.iterations = iterations;
        this.weight = weight;
    }

    /** The costs of training {@code cfg} on pyramid {@code p}. */
    public static TrainingCost of(PatchGenConfig cfg, Pyramid p) {
        int n = p.numScales();
        int[] iters = new int[n];
        double[] cost = iterationCost(cfg, p);
        double totalIters = 0;
        double totalCost = 0;
        for (int s = 0; s < n; s++) {
            iters[s] = cfg.iterationsAt(s);
            totalIters += iters[s];
            totalCost += iters[s] * cost[s];
        }
        double[] w = new double[n];
        for (int s = 0; s < n; s++) {
            w[s] = totalCost > 0 ? cost[s] * totalIters / totalCost : 1.0;
        }
        return new TrainingCost(iters, w);
    }

    /** Modelled cost of one iteration of every scale, in GFLOP-equivalents (relative units). */
    public static double[] iterationCost(PatchGenConfig cfg, Pyramid p) {
        int n = p.numScales();
        double[] perStep = new double[n];
        for (int s = 0; s < n; s++) {
            int w = p.widths()[s] + 2 * cfg.pad();
            int h = p.heights()[s] + 2 * cfg.pad();
            perStep[s] = (double) w * h * flopsPerPixel(cfg.netWidths(p.widths()[s], p.heights()[s])) / 1e9
                    + STEP_OVERHEAD_GFLOP;
        }
        double[] out = new double[n];
        double chains = 0;
        for (int s = 0; s < n; s++) {
            chains += cfg.stepsAt(s) * perStep[s]; // the synthesis chains of scales 0..s
            // recovery chain at s, then forward and backward of the update's three batches
            out[s] = chains + (cfg.stepsRec() + 3) * perStep[s];
        }
        return out;
    }

    /** Multiply-adds per output pixel of a patch net with these widths (3×3 kernels, RGB input). */
    static double flopsPerPixel(int[] widths) {
        double f = 0;
        int cin = 3;
        for (int c : widths) {
            f += 9.0 * cin * c;
            cin = c;
        }
        return f + 9.0 * cin; // the last layer's single output channel
    }

    /** Progress units per iteration of scale s. */
    public double weight(int scale) {
        return weight[scale];
    }

    /** Progress units done once scale {@code scale} has finished {@code done} of its iterations (scales below complete). */
    public double unitsAt(int scale, long done) {
        double u = 0;
        for (int s = 0; s < scale; s++) {
            u += iterations[s] * weight[s];
        }
        return scale < weight.length ? u + done * weight[scale] : u;
    }

    /** Progress units of the whole run: its number of iterations. */
    public double total() {
        return unitsAt(iterations.length, 0);
    }
}
