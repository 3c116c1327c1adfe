package org.ebm4j.core;

import ai.djl.ndarray.NDArray;

/** In-place tensor copies that stay inside libtorch's memory management. */
public final class TensorCopy {
    private TensorCopy() {}

    /**
     * dst ← src, element by element, in place. DJL's NDArray.set(Buffer) does not copy on the
     * PyTorch engine: it re-points dst's storage at the Java buffer, so dst would dangle once that
     * buffer (or the tensor it came from) is freed. This copies through libtorch instead.
     */
    public static void copyInto(NDArray src, NDArray dst) {
        if (!src.getShape().equals(dst.getShape()) || src.getDataType() != dst.getDataType()) {
            throw new IllegalArgumentException("cannot copy " + src.getShape() + " " + src.getDataType()
                    + " into " + dst.getShape() + " " + dst.getDataType());
        }
        // an indexed assignment (libtorch copy_): exact bits, and unlike dst·0 + src it also
        // overwrites NaN or infinite values (a rollback copies good weights over poisoned ones)
        dst.set(new ai.djl.ndarray.index.NDIndex("..."), src);
    }
}
