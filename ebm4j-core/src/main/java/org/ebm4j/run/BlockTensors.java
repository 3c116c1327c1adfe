package org.ebm4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.TensorCopy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A block's parameters (BN statistics and SN vectors included) as named checkpoint tensors, and back. */
public final class BlockTensors {
    private BlockTensors() {}

    /** Adds every parameter of block to out as prefix + name (the live arrays, not copies). */
    public static void put(LinkedHashMap<String, NDArray> out, String prefix, Block block) {
        for (var e : block.getParameters()) {
            out.put(prefix + e.getKey(), e.getValue().getArray());
        }
    }

    /** Copies the tensors prefix + name of a checkpoint into block's parameters; a missing or misshaped one is an error naming it. */
    public static void copyInto(Map<String, NDArray> tensors, String prefix, Block block, Path ck, String hint) {
        for (var e : block.getParameters()) {
            Parameter p = e.getValue();
            NDArray src = tensors.get(prefix + e.getKey());
            if (src == null || !src.getShape().equals(p.getArray().getShape())) {
                throw new EbmException("checkpoint " + ck + " does not match " + hint + " (" + prefix + e.getKey()
                        + "); was it written by another configuration or version?");
            }
            TensorCopy.copyInto(src, p.getArray());
        }
    }

    /** TensorFile.load with its I/O and corruption errors as one-line EbmExceptions. */
    public static TensorFile.Loaded load(Path ck, NDManager m) {
        try {
            return TensorFile.load(ck, m);
        } catch (IOException e) {
            throw new EbmException(e.getMessage(), e);
        }
    }
}
