package org.ebm4j.core;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Refuses a request whose tensors cannot fit before anything is allocated, so the user reads the
 * size they asked for and the memory it needs instead of libtorch's "DefaultCPUAllocator: can't
 * allocate" (or a JVM OutOfMemoryError).
 *
 * <p>The limit is 80% of the machine's physical memory (native tensors live outside the Java
 * heap), or the byte count in the system property {@value #PROPERTY}. Estimates are lower bounds
 * ("about"): a request just under the limit may still fail, one over it surely would.
 */
public final class MemoryLimit {
    /** System property overriding the limit, in bytes. */
    public static final String PROPERTY = "ebm4j.memory.limit";
    /** The largest float[] the JVM allocates (a FloatImage holds one image in one array). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8L;

    private MemoryLimit() {}

    /** The limit in bytes. */
    public static long limitBytes() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                return Long.parseLong(p.trim());
            } catch (NumberFormatException e) {
                throw new EbmException(PROPERTY + " must be a number of bytes, got '" + p + "'");
            }
        }
        return (long) (0.8 * physicalBytes());
    }

    private static String limitSource() {
        String p = System.getProperty(PROPERTY);
        return p != null && !p.isBlank() ? "set by -D" + PROPERTY : "80% of this machine's memory";
    }

    private static long physicalBytes() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize();
                if (total > 0) {
                    return total;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // fall back below
        }
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Throws unless an image request fits.
     *
     * @param asked what the user asked, in their terms (e.g. "--width-scale 1e6")
     * @param what what it yields, e.g. "8 samples"
     * @param width output width in pixels (may exceed int)
     * @param height output height in pixels
     * @param bytes estimated peak memory of the request
     * @throws EbmException naming the request, the size, the memory and the limit
     */
    public static void requireImages(String asked, String what, double width, double height, double bytes) {
        String size = String.format(Locale.ROOT, "%.0fx%.0f pixels", width, height);
        if (3 * width * height > MAX_ARRAY) {
            throw new EbmException(asked + " asks for " + what + " of " + size + ", more than the largest image ebm4j "
                    + "can hold (" + MAX_ARRAY / 3 / 1_000_000 + " megapixels); ask for a smaller size");
        }
        long limit = limitBytes();
        if (bytes > limit) {
            throw new EbmException(asked + " asks for " + what + " of " + size + ", which need about " + gb(bytes)
                    + " at the finest scale; the limit is " + gb(limit) + " (" + limitSource() + "); ask for a smaller size");
        }
    }

    /** "12.3 GB" / "850 MB". */
    public static String gb(double bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.0f MB", Math.max(1, bytes / 1e6));
    }
}
