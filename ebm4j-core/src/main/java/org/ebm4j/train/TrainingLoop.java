package org.ebm4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.ebm4j.core.AtomicFiles;
import org.ebm4j.core.EbmException;
import org.ebm4j.core.ProgressListener;
import org.ebm4j.core.Torch;
import org.ebm4j.optim.Adam;
import org.ebm4j.run.Checkpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;

/**
 * The one training loop of ebm4j: iterations {@code first .. end-1} of one phase (a PatchGenCN
 * scale, a whole multi-grid training, the epochs of a classifier). A method supplies only the body
 * of an iteration ({@link Step}); the loop owns everything around it, the same way for every method:
 * <ul>
 *   <li><b>seeds</b>: libtorch's generator is re-seeded from the iteration's key before the step
 *       (counter-based: a resumed run draws exactly the numbers of an uninterrupted one);</li>
 *   <li><b>scope</b>: the step runs in a fresh sub-NDManager closed afterwards, so an iteration
 *       leaves no native tensors behind;</li>
 *   <li><b>log</b>: the step's row is appended to the run's log.jsonl at the log cadence, with the
 *       time per iteration;</li>
 *   <li><b>checkpoints</b>: written atomically at the checkpoint cadence, at epoch ends and (when
 *       asked) after the last iteration, with the log synced first;</li>
 *   <li><b>divergence guard</b>: a step that reports divergence (or a non-finite loss) is handled by
 *       the {@link DivergencePolicy}: roll back to the last checkpoint with lower learning rates
 *       (bounded retries), hand back to the caller to restart the phase, stop, or warn;</li>
 *   <li><b>signals</b>: SIGINT/SIGTERM finish the current iteration and write a checkpoint;</li>
 *   <li><b>progress</b> with the step's status line.</li>
 * </ul>
 * Modelled on DJL's EasyTrain with its training listeners, without the Trainer/Dataset machinery
 * that energy-based training (chains between forward passes) does not fit.
 */
public final class TrainingLoop {

    /** The body of one iteration. */
    @FunctionalInterface
    public interface Step {
        void run(Iteration it) throws IOException;
    }

    /** How a phase ended: completed, or diverged under the RESTART policy (the caller re-initialises). */
    public record Outcome(boolean completed, DivergenceException divergence) {
        static final Outcome DONE = new Outcome(true, null);
    }

    /** What a step sees of its iteration. */
    public static final class Iteration {
        private final long index;
        private final NDManager scope;
        private final boolean last;
        private final boolean logDue;
        private final DivergencePolicy policy;
        private final ProgressListener progress;
        private final Map<String, Object> row = new LinkedHashMap<>();
        private String status = "";

        Iteration(long index, NDManager scope, boolean last, boolean logDue, DivergencePolicy policy,
                  ProgressListener progress) {
            this.index = index;
            this.scope = scope;
            this.last = last;
            this.logDue = logDue;
            this.policy = policy;
            this.progress = progress;
        }

        /** The iteration number within the phase. */
        public long index() {
            return index;
        }

        /** This iteration's NDManager, closed when the step returns. */
        public NDManager scope() {
            return scope;
        }

        /** Whether this is the phase's last iteration. */
        public boolean last() {
            return last;
        }

        /** Whether this iteration's row will be logged (compute expensive diagnostics only then). */
        public boolean logDue() {
            return logDue;
        }

        /** Whether an action with period {@code every} is due (every k-th iteration from 0, and the last). */
        public boolean due(int every) {
            return every > 0 && (index % every == 0 || last);
        }

        /** The log row being built (fields in insertion order). */
        public Map<String, Object> row() {
            return row;
        }

        /** A short status for the progress line. */
        public void status(String s) {
            status = s;
        }

        /**
         * Reports divergence. Returns normally only under the WARN policy when the weights are
         * still intact (an explosion test fired); otherwise throws, and the loop applies its policy.
         *
         * @param poisoned true when the weights cannot be trusted any more (non-finite loss)
         */
        public void diverged(String message, boolean poisoned) {
            if (policy == DivergencePolicy.WARN && !poisoned) {
                progress.message("warning: " + message + " (continuing: divergence policy warn)");
                return;
            }
            if (poisoned) {
                row.clear(); // half-computed numbers of a failed iteration are not a log row
            }
            throw new DivergenceException(message, index, poisoned);
        }

