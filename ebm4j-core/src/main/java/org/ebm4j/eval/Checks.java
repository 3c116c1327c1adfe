package org.ebm4j.eval;

/** Package-private input validation helpers shared by the metric classes. */
final class Checks {
    private Checks() {}

    static void notEmpty(double[] a, String name) {
        if (a == null) throw new IllegalArgumentException(name + " must not be null");
        if (a.length == 0) throw new IllegalArgumentException(name + " must not be empty");
    }

    static void finite(double[] a, String name) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + a[i]);
            }
        }
    }

    /** Validates a non-empty rectangular matrix of finite values; returns its column count. */
    static int matrix(double[][] m, String name) {
        if (m == null) throw new IllegalArgumentException(name + " must not be null");
        if (m.length == 0) throw new IllegalArgumentException(name + " must have at least one row");
        if (m[0] == null || m[0].length == 0) {
            throw new IllegalArgumentException(name + " must have at least one column");
        }
        int cols = m[0].length;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == null || m[i].length != cols) {
                throw new IllegalArgumentException(name + " is not rectangular: row " + i + " has length "
                        + (m[i] == null ? "null" : m[i].length) + ", expected " + cols);
            }
            for (int j = 0; j < cols; j++) {
                if (!Double.isFinite(m[i][j])) {
                    throw new IllegalArgumentException(name + "[" + i + "][" + j + "] is not finite: " + m[i][j]);
                }
            }
        }
        return cols;
    }

    static void sameShape(double[][] a, double[][] b, String na, String nb) {
        int ca = matrix(a, na);
        int cb = matrix(b, nb);
        if (a.length != b.length || ca != cb) {
            throw new IllegalArgumentException(na + " and " + nb + " must have the same shape: "
                    + a.length + "x" + ca + " vs " + b.length + "x" + cb);
        }
    }

    static void dataRange(double dataRange) {
        if (!(dataRange > 0) || !Double.isFinite(dataRange)) {
            throw new IllegalArgumentException("dataRange must be finite and > 0, got " + dataRange);
        }
    }
}
