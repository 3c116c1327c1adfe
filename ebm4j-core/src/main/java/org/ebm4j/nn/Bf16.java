package org.ebm4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Differentiable float32 ↔ bfloat16 casts under DJL 0.35.1 (docs/BF16.md). DJL cannot name
 * bfloat16: {@code toType(BFLOAT16)} and any {@code zeros/create(…, dtype)} of a bf16 array abort
 * the JVM in its native dtype switch, and {@code toType} runs without autograd anyway. So the casts
 * are two tiny TorchScript modules ({@code torch.to(x, 15)}, {@code torch.to(x, 6)}), written as a
 * TorchScript zip from Java, loaded once per process and run in training mode, which keeps them in
 * the autograd graph ({@code ToCopyBackward0}): gradients flow through both casts.
 *
 * <p>DJL reports a bf16 array's dtype as {@link DataType#UNKNOWN}. Ops that do not name a dtype
 * (conv2d, elu, add, sum, slicing, autograd) work on it; anything that reads the dtype back
 * ({@code toFloatArray}, {@code zeros(shape, x.getDataType())}) breaks or aborts, so bf16 arrays
 * must stay inside a convolution call and be cast back before anything else sees them.
 */
public final class Bf16 {
    private static final Object LOCK = new Object();
    private static volatile PtSymbolBlock toBf16;
    private static volatile PtSymbolBlock toFp32;
    private static volatile String failure;

    private Bf16() {}

    /** x (float32) as bfloat16, in the autograd graph; a new array on x's manager. */
    public static NDArray toBf16(NDArray x) {
        ensureLoaded();
        return IValueUtils.forward(toBf16, new NDList(x), true).singletonOrThrow();
    }

    /** x (bfloat16) as float32, in the autograd graph; a new array on x's manager. */
    public static NDArray toFp32(NDArray x) {
        ensureLoaded();
        return IValueUtils.forward(toFp32, new NDList(x), true).singletonOrThrow();
    }

    /** Whether x is (as far as DJL can tell) a bf16 array: DJL has no name for that dtype. */
    public static boolean isBf16(NDArray x) {
        return x.getDataType() == DataType.UNKNOWN;
    }

    /**
     * Loads the cast modules (once per process; later calls return at once) and checks that a
     * round trip works.
     *
     * @throws IllegalStateException with a one-line reason if they cannot be loaded
     */
    public static void ensureLoaded() {
        if (toFp32 != null) {
            return;
        }
        synchronized (LOCK) {
            if (toFp32 != null) {
                return;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            try {
                // a manager of their own for the process's lifetime: modules must outlive every caller's scope
                NDManager m = NDManager.newBaseManager("PyTorch");
                PtSymbolBlock to16 = module(m, "ToBf16", "torch.to(x, 15)"); // 15 = c10::ScalarType::BFloat16
                PtSymbolBlock to32 = module(m, "ToFp32", "torch.to(x, 6)");  // 6 = c10::ScalarType::Float
                try (NDManager check = m.newSubManager()) {
                    NDArray x = check.create(new float[] {1f, -2.5f, 0.1f});
                    NDArray b = IValueUtils.forward(to16, new NDList(x), true).singletonOrThrow();
                    NDArray y = IValueUtils.forward(to32, new NDList(b), true).singletonOrThrow();
                    float[] v = y.toFloatArray();
                    if (b.getDataType() == DataType.FLOAT32 || v.length != 3 || v[0] != 1f || v[1] != -2.5f
                            || Math.abs(v[2] - 0.1f) > 1e-3f) {
                        throw new IllegalStateException("the round trip fp32 → bf16 → fp32 gave " + java.util.Arrays.toString(v));
                    }
                }
                toBf16 = to16;
                toFp32 = to32;
            } catch (RuntimeException | IOException | LinkageError e) {
                failure = "bf16 compute unavailable: cannot load the TorchScript cast modules ("
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName()) + ")";
                throw new IllegalStateException(failure, e);
            }
        }
    }

    /**
     * A TorchScript module whose forward(x) returns {@code body} (TorchScript serialised-code
     * syntax), written as the zip torch.jit.save would write (no Python needed) and loaded.
     */
    private static PtSymbolBlock module(NDManager m, String cls, String body) throws IOException {
        String code = "class " + cls + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__." + cls + ",\n"
                + "    x: Tensor) -> Tensor:\n"
                + "    return " + body + "\n";
        byte[] name = cls.getBytes(StandardCharsets.US_ASCII);
        // pickle protocol 2: __torch__.<cls>() with state {'training': True}
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2, 'c'});
        pkl.write("__torch__\n".getBytes(StandardCharsets.US_ASCII));
        pkl.write(name);
        pkl.write(new byte[] {'\n', 'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0});
        pkl.write("training".getBytes(StandardCharsets.US_ASCII));
        pkl.write(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});
        Path file = Files.createTempFile("ebm4j-" + cls, ".pt");
        try {
            try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
                entry(z, "m/data.pkl", pkl.toByteArray());
                entry(z, "m/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
                entry(z, "m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
                entry(z, "m/version", "3\n".getBytes(StandardCharsets.US_ASCII));
                entry(z, "m/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            }
            return JniUtils.loadModule((PtNDManager) m, file, true, new String[0], new String[0], false);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void entry(ZipOutputStream z, String name, byte[] data) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(data);
        z.closeEntry();
    }
}