        /** Throws (before any update) when the loss is NaN or infinite. */
        public void requireFinite(double loss, String what) {
            if (!Double.isFinite(loss)) {
                diverged(what + " diverged at iteration " + index + ": the loss is " + loss, true);
            }
        }
    }

    private final TrainingRun run;
    private final String task;
    private final long first;
    private final long end;
    private final LongUnaryOperator seedKey;
    private final NDManager parent;
    private final Step step;
    private final int logEvery;
    private final BiConsumer<Map<String, Object>, Double> timing;
    private final Checkpoint checkpoint;
    private final Path checkpointFile;
    private final LongFunctionState state;
    private final int checkpointEvery;
    private final long epochLength;
    private final boolean checkpointAtEnd;
    private final int keepEpochs;
    private final DivergencePolicy policy;
    private final int maxRollbacks;
    private final double rollbackLrFactor;
    private final Function<JsonNode, Checkpoint.Meta> legacy;
    private final Consumer<Checkpoint.Loaded> onRestore;
    private final Predicate<JsonNode> phaseRows;
    private final long progressBase;
    private final LongUnaryOperator progressUnits;

    /** The method's checkpoint state record for a checkpoint whose next iteration is the argument. */
    @FunctionalInterface
    public interface LongFunctionState {
        Object state(long nextIteration);
    }

    private TrainingLoop(Builder b) {
        this.run = Objects.requireNonNull(b.run, "run");
        this.task = b.task;
        this.first = b.first;
        this.end = b.end;
        this.seedKey = Objects.requireNonNull(b.seedKey, "seedKey");
        this.parent = Objects.requireNonNull(b.parent, "manager");
        this.step = Objects.requireNonNull(b.step, "step");
        this.logEvery = b.logEvery;
        this.timing = b.timing;
        this.checkpoint = b.checkpoint;
        this.checkpointFile = b.checkpointFile;
        this.state = b.state;
        this.checkpointEvery = b.checkpointEvery;
        this.epochLength = b.epochLength;
        this.checkpointAtEnd = b.checkpointAtEnd;
        this.keepEpochs = b.keepEpochs;
        this.policy = b.policy;
        this.maxRollbacks = b.maxRollbacks;
        this.rollbackLrFactor = b.rollbackLrFactor;
        this.legacy = b.legacy;
        this.onRestore = b.onRestore;
        this.phaseRows = b.phaseRows;
        this.progressBase = b.progressBase;
        this.progressUnits = b.progressUnits;
        if (first < 0 || end < first) {
            throw new IllegalArgumentException("iterations must satisfy 0 <= first <= end, got " + first + ".." + end);
        }
        if (logEvery < 1) {
            throw new IllegalArgumentException("log interval must be >= 1, got " + logEvery);
        }
        if ((checkpoint == null) != (checkpointFile == null)) {
            throw new IllegalArgumentException("a checkpoint needs both its parts and its file");
        }
        if (policy == DivergencePolicy.ROLLBACK && checkpoint == null) {
            throw new IllegalArgumentException("the rollback policy needs a checkpoint to roll back to");
        }
        if (!(rollbackLrFactor > 0 && rollbackLrFactor <= 1)) {
            throw new IllegalArgumentException("rollback lr factor must be in (0, 1], got " + rollbackLrFactor);
        }
    }

    public static Builder builder(TrainingRun run, NDManager manager, Step step) {
        return new Builder(run, manager, step);
    }

