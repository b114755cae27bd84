package dev.nsp.kernel.natives;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.nsp.kernel.natives.NativeHarness.FLOAT_MIN_NORMAL;
import static dev.nsp.kernel.natives.NativeHarness.SIZES;
import static dev.nsp.kernel.natives.NativeHarness.U;
import static dev.nsp.kernel.natives.NativeHarness.assertWithin;
import static dev.nsp.kernel.natives.NativeHarness.compare;
import static dev.nsp.kernel.natives.NativeHarness.exact;
import static dev.nsp.kernel.natives.NativeHarness.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Noisy Softplus, softplus and ReLU against the reference.
 *
 * <p>Tolerances. The native kernels compute z = x / (k sigma) in double and round it to float (relative
 * error u/2, u = 2^-24), evaluate e^-|z| (<= 1.2 ulp) and log1p (<= 2 ulp) and the logistic in float, and
 * do the final products in double like the reference. An error of u/2 in z moves a function g(z) by
 * u/2 times g's condition number cond_g(z) = |z g'(z) / g(z)|, which grows like |z| in the tails where
 * g is e^-|z|-like. So each result must be within
 * {@code u (c + 2 cond_g(z)) |ref|} with c = 8 (forward), 6 (logistic), 10 (sigma slope), covering the
 * few ulp of the float evaluation, plus two absolute floors: the float resolution of e^-|z| in the
 * subnormal range (2^-149) scaled by the factor that multiplies it ({@code |p| k sigma}, or
 * {@code |gradY p|}), and the smallest normal float for results that are themselves subnormal.
 * ReLU is the same float product as the reference's double one (which is exact before rounding), so it
 * must be bit-identical.
 */
class NativeActivationTest {
    @BeforeAll
    static void library() {
        NativeHarness.requireLibrary();
    }

    private static final float K = 0.30f;
    private static final float P = 1.005f;

    @AfterAll
    static void report() {
        NativeHarness.report("activations");
    }

