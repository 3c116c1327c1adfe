package org.ebm4j.sampling;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A chain of {@code steps} Langevin steps over a state of named parts. Within one step the parts
 * are updated one after another in list order, each seeing the others' newest values (a
 * Gibbs-style sweep: Hat EBM's joint sampler lists z, then y). Parts of the state that are not
 * listed stay fixed (conditioning inputs, e.g. Hat EBM's z during the residual chain of Eq. 6).
 *
 * @param steps K ≥ 0
 * @param parts the moving parts in update order, unique names, at least one
 */
public record ChainConfig(int steps, List<ChainPart> parts) {

    public ChainConfig {
        if (steps < 0) {
            throw new IllegalArgumentException("Langevin steps must be >= 0, got " + steps);
        }
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one moving part");
        }
        parts = List.copyOf(parts);
        Set<String> seen = new HashSet<>();
        for (ChainPart p : parts) {
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("chain part '" + p.name() + "' is listed twice");
            }
        }
    }

    public static ChainConfig of(int steps, ChainPart... parts) {
        return new ChainConfig(steps, List.of(parts));
    }

    public ChainConfig withSteps(int k) {
        return new ChainConfig(k, parts);
    }

    /** The part of that name, or null. */
    public ChainPart part(String name) {
        for (ChainPart p : parts) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
