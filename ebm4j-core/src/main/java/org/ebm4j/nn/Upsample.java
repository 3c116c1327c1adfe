package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resizing of [N, C, H, W] tensors as two small matrix products, y = A_H · x · A_Wᵀ, with
 * A the 1-D linear-interpolation matrix of each axis. DJL's own resize ({@code NDImageUtils.resize},
 * libtorch's interpolate through it) always uses {@code align_corners=False}; the generators of
 * Dual-MCMC teaching (Cui, Han 2023) call {@code F.interpolate(..., mode='bilinear',
 * align_corners=True)}, so the matrices are built here for either convention. Being matrix
 * products, the result is differentiable in x by libtorch's autograd.
 */
public final class Upsample {
    private Upsample() {}

    /** ×2 bilinear up-sampling with PyTorch's {@code align_corners=True} (Dual-MCMC's GenBlock). */
    public static NDArray bilinear2x(NDArray x) {
        return bilinear(x, 2, true);
    }

    /**
     * ×factor bilinear resizing. {@code alignCorners=true}: output pixel i samples the input at
     * i·(in−1)/(out−1), so the corner pixels are kept exactly. {@code false}: half-pixel centres,
     * source (i+½)·in/out − ½ clamped at 0 (PyTorch's {@code align_corners=False}, the same
     * formula as TF2's {@code UpSampling2D(interpolation='bilinear')}, which Hat EBM's Keras
     * generator uses).
     */
    public static NDArray bilinear(NDArray x, int factor, boolean alignCorners) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("bilinear up-sampling takes [N, C, H, W], got " + s);
        }
        if (factor < 1) {
            throw new IllegalArgumentException("up-sampling factor must be >= 1, got " + factor);
        }
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        NDManager m = x.getManager();
        try (NDArray ah = tensor(m, matrix(h, h * factor, alignCorners), x.getDataType());
             NDArray awt = tensor(m, transpose(matrix(w, w * factor, alignCorners)), x.getDataType());
             NDArray rows = x.matMul(awt)) {  // [N, C, H, W·f]
            return ah.matMul(rows);          // [H·f, H] · [N, C, H, W·f] → [N, C, H·f, W·f]
        }
    }

    /** The [out, in] 1-D linear-interpolation matrix: row i holds the weights of output sample i. */
    public static double[][] matrix(int in, int out, boolean alignCorners) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("interpolation sizes must be >= 1, got " + in + " -> " + out);
        }
        double[][] a = new double[out][in];
        for (int i = 0; i < out; i++) {
            double src;
            if (alignCorners) {
                src = out == 1 ? 0 : (double) i * (in - 1) / (out - 1);
            } else {
                src = Math.max(0, (i + 0.5) * in / out - 0.5);
            }
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double t = src - i0;
            a[i][i0] += 1 - t;
            a[i][i1] += t;
        }
        return a;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static NDArray tensor(NDManager m, double[][] a, ai.djl.ndarray.types.DataType type) {
        NDArray d = m.create(flat(a), new Shape(a.length, a[0].length));
        if (type == d.getDataType()) {
            return d;
        }
        NDArray c = d.toType(type, false);
        d.close();
        return c;
    }

    private static double[] flat(double[][] a) {
        double[] f = new double[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, f, i * a[0].length, a[0].length);
        }
        return f;
    }
}