    static double logistic(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /**
     * z = x / (k sigma) for the tolerance; 0 where sigma = 0 (the ReLU branch, which has no z) or where z is
     * infinite or NaN (those results are exact: 0, an infinity or NaN).
     */
    static double zOf(float x, float sigma, float k) {
        double z = x / ((double) k * sigma);
        return sigma == 0 || !Double.isFinite(z) ? 0 : z;
    }

    /** |z| logistic(z) / softplus(z): the condition number of softplus; |z| where both underflow. */
    static double condSoftplus(double z) {
        double c = Math.abs(z) * logistic(z) / softplus(z);
        return Double.isFinite(c) ? c : Math.abs(z);
    }

    /** |z| (1 - logistic(z)): the condition number of the logistic. */
    static double condLogistic(double z) {
        return Math.abs(z) * logistic(-z);
    }

    /** z^2 l (1 - l) / g(z) with g = softplus(z) - z logistic(z): the condition number of the sigma slope. */
    static double condSlope(double z) {
        double a = Math.abs(z);
        double g = Math.log1p(Math.exp(-a)) + a * logistic(-a);
        double c = z * z * logistic(z) * logistic(-z) / g;
        return Double.isFinite(c) ? c : a;
    }

    /** Random x and sigma: ordinary ones, wide magnitudes (z from 1e-12 to 1e12), exact zeros in sigma. */
    static float[][] inputs(SplittableRandom r, int n) {
        float[] x = new float[n];
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> {
                    x[i] = (float) (r.nextDouble(-6, 6));
                    s[i] = (float) r.nextDouble(0, 3);
                }
                case 1 -> {
                    x[i] = (float) (Math.pow(10, r.nextDouble(-6, 6)) * (r.nextBoolean() ? 1 : -1));
                    s[i] = (float) Math.pow(10, r.nextDouble(-6, 6));
                }
                case 2 -> {
                    x[i] = (float) r.nextDouble(-40, 5);      // deep in the e^z tail: cond ~ |z|
                    s[i] = (float) r.nextDouble(0.05, 0.5);
                }
                default -> {
                    x[i] = (float) r.nextDouble(-3, 3);
                    s[i] = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(0, 1);
                }
            }
        }
        return new float[][] {x, s};
    }

    /** Edge values: signed zeros, subnormals, huge, infinite and NaN x against zero, tiny, huge, infinite sigma. */
    static float[][] edges() {
        float[] xs = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 1f, -1f, 88f, -88f, 1e30f, -1e30f,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        float[] ss = {0f, Float.MIN_VALUE, 1e-40f, 1e-30f, 1e-3f, 1f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        float[] x = new float[xs.length * ss.length];
        float[] s = new float[x.length];
        int i = 0;
        for (float xv : xs) {
            for (float sv : ss) {
                x[i] = xv;
                s[i++] = sv;
            }
        }
        return new float[][] {x, s};
    }

    private static void nsForward(float[] x, float[] s, float k, float p) {
        int n = x.length;
        compare(kern -> {
            try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor y = sc.nan(n);
                kern.noisySoftplusForward(sc.of(x, n), sc.of(s, n), k, p, y);
                return new float[][] {y.toArray()};
            }
        }, (config, e, a) -> assertWithin("noisySoftplusForward [" + config + "]", e[0], a[0], i -> {
            double z = zOf(x[i], s[i], k);
            return U * (8 + 2 * condSoftplus(z)) * Math.abs(e[0][i])
                    + Math.abs(p) * k * (double) s[i] * 0x1p-148 + FLOAT_MIN_NORMAL;
        }));
    }

    private static void nsBackward(float[] x, float[] s, float[] gy, float k, float p, boolean withSigma) {
        int n = x.length;
        compare(kern -> {
            try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor gx = sc.nan(n);
                Tensor gs = withSigma ? sc.nan(n) : null;
                kern.noisySoftplusBackward(sc.of(x, n), sc.of(s, n), k, p, sc.of(gy, n), gx, gs);
                return withSigma ? new float[][] {gx.toArray(), gs.toArray()} : new float[][] {gx.toArray()};
            }
        }, (config, e, a) -> {
            assertWithin("noisySoftplusBackward gradX [" + config + "]", e[0], a[0], i -> {
                double z = zOf(x[i], s[i], k);
                return U * (6 + 2 * condLogistic(z)) * Math.abs(e[0][i])
                        + Math.abs((double) gy[i] * p) * 0x1p-148 + FLOAT_MIN_NORMAL;
            });
            if (withSigma) {
                assertWithin("noisySoftplusBackward gradSigma [" + config + "]", e[1], a[1], i -> {
                    double z = zOf(x[i], s[i], k);
                    return U * (10 + 2 * condSlope(z)) * Math.abs(e[1][i])
                            + Math.abs((double) gy[i] * p * k) * (1 + Math.abs(z)) * 0x1p-148 + FLOAT_MIN_NORMAL;
                });
            }
        });
    }

    @Test
    void noisySoftplusForwardMatchesReferenceAtVectorTailSizes() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : SIZES) {
            float[][] in = inputs(r, n);
            nsForward(in[0], in[1], K, P);
        }
    }

    @Test
    void noisySoftplusForwardOnEdgeValuesAndOtherScales() {
        float[][] e = edges();
        nsForward(e[0], e[1], K, P);
        nsForward(e[0], e[1], 0.17f, -2.5f);
        SplittableRandom r = new SplittableRandom(12);
        float[][] in = inputs(r, 20000);        // several parallel chunks
        nsForward(in[0], in[1], 1e-3f, 1e3f);
    }

    @Test
    void noisySoftplusBackwardMatchesReference() {
        SplittableRandom r = new SplittableRandom(13);
        for (int n : SIZES) {
            float[][] in = inputs(r, n);
            float[] gy = uniform(r, n, -2, 2);
            nsBackward(in[0], in[1], gy, K, P, true);
            nsBackward(in[0], in[1], gy, K, P, false);
        }
        float[][] e = edges();
        float[] gy = uniform(r, e[0].length, -2, 2);
        gy[0] = Float.POSITIVE_INFINITY;   // inf * step(0) = NaN in the reference's ReLU branch
        nsBackward(e[0], e[1], gy, K, P, true);
        float[][] big = inputs(r, 20000);
        nsBackward(big[0], big[1], uniform(r, 20000, -1, 1), 0.19f, 0.5f, true);
    }

    @Test
    void negativeOrNaNSigmaIsAnErrorNamingTheFirstBadElement() {
        int n = 20000;   // several chunks, so both threads see a bad element
        float[] x = uniform(new SplittableRandom(14), n, -1, 1);
        for (float bad : new float[] {-1f, -Float.MIN_VALUE, Float.NaN, Float.NEGATIVE_INFINITY}) {
            float[] s = new float[n];
            java.util.Arrays.fill(s, 0.5f);
            s[9001] = bad;
            s[15000] = -3f;
            for (int threads : new int[] {1, 2}) {
                try (Kernels k = new NativeKernels(threads); NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor xt = sc.of(x, n);
                    Tensor st = sc.of(s, n);
                    IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                            () -> k.noisySoftplusForward(xt, st, K, P, sc.zeros(n)));
                    assertTrue(f.getMessage().startsWith("sigma: element 9001 is " + bad), f.getMessage());
                    IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                            () -> k.noisySoftplusBackward(xt, st, K, P, sc.zeros(n), sc.zeros(n), sc.zeros(n)));
                    assertTrue(b.getMessage().startsWith("sigma: element 9001 is " + bad), b.getMessage());
                    IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                            () -> k.noisySoftplusBackward(xt, st, K, P, sc.zeros(n), sc.zeros(n), null));
                    assertTrue(c.getMessage().contains("element 9001"), c.getMessage());
                }
            }
        }
        // a short call goes through the critical handle: same error
        try (Kernels k = new NativeKernels(1); NativeHarness.Scope sc = new NativeHarness.Scope()) {
            IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> k.noisySoftplusForward(
                    sc.of(new float[] {1, 2, 3}, 3), sc.of(new float[] {0, 1, -2}, 3), K, P, sc.zeros(3)));
            assertTrue(f.getMessage().startsWith("sigma: element 2 is -2.0"), f.getMessage());
        }
    }

    @Test
    void softplusMatchesReference() {
        SplittableRandom r = new SplittableRandom(15);
        for (int n : new int[] {1, 3, 7, 15, 16, 17, 1021, 4099, 20000}) {
            float[][] in = inputs(r, n);
            float[] x = in[0];
            float[] gy = uniform(r, n, -2, 2);
            for (float scale : new float[] {0.09f, 1f, 1e-4f}) {
                compare(kern -> {
                    try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                        Tensor y = sc.nan(n);
                        Tensor gx = sc.nan(n);
                        Tensor xt = sc.of(x, n);
                        kern.softplusForward(xt, scale, P, y);
                        kern.softplusBackward(xt, scale, P, sc.of(gy, n), gx);
                        return new float[][] {y.toArray(), gx.toArray()};
                    }
                }, (config, e, a) -> {
                    assertWithin("softplusForward [" + config + "]", e[0], a[0], i -> {
                        double z = zOf(x[i], 1f, scale);
                        return U * (8 + 2 * condSoftplus(z)) * Math.abs(e[0][i]) + P * scale * 0x1p-148
                                + FLOAT_MIN_NORMAL;
                    });
                    assertWithin("softplusBackward [" + config + "]", e[1], a[1], i -> {
                        double z = zOf(x[i], 1f, scale);
                        return U * (6 + 2 * condLogistic(z)) * Math.abs(e[1][i]) + Math.abs(gy[i] * P) * 0x1p-148
                                + FLOAT_MIN_NORMAL;
                    });
                });
            }
        }
    }

    @Test
    void reluIsBitIdenticalToReference() {
        SplittableRandom r = new SplittableRandom(16);
        float[] edge = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MAX_VALUE};
        for (int n : new int[] {1, 3, 7, 15, 16, 17, 1021, 4099, 40000, edge.length}) {
            float[] x = n == edge.length ? edge : uniform(r, n, -5, 5);
            float[] gy = uniform(r, n, -2, 2);
            for (float p : new float[] {P, -0.5f, 3e38f}) {
                compare(kern -> {
                    try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                        Tensor y = sc.nan(n);
                        Tensor gx = sc.nan(n);
                        Tensor xt = sc.of(x, n);
                        kern.reluForward(xt, p, y);
                        kern.reluBackward(xt, p, sc.of(gy, n), gx);
                        return new float[][] {y.toArray(), gx.toArray()};
                    }
                }, exact("relu"));
            }
        }
    }
}
