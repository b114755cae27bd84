package dev.nsp.conformance;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Element-by-element comparison of a backend's output with the reference's, with a per-element
 * tolerance; a failure reports how many elements are off, the worst one, and the context (kernel,
 * backend, shape, seed). NaN in the output passes only where the reference is NaN too, so an output
 * element the backend never wrote (the suite poisons outputs with NaN) fails.
 */
final class Check {
    /** float's unit roundoff, 2^-24. */
    static final double U = 0x1p-24;

    private Check() {
    }

    /** A tolerance per element. */
    @FunctionalInterface
    interface Tolerance {
        double at(int i);
    }

    /** @return exact equality (-0 equals +0) */
    static Tolerance exact() {
        return i -> 0;
    }

    /** @return {@code rel * |expected| + abs} */
    static Tolerance relAbs(float[] expected, double rel, double abs) {
        return i -> rel * Math.abs(expected[i]) + abs;
    }

    /**
     * The tolerance of a sum of {@code terms} float products: {@code 8 u sqrt(terms) * magnitude[i]} plus
     * a few ulps of the result. Rounding errors of a float sum grow like a random walk, sqrt(terms) times
     * the size of the partial sums, which is at most the sum of |terms| (magnitude); 8 is ample margin for
     * any summation order (blocked, lane-wise, tree, sequential), while a wrong index or a missing term
     * moves an output by about magnitude / terms or more, which the small shapes of the suite catch.
     */
    static Tolerance sum(float[] expected, float[] magnitude, int terms) {
        double c = 8 * U * Math.sqrt(Math.max(1, terms));
        return i -> 4 * U * Math.abs(expected[i]) + c * magnitude[i] + 1e-37;
    }

    /**
     * The tolerance of {@code sqrt(v)} when v has tolerance dv: {@code min(dv / (2 sqrt v), sqrt dv)}, plus
     * a few ulps of the result.
     */
    static Tolerance sqrtOf(float[] expected, Tolerance varianceTolerance) {
        return i -> {
            double dv = varianceTolerance.at(i);
            double s = expected[i];
            double prop = s > 0 ? Math.min(dv / (2 * s), Math.sqrt(dv)) : Math.sqrt(dv);
            return prop + 4 * U * Math.abs(s);
        };
    }

    /** Asserts every element of actual matches expected within the tolerance. */
    static void close(String context, float[] expected, float[] actual, Tolerance tol) {
        if (expected.length != actual.length) {
            fail(context + ": length " + actual.length + ", expected " + expected.length);
        }
        int bad = 0;
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            double ratio;
            if (Float.isNaN(e) || Float.isNaN(a)) {
                ok = Float.isNaN(e) && Float.isNaN(a);
                ratio = ok ? 0 : Double.POSITIVE_INFINITY;
            } else if (Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = e == a;
                ratio = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                double d = Math.abs((double) a - e);
                double t = tol.at(i);
                ok = d <= t;
                ratio = d == 0 ? 0 : t == 0 ? Double.POSITIVE_INFINITY : d / t;
            }
            if (!ok) {
                bad++;
                if (worst < 0 || ratio > worstRatio) {
                    worst = i;
                    worstRatio = ratio;
                }
            }
        }
        if (bad > 0) {
            fail(context + ": " + bad + " of " + expected.length + " elements differ; worst at index " + worst
                    + ": expected " + expected[worst] + ", got " + actual[worst] + ", tolerance " + tol.at(worst)
                    + " (|diff| / tolerance = " + worstRatio + ")");
        }
    }

    /** @return elementwise |a| */
    static float[] abs(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.abs(a[i]);
        }
        return r;
    }
}
