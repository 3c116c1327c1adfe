package org.ebm4j.image;

import org.ebm4j.core.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Simple training-curve plots written as PNG files (XChart, works headless). */
public final class Plots {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    /** Above this many points per series the markers are dropped; they would only add clutter. */
    private static final int MAX_POINTS_WITH_MARKERS = 50;

    private Plots() {}

    /**
     * Writes a line plot to {@code png} (atomically: temp file + rename; parent folders are created).
     *
     * @param series name -> {xs, ys} (two arrays of equal length). Points where x or y is NaN or
     *     infinite are skipped; series left empty are omitted; an empty map gives empty axes.
     * @throws IllegalArgumentException if a value is not two equally long arrays
     * @throws IOException if the file cannot be written
     */
    public static void linePlot(
            Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series)
            throws IOException {
        Objects.requireNonNull(png, "png");
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title == null ? "" : title)
                        .xAxisTitle(xLabel == null ? "" : xLabel)
                        .yAxisTitle(yLabel == null ? "" : yLabel)
                        .build();
        chart.getStyler().setLegendVisible(series != null && series.size() > 1);
        if (series != null) {
            for (Map.Entry<String, double[][]> e : series.entrySet()) {
                double[][] xy = e.getValue();
                if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null
                        || xy[0].length != xy[1].length) {
                    throw new IllegalArgumentException(
                            "series '" + e.getKey() + "' must be {xs, ys} with xs.length == ys.length");
                }
                double[][] pts = finitePoints(xy[0], xy[1]);
                if (pts[0].length == 0) {
                    continue; // XChart rejects empty series; nothing to draw anyway
                }
                XYSeries s = chart.addSeries(String.valueOf(e.getKey()), pts[0], pts[1]);
                // A lone point has no line, so keep its marker; long curves read better without.
                s.setMarker(pts[0].length > MAX_POINTS_WITH_MARKERS ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            }
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, bytes);
    }

    private static double[][] finitePoints(double[] xs, double[] ys) {
        int n = 0;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                n++;
            }
        }
        double[] fx = new double[n];
        double[] fy = new double[n];
        int j = 0;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                fx[j] = xs[i];
                fy[j] = ys[i];
                j++;
            }
        }
        return new double[][] {fx, fy};
    }
}
