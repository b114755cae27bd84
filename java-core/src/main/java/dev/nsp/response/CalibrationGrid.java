package dev.nsp.response;

import java.util.Arrays;

/**
 * The (x, sigma) points of a calibration, nA. x is the mean input current of the unit <em>without</em>
 * i_offset (the LIF rate is taken at total current x + i_offset); sigma is sigma_I.
 *
 * @param xNa mean currents, nA, finite
 * @param sigmaNa noise levels, nA, finite and {@code >= 0}, same length as xNa
 */
public record CalibrationGrid(double[] xNa, double[] sigmaNa) {

    /**
     * The grid of Liu's response experiments (ICONIP 2016 code, paper Figs. 2 and 3): x from -0.5 to 0.6 nA
     * in steps of 0.1 nA (12 values) times sigma = 0.2, 0.5 and 1.0 nA, 36 points. Fitted to simulated
     * Poisson-driven rates (10 s, 10 trials, dt = 1 ms, 500 + 500 sources of 0.05 nA) it gives the paper's
     * calibration, k = 0.30 and S = 201 Hz/nA for tau_syn = 5 ms (k = 0.19, S = 209 for 1 ms); fitted to
     * the Fourcaud-Brunel-corrected Siegert rates it gives k = 0.34, S = 208 (5 ms) and k = 0.21, S = 232 (1 ms).
     *
     * @return the 36-point grid
     */
    public static CalibrationGrid liu() {
        double[] xs = new double[12];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (-5 + i) / 10.0;
        }
        return product(xs, new double[] {0.2, 0.5, 1.0});
    }

    /** Validates and copies the arrays. */
    public CalibrationGrid {
        if (xNa.length != sigmaNa.length || xNa.length == 0) {
            throw new IllegalArgumentException("xNa, sigmaNa: lengths " + xNa.length + " and " + sigmaNa.length
                    + ", must be equal and >= 1");
        }
        xNa = xNa.clone();
        sigmaNa = sigmaNa.clone();
        for (int i = 0; i < xNa.length; i++) {
            if (!Double.isFinite(xNa[i])) {
                throw new IllegalArgumentException("xNa[" + i + "]: " + xNa[i] + ", must be finite");
            }
            if (!(sigmaNa[i] >= 0) || Double.isInfinite(sigmaNa[i])) {
                throw new IllegalArgumentException("sigmaNa[" + i + "]: " + sigmaNa[i] + ", must be finite and >= 0");
            }
        }
    }

    /**
     * Every combination of the given values, x varying fastest: point {@code j * xs.length + i} is
     * {@code (xs[i], sigmas[j])}.
     *
     * @param xs mean currents, nA
     * @param sigmas noise levels, nA
     * @return the grid of {@code xs.length * sigmas.length} points
     */
    public static CalibrationGrid product(double[] xs, double[] sigmas) {
        double[] x = new double[xs.length * sigmas.length];
        double[] s = new double[x.length];
        for (int j = 0; j < sigmas.length; j++) {
            for (int i = 0; i < xs.length; i++) {
                x[j * xs.length + i] = xs[i];
                s[j * xs.length + i] = sigmas[j];
            }
        }
        return new CalibrationGrid(x, s);
    }

    /**
     * Evenly spaced values in both directions, combined as {@link #product}.
     *
     * @param xMin first x, nA
     * @param xMax last x, nA, {@code >= xMin}
     * @param nx number of x values, {@code >= 1} (1: only xMin)
     * @param sigmaMin first sigma, nA, {@code >= 0}
     * @param sigmaMax last sigma, nA, {@code >= sigmaMin}
     * @param nSigma number of sigma values, {@code >= 1}
     * @return the grid of nx * nSigma points
     */
    public static CalibrationGrid regular(double xMin, double xMax, int nx, double sigmaMin, double sigmaMax, int nSigma) {
        if (nx < 1 || nSigma < 1) {
            throw new IllegalArgumentException("nx, nSigma: " + nx + ", " + nSigma + ", must be >= 1");
        }
        if (!(xMax >= xMin) || !(sigmaMax >= sigmaMin)) {
            throw new IllegalArgumentException("ranges: x [" + xMin + ", " + xMax + "], sigma [" + sigmaMin + ", "
                    + sigmaMax + "], each must have max >= min");
        }
        return product(spaced(xMin, xMax, nx), spaced(sigmaMin, sigmaMax, nSigma));
    }

    private static double[] spaced(double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
        }
        return v;
    }

    /** {@return the number of points} */
    public int size() {
        return xNa.length;
    }

    /** {@return a copy of the mean currents, nA} */
    @Override
    public double[] xNa() {
        return xNa.clone();
    }

    /** {@return a copy of the noise levels, nA} */
    @Override
    public double[] sigmaNa() {
        return sigmaNa.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CalibrationGrid g && Arrays.equals(xNa, g.xNa) && Arrays.equals(sigmaNa, g.sigmaNa);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xNa) + Arrays.hashCode(sigmaNa);
    }

    @Override
    public String toString() {
        return "CalibrationGrid[" + size() + " points]";
    }
}
