package dev.nsp.cli.output;

import dev.nsp.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

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

    /** Uses a logarithmic x axis. */
    public Charts logX() {
        chart.getStyler().setXAxisLogarithmic(true);
        return this;
    }

    /** Writes the chart as PNG, atomically. */
    public void savePng(Path file) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, png);
    }
}
