package dev.nsp.math;

import java.util.PriorityQueue;
import java.util.function.DoubleUnaryOperator;

/**
 * Globally adaptive Gauss-Legendre quadrature for smooth integrands on finite intervals.
 *
 * <p>Each interval is integrated by the 15-point Gauss-Legendre rule on the whole and on both halves;
 * the halves' sum is the interval's value and the difference between the two is its error estimate
 * (very pessimistic for analytic integrands, whose 15-point error shrinks like h^30). The interval with
 * the largest estimate is bisected until the summed estimate is below
 * {@code max(relTol |total|, absTol)}. The nodes and weights are computed once, by Newton's method on the
 * Legendre polynomial P_15, to full double precision.
 */
public final class Quadrature {
    private static final int ORDER = 15;
    private static final double[] NODES = new double[ORDER];
    private static final double[] WEIGHTS = new double[ORDER];
    /** The largest number of intervals before giving up. */
    private static final int MAX_INTERVALS = 4000;

    static {
        for (int i = 0; i < ORDER; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (ORDER + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1;
                double p1 = x;
                for (int k = 2; k <= ORDER; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = ORDER * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / dp;
                x -= dx;
                if (Math.abs(dx) < 1e-17) {
                    break;
                }
            }
            // recompute the derivative at the converged node
            double p0 = 1;
            double p1 = x;
            for (int k = 2; k <= ORDER; k++) {
                double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = ORDER * (x * p1 - p0) / (x * x - 1);
            NODES[i] = x;
            WEIGHTS[i] = 2.0 / ((1 - x * x) * dp * dp);
        }
    }

    private Quadrature() {
    }

    /** An interval with the rule on each half (lv, rv), value = lv + rv, and the error estimate. */
    private record Piece(double a, double b, double lv, double rv, double value, double error) {
    }

    /**
     * Integrates f over [a, b].
     *
     * @param f a finite, smooth integrand
     * @param a lower limit, finite
     * @param b upper limit, finite (b &lt; a gives the negated integral)
     * @param relTol relative tolerance, in (0, 1)
     * @param absTol absolute tolerance, {@code >= 0}
     * @return the integral
     * @throws IllegalArgumentException for non-finite limits or bad tolerances
     * @throws ArithmeticException if the integrand is not finite or the tolerance is not reached in 4000 intervals
     */
    public static double integrate(DoubleUnaryOperator f, double a, double b, double relTol, double absTol) {
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException("limits: [" + a + ", " + b + "], must be finite");
        }
        if (!(relTol > 0 && relTol < 1)) {
            throw new IllegalArgumentException("relTol: " + relTol + ", must be in (0, 1)");
        }
        if (!(absTol >= 0)) {
            throw new IllegalArgumentException("absTol: " + absTol + ", must be >= 0");
        }
        if (a == b) {
            return 0;
        }
        if (b < a) {
            return -integrate(f, b, a, relTol, absTol);
        }
        PriorityQueue<Piece> queue = new PriorityQueue<>((p, q) -> Double.compare(q.error, p.error));
        Piece first = piece(f, a, b, gauss(f, a, b));
        queue.add(first);
        double total = first.value;
        double error = first.error;
        while (error > Math.max(relTol * Math.abs(total), absTol)) {
            if (queue.size() >= MAX_INTERVALS) {
                throw new ArithmeticException("quadrature on [" + a + ", " + b + "] did not reach relTol " + relTol
                        + " in " + MAX_INTERVALS + " intervals (estimate " + total + ", error " + error + ")");
            }
            Piece worst = queue.poll();
            double m = 0.5 * (worst.a + worst.b);
            if (!(m > worst.a && m < worst.b)) {
                // the interval cannot be split further: accept it as it is
                queue.add(new Piece(worst.a, worst.b, worst.lv, worst.rv, worst.value, 0));
                error -= worst.error;
                continue;
            }
            Piece left = piece(f, worst.a, m, worst.lv);
            Piece right = piece(f, m, worst.b, worst.rv);
            queue.add(left);
            queue.add(right);
            total += left.value + right.value - worst.value;
            error += left.error + right.error - worst.error;
            if (!Double.isFinite(total)) {
                throw new ArithmeticException("quadrature on [" + a + ", " + b + "]: integrand not finite");
            }
        }
        // a fresh sum: the running total carries the rounding of every update
        double sum = 0;
        for (Piece p : queue) {
            sum += p.value;
        }
        return sum;
    }

    /** Builds a piece from the whole-interval rule: value = halves' sum, error = |whole - halves|. */
    private static Piece piece(DoubleUnaryOperator f, double a, double b, double whole) {
        double m = 0.5 * (a + b);
        double lv = gauss(f, a, m);
        double rv = gauss(f, m, b);
        double halves = lv + rv;
        return new Piece(a, b, lv, rv, halves, Math.abs(halves - whole));
    }

    private static double gauss(DoubleUnaryOperator f, double a, double b) {
        double c = 0.5 * (a + b);
        double h = 0.5 * (b - a);
        double s = 0;
        for (int i = 0; i < ORDER; i++) {
            s += WEIGHTS[i] * f.applyAsDouble(c + h * NODES[i]);
        }
        double r = h * s;
        if (!Double.isFinite(r)) {
            throw new ArithmeticException("quadrature: integrand not finite on [" + a + ", " + b + "]");
        }
        return r;
    }
}
