package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * The multi-grid down/up operators (paper 004 §3): down-scaling averages each f×f block, up-scaling
 * replicates each pixel into an f×f block. up is the pseudo-inverse of down (down∘up = identity,
 * and down = upᵀ / f²), so a coarse image is exactly the block average of its up-scaled copy.
 */
public final class BlockResample {
    private BlockResample() {}

    /** [N,C,H,W] → [N,C,H/f,W/f] by f×f block averages (H and W must be multiples of f). */
    public static NDArray down(NDArray x, int f) {
        check(x, f);
        if (f == 1) {
            return x.duplicate();
        }
        return Pool.avgPool2d(x, new Shape(f, f), new Shape(f, f), new Shape(0, 0), false, true);
    }

    /** [N,C,h,w] → [N,C,h·f,w·f], each pixel replicated into an f×f block. */
    public static NDArray up(NDArray x, int f) {
        if (f < 1) {
            throw new IllegalArgumentException("factor must be >= 1, got " + f);
        }
        if (f == 1) {
            return x.duplicate();
        }
        return x.repeat(2, f).repeat(3, f);
    }

    /**
     * A mask down the grids: a coarse pixel is missing (1) when any pixel of its block is missing,
     * so a coarse pixel marked observed (0) is the average of observed pixels only.
     */
    public static NDArray downMask(NDArray mask, int f) {
        check(mask, f);
        if (f == 1) {
            return mask.duplicate();
        }
        return Pool.maxPool2d(mask, new Shape(f, f), new Shape(f, f), new Shape(0, 0), false);
    }

    private static void check(NDArray x, int f) {
        Shape s = x.getShape();
        if (f < 1 || s.get(2) % f != 0 || s.get(3) % f != 0) {
            throw new IllegalArgumentException("cannot block-average " + s + " by " + f
                    + ": height and width must be multiples of the factor");
        }
    }
}
