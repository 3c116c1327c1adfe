package org.ebm4j.golden;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The family of CPU kernels libtorch dispatches to on this machine, for tests that pin results bit
 * for bit. ATen's vectorised element-wise kernels (tanh, sin, exp, ...), oneDNN's convolutions and
 * MKL pick their code by instruction set, and the AVX-512 and AVX2 versions differ in the last bits
 * (seen on 2026-12-03: an AMD EPYC with AVX2 only gave other bytes than the AVX-512 machines the
 * golden values were recorded on, for the same code). So each family has its own recorded values.
 */
public final class CpuKernels {
    private CpuKernels() {}

    /** "avx512" (avx512f present), "avx2", or "other"; "unknown" where /proc/cpuinfo cannot be read. */
    public static String family() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo")).toLowerCase(Locale.ROOT);
            String flags = info.lines().filter(l -> l.startsWith("flags")).findFirst().orElse("");
            if (flags.contains(" avx512f")) {
                return "avx512";
            }
            return flags.contains(" avx2") ? "avx2" : "other";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
