package org.ebm4j.method.patchgen;

/** The version written into run folders. */
final class Version {
    static final String VERSION = "0.1.0";

    private Version() {}
}
