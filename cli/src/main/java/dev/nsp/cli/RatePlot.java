package dev.nsp.cli;

import dev.nsp.cli.output.Charts;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rate-versus-current charts with one color per noise level: grouping of grid rows by sigma. */
final class RatePlot {
    /** More groups than this are drawn as one series (a legend of dozens of entries helps nobody). */
    static final int MAX_GROUPS = 8;

    private RatePlot() {
    }

    /**
     * The rows of each distinct sigma, in order of first appearance; each group's rows sorted by x. Sigmas equal
     * to 9 significant digits form one group.
     *
     * @param x the abscissa of each row
     * @param sigma the noise level of each row
     * @return sigma -> row indices
     */
    static Map<Double, List<Integer>> bySigma(double[] x, double[] sigma) {
        Map<Double, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < sigma.length; i++) {
            double key = Double.parseDouble(String.format("%.9g", sigma[i]));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> rows : groups.values()) {
            rows.sort(Comparator.comparingDouble(i -> x[i]));
        }
        return groups;
    }

    /** @return values[rows[0]], values[rows[1]], ... */
    static double[] pick(double[] values, List<Integer> rows) {
        return rows.stream().mapToDouble(i -> values[i]).toArray();
    }

    /**
     * Adds rows to a chart: one series per sigma (lines for analytic rates, points with +-std error bars for
     * simulated ones), or a single series when there are more than {@link #MAX_GROUPS} sigmas.
     *
     * @param chart the chart
     * @param x abscissa per row
     * @param sigma noise level per row
     * @param rate rate per row, Hz
     * @param std standard deviation per row, Hz, or null for analytic rates (drawn as lines)
     * @param sigmaLabel how a sigma value is labelled, e.g. "sigma = %s nA"
     */
    static void add(Charts chart, double[] x, double[] sigma, double[] rate, double[] std, String sigmaLabel) {
        Map<Double, List<Integer>> groups = bySigma(x, sigma);
        if (groups.size() > MAX_GROUPS) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                all.add(i);
            }
            all.sort(Comparator.comparingDouble(i -> x[i]));
            groups = Map.of(Double.NaN, all);
        }
        int c = 0;
        for (var g : groups.entrySet()) {
            String name = Double.isNaN(g.getKey()) ? "all rows" : String.format(sigmaLabel, fmt(g.getKey()));
            Color color = g.getKey() == 0 ? Charts.color(0) : Charts.color(++c);
            double[] gx = pick(x, g.getValue());
            double[] gy = pick(rate, g.getValue());
            if (std == null) {
                chart.line(name, gx, gy, color, false);
            } else {
                chart.points(name, gx, gy, pick(std, g.getValue()), color);
            }
        }
    }

    /** A short decimal form of a number for legends and messages: up to 4 significant digits, no exponent, no trailing zeros. */
    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == 0) {
            return "0";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** @return evenly spaced values from lo to hi inclusive */
    static double[] linspace(double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
        }
        v[n - 1] = hi;
        return v;
    }

    /** @return the column with every value + d */
    static double[] shift(double[] v, double d) {
        return Arrays.stream(v).map(a -> a + d).toArray();
    }
}