    /**
     * Runs the phase. Returns when every iteration ran, or when a step diverged under the RESTART
     * policy; throws {@link DivergenceException} when the policy says to stop.
     */
    public Outcome run() throws IOException {
        ProgressListener progress = run.progress();
        int rollbacks = 0;
        long it = first;
        if (policy == DivergencePolicy.ROLLBACK && !Files.exists(checkpointFile)) {
            save(first, false); // something to roll back to before the first periodic checkpoint
        }
        long t0 = System.nanoTime();
        long timedFrom = it;
        try (StopRequest stop = StopRequest.install(task)) {
            while (it < end) {
                boolean last = it == end - 1;
                boolean logDue = it % logEvery == 0 || last;
                Torch.seed(seedKey.applyAsLong(it));
                Iteration ctx;
                boolean saved = false;
                try (NDManager scope = parent.newSubManager()) {
                    ctx = new Iteration(it, scope, last, logDue, policy, progress);
                    try {
                        step.run(ctx);
                    } catch (DivergenceException d) {
                        logRow(ctx, t0, timedFrom); // the row of the diverging iteration, as far as it got
                        if (policy == DivergencePolicy.RESTART) {
                            return new Outcome(false, d);
                        }
                        if (policy == DivergencePolicy.ROLLBACK && rollbacks < maxRollbacks) {
                            rollbacks++;
                            it = rollback(d, rollbacks);
                            t0 = System.nanoTime();
                            timedFrom = it;
                            continue;
                        }
                        throw stopMessage(d, rollbacks);
                    }
                    logRow(ctx, t0, timedFrom);
                    boolean epochEnd = epochLength > 0 && (it + 1) % epochLength == 0;
                    boolean ckDue = last ? checkpointAtEnd
                            : (checkpointEvery > 0 && (it + 1) % checkpointEvery == 0) || epochEnd;
                    if (checkpoint != null && ckDue) {
                        run.sync();
                        save(it + 1, last);
                        saved = true;
                        if (epochEnd && keepEpochs > 0) {
                            archiveEpoch((it + 1) / epochLength);
                        }
                    }
                }
                progress.progress(progressUnits != null ? progressUnits.applyAsLong(it + 1)
                        : progressBase + it - first + 1, ctx.status);
                if (stop.requested()) { // SIGINT/SIGTERM: this iteration is the last one of this process
                    run.sync();
                    if (checkpoint != null && !saved) {
                        save(it + 1, last);
                    }
                    String msg = checkpoint == null
                            ? "stopped at iteration " + (it + 1) + " of " + task + " (nothing to checkpoint)"
                            : "stopped after iteration " + (it + 1) + " of " + task + "; checkpoint written, continue with --resume";
                    stop.acknowledge(msg);
                    throw new TrainingStoppedException(msg);
                }
                it++;
            }
        }
        return Outcome.DONE;
    }

    private void logRow(Iteration ctx, long t0, long timedFrom) throws IOException {
        if (!ctx.logDue || ctx.row.isEmpty()) {
            return;
        }
        double ms = (System.nanoTime() - t0) / 1e6 / (ctx.index - timedFrom + 1);
        timing.accept(ctx.row, ms);
        run.append(ctx.row);
        ctx.row.clear(); // never logged twice
    }

    private void save(long next, boolean complete) throws IOException {
        checkpoint.save(checkpointFile, next, complete, state == null ? null : state.state(next));
    }

    /**
     * A copy of the checkpoint just written as {@code epoch-NNNN.ckpt} beside it, and only the
     * {@code keepEpochs} newest such copies kept (the official Dual-MCMC code keeps the last ten
     * per-epoch checkpoints, so an earlier epoch can be evaluated or resumed from).
     */
    private void archiveEpoch(long epoch) throws IOException {
        Checkpoints dir = new Checkpoints(checkpointFile.toAbsolutePath().getParent());
        Path copy = dir.pathFor(EPOCH_PREFIX, epoch, 4);
        AtomicFiles.write(copy, out -> Files.copy(checkpointFile, out));
        dir.keepLast(keepEpochs, EPOCH_PREFIX);
    }

    /** File-name prefix of the per-epoch checkpoint copies ({@code epoch-0003.ckpt}). */
    public static final String EPOCH_PREFIX = "epoch-";

    /** Reloads the last checkpoint, lowers every optimizer's learning rate, drops the discarded log rows. */
    private long rollback(DivergenceException d, int attempt) throws IOException {
        Checkpoint.Loaded ld;
        try (NDManager tmp = parent.newSubManager()) {
            ld = checkpoint.load(checkpointFile, tmp, legacy);
            if (onRestore != null) {
                onRestore.accept(ld);
            }
            ld.extras().values().forEach(NDArray::close);
        }
        for (Adam a : checkpoint.optimizers().values()) {
            a.setLrScale(a.lrScale() * rollbackLrFactor);
        }
        long back = ld.meta().iteration();
        run.truncateLog(row -> !phaseRows.test(row) || !row.has("iter") || row.get("iter").asLong() < back);
        run.progress().message("warning: " + d.getMessage() + "; rolled back to iteration " + back
                + " with learning rates x" + rollbackLrFactor + " (rollback " + attempt + " of " + maxRollbacks + ")");
        return back;
    }

    private DivergenceException stopMessage(DivergenceException d, int rollbacks) {
        if (rollbacks == 0) {
            return d;
        }
        return new DivergenceException(d.getMessage() + " after " + rollbacks + " rollbacks; the last checkpoint is kept. "
                + "Lower the learning rate or step size and start again", d.iteration(), d.poisoned());
    }

