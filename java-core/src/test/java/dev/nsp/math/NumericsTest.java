package dev.nsp.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The quadrature and the least-squares solver on problems with known answers. */
class NumericsTest {

    @Test
    void quadratureOnKnownIntegrals() {
        assertEquals(2.0, Quadrature.integrate(Math::sin, 0, Math.PI, 1e-14, 0), 1e-14);
        assertEquals(Math.expm1(1), Quadrature.integrate(Math::exp, 0, 1, 1e-14, 0), 1e-14);
        // a narrow peak: int e^(-(x/eps)^2) = eps sqrt(pi) erf(10) on [-10 eps, 10 eps] inside [-1, 3]
        double eps = 1e-3;
        assertEquals(eps * Math.sqrt(Math.PI), Quadrature.integrate(x -> Math.exp(-(x / eps) * (x / eps)), -1, 3, 1e-12, 0),
                1e-12 * eps);
        // log singularity-like growth handled by bisection: int_1e-6^1 1/x = ln 1e6
        assertEquals(Math.log(1e6), Quadrature.integrate(x -> 1 / x, 1e-6, 1, 1e-12, 0), 1e-11);
        assertEquals(-2.0, Quadrature.integrate(Math::sin, Math.PI, 0, 1e-14, 0), 1e-14);
        assertEquals(0.0, Quadrature.integrate(Math::sin, 1, 1, 1e-14, 0));
        assertThrows(IllegalArgumentException.class, () -> Quadrature.integrate(Math::sin, 0, Double.POSITIVE_INFINITY, 1e-10, 0));
        assertThrows(IllegalArgumentException.class, () -> Quadrature.integrate(Math::sin, 0, 1, 0, 0));
        assertThrows(ArithmeticException.class, () -> Quadrature.integrate(x -> 1 / (x - 0.5), 0, 1, 1e-10, 0));
    }

    @Test
    void levenbergMarquardtFitsAnExponential() {
        // y = a e^(-b t) + c, exact data
        double[] t = new double[30];
        double[] y = new double[30];
        for (int i = 0; i < t.length; i++) {
            t[i] = i * 0.2;
            y[i] = 3.0 * Math.exp(-1.3 * t[i]) + 0.5;
        }
        LevenbergMarquardt.Problem pr = new LevenbergMarquardt.Problem() {
            @Override
            public int residuals() {
                return t.length;
            }

            @Override
            public void evaluate(double[] p, double[] r, double[][] j) {
                for (int i = 0; i < t.length; i++) {
                    double e = Math.exp(-p[1] * t[i]);
                    r[i] = p[0] * e + p[2] - y[i];
                    if (j != null) {
                        j[i][0] = e;
                        j[i][1] = -p[0] * t[i] * e;
                        j[i][2] = 1;
                    }
                }
            }
        };
        LevenbergMarquardt.Result res = LevenbergMarquardt.minimize(pr, new double[] {1, 0.1, 0}, 200);
        assertTrue(res.converged());
        assertArrayEquals(new double[] {3.0, 1.3, 0.5}, res.params(), 1e-10);
        assertTrue(res.cost() < 1e-25, "cost " + res.cost());
    }

    @Test
    void linearSolverPivots() {
        double[] x = LevenbergMarquardt.solve(new double[][] {{0, 1}, {1, 0}}, new double[] {2, 3});
        assertArrayEquals(new double[] {3, 2}, x, 0);
        assertEquals(null, LevenbergMarquardt.solve(new double[][] {{1, 2}, {2, 4}}, new double[] {1, 2}));
    }
}
