package org.ebm4j.core;

/** The one version constant of ebm4j, written into every run's config.json and checkpoint. */
public final class Version {
    /** Kept equal to the Maven project version. */
    public static final String VERSION = "0.1.0";

    private Version() {}
}
