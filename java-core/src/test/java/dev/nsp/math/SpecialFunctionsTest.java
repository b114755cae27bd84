package dev.nsp.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The special functions against {@link BigMath} references (series in 40+ spare digits). Tolerance:
 * 1e-13 relative, the target of the task; the measured maxima (printed) are a few 1e-15.
 */
class SpecialFunctionsTest {
    static final double TOL = 1e-13;

    /** Arguments: a dense sweep of [-6, 6], random points, the branch boundaries, and large magnitudes. */
    static List<Double> arguments(double lo, double hi, int random) {
        List<Double> xs = new ArrayList<>();
        for (double x = lo; x <= hi + 1e-12; x += 0.53) {
            xs.add(x);
        }
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < random; i++) {
            xs.add(lo + (hi - lo) * r.nextDouble());
        }
        for (double b : new double[] {0, 1e-300, 1e-20, 1e-8, 1e-3, 0.5, Math.nextDown(1.0), 1.0, Math.nextUp(1.0), 2, 5,
                Math.nextDown(7.0), 7.0, 10, 20, 26.5}) {
            if (b >= lo && b <= hi) {
                xs.add(b);
            }
            if (-b >= lo && -b <= hi) {
                xs.add(-b);
            }
        }
        return xs;
    }

    static double rel(double got, double want) {
        return want == 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
    }

    @Test
    void erfcxMatchesSeriesReference() {
        double worst = 0;
        double at = 0;
        for (double x : arguments(-26.5, 26.9, 30)) {
            double e = rel(SpecialFunctions.erfcx(x), BigMath.erfcx(x));
            if (e > worst) {
                worst = e;
                at = x;
            }
        }
        System.out.printf("erfcx: max rel error %.3g at x=%s%n", worst, at);
        assertTrue(worst < TOL, "erfcx max relative error " + worst + " at " + at);
    }

    @Test
    void erfcxLargeArguments() {
        double worst = 0;
        for (double x : new double[] {27.5, 40, 100, 1e3, 1e5, 99999999.0, 1e8, 1.5e8, 1e10, 1e100, 1e200, 1e300}) {
            worst = Math.max(worst, rel(SpecialFunctions.erfcx(x), BigMath.erfcx(x)));
        }
        System.out.printf("erfcx large: max rel error %.3g%n", worst);
        assertTrue(worst < TOL, "erfcx large-x relative error " + worst);
        assertEquals(Double.POSITIVE_INFINITY, SpecialFunctions.erfcx(-27.0));
        assertEquals(Double.POSITIVE_INFINITY, SpecialFunctions.erfcx(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, SpecialFunctions.erfcx(Double.POSITIVE_INFINITY));
        assertTrue(Double.isNaN(SpecialFunctions.erfcx(Double.NaN)));
        assertEquals(1.0, SpecialFunctions.erfcx(0.0));
    }

    @Test
    void erfAndErfcMatchReference() {
        double worstErf = 0;
        double worstErfc = 0;
        for (double x : arguments(-9, 26.9, 25)) {
            MathContext mc = BigMath.precisionFor(x);
            java.math.BigDecimal erf = BigMath.erf(Math.abs(x), mc);
            double want = Math.copySign(erf.doubleValue(), x);
            double wantC = x >= 0 ? java.math.BigDecimal.ONE.subtract(erf, mc).doubleValue()
                    : java.math.BigDecimal.ONE.add(erf, mc).doubleValue();
            worstErf = Math.max(worstErf, rel(SpecialFunctions.erf(x), want));
            if (wantC > Double.MIN_NORMAL) {   // erfc underflows to subnormals near x = 26.5
                worstErfc = Math.max(worstErfc, rel(SpecialFunctions.erfc(x), wantC));
            }
        }
        System.out.printf("erf: max rel error %.3g, erfc: %.3g%n", worstErf, worstErfc);
        assertTrue(worstErf < TOL, "erf " + worstErf);
        assertTrue(worstErfc < TOL, "erfc " + worstErfc);
        assertEquals(1.0, SpecialFunctions.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, SpecialFunctions.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, SpecialFunctions.erfc(30));
        assertEquals(2.0, SpecialFunctions.erfc(-30));
        assertEquals(-0.0, SpecialFunctions.erf(-0.0));
    }

    @Test
    void dawsonMatchesReference() {
        double worst = 0;
        double at = 0;
        List<Double> xs = arguments(-35, 35, 30);
        xs.addAll(List.of(0.9241388730, 50.0, 1e3, 1e6, 1e8, 1e9, 1e200, -1e300));
        for (double x : xs) {
            double e = rel(SpecialFunctions.dawson(x), BigMath.dawson(x));
            if (e > worst) {
                worst = e;
                at = x;
            }
        }
        System.out.printf("dawson: max rel error %.3g at x=%s%n", worst, at);
        assertTrue(worst < TOL, "dawson max relative error " + worst + " at " + at);
        assertEquals(0.0, SpecialFunctions.dawson(0.0));
        assertEquals(0.0, SpecialFunctions.dawson(Double.POSITIVE_INFINITY));
    }

    @Test
    void knownValues() {
        // Abramowitz and Stegun Table 7.1 / 7.5 (published values, 10 digits)
        assertEquals(0.8427007929, SpecialFunctions.erf(1.0), 1e-10);
        assertEquals(0.5380795069, SpecialFunctions.dawson(1.0), 1e-10);
        assertEquals(0.4275835762, SpecialFunctions.erfcx(1.0), 1e-10);
    }
}
