package org.ebm4j.config;

/**
 * A value of a configuration choice (an enum constant) with the lowercase label it has in
 * config.json and on the command line. Enums implement it and parse with {@link Choices#parse}.
 */
public interface Choice {
    /** The JSON and command-line form, e.g. {@code "restart"}. */
    String label();
}
