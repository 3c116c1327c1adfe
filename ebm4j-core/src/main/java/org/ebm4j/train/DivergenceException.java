package org.ebm4j.train;

import org.ebm4j.core.EbmException;

/**
 * A training step diverged. Thrown by {@link TrainingLoop.Iteration#diverged} and handled by the
 * loop according to its {@link DivergencePolicy}; it reaches the caller only when the policy says
 * to stop (its message then says what to change).
 */
public final class DivergenceException extends EbmException {
    private static final long serialVersionUID = 1L;
    private final long iteration;
    private final boolean poisoned;

    public DivergenceException(String message, long iteration, boolean poisoned) {
        super(message);
        this.iteration = iteration;
        this.poisoned = poisoned;
    }

    /** The iteration that diverged. */
    public long iteration() {
        return iteration;
    }

    /** True when the weights themselves are no longer usable (a non-finite loss reached them or was about to). */
    public boolean poisoned() {
        return poisoned;
    }
}
