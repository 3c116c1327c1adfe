package org.ebm4j.core;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc's malloc returns every large tensor (≥ 32 MB by default, dynamically less) to the OS
 * with munmap and then page-faults it back on the next step; a Langevin loop allocating the
 * same tensors every step ran 5× slower because of it. {@link #tune()} sets the same limits as
 * the launcher's MALLOC_* variables from inside the JVM, for library users who start their own
 * JVM. It is a no-op where glibc is absent (or jemalloc is preloaded, which ignores mallopt).
 */
public final class NativeAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    private static volatile boolean done;

    private interface LibC extends Library {
        int mallopt(int param, int value);
    }

    private NativeAllocator() {}

    /** Idempotent; returns true when glibc accepted the settings. */
    public static synchronized boolean tune() {
        if (done) {
            return true;
        }
        try {
            LibC c = Native.load("c", LibC.class);
            boolean ok = c.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1
                    & c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1
                    & c.mallopt(M_TOP_PAD, 256 * 1024 * 1024) == 1;
            done = ok;
            return ok;
        } catch (Throwable t) { // no glibc (musl, macOS): leave the allocator alone
            LOG.debug("mallopt unavailable: {}", t.toString());
            return false;
        }
    }
}
