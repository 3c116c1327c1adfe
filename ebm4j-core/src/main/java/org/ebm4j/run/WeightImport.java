package org.ebm4j.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.TensorCopy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the weights of any ebm4j net ({@code nn.Generator}, {@code nn.ResidualEbm}, the retrofit
 * decoder and encoder, …) from a numpy {@code .npz} file (or a {@code .safetensors} file) written
 * from a PyTorch {@code state_dict}.
 *
 * <p><b>The name table.</b> The file's names are those of the PyTorch module that mirrors the ebm4j
 * net attribute for attribute: a child block named {@code block1} holding a child {@code conv1} is
 * the PyTorch attribute path {@code block1.conv1}, and its parameters are named by their role:
 * <pre>  ebm4j parameter (DJL key)          PyTorch state_dict name
 *  conv / linear  weight            →  PATH.weight           [out, in, kh, kw] / [out, in], as in PyTorch
 *  conv / linear  bias              →  PATH.bias
 *  BatchNorm2d    gamma, beta       →  PATH.weight, PATH.bias
 *  BatchNorm2d    running_mean/var  →  PATH.running_mean, PATH.running_var
 *  (none)                           ←  PATH.num_batches_tracked of a BN (accepted and ignored)</pre>
 * where PATH is the chain of child-block names with DJL's two-digit order prefixes removed
 * (DJL key {@code 02block1_02conv1_weight} ↔ {@code block1.conv1.weight}). {@link #names} lists
 * the table of a given net; docs/WEIGHT_IMPORT.md prints it for the Hat EBM nets. Spectral-norm
 * state ({@code sn_u}) has no PyTorch counterpart of the same shape, so spectrally normalised nets
 * are refused.
 *
 * <p>The whole file is checked before any parameter is written: every name of the table present,
 * no name the net does not have, every shape equal, every array a float array. A failed check is one
 * line naming the tensor (and both shapes); the net is then untouched. float64 arrays are rounded to
 * the net's type.
 *
 * <p>References: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
 * Latent Spaces with Hat EBM", NeurIPS 2022 (pretrained generators brought into a Hat EBM).
 */
public final class WeightImport {
    private static final Pattern ORDER_PREFIX = Pattern.compile("^\\d{2}(.+)$");
    /** The PyTorch buffer every BatchNorm has and eval-mode BN never reads. */
    public static final String BN_BATCH_COUNT = "num_batches_tracked";

    private WeightImport() {}

    /**
     * The name table of {@code block}: PyTorch {@code state_dict} name → the block's parameter key
     * (as in {@code block.getParameters()} and in ebm4j checkpoints after the net's prefix), in the
     * block's parameter order.
     *
     * @throws EbmException if the block has spectral-norm state (no PyTorch equivalent to map)
     */
    public static LinkedHashMap<String, String> names(Block block) {
        IdentityHashMap<Parameter, String> keys = new IdentityHashMap<>();
        for (var e : block.getParameters()) {
            keys.put(e.getValue(), e.getKey());
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        walk(block, "", keys, out, new LinkedHashSet<>());
        if (out.size() != keys.size()) {
            throw new IllegalStateException("name table covers " + out.size() + " of " + keys.size() + " parameters");
        }
        return out;
    }

    /** The PyTorch names that the table of {@code block} accepts and ignores (BN batch counters). */
    public static Set<String> ignoredNames(Block block) {
        IdentityHashMap<Parameter, String> keys = new IdentityHashMap<>();
        for (var e : block.getParameters()) {
            keys.put(e.getValue(), e.getKey());
        }
        Set<String> ignored = new LinkedHashSet<>();
        walk(block, "", keys, new LinkedHashMap<>(), ignored);
        return ignored;
    }

    private static void walk(Block block, String path, IdentityHashMap<Parameter, String> keys,
                             LinkedHashMap<String, String> out, Set<String> ignored) {
        boolean bn = false;
        for (var e : block.getDirectParameters()) {
            Parameter p = e.getValue();
            String role = switch (p.getType()) {
                case WEIGHT -> "weight";
                case BIAS -> "bias";
                case GAMMA -> "weight";
                case BETA -> "bias";
                case RUNNING_MEAN -> "running_mean";
                case RUNNING_VAR -> "running_var";
                default -> throw new EbmException("cannot import weights into " + (path.isEmpty() ? "the net" : path)
                        + ": its parameter '" + e.getKey() + "' (" + p.getType() + ", e.g. spectral-norm state) has no"
                        + " PyTorch counterpart; nets with spectral norm are not supported");
            };
            bn |= p.getType() == Parameter.Type.GAMMA;
            String name = path + role;
            if (out.put(name, keys.get(p)) != null) {
                throw new IllegalStateException("two parameters map to " + name);
            }
        }
        if (bn) {
            ignored.add(path + BN_BATCH_COUNT);
        }
        for (var c : block.getChildren()) {
            Matcher m = ORDER_PREFIX.matcher(c.getKey());
            String child = m.matches() ? m.group(1) : c.getKey();
            walk(c.getValue(), path + child + ".", keys, out, ignored);
        }
    }

    /**
     * Reads {@code file} — a numpy {@code .npz} ({@link NpzFile}) or a {@code .safetensors} file
     * ({@link SafetensorsFile}), told apart by their content — and copies it into {@code block}'s
     * parameters.
     *
     * @param what the net's name in messages ("generator", "hat net")
     * @throws EbmException one line: unreadable file, missing or extra name, shape or type mismatch
     */
    public static void load(Path file, Block block, String what) {
        load(read(file), block, what, "weights file " + file);
    }

    /** The named tensors of an {@code .npz} or {@code .safetensors} file. */
    public static LinkedHashMap<String, TensorFile.HostTensor> read(Path file) {
        if (SafetensorsFile.looksLike(file)) {
            return SafetensorsFile.read(file);
        }
        if (Files.isRegularFile(file) && !startsWithZipMagic(file)) {
            throw new EbmException("weights file " + file + " is neither a numpy .npz nor a safetensors file");
        }
        return NpzFile.read(file);
    }

    private static boolean startsWithZipMagic(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(2);
            return b.length == 2 && b[0] == 'P' && b[1] == 'K';
        } catch (IOException e) {
            return true; // NpzFile.read reports the I/O error with the file's name
        }
    }

    /**
     * Copies named host tensors into {@code block}'s parameters after checking all of them.
     *
     * @param source the tensors' origin in messages ("weights file x.npz")
     */
    public static void load(Map<String, TensorFile.HostTensor> tensors, Block block, String what, String source) {
        LinkedHashMap<String, String> table = names(block);
        Set<String> ignored = ignoredNames(block);
        var params = block.getParameters();

        List<String> missing = new ArrayList<>();
        for (String name : table.keySet()) {
            if (!tensors.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new EbmException(source + " lacks '" + missing.get(0) + "'" + more(missing) + " that the " + what
                    + " needs (names as in docs/WEIGHT_IMPORT.md); is it a " + what + " of this configuration?");
        }
        List<String> extra = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (!table.containsKey(name) && !ignored.contains(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new EbmException(source + " has '" + extra.get(0) + "'" + more(extra) + " that the " + what
                    + " does not have; is it a " + what + " of this configuration?");
        }
        for (var e : table.entrySet()) {
            TensorFile.HostTensor t = tensors.get(e.getKey());
            Shape want = params.get(e.getValue()).getArray().getShape();
            if (!Arrays.equals(t.shape(), want.getShape())) {
                throw new EbmException(source + ": '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but the " + what + " expects " + Arrays.toString(want.getShape()));
            }
            if (t.dataType() != DataType.FLOAT32 && t.dataType() != DataType.FLOAT64) {
                throw new EbmException(source + ": '" + e.getKey() + "' is " + t.dataType().toString().toLowerCase()
                        + ", expected float32 or float64");
            }
        }
        for (var e : table.entrySet()) {
            NDArray dst = params.get(e.getValue()).getArray();
            copy(tensors.get(e.getKey()), dst);
        }
    }

    /**
     * Writes {@code block}'s parameters to an {@code .npz} under the PyTorch names of {@link #names}
     * (plus a zero {@code num_batches_tracked} per BN), so that the mirroring PyTorch module loads it
     * with {@code load_state_dict(..., strict=True)} and {@link #load} reads it back exactly.
     */
    public static void save(Block block, Path file) throws IOException {
        LinkedHashMap<String, String> table = names(block);
        Set<String> ignored = ignoredNames(block);
        var params = block.getParameters();
        LinkedHashMap<String, TensorFile.HostTensor> out = new LinkedHashMap<>();
        for (var e : table.entrySet()) {
            NDArray a = params.get(e.getValue()).getArray();
            ByteBuffer b = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.put(e.getKey(), new TensorFile.HostTensor(a.getDataType(), a.getShape().getShape(), bytes));
        }
        for (String name : ignored) {
            out.put(name, new TensorFile.HostTensor(DataType.INT64, new long[0], new byte[Long.BYTES]));
        }
        NpzFile.write(file, out);
    }

    private static String more(List<String> names) {
        return names.size() == 1 ? "" : " (and " + (names.size() - 1) + " more)";
    }

    /** dst ← t, converted to dst's type, through libtorch (dst never points at Java memory). */
    private static void copy(TensorFile.HostTensor t, NDArray dst) {
        NDManager m = dst.getManager();
        byte[] bytes = t.bytes();
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(bytes).flip();
        try (NDManager scope = m.newSubManager()) {
            NDArray src = scope.create(buf.order(ByteOrder.nativeOrder()), new Shape(t.shape()), t.dataType());
            NDArray typed = src.getDataType() == dst.getDataType() ? src : src.toType(dst.getDataType(), false);
            TensorCopy.copyInto(typed, dst);
        }
    }
}
