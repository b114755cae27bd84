package dev.nsp.response;

import dev.nsp.math.LevenbergMarquardt;
import dev.nsp.neuron.LifParameters;

/**
 * Calibrates the parametric Noisy Softplus {@code S f(x + b, sigma)} to LIF firing rates by nonlinear least
 * squares (SPEC section 3): k, S and optionally a bias b (nA) minimise
 * {@code sum_i (S f(x_i + b, sigma_i) - rate_i)^2} over a grid, by {@link LevenbergMarquardt} with the
 * analytic Jacobian {@code d/dS = f}, {@code d/dk = S sigma (softplus(z) - z logistic(z))},
 * {@code d/db = S logistic(z)}, {@code z = (x + b)/(k sigma)}. The rates are those of the neuron at total
 * current {@code x + i_offset} (i_offset acts as the model's bias), from the Siegert formula
 * ({@link #fitSiegert}) or from simulations ({@link #fit} with simulated rates).
 */
public final class Calibration {
    private static final int MAX_ITERATIONS = 500;

    private Calibration() {
    }

    /**
     * Noisy Softplus {@code f(x, sigma) = k sigma softplus(x / (k sigma))}, with softplus evaluated as
     * {@code max(z, 0) + log1p(exp(-|z|))}; sigma = 0 gives max(x, 0).
     *
     * @param xNa x, nA, not NaN
     * @param sigmaNa sigma, nA, finite and {@code >= 0}
     * @param k the scale, finite and {@code > 0}
     * @return f, nA
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static double noisySoftplus(double xNa, double sigmaNa, double k) {
        if (Double.isNaN(xNa)) {
            throw new IllegalArgumentException("xNa: NaN, must be a number");
        }
        if (!(sigmaNa >= 0) || Double.isInfinite(sigmaNa)) {
            throw new IllegalArgumentException("sigmaNa: " + sigmaNa + ", must be finite and >= 0");
        }
        if (!(k > 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k: " + k + ", must be finite and > 0");
        }
        double ks = k * sigmaNa;
        if (ks == 0) {
            return Math.max(xNa, 0);
        }
        return ks * softplus(xNa / ks);
    }

    /**
     * The Siegert rates of a grid: {@code rate_i = siegert(x_i + i_offset, sigma_i)}.
     *
     * @param p the neuron
     * @param noise how sigma maps to the membrane (normally {@link NoiseModel.Poisson})
     * @param grid the points
     * @return the rates, Hz
     */
    public static double[] siegertRatesHz(LifParameters p, NoiseModel noise, CalibrationGrid grid) {
        double[] x = grid.xNa();
        double[] s = grid.sigmaNa();
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = ResponseFunctions.siegertRateHz(p, noise, x[i] + p.iOffsetNa(), s[i]);
        }
        return r;
    }

    /**
     * Fits to Siegert rates.
     *
     * @param p the neuron
     * @param noise how sigma maps to the membrane (normally {@link NoiseModel.Poisson})
     * @param grid the points
     * @param fitBias whether to fit b too (else b = 0)
     * @return the fit
     */
    public static NoisySoftplusFit fitSiegert(LifParameters p, NoiseModel noise, CalibrationGrid grid, boolean fitBias) {
        return fit(grid.xNa(), grid.sigmaNa(), siegertRatesHz(p, noise, grid), fitBias);
    }

    /**
     * Fits to rates of simulated Poisson-driven neurons ({@link ResponseSimulator#poisson}) at total current
     * {@code x + i_offset}. With {@link ResponseSimulator.Config#LIU}, {@link PoissonPopulations#LIU} and
     * {@link CalibrationGrid#liu()} this is Liu's calibration protocol.
     *
     * @param simulator the simulator (its neuron gives i_offset and tau_syn)
     * @param pops the input populations
     * @param grid the points
     * @param fitBias whether to fit b too (else b = 0)
     * @return the fit, whose targets are the mean simulated rates
     */
    public static NoisySoftplusFit fitSimulated(ResponseSimulator simulator, PoissonPopulations pops, CalibrationGrid grid,
                                                boolean fitBias) {
        double[] x = grid.xNa();
        double[] mu = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            mu[i] = x[i] + simulator.params().iOffsetNa();
        }
        SimulatedRates r = simulator.poisson(mu, grid.sigmaNa(), pops);
        return fit(x, grid.sigmaNa(), r.meanHz(), fitBias);
    }

    /**
     * Fits {@code S f(x + b, sigma)} to given rates.
     *
     * @param xNa mean currents x, nA (without i_offset), finite
     * @param sigmaNa noise levels, nA, {@code >= 0}, not all 0 (k is undetermined otherwise)
     * @param rateHz the rates, Hz, finite
     * @param fitBias whether to fit b too (else b = 0)
     * @return the fit
     * @throws IllegalArgumentException for bad or too few data (at least as many points as parameters)
     * @throws ArithmeticException if the fit does not converge
     */
    public static NoisySoftplusFit fit(double[] xNa, double[] sigmaNa, double[] rateHz, boolean fitBias) {
        CalibrationGrid grid = new CalibrationGrid(xNa, sigmaNa);
        int m = grid.size();
        if (rateHz.length != m) {
            throw new IllegalArgumentException("rateHz: length " + rateHz.length + ", must equal the grid size " + m);
        }
        boolean anyNoise = false;
        for (int i = 0; i < m; i++) {
            if (!Double.isFinite(rateHz[i])) {
                throw new IllegalArgumentException("rateHz[" + i + "]: " + rateHz[i] + ", must be finite");
            }
            anyNoise |= sigmaNa[i] > 0;
        }
        if (!anyNoise) {
            throw new IllegalArgumentException("sigmaNa: all 0, k cannot be fitted without noise");
        }
        int n = fitBias ? 3 : 2;
        if (m < n) {
            throw new IllegalArgumentException("grid: " + m + " points, need at least " + n);
        }
        double[] x = xNa.clone();
        double[] s = sigmaNa.clone();
        double[] y = rateHz.clone();
        LevenbergMarquardt.Problem problem = new LevenbergMarquardt.Problem() {
            @Override
            public int residuals() {
                return m;
            }

            @Override
            public boolean admissible(double[] q) {
                return q[0] > 0 && Double.isFinite(q[0]) && Double.isFinite(q[1]) && (n == 2 || Double.isFinite(q[2]));
            }

            @Override
            public void evaluate(double[] q, double[] r, double[][] jac) {
                double k = q[0];
                double scale = q[1];
                double b = n == 3 ? q[2] : 0;
                for (int i = 0; i < m; i++) {
                    double xi = x[i] + b;
                    double ks = k * s[i];
                    double f;
                    double dk;
                    double dx;
                    if (ks == 0) {
                        f = Math.max(xi, 0);
                        dk = 0;
                        dx = xi > 0 ? 1 : 0;
                    } else {
                        double z = xi / ks;
                        f = ks * softplus(z);
                        dk = s[i] * sigmaSlope(z);
                        dx = logistic(z);
                    }
                    r[i] = scale * f - y[i];
                    if (jac != null) {
                        jac[i][0] = scale * dk;
                        jac[i][1] = f;
                        if (n == 3) {
                            jac[i][2] = scale * dx;
                        }
                    }
                }
            }
        };
        // start: k = 0.25, b = 0, and the S that is optimal for them (linear least squares)
        double k0 = 0.25;
        double num = 0;
        double den = 0;
        for (int i = 0; i < m; i++) {
            double f = noisySoftplus(x[i], s[i], k0);
            num += f * y[i];
            den += f * f;
        }
        double s0 = den > 0 && num > 0 ? num / den : 1;
        double[] start = n == 3 ? new double[] {k0, s0, 0} : new double[] {k0, s0};
        LevenbergMarquardt.Result res = LevenbergMarquardt.minimize(problem, start, MAX_ITERATIONS);
        if (!res.converged()) {
            throw new ArithmeticException("calibration: Levenberg-Marquardt did not converge in " + MAX_ITERATIONS
                    + " steps (k = " + res.params()[0] + ", S = " + res.params()[1] + ")");
        }
        double[] q = res.params();
        double b = n == 3 ? q[2] : 0;
        double[] fitted = new double[m];
        double sq = 0;
        for (int i = 0; i < m; i++) {
            fitted[i] = q[1] * noisySoftplus(x[i] + b, s[i], q[0]);
            sq += (fitted[i] - y[i]) * (fitted[i] - y[i]);
        }
        return new NoisySoftplusFit(q[0], q[1], b, Math.sqrt(sq / m), x, s, y, fitted, res.iterations());
    }

    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    static double logistic(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /** softplus(z) - z logistic(z) = log1p(e^-|z|) + |z| logistic(-|z|): symmetric, no cancellation. */
    static double sigmaSlope(double z) {
        double a = Math.abs(z);
        return Math.log1p(Math.exp(-a)) + a * logistic(-a);
    }
}
