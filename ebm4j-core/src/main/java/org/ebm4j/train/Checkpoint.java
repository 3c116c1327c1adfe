package org.ebm4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ebm4j.core.EbmException;
import org.ebm4j.optim.Adam;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.run.BlockTensors;
import org.ebm4j.run.TensorFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a checkpoint holds: any number of named blocks (every parameter, BN statistics and SN
 * vectors included), named Adam optimizers (moments and step count), named weight averages
 * ({@link org.ebm4j.optim.WeightEma}) and named extra tensors
 * (persistent banks, p⁽⁰⁾, …), plus a typed metadata record with provenance ({@link Meta}). One
 * instance describes the live objects of a training; {@link #save} writes them atomically in one
 * {@link TensorFile}, {@link #load} copies a file back into them.
 *
 * <p>Tensor names are {@code block.param}, {@code optimizer.m.i}/{@code optimizer.v.i} and the extra
 * tensor's own name, the names ebm4j used before this class existed, so older checkpoints load;
 * their metadata (which had no {@code format} field) is converted by a method-supplied function.
 */
public final class Checkpoint {
    /** Format tag of the metadata written by this class. */
    public static final String FORMAT = "ebm4j-checkpoint-2";

    /**
     * Metadata of a checkpoint.
     *
     * @param format          {@link #FORMAT}
     * @param method          the method that wrote it ("patchgen", "multigrid", …)
     * @param iteration       the next iteration to run within the phase (= iterations done)
     * @param complete        whether the phase (or the whole training) was finished
     * @param optimizerSteps  Adam step count per optimizer name
     * @param state           the method's own record (phase index, restarts, …) as JSON
     * @param provenance      who wrote it
     */
    public record Meta(String format, String method, long iteration, boolean complete,
                       Map<String, Long> optimizerSteps, JsonNode state, Provenance provenance) {
        /** The method's state record. */
        public <T> T state(Class<T> type) {
            try {
                return AtomicFiles.MAPPER.treeToValue(state, type);
            } catch (JsonProcessingException e) {
                throw new EbmException("checkpoint state is not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
            }
        }
    }

    /** A loaded checkpoint: its metadata and the extra tensors (attached to the manager given to load). */
    public record Loaded(Meta meta, Map<String, NDArray> extras) {
    }

    private final String method;
    private final LinkedHashMap<String, Block> blocks = new LinkedHashMap<>();
    private final LinkedHashMap<String, Adam> optimizers = new LinkedHashMap<>();
    private final LinkedHashMap<String, org.ebm4j.optim.WeightEma> emas = new LinkedHashMap<>();
    private final LinkedHashMap<String, java.util.function.Supplier<NDArray>> tensors = new LinkedHashMap<>();

    public Checkpoint(String method) {
        this.method = Objects.requireNonNull(method);
    }

    public String method() {
        return method;
    }

    /** Adds a block whose parameters are saved as {@code name.param}. */
    public Checkpoint block(String name, Block block) {
        blocks.put(checkName(name), block);
        return this;
    }

    /** Adds an optimizer whose moments are saved as {@code name.m.i}, {@code name.v.i}. */
    public Checkpoint optimizer(String name, Adam adam) {
        optimizers.put(checkName(name), adam);
        return this;
    }

    /** Adds a weight average whose tensors are saved as {@code name.i}. */
    public Checkpoint ema(String name, org.ebm4j.optim.WeightEma ema) {
        emas.put(checkName(name), ema);
        return this;
    }

    /** Adds (or with null removes) an extra tensor saved under its name. */
    public Checkpoint tensor(String name, NDArray value) {
        if (value == null) {
            tensors.remove(name);
            return this;
        }
        return tensor(name, () -> value);
    }

    /**
     * Adds an extra tensor read when the checkpoint is written (for state that is replaced as
     * training goes, such as a bank); a null value at write time is skipped.
     */
    public Checkpoint tensor(String name, java.util.function.Supplier<NDArray> value) {
        tensors.put(checkName(name), value);
        return this;
    }

    public Map<String, Block> blocks() {
        return blocks;
    }

    public Map<String, Adam> optimizers() {
        return optimizers;
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("checkpoint part name must be non-empty without '.': '" + name + "'");
        }
        return name;
    }

    /** Every tensor as it is written: blocks, extra tensors, then optimizer moments. */
    public LinkedHashMap<String, NDArray> tensorsToWrite() {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        blocks.forEach((n, b) -> BlockTensors.put(out, n + ".", b));
        tensors.forEach((n, v) -> {
            NDArray a = v.get();
            if (a != null) {
                out.put(n, a);
            }
        });
        optimizers.forEach((n, a) -> out.putAll(a.state(n + ".")));
        emas.forEach((n, e) -> out.putAll(e.state(n + ".")));
        return out;
    }

    /**
     * Writes every part atomically (a crash leaves the previous file intact).
     *
     * @param iteration the next iteration to run
     * @param state     the method's own record (serialised with Jackson), may be null
     */
    public void save(Path file, long iteration, boolean complete, Object state) throws IOException {
        Map<String, Long> steps = new LinkedHashMap<>();
        optimizers.forEach((n, a) -> steps.put(n, a.step()));
        JsonNode st = state == null ? AtomicFiles.MAPPER.createObjectNode() : AtomicFiles.MAPPER.valueToTree(state);
        Meta meta = new Meta(FORMAT, method, iteration, complete, steps, st, Provenance.now());
        TensorFile.save(file, AtomicFiles.MAPPER.writeValueAsString(meta), tensorsToWrite());
    }

    /** Reads only the metadata of a checkpoint file (legacy metadata converted by {@code legacy}). */
    public Meta readMeta(Path file, Function<JsonNode, Meta> legacy) {
        try {
            TensorFile.LoadedHost h = TensorFile.loadHost(file);
            return meta(file, h.metadataJson(), legacy);
        } catch (IOException e) {
            throw new EbmException(e.getMessage(), e);
        }
    }

    /**
     * Copies a checkpoint into the blocks and optimizers; the remaining tensors are returned as
     * extras attached to {@code m}. A missing or misshaped tensor is an error naming it.
     *
     * @param legacy converts the metadata of checkpoints written before this format (null: refuse them)
     */
    public Loaded load(Path file, NDManager m, Function<JsonNode, Meta> legacy) {
        TensorFile.Loaded ld = BlockTensors.load(file, m);
        Meta meta = meta(file, ld.metadataJson(), legacy);
        Map<String, NDArray> t = ld.tensors();
        for (Map.Entry<String, Block> e : blocks.entrySet()) {
            BlockTensors.copyInto(t, e.getKey() + ".", e.getValue(), file, "the net '" + e.getKey() + "' of this configuration");
        }
        for (Map.Entry<String, Adam> e : optimizers.entrySet()) {
            Long step = meta.optimizerSteps().get(e.getKey());
            if (step == null) {
                throw new EbmException("checkpoint " + file + " has no state of optimizer '" + e.getKey()
                        + "'; was it written by another configuration?");
            }
            try {
                e.getValue().load(t, e.getKey() + ".", step);
            } catch (IllegalArgumentException ex) {
                throw new EbmException("checkpoint " + file + ": " + ex.getMessage(), ex);
            }
        }
        for (Map.Entry<String, org.ebm4j.optim.WeightEma> e : emas.entrySet()) {
            try {
                e.getValue().load(t, e.getKey() + ".");
            } catch (IllegalArgumentException ex) {
                throw new EbmException("checkpoint " + file + ": " + ex.getMessage(), ex);
            }
        }
        Map<String, NDArray> extras = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : t.entrySet()) {
            String k = e.getKey();
            int dot = k.indexOf('.');
            String owner = dot < 0 ? null : k.substring(0, dot);
            if (owner != null && (blocks.containsKey(owner) || optimizers.containsKey(owner) || emas.containsKey(owner))) {
                e.getValue().close();
            } else {
                extras.put(k, e.getValue());
            }
        }
        return new Loaded(meta, extras);
    }

    private Meta meta(Path file, String json, Function<JsonNode, Meta> legacy) {
        JsonNode node;
        try {
            node = AtomicFiles.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new EbmException("checkpoint " + file + " has unreadable metadata: " + e.getOriginalMessage(), e);
        }
        Meta meta;
        if (node.has("format")) {
            if (!FORMAT.equals(node.get("format").asText())) {
                throw new EbmException("checkpoint " + file + " has format '" + node.get("format").asText()
                        + "', this ebm4j reads '" + FORMAT + "'; use the ebm4j version that wrote it");
            }
            try {
                meta = AtomicFiles.MAPPER.treeToValue(node, Meta.class);
            } catch (JsonProcessingException e) {
                throw new EbmException("checkpoint " + file + " has damaged metadata: " + e.getOriginalMessage(), e);
            }
        } else if (legacy != null && node instanceof ObjectNode) {
            meta = legacy.apply(node);
        } else {
            throw new EbmException("checkpoint " + file + " was written by an older ebm4j in a format this command cannot read");
        }
        if (!method.equals(meta.method())) {
            throw new EbmException("checkpoint " + file + " was written by " + meta.method() + ", not " + method);
        }
        return meta;
    }
}
