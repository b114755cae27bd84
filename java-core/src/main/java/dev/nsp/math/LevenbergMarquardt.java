package dev.nsp.math;

import java.util.Arrays;

/**
 * Nonlinear least squares by the Levenberg-Marquardt method (Marquardt's scaling): minimises
 * {@code 1/2 sum r_i(p)^2} over a few parameters p, with an analytic Jacobian. Each step solves
 * {@code (J^T J + lambda diag(J^T J)) delta = -J^T r} by Gaussian elimination with partial pivoting; a step
 * that lowers the cost is taken and lambda shrinks tenfold, otherwise lambda grows tenfold. It stops when a
 * taken step changes no parameter by more than 1e-12 of its size (plus 1e-15), when lambda exceeds 1e16
 * (no descent left: the minimum is reached to rounding), or after the iteration limit.
 */
public final class LevenbergMarquardt {
    private LevenbergMarquardt() {
    }

    /** A least-squares problem. */
    public interface Problem {
        /** {@return the number of residuals m, {@code >=} the number of parameters} */
        int residuals();

        /**
         * {@return whether the parameters are admissible (an inadmissible step is rejected like a worse one)}
         *
         * @param params the parameters (do not modify)
         */
        default boolean admissible(double[] params) {
            return true;
        }

        /**
         * Evaluates the residuals and, when {@code jacobian} is not null, their derivatives.
         *
         * @param params the parameters (do not modify)
         * @param residuals output, length m
         * @param jacobian output [m][n], {@code d r_i / d p_j}, or null
         */
        void evaluate(double[] params, double[] residuals, double[][] jacobian);
    }

    /**
     * The result.
     *
     * @param params the best parameters found
     * @param cost {@code 1/2 sum r_i^2} there
     * @param iterations the number of steps tried
     * @param converged whether a stopping test other than the iteration limit ended the search
     */
    public record Result(double[] params, double cost, int iterations, boolean converged) {
    }

    /**
     * Minimises the problem from a start point.
     *
     * @param problem the residuals and Jacobian
     * @param start the start point, admissible, finite
     * @param maxIterations the most steps to try, {@code >= 1}
     * @return the result
     */
    public static Result minimize(Problem problem, double[] start, int maxIterations) {
        int n = start.length;
        int m = problem.residuals();
        if (n < 1 || m < n) {
            throw new IllegalArgumentException("problem: " + m + " residuals for " + n + " parameters, need m >= n >= 1");
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations: " + maxIterations + ", must be >= 1");
        }
        double[] p = start.clone();
        if (!problem.admissible(p)) {
            throw new IllegalArgumentException("start: " + Arrays.toString(p) + " is not admissible");
        }
        double[] r = new double[m];
        double[][] jac = new double[m][n];
        problem.evaluate(p, r, jac);
        double cost = halfSquares(r);
        if (!Double.isFinite(cost)) {
            throw new IllegalArgumentException("start: " + Arrays.toString(p) + " gives a non-finite cost");
        }
        double[][] a = new double[n][n];
        double[] g = new double[n];
        normalEquations(jac, r, a, g);
        double lambda = 1e-3;
        double[] trial = new double[n];
        double[] rTrial = new double[m];
        int it = 0;
        while (it < maxIterations) {
            it++;
            double[][] lhs = new double[n][n];
            double[] rhs = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    lhs[i][j] = a[i][j];
                }
                double d = a[i][i] > 0 ? a[i][i] : 1e-300;
                lhs[i][i] += lambda * d;
                rhs[i] = -g[i];
            }
            double[] delta = solve(lhs, rhs);
            boolean better = false;
            if (delta != null) {
                for (int i = 0; i < n; i++) {
                    trial[i] = p[i] + delta[i];
                }
                if (problem.admissible(trial)) {
                    problem.evaluate(trial, rTrial, null);
                    double c = halfSquares(rTrial);
                    better = c < cost;
                    if (better) {
                        boolean small = true;
                        for (int i = 0; i < n; i++) {
                            if (Math.abs(delta[i]) > 1e-12 * Math.abs(p[i]) + 1e-15) {
                                small = false;
                            }
                        }
                        System.arraycopy(trial, 0, p, 0, n);
                        problem.evaluate(p, r, jac);
                        cost = halfSquares(r);
                        normalEquations(jac, r, a, g);
                        lambda = Math.max(lambda / 10, 1e-15);
                        if (small) {
                            return new Result(p, cost, it, true);
                        }
                    }
                }
            }
            if (!better) {
                lambda *= 10;
                if (lambda > 1e16) {
                    return new Result(p, cost, it, true);
                }
            }
        }
        return new Result(p, cost, it, false);
    }

    private static double halfSquares(double[] r) {
        double s = 0;
        for (double v : r) {
            s += v * v;
        }
        return 0.5 * s;
    }

    private static void normalEquations(double[][] jac, double[] r, double[][] a, double[] g) {
        int n = g.length;
        for (int i = 0; i < n; i++) {
            g[i] = 0;
            for (int j = 0; j < n; j++) {
                a[i][j] = 0;
            }
        }
        for (int k = 0; k < r.length; k++) {
            double[] row = jac[k];
            for (int i = 0; i < n; i++) {
                g[i] += row[i] * r[k];
                for (int j = 0; j < n; j++) {
                    a[i][j] += row[i] * row[j];
                }
            }
        }
    }

    /** Gaussian elimination with partial pivoting; null if the matrix is singular. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[piv][col])) {
                    piv = row;
                }
            }
            if (m[piv][col] == 0 || !Double.isFinite(m[piv][col])) {
                return null;
            }
            double[] t = m[col];
            m[col] = m[piv];
            m[piv] = t;
            for (int row = col + 1; row < n; row++) {
                double f = m[row][col] / m[col][col];
                for (int k = col; k <= n; k++) {
                    m[row][k] -= f * m[col][k];
                }
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int k = i + 1; k < n; k++) {
                s -= m[i][k] * x[k];
            }
            x[i] = s / m[i][i];
        }
        return x;
    }
}