    /** Settings of a loop; required: the run, a manager, the step, the iteration range and the seed key. */
    public static final class Builder {
        private final TrainingRun run;
        private final NDManager parent;
        private final Step step;
        private String task = "training";
        private long first;
        private long end;
        private LongUnaryOperator seedKey;
        private int logEvery = 1;
        private BiConsumer<Map<String, Object>, Double> timing =
                (row, ms) -> row.put("ms_per_iter", Math.round(ms * 10) / 10.0);
        private Checkpoint checkpoint;
        private Path checkpointFile;
        private LongFunctionState state;
        private int checkpointEvery;
        private long epochLength;
        private int keepEpochs;
        private boolean checkpointAtEnd;
        private DivergencePolicy policy = DivergencePolicy.STOP;
        private int maxRollbacks = 3;
        private double rollbackLrFactor = 0.5;
        private Function<JsonNode, Checkpoint.Meta> legacy;
        private Consumer<Checkpoint.Loaded> onRestore;
        private Predicate<JsonNode> phaseRows = row -> true;
        private long progressBase;
        private LongUnaryOperator progressUnits;

        Builder(TrainingRun run, NDManager parent, Step step) {
            this.run = run;
            this.parent = parent;
            this.step = step;
        }

        /** A name for messages ("scale 2", "multigrid mcd"). */
        public Builder task(String t) {
            task = t;
            return this;
        }

        /** Runs iterations {@code first .. end-1}. */
        public Builder iterations(long first, long end) {
            this.first = first;
            this.end = end;
            return this;
        }

        /** The seed of libtorch's generator for an iteration, e.g. {@code it -> Seeds.derive(seed, phase, it)}. */
        public Builder seedKey(LongUnaryOperator k) {
            seedKey = k;
            return this;
        }

        public Builder logEvery(int n) {
            logEvery = n;
            return this;
        }

        /** Adds timing fields to a logged row (default: ms_per_iter). */
        public Builder timing(BiConsumer<Map<String, Object>, Double> t) {
            timing = t;
            return this;
        }

        /**
         * Periodic checkpoints: every {@code every} iterations (0 = none), at every end of an epoch of
         * {@code epochLength} iterations (0 = no epochs), and after the last iteration when {@code atEnd}.
         */
        public Builder checkpoint(Checkpoint parts, Path file, LongFunctionState state, int every, long epochLength,
                                  boolean atEnd) {
            this.checkpoint = parts;
            this.checkpointFile = file;
            this.state = state;
            this.checkpointEvery = every;
            this.epochLength = epochLength;
            this.checkpointAtEnd = atEnd;
            return this;
        }

        /**
         * Keep a copy of the checkpoint of each of the last {@code k} epoch ends
         * ({@code epoch-NNNN.ckpt} beside the checkpoint file); 0 (the default) keeps none.
         */
        public Builder keepEpochs(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("keepEpochs must be >= 0, got " + k);
            }
            keepEpochs = k;
            return this;
        }

        /** Reads the metadata of checkpoints written before the shared format (for rollback to such a file). */
        public Builder legacy(Function<JsonNode, Checkpoint.Meta> l) {
            legacy = l;
            return this;
        }

        /** Called after a rollback with the reloaded extra tensors (banks), to put them back in place. */
        public Builder onRestore(Consumer<Checkpoint.Loaded> r) {
            onRestore = r;
            return this;
        }

        /** The divergence policy, and for ROLLBACK the retries and the factor applied to learning rates. */
        public Builder divergence(DivergencePolicy p, int maxRollbacks, double lrFactor) {
            policy = Objects.requireNonNull(p);
            this.maxRollbacks = maxRollbacks;
            this.rollbackLrFactor = lrFactor;
            return this;
        }

        /** Which log rows belong to this phase (a rollback drops this phase's rows after the restored iteration). */
        public Builder phaseRows(Predicate<JsonNode> p) {
            phaseRows = p;
            return this;
        }

        /** Progress units done before this phase (phases of one progress bar). */
        public Builder progressBase(long b) {
            progressBase = b;
            return this;
        }

        /**
         * Progress units as a function of this phase's iterations done (its index + 1), for phases
         * whose iterations cost unequal amounts; replaces {@link #progressBase}'s one unit per iteration.
         */
        public Builder progressUnits(LongUnaryOperator unitsAfter) {
            progressUnits = unitsAfter;
            return this;
        }

        public TrainingLoop build() {
            return new TrainingLoop(this);
        }
    }
}
