package org.ebm4j.probe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * bfloat16 probe for DJL 0.35.1 + libtorch 2.7.1 CPU (docs/BF16.md). One case per JVM, because
 * some cases abort the process (SIGABRT in native code, which no Java handler can catch):
 *
 * <pre>
 * java -cp CP -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 org.ebm4j.probe.Bf16Probe CASE [ARGS]
 * </pre>
 *
 * scripts/bf16-probe.sh runs every case in its own JVM and prints the exit status of each.
 *
 * <p>DJL's own API cannot make a bfloat16 tensor: every call that names a dtype passes
 * {@code DataType.ordinal()} to native code, whose dtype switch has no case for BFLOAT16 (11) and
 * ends in a bare {@code throw;} (std::terminate). The {@code ts-*} cases get bf16 tensors another
 * way: a tiny TorchScript module (written here as a zip, no Python needed) whose forward is
 * {@code x.to(torch.bfloat16)}; run in training mode it keeps the autograd graph, and the result
 * is an ordinary DJL array (whose DataType reads UNKNOWN) that DJL's conv and autograd accept.
 */
public final class Bf16Probe {
    private Bf16Probe() {
    }

    public static void main(String[] args) throws Exception {
        String c = args.length > 0 ? args[0] : "help";
        System.out.println("case " + String.join(" ", args) + " | engine " + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + " | threads " + System.getProperty("ai.djl.pytorch.num_threads"));
        try (NDManager m = NDManager.newBaseManager()) {
            switch (c) {
                case "cast" -> cast(m);                   // (a) fp32 -> toType(BFLOAT16)
                case "zeros" -> m.zeros(new Shape(2, 2), DataType.BFLOAT16); // creation with dtype BFLOAT16
                case "fp16-cast" -> fp16Cast(m);          // control: FLOAT16 round trip (dtype ordinal 2 is mapped)
                case "totype-grad" -> toTypeGrad(m);      // DJL's toType detaches (NoGradGuard), shown with FLOAT16
                case "ts-cast" -> tsCast(m);              // (a') bf16 via TorchScript cast module, and back
                case "unknown-zeros" -> {                 // zeros(shape, bf16Array.getDataType()) = zeros(.., UNKNOWN)
                    NDArray b = run(toBf16(m), m.randomNormal(new Shape(2)));
                    System.out.println("calling zeros(shape, " + b.getDataType() + ") ...");
                    System.out.flush();
                    m.zeros(new Shape(2), b.getDataType());
                }
                case "ts-conv" -> tsConv(m, args);        // (b)(d)(e)(f) bf16 x and w: forward + input gradient
                case "ts-narrow" -> tsNarrow(m, args);    // conv with < 16 output channels (SpectralConv2d#narrowConv)
                case "ts-mixed" -> tsMixed(m, false);     // (c) bf16 x, fp32 w
                case "ts-mixed-bias" -> tsMixed(m, true); // (c) bf16 x and w, fp32 bias
                case "time" -> time(m, args);             // one mode per JVM: fp32 bf16 bf16pure bf16cl fp16 fp32cl
                case "debug" -> debug(m);
                case "pair" -> pair(m, args);
                case "phases" -> phases(m, args);
                case "stack" -> stack(m, args);             // timing: fp32 | bf16 | bf16cl | fp16 | fp32cl
                default -> System.out.println("cases: cast zeros fp16-cast totype-grad ts-cast ts-conv ts-mixed ts-mixed-bias"
                        + " time pair phases debug");
            }
        }
        System.out.println("case " + c + " returned normally");
    }

    // ---- (a) DJL's own cast ----------------------------------------------------------------

    private static void cast(NDManager m) {
        NDArray x = m.randomNormal(new Shape(2, 3));
        System.out.println("calling x.toType(DataType.BFLOAT16, false) ...");
        System.out.flush();
        NDArray b = x.toType(DataType.BFLOAT16, false);
        System.out.println("bf16 dtype " + b.getDataType());
        NDArray back = b.toType(DataType.FLOAT32, false);
        System.out.println("max |x - back| " + x.sub(back).abs().max().getFloat());
    }

    private static void fp16Cast(NDManager m) {
        NDArray x = m.randomNormal(new Shape(1000));
        NDArray h = x.toType(DataType.FLOAT16, false);
        NDArray back = h.toType(DataType.FLOAT32, false);
        System.out.println("fp16 dtype " + h.getDataType() + ", max rel err "
                + x.sub(back).abs().div(x.abs().add(1e-6f)).max().getFloat());
    }

