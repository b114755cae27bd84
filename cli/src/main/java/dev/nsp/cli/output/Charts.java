package dev.nsp.cli.output;

import dev.nsp.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;

import java.io.IOException;
import java.nio.file.Path;

/** PNG line and scatter charts with XChart, headless, written atomically. */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private final XYChart chart;

    private Charts(String title, String xTitle, String yTitle) {
        chart = new XYChartBuilder().width(800).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setMarkerSize(5);
    }

    /** @return a new chart */
    public static Charts of(String title, String xTitle, String yTitle) {
        return new Charts(title, xTitle, yTitle);
    }

    /** Adds a line. */
    public Charts line(String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return this;
    }

    /** Adds points with optional error bars (null for none). */
    public Charts points(String name, double[] x, double[] y, double[] err) {
        XYSeries s = err == null ? chart.addSeries(name, x, y) : chart.addSeries(name, x, y, err);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return this;
    }

    /** Eight distinguishable colors (Okabe-Ito, with black first) for series that belong together, e.g. one per sigma. */
    private static final Color[] PALETTE = {
        new Color(0, 0, 0), new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233), new Color(120, 120, 120)};

    /** @return color number {@code i} (cycling) of a fixed palette, to give related series the same color */
    public static Color color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /**
     * Adds a line of a given color.
     *
     * @param dashed dashed instead of solid
     */
    public Charts line(String name, double[] x, double[] y, Color color, boolean dashed) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
        return this;
    }

    /** Adds points of a given color with optional error bars (null for none), drawn in the same color. */
    public Charts points(String name, double[] x, double[] y, double[] err, Color color) {
        XYSeries s = err == null ? chart.addSeries(name, x, y) : chart.addSeries(name, x, y, err);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
        s.setLineColor(color);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        return this;
    }

    /** Puts the legend inside the plot, top left (where rising response curves leave room). */
    public Charts legendTopLeft() {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return this;
    }

    /** Fixes the lower end of the y axis (e.g. 0 for rates). */
    public Charts yMin(double min) {
        chart.getStyler().setYAxisMin(min);
        return this;
    }

    /** Uses a logarithmic x axis. */
    public Charts logX() {
        chart.getStyler().setXAxisLogarithmic(true);
        return this;
    }

    /** Writes the chart as PNG, atomically. */
    public void savePng(Path file) throws IOException {
        padX();
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, png);
    }

    /**
     * Leaves a margin of 2 % of the data range on both sides of a linear x axis (unless its range was set). Besides
     * keeping the curves off the frame, this keeps XChart from putting the ticks at data points of equally spaced
     * data (which labels them -0.3636, .0455, ...) instead of at round numbers.
     */
    private void padX() {
        if (chart.getStyler().isXAxisLogarithmic() || chart.getStyler().getXAxisMin() != null
                || chart.getStyler().getXAxisMax() != null || chart.getSeriesCollection().isEmpty()) {
            return;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesCollection()) {
            lo = Math.min(lo, s.getXMin());
            hi = Math.max(hi, s.getXMax());
        }
        double pad = 0.02 * (hi - lo);
        if (pad > 0 && Double.isFinite(pad)) {
            chart.getStyler().setXAxisMin(lo - pad);
            chart.getStyler().setXAxisMax(hi + pad);
        }
    }
}
