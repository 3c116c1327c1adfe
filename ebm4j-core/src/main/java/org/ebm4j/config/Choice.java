package org.ebm4j.config;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * A value of a configuration choice (an enum constant) with the label it has in config.json and on
 * the command line: the constant's name in lower case with '-' for '_' (SINGLE_GRID is
 * "single-grid"). Enums implement it, parse with {@link Choices#parse} in a {@code @JsonCreator},
 * and override {@code toString()} with {@link #label()} so messages print what config.json holds.
 */
public interface Choice {
    /** The JSON and command-line form, e.g. {@code "restart"}. */
    @JsonValue
    default String label() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