    private static void toTypeGrad(NDManager m) {
        NDArray x = m.randomNormal(new Shape(4));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = x.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false);
            System.out.println("calling backward(sum(x.toType(FLOAT16).toType(FLOAT32))) ...");
            gc.backward(y.sum());
            System.out.println("no error; grad " + Arrays.toString(x.getGradient().toFloatArray()));
        } catch (RuntimeException e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    // ---- TorchScript cast module -------------------------------------------------------------

    /** A TorchScript module whose forward(x) returns {@code body} (TorchScript serialized-code syntax). */
    static PtSymbolBlock module(NDManager m, String cls, String body) throws IOException {
        Path dir = Files.createTempDirectory("ebm4j-bf16");
        Path file = dir.resolve(cls + ".pt");
        String code = "class " + cls + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__." + cls + ",\n"
                + "    x: Tensor) -> Tensor:\n"
                + "    return " + body + "\n";
        byte[] name = cls.getBytes(StandardCharsets.US_ASCII);
        // pickle protocol 2: __torch__.<cls>() with state {'training': True}
        java.io.ByteArrayOutputStream pkl = new java.io.ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2, 'c'});
        pkl.write("__torch__\n".getBytes(StandardCharsets.US_ASCII));
        pkl.write(name);
        pkl.write(new byte[] {'\n', 'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0});
        pkl.write("training".getBytes(StandardCharsets.US_ASCII));
        pkl.write(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            entry(z, "m/data.pkl", pkl.toByteArray());
            entry(z, "m/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            entry(z, "m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            entry(z, "m/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            entry(z, "m/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        }
        PtSymbolBlock b = JniUtils.loadModule((PtNDManager) m, file, true, new String[0], new String[0], false);
        Files.delete(file);
        Files.delete(dir);
        return b;
    }

    private static void entry(ZipOutputStream z, String name, byte[] data) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(data);
        z.closeEntry();
    }

    /** Runs the module with autograd on (training mode), so the cast is part of the graph. */
    static NDArray run(PtSymbolBlock b, NDArray x) {
        return IValueUtils.forward(b, new NDList(x), true).singletonOrThrow();
    }

    /** Back to fp32 inside the graph (DJL's toType runs under NoGradGuard, so it detaches). */
    static PtSymbolBlock toFp32(NDManager m) throws IOException {
        return module(m, "ToFp32", "torch.to(x, 6)"); // 6 = c10::ScalarType::Float
    }

    static PtSymbolBlock toBf16(NDManager m) throws IOException {
        return module(m, "ToBf16", "torch.to(x, 15)"); // 15 = c10::ScalarType::BFloat16
    }

    private static void tsCast(NDManager m) throws IOException {
        PtSymbolBlock cast = toBf16(m);
        NDArray x = m.randomNormal(new Shape(1000));
        NDArray b = run(cast, x);
        System.out.println("bf16 via TorchScript: DJL dtype " + b.getDataType() + ", shape " + b.getShape());
        NDArray back = b.toType(DataType.FLOAT32, false);
        System.out.println("back dtype " + back.getDataType() + ", max rel err "
                + x.sub(back).abs().div(x.abs().add(1e-6f)).max().getFloat());
    }

    private static void debug(NDManager m) throws IOException {
        PtSymbolBlock cast = toBf16(m);
        NDArray x = m.randomNormal(new Shape(4));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = run(cast, x);
            NDArray z = x.mul(2f);
            System.out.println("grad mode " + JniUtils.isGradMode() + ", x " + JniUtils.requiresGrad((PtNDArray) x)
                    + ", cast(x) " + JniUtils.requiresGrad((PtNDArray) y) + " fn " + JniUtils.getGradientFunctionNames((PtNDArray) y)
                    + ", 2x " + JniUtils.requiresGrad((PtNDArray) z) + " fn " + JniUtils.getGradientFunctionNames((PtNDArray) z));
        }
    }

    // ---- conv probes ------------------------------------------------------------------------

    /** ts-conv N C H W [bias|nobias]: bf16 conv 3x3 pad 1, C -> C, forward + input gradient, vs fp32. */
    private static void tsConv(NDManager m, String[] a) throws IOException {
        long n = Long.parseLong(a[1]);
        long ch = Long.parseLong(a[2]);
        long h = Long.parseLong(a[3]);
        long w = Long.parseLong(a[4]);
        boolean bias = a.length > 5 && a[5].equals("bias");
        PtSymbolBlock cast = toBf16(m);
        NDArray x = m.randomNormal(new Shape(n, ch, h, w));
        NDArray wt = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * ch)), new Shape(ch, ch, 3, 3), DataType.FLOAT32);
        NDArray bs = bias ? m.randomNormal(0f, 0.1f, new Shape(ch), DataType.FLOAT32) : null;
        PtSymbolBlock back = toFp32(m);
        NDArray[] ref = fwdBwd(x, wt, bs, null, null);
        NDArray[] got = fwdBwd(x, wt, bs, cast, back);
        System.out.println("bf16 forward output dtype (DJL) " + got[2].getDataType());
        System.out.println("forward  rel err (max|d| / max|ref|) " + relErr(got[0], ref[0]));
        System.out.println("gradient rel err (max|d| / max|ref|) " + relErr(got[1], ref[1]));
    }

    /**
     * ts-narrow N CIN H W COUT: conv 3x3 CIN -> COUT (COUT < 16), forward + input gradient, direct in
     * fp32 and in bf16, against fp32 widened to 16 output channels with zero kernels (the reference
     * SpectralConv2d uses, since libtorch 2.7.1's direct narrow fp32 conv has a wrong input gradient).
     */
    private static void tsNarrow(NDManager m, String[] a) throws IOException {
        long n = Long.parseLong(a[1]);
        long cin = Long.parseLong(a[2]);
        long h = Long.parseLong(a[3]);
        long wd = Long.parseLong(a[4]);
        long cout = Long.parseLong(a[5]);
        PtSymbolBlock cast = toBf16(m);
        PtSymbolBlock back = toFp32(m);
        NDArray x = m.randomNormal(new Shape(n, cin, h, wd));
        NDArray w = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * cin)), new Shape(cout, cin, 3, 3), DataType.FLOAT32);
        NDArray wide = ai.djl.ndarray.NDArrays.concat(new NDList(w, m.zeros(new Shape(16 - cout, cin, 3, 3))), 0);
        NDArray[] ref;
        {
            NDArray xin = x.duplicate();
            xin.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Conv2d.conv2d(xin, wide, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                        .singletonOrThrow().get(":, 0:" + cout);
                gc.backward(y.mul(y).sum().div(2f));
                ref = new NDArray[] {y, xin.getGradient().duplicate()};
            }
        }
        NDArray[] f32 = fwdBwd(x, w, null, null, null);
        NDArray[] b16 = fwdBwd(x, w, null, cast, back);
        System.out.println("fp32 direct narrow: forward rel err " + relErr(f32[0], ref[0]) + ", gradient rel err "
                + relErr(f32[1], ref[1]) + (f32[1].isNaN().any().getBoolean() ? " (NaN in gradient)" : ""));
        System.out.println("bf16 direct narrow: forward rel err " + relErr(b16[0], ref[0]) + ", gradient rel err "
                + relErr(b16[1], ref[1]) + (b16[1].isNaN().any().getBoolean() ? " (NaN in gradient)" : ""));
    }

    private static float relErr(NDArray got, NDArray ref) {
        return got.sub(ref).abs().max().getFloat() / ref.abs().max().getFloat();
    }

    /**
     * y = conv(x, w, b), loss = sum(y * y) / 2 over fp32; returns {y (fp32), dloss/dx (fp32), y in the
     * conv's dtype}. With {@code cast} non-null, x, w and b are cast to bf16 inside the graph.
     */
    static NDArray[] fwdBwd(NDArray x, NDArray w, NDArray b, PtSymbolBlock cast, PtSymbolBlock back) {
        NDArray xin = x.duplicate();
        xin.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray xc = cast == null ? xin : run(cast, xin);
            NDArray wc = cast == null ? w : run(cast, w);
            NDArray bc = b == null ? null : cast == null ? b : run(cast, b);
            NDArray yc = Conv2d.conv2d(xc, wc, bc, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            NDArray y = back == null ? yc : run(back, yc);
            if (cast != null && Boolean.getBoolean("probe.debug")) {
                for (NDArray q : new NDArray[] {xc, yc, y}) {
                    System.out.println("grad_fn " + JniUtils.getGradientFunctionNames((PtNDArray) q));
                }
            }
            gc.backward(y.mul(y).sum().div(2f));
            return new NDArray[] {y, xin.getGradient().duplicate(), yc};
        }
    }

    private static void tsMixed(NDManager m, boolean biasOnly) throws IOException {
        PtSymbolBlock cast = toBf16(m);
        NDArray x = run(cast, m.randomNormal(new Shape(1, 8, 16, 16)));
        NDArray w = m.randomNormal(new Shape(8, 8, 3, 3));
        NDArray b = m.randomNormal(new Shape(8));
        NDArray wIn = biasOnly ? run(cast, w) : w;
        NDArray bIn = biasOnly ? b : null;
        System.out.println("calling conv2d(x bf16, w " + (biasOnly ? "bf16" : "fp32") + ", b "
                + (biasOnly ? "fp32" : "none") + ") ...");
        System.out.flush();
        try {
            NDArray y = Conv2d.conv2d(x, wIn, bIn, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            System.out.println("no error; output dtype (DJL) " + y.getDataType());
        } catch (RuntimeException e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * pair N C H W ROUNDS: fp32, bf16 (cast inside the graph, weights fp32) and bf16 with
     * channels-last input, interleaved step by step in one JVM so that load on a shared machine
     * hits all three alike; prints medians (wall and thread CPU ms) and the median per-round ratio.
     */
    private static void pair(NDManager m, String[] a) throws IOException {
        long n = Long.parseLong(a[1]);
        long ch = Long.parseLong(a[2]);
        long h = Long.parseLong(a[3]);
        long wd = Long.parseLong(a[4]);
        int rounds = Integer.parseInt(a[5]);
        PtSymbolBlock bf = toBf16(m);
        PtSymbolBlock bfCl = module(m, "ToBf16Cl", "torch.contiguous(torch.to(x, 15), memory_format=2)");
        PtSymbolBlock back = toFp32(m);
        NDArray x = m.randomNormal(new Shape(n, ch, h, wd));
        NDArray w = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * ch)), new Shape(ch, ch, 3, 3), DataType.FLOAT32);
        PtSymbolBlock[][] modes = {{null, null, null}, {bf, bf, back}, {bfCl, bf, back}};
        String[] names = {"fp32", "bf16", "bf16cl"};
        double[][] wall = new double[3][rounds];
        double[][] cpu = new double[3][rounds];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = -2; r < rounds; r++) {
            for (int k = 0; k < 3; k++) {
                try (NDManager sub = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(sub);
                    long t0 = System.nanoTime();
                    long c0 = threads.getCurrentThreadCpuTime();
                    xs.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray xc = modes[k][0] == null ? xs : run(modes[k][0], xs);
                        NDArray wc = modes[k][1] == null ? w : run(modes[k][1], w);
                        NDArray y = Conv2d.conv2d(xc, wc, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                                .singletonOrThrow();
                        gc.backward((modes[k][2] == null ? y : run(modes[k][2], y)).sum());
                        xs.getGradient();
                    }
                    if (r >= 0) {
                        wall[k][r] = (System.nanoTime() - t0) / 1e6;
                        cpu[k][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
                    }
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            double[] rw = new double[rounds];
            double[] rc = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                rw[r] = wall[0][r] / wall[k][r];
                rc[r] = cpu[0][r] / cpu[k][r];
            }
            System.out.printf("PAIR mode=%s shape=%dx%dx%dx%d rounds=%d wall_median_ms=%.2f cpu_median_ms=%.2f"
                    + " speedup_vs_fp32_wall=%.2f speedup_vs_fp32_cpu=%.2f%n", names[k], n, ch, h, wd, rounds,
                    median(wall[k]), median(cpu[k]), median(rw), median(rc));
        }
    }

    /** phases MODE N C H W ROUNDS: thread CPU ms per phase of the step (fp32 | bf16 | bf16pure). */
    private static void phases(NDManager m, String[] a) throws IOException {
        String mode = a[1];
        long n = Long.parseLong(a[2]);
        long ch = Long.parseLong(a[3]);
        long h = Long.parseLong(a[4]);
        long wd = Long.parseLong(a[5]);
        int rounds = Integer.parseInt(a[6]);
        PtSymbolBlock bf = toBf16(m);
        PtSymbolBlock back = toFp32(m);
        NDArray x = m.randomNormal(new Shape(n, ch, h, wd));
        NDArray w = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * ch)), new Shape(ch, ch, 3, 3), DataType.FLOAT32);
        if (mode.equals("bf16pure")) {
            x = run(bf, x);
            w = run(bf, w);
        }
        boolean cast = mode.equals("bf16");
        boolean bfOut = !mode.equals("fp32");
        String[] names = {"castx", "castw", "conv", "castback", "sum", "backward"};
        double[][] t = new double[names.length][rounds];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = -2; r < rounds; r++) {
            try (NDManager sub = m.newSubManager()) {
                NDArray xs = x.duplicate();
                xs.attach(sub);
                xs.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    long[] c = new long[names.length + 1];
                    c[0] = threads.getCurrentThreadCpuTime();
                    NDArray xc = cast ? run(bf, xs) : xs;
                    c[1] = threads.getCurrentThreadCpuTime();
                    NDArray wc = cast ? run(bf, w) : w;
                    c[2] = threads.getCurrentThreadCpuTime();
                    NDArray y = Conv2d.conv2d(xc, wc, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow();
                    c[3] = threads.getCurrentThreadCpuTime();
                    NDArray y32 = bfOut ? run(back, y) : y;
                    c[4] = threads.getCurrentThreadCpuTime();
                    NDArray loss = y32.sum();
                    c[5] = threads.getCurrentThreadCpuTime();
                    gc.backward(loss);
                    c[6] = threads.getCurrentThreadCpuTime();
                    if (r >= 0) {
                        for (int k = 0; k < names.length; k++) {
                            t[k][r] = (c[k + 1] - c[k]) / 1e6;
                        }
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder("PHASES mode=" + mode + " cpu_median_ms");
        for (int k = 0; k < names.length; k++) {
            sb.append(String.format(" %s=%.2f", names[k], median(t[k])));
        }
        System.out.println(sb);
    }

    /**
     * stack N C H W ROUNDS LAYERS: LAYERS convs 3x3 C -> C each followed by ELU, loss = sum, forward +
     * input gradient; fp32, bf16 with casts around every conv (ELU in fp32), and bf16 kept between
     * layers (one cast in, ELU in bf16, one cast out; weights cast per call). Interleaved rounds.
     */
    private static void stack(NDManager m, String[] a) throws IOException {
        long n = Long.parseLong(a[1]);
        long ch = Long.parseLong(a[2]);
        long h = Long.parseLong(a[3]);
        long wd = Long.parseLong(a[4]);
        int rounds = Integer.parseInt(a[5]);
        int layers = Integer.parseInt(a[6]);
        PtSymbolBlock bf = toBf16(m);
        PtSymbolBlock back = toFp32(m);
        NDArray x = m.randomNormal(new Shape(n, ch, h, wd));
        NDArray[] w = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            w[l] = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * ch)), new Shape(ch, ch, 3, 3), DataType.FLOAT32);
        }
        String[] names = {"fp32", "bf16-per-layer", "bf16-resident"};
        double[][] wall = new double[3][rounds];
        double[][] cpu = new double[3][rounds];
        NDArray[] grads = new NDArray[3];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = -2; r < rounds; r++) {
            for (int k = 0; k < 3; k++) {
                try (NDManager sub = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(sub);
                    long t0 = System.nanoTime();
                    long c0 = threads.getCurrentThreadCpuTime();
                    xs.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray hcur = k == 2 ? run(bf, xs) : xs;
                        for (int l = 0; l < layers; l++) {
                            NDArray wc = k == 0 ? w[l] : run(bf, w[l]);
                            NDArray in = k == 1 ? run(bf, hcur) : hcur;
                            NDArray y = Conv2d.conv2d(in, wc, null, new Shape(1, 1), new Shape(1, 1),
                                    new Shape(1, 1), 1).singletonOrThrow();
                            if (k == 1) {
                                y = run(back, y);
                            }
                            hcur = ai.djl.nn.Activation.elu(y, 1f);
                        }
                        gc.backward((k == 2 ? run(back, hcur) : hcur).sum());
                        NDArray g = xs.getGradient();
                        if (r >= 0) {
                            wall[k][r] = (System.nanoTime() - t0) / 1e6;
                            cpu[k][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
                        }
                        if (r == rounds - 1) {
                            grads[k] = g.duplicate();
                            grads[k].attach(m);
                        }
                    }
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            double[] rw = new double[rounds];
            double[] rc = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                rw[r] = wall[0][r] / wall[k][r];
                rc[r] = cpu[0][r] / cpu[k][r];
            }
            System.out.printf("STACK mode=%s layers=%d shape=%dx%dx%dx%d rounds=%d wall_median_ms=%.2f cpu_median_ms=%.2f"
                    + " speedup_vs_fp32_wall=%.2f speedup_vs_fp32_cpu=%.2f grad_rel_err=%.3g%n", names[k], layers, n, ch,
                    h, wd, rounds, median(wall[k]), median(cpu[k]), median(rw), median(rc), relErr(grads[k], grads[0]));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    // ---- timing -----------------------------------------------------------------------------

    /**
     * time MODE N C H W ITERS: median ms of conv 3x3 (C -> C, pad 1, no bias) forward + input
     * gradient; MODE fp32 | bf16 (TorchScript cast) | bf16pure (bf16 leaves, no casts) | bf16cl (bf16,
     * channels-last input) | fp16 |
     * fp32cl (fp32, channels-last input). Weights stay fp32 and are cast per call, as a
     * "bf16 compute, fp32 state" option would do.
     */
    private static void time(NDManager m, String[] a) throws IOException {
        String mode = a[1];
        long n = Long.parseLong(a[2]);
        long ch = Long.parseLong(a[3]);
        long h = Long.parseLong(a[4]);
        long wd = Long.parseLong(a[5]);
        int iters = Integer.parseInt(a[6]);
        PtSymbolBlock cast = switch (mode) {
            case "bf16", "bf16pure" -> toBf16(m);
            case "bf16cl" -> module(m, "ToBf16Cl", "torch.contiguous(torch.to(x, 15), memory_format=2)");
            case "fp16" -> module(m, "ToFp16", "torch.to(x, 5)");
            case "fp32cl" -> module(m, "ToFp32Cl", "torch.contiguous(x, memory_format=2)");
            case "fp32" -> null;
            default -> throw new IllegalArgumentException(mode);
        };
        PtSymbolBlock castW = mode.equals("bf16cl") ? toBf16(m) : mode.equals("fp32cl") ? null : cast;
        PtSymbolBlock back = mode.startsWith("fp32") ? null : toFp32(m);
        NDArray x0 = m.randomNormal(new Shape(n, ch, h, wd));
        NDArray w0 = m.randomNormal(0f, (float) Math.sqrt(2.0 / (9 * ch)), new Shape(ch, ch, 3, 3), DataType.FLOAT32);
        NDArray x = x0;
        NDArray w = w0;
        double[] t = new double[iters];
        double[] cpu = new double[iters];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        if (mode.equals("bf16pure")) { // bf16 leaves: no casts inside the timed step (a lower bound)
            x = run(cast, x);
            w = run(cast, w);
            cast = null;
            castW = null;
        }
        NDArray g = null;
        for (int i = -2; i < iters; i++) { // 2 warmup
            try (NDManager sub = m.newSubManager()) {
                NDArray xs = x.duplicate();
                xs.attach(sub);
                long t0 = System.nanoTime();
                long c0 = threads.getCurrentThreadCpuTime();
                xs.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray xc = cast == null ? xs : run(cast, xs);
                    NDArray wc = castW == null ? w : run(castW, w);
                    NDArray y = Conv2d.conv2d(xc, wc, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow();
                    NDArray y32 = back == null ? y : run(back, y);
                    gc.backward(y32.sum());
                    NDArray grad = xs.getGradient(); // CPU ops are synchronous: the step is done here
                    if (i >= 0) {
                        t[i] = (System.nanoTime() - t0) / 1e6;
                        cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
                    }
                    if (i == iters - 1) {
                        g = grad.duplicate();
                        g.attach(m);
                    }
                }
            }
        }
        double[] s = t.clone();
        Arrays.sort(s);
        double[] sc = cpu.clone();
        Arrays.sort(sc);
        // with one intra-op thread libtorch computes on the calling thread, so its CPU time is the
        // compute time without the waits a busy machine adds to the wall clock
        System.out.printf("TIME mode=%s shape=%dx%dx%dx%d iters=%d wall_median_ms=%.2f wall_min_ms=%.2f"
                + " cpu_median_ms=%.2f cpu_min_ms=%.2f%n",
                mode, n, ch, h, wd, iters, s[iters / 2], s[0], sc[iters / 2], sc[0]);
        // gradient of sum(conv(x)) w.r.t. x does not depend on x: compare with fp32 directly
        NDArray ref;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray xs = x0.duplicate();
            xs.setRequiresGradient(true);
            gc.backward(Conv2d.conv2d(xs, w0, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow().sum());
            ref = xs.getGradient().duplicate();
        }
        if (mode.equals("bf16pure")) {
            g = run(back, g);
        }
        System.out.printf("GRADERR mode=%s rel_err=%.3g%n", mode, relErr(g, ref));
    }
}
