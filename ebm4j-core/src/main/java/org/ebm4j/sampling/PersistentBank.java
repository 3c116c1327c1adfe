package org.ebm4j.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.ebm4j.core.TensorCopy;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A bank of persistent chain states: a fixed number of entries, each made of one or more named
 * tensors that share the first axis (Hat EBM's paired (z, x) entries; a persistent-CD bank of
 * images; a JEM/IGEBM replay buffer).
 *
 * <p>The capacity is the requested one <b>rounded down to a multiple of the batch size</b> (Hat
 * EBM: 10000 entries with batches of 128 keep 9984), so that the bank splits into whole batches.
 * Users draw B unique random indices ({@link #drawIndices}), read those entries as copies in their
 * own scope ({@link #read}), run their chains and overwrite the entries with the result
 * ({@link #write}); {@link #draw} also replaces each drawn entry by a fresh start with a given
 * probability (replay buffers' re-initialisation). Persistent CD over the whole bank in order uses
 * {@link #readAll} / {@link #writeAll}. {@link #toTensors} / {@link #load} carry the bank through a
 * checkpoint as plain named tensors.
 *
 * <p>The bank's tensors live in its own sub-manager of the parent given at construction; closing
 * the bank frees them.
 */
public final class PersistentBank implements AutoCloseable {
    private final NDManager manager;
    private final int capacity;
    private final int batchSize;
    private final List<String> names;
    private final LinkedHashMap<String, NDArray> entries = new LinkedHashMap<>();

    /**
     * An empty bank; {@link #fill} or {@link #load} gives it its entries.
     *
     * @param requestedCapacity number of entries wanted, rounded down to a multiple of batchSize
     * @param names             the named tensors of every entry, at least one
     */
    public PersistentBank(NDManager parent, int requestedCapacity, int batchSize, String... names) {
        this.capacity = roundCapacity(requestedCapacity, batchSize);
        this.batchSize = batchSize;
        if (names.length == 0) {
            throw new IllegalArgumentException("a bank entry needs at least one named tensor");
        }
        if (Arrays.stream(names).distinct().count() != names.length) {
            throw new IllegalArgumentException("bank tensor names must be unique, got " + Arrays.toString(names));
        }
        this.names = List.of(names);
        this.manager = parent.newSubManager();
    }

    /** The largest multiple of batchSize that is ≤ requested (refused when that is 0). */
    public static int roundCapacity(int requested, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("bank batch size must be >= 1, got " + batchSize);
        }
        if (requested < batchSize) {
            throw new IllegalArgumentException("a bank of " + requested + " entries cannot hold one batch of "
                    + batchSize + "; use a capacity of at least " + batchSize);
        }
        return requested / batchSize * batchSize;
    }

    public int capacity() {
        return capacity;
    }

    public int batchSize() {
        return batchSize;
    }

    public List<String> names() {
        return names;
    }

    /** Whether the bank holds its entries (after {@link #fill} or {@link #load}). */
    public boolean isFilled() {
        return !entries.isEmpty();
    }

    /** The bank's own tensor of that name (not a copy: do not close or modify it). */
    public NDArray tensor(String name) {
        requireFilled();
        NDArray t = entries.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the bank has no tensor '" + name + "'; it has " + names);
        }
        return t;
    }

    /** Sets every entry: one tensor per name with {@link #capacity()} rows, copied into the bank. */
    public void fill(Map<String, NDArray> initial) {
        checkRows(initial, capacity, "fill");
        clear();
        for (String n : names) {
            NDArray c = initial.get(n).duplicate();
            c.attach(manager);
            entries.put(n, c);
        }
    }

    /**
     * B = batchSize unique indices drawn uniformly from [0, capacity) with the given generator
     * (a partial Fisher–Yates shuffle, so a seeded generator gives the same draw every time).
     */
    public int[] drawIndices(SplittableRandom rng) {
        return drawIndices(rng, batchSize);
    }

    /** {@code count} unique indices drawn uniformly from [0, capacity). */
    public int[] drawIndices(SplittableRandom rng, int count) {
        if (count < 0 || count > capacity) {
            throw new IllegalArgumentException("cannot draw " + count + " unique entries from a bank of " + capacity);
        }
        int[] pool = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            pool[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + rng.nextInt(capacity - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return Arrays.copyOf(pool, count);
    }

    /** The entries at {@code idx}, as copies owned by {@code scope}. */
    public Map<String, NDArray> read(int[] idx, NDManager scope) {
        requireFilled();
        checkIndices(idx);
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDArray ix = scope.create(toLongs(idx))) {
            for (String n : names) {
                NDArray r = entries.get(n).get(ix); // advanced indexing: a copy
                r.attach(scope);
                out.put(n, r);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every entry in order, as copies owned by {@code scope} (persistent CD over the whole bank). */
    public Map<String, NDArray> readAll(NDManager scope) {
        requireFilled();
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String n : names) {
            NDArray c = entries.get(n).duplicate();
            c.attach(scope);
            out.put(n, c);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Overwrites the entries at {@code idx} with the rows of {@code values} (one tensor per name). */
    public void write(int[] idx, Map<String, NDArray> values) {
        requireFilled();
        checkIndices(idx);
        checkRows(values, idx.length, "write");
        try (NDManager tmp = manager.newSubManager()) {
            NDArray ix = tmp.create(toLongs(idx));
            for (String n : names) {
                NDArray v = values.get(n);
                if (v.getDataType() != entries.get(n).getDataType()) {
                    throw new IllegalArgumentException("bank tensor '" + n + "' is " + entries.get(n).getDataType()
                            + ", the values written are " + v.getDataType());
                }
                entries.get(n).set(new NDIndex("{}", ix), v);
            }
        }
    }

    /** Overwrites every entry, in place, with {@code values} (capacity rows per name). */
    public void writeAll(Map<String, NDArray> values) {
        requireFilled();
        checkRows(values, capacity, "writeAll");
        for (String n : names) {
            TensorCopy.copyInto(values.get(n), entries.get(n));
        }
    }

    /**
     * A draw of B entries with replay re-initialisation (JEM, Grathwohl et al. 2020; IGEBM, Du and
     * Mordatch 2019): {@code indices} are unique, and each drawn entry is replaced, independently
     * with probability {@code reinitRate}, by the same row of {@code fresh} (B rows per name).
     *
     * @param indices       the drawn bank indices (write the chain's output back to them)
     * @param reinitialised which rows of {@code values} came from {@code fresh}
     * @param values        the chain's start, owned by the caller's scope
     */
    public record Draw(int[] indices, boolean[] reinitialised, Map<String, NDArray> values) {
    }

    /** Draws B unique entries (see {@link Draw}); {@code fresh} may be null when reinitRate is 0. */
    public Draw draw(SplittableRandom rng, NDManager scope, double reinitRate, Map<String, NDArray> fresh) {
        if (!(reinitRate >= 0 && reinitRate <= 1)) {
            throw new IllegalArgumentException("bank re-initialisation rate must be in [0, 1], got " + reinitRate);
        }
        int[] idx = drawIndices(rng);
        boolean[] re = new boolean[idx.length];
        boolean any = false;
        for (int i = 0; i < re.length; i++) {
            re[i] = reinitRate > 0 && rng.nextDouble() < reinitRate;
            any |= re[i];
        }
        Map<String, NDArray> old = read(idx, scope);
        if (!any) {
            return new Draw(idx, re, old);
        }
        checkRows(fresh, idx.length, "draw (fresh starts)");
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDManager tmp = scope.newSubManager()) {
            NDArray sel = tmp.create(re);
            for (String n : names) {
                NDArray o = old.get(n);
                NDArray cond = sel.reshape(LangevinChain.perSample(o.getShape())).broadcast(o.getShape());
                NDArray f = fresh.get(n);
                if (f.getDataType() != o.getDataType()) {
                    throw new IllegalArgumentException("bank tensor '" + n + "' is " + o.getDataType()
                            + ", its fresh starts are " + f.getDataType());
                }
                NDArray mixed = NDArrays.where(cond, f, o);
                mixed.attach(scope);
                out.put(n, mixed);
            }
        }
        old.values().forEach(NDArray::close);
        return new Draw(idx, re, Collections.unmodifiableMap(out));
    }

    /**
     * The bank's tensors for a checkpoint, named {@code prefix + name} (the bank's own tensors, not
     * copies; empty before the bank is filled).
     */
    public LinkedHashMap<String, NDArray> toTensors(String prefix) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        entries.forEach((n, t) -> out.put(prefix + n, t));
        return out;
    }

    /** Whether {@code tensors} holds every tensor of this bank under {@code prefix}. */
    public boolean isIn(Map<String, NDArray> tensors, String prefix) {
        return names.stream().allMatch(n -> tensors.containsKey(prefix + n));
    }

    /** Fills the bank from a checkpoint's tensors ({@code prefix + name}; copied, exact bytes). */
    public void load(Map<String, NDArray> tensors, String prefix) {
        Map<String, NDArray> mine = new LinkedHashMap<>();
        for (String n : names) {
            NDArray t = tensors.get(prefix + n);
            if (t == null) {
                throw new IllegalArgumentException("the checkpoint has no bank tensor '" + prefix + n + "'");
            }
            mine.put(n, t);
        }
        fill(mine);
    }

    private void clear() {
        entries.values().forEach(NDArray::close);
        entries.clear();
    }

    @Override
    public void close() {
        entries.clear();
        manager.close();
    }

    private void requireFilled() {
        if (entries.isEmpty()) {
            throw new IllegalStateException("the bank is empty: fill or load it first");
        }
    }

    private void checkIndices(int[] idx) {
        for (int i : idx) {
            if (i < 0 || i >= capacity) {
                throw new IllegalArgumentException("bank index " + i + " outside [0, " + capacity + ")");
            }
        }
    }

    private void checkRows(Map<String, NDArray> values, long rows, String what) {
        if (values == null) {
            throw new IllegalArgumentException("bank " + what + " needs tensors " + names);
        }
        for (String n : names) {
            NDArray v = values.get(n);
            if (v == null) {
                throw new IllegalArgumentException("bank " + what + " lacks tensor '" + n + "' (needs " + names + ")");
            }
            Shape s = v.getShape();
            if (s.dimension() < 1 || s.get(0) != rows) {
                throw new IllegalArgumentException("bank " + what + ": tensor '" + n + "' has shape " + s + ", needs "
                        + rows + " rows");
            }
            if (entries.containsKey(n) && !what.equals("fill") && !entries.get(n).getShape().slice(1).equals(s.slice(1))) {
                throw new IllegalArgumentException("bank " + what + ": tensor '" + n + "' has entries of shape "
                        + s.slice(1) + ", the bank's are " + entries.get(n).getShape().slice(1));
            }
        }
    }

    private static long[] toLongs(int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = idx[i];
        }
        return l;
    }
}
