package org.ebm4j.config;

import org.ebm4j.core.EbmException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Parsing of {@link Choice} enums from their labels, with a message that lists the valid labels. */
public final class Choices {
    private Choices() {}

    /**
     * The constant of {@code type} whose label is {@code text}.
     *
     * @param setting what the user calls the choice, e.g. "early-stop"
     * @throws EbmException "unknown early-stop 'x'; use one of: restart, warn, stop"
     */
    public static <E extends Enum<E> & Choice> E parse(Class<E> type, String setting, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.label().equals(text)) {
                return e;
            }
        }
        throw new EbmException("unknown " + setting + " '" + text + "'; use one of: " + labels(type));
    }

    /** The labels of every constant, comma-separated in declaration order. */
    public static <E extends Enum<E> & Choice> String labels(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Choice::label).collect(Collectors.joining(", "));
    }
}
