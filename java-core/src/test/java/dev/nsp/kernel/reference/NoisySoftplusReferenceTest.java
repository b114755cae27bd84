package dev.nsp.kernel.reference;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The reference Noisy Softplus against closed-form values (SPEC section 3). */
class NoisySoftplusReferenceTest {
    static Kernels k;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    private static float[] forward(float[] x, float[] s, float kk, float p) {
        try (Tensor tx = Tensor.of(x, x.length); Tensor ts = Tensor.of(s, s.length); Tensor ty = Tensor.zeros(x.length)) {
            k.noisySoftplusForward(tx, ts, kk, p, ty);
            return ty.toArray();
        }
    }

    private static float[][] backward(float[] x, float[] s, float kk, float p) {
        int n = x.length;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        try (Tensor tx = Tensor.of(x, n); Tensor ts = Tensor.of(s, n); Tensor gy = Tensor.of(ones, n);
             Tensor gx = Tensor.zeros(n); Tensor gs = Tensor.zeros(n)) {
            k.noisySoftplusBackward(tx, ts, kk, p, gy, gx, gs);
            return new float[][] {gx.toArray(), gs.toArray()};
        }
    }

    @Test
    void closedFormValues() {
        // f(0, s) = k s ln 2; f(k s, s) = k s ln(1 + e); p scales.
        float[] y = forward(new float[] {0f, 0.3f, 0.3f}, new float[] {1f, 1f, 2f}, 0.3f, 2f);
        assertEquals(2 * 0.3 * Math.log(2), y[0], 1e-6);
        assertEquals(2 * 0.3 * Math.log(1 + Math.E), y[1], 1e-6);
        assertEquals(2 * 0.6 * Math.log(1 + Math.exp(0.5)), y[2], 1e-6);
    }

    @Test
    void hugeArgumentsStayFinite() {
        // |z| up to 1e4: f -> x for z >> 0 and -> 0 for z << 0, derivatives -> 1 and 0, df/dsigma -> 0.
        float kk = 0.3f;
        float[] x = {1e4f * kk, -1e4f * kk, 3e3f, -3e3f, 40f * kk};
        float[] s = {1f, 1f, 1f, 1f, 1f};
        float[] y = forward(x, s, kk, 1f);
        assertEquals(x[0], y[0], Math.ulp(x[0]));
        assertEquals(0f, y[1]);
        assertEquals(3e3f, y[2], Math.ulp(3e3f));
        assertEquals(0f, y[3]);
        // z = 40: f = x + k s log1p(e^-40), the correction is below float resolution
        assertEquals(x[4], y[4], Math.ulp(x[4]));
        float[][] g = backward(x, s, kk, 1f);
        assertEquals(1f, g[0][0]);
        assertEquals(0f, g[0][1]);
        assertEquals(0f, g[1][0], 0f);
        assertEquals(0f, g[1][1], 0f);
        for (float v : y) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void symmetryIdentity() {
        // softplus(z) - softplus(-z) = z, so f(x) - f(-x) = x for every sigma > 0.
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        int n = 1000;
        float[] x = new float[2 * n];
        float[] s = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-5, 5);
            x[n + i] = -x[i];
            s[i] = s[n + i] = (float) r.nextDouble(0.01, 3);
        }
        float[] y = forward(x, s, 0.3f, 1f);
        for (int i = 0; i < n; i++) {
            // float rounding of two outputs of size up to |x| + k s ln2
            assertEquals(x[i], y[i] - y[n + i], 4 * Math.ulp(Math.abs(x[i]) + 1f), "x=" + x[i]);
        }
    }

    @Test
    void sigmaZeroIsReluAndTheLimitApproachesIt() {
        float[] x = {-1f, 0f, 0.5f, 2f};
        float[] y0 = forward(x, new float[4], 0.3f, 1.5f);
        assertArrayEquals(new float[] {0f, 0f, 0.75f, 3f}, y0);
        float[][] g0 = backward(x, new float[4], 0.3f, 1.5f);
        assertArrayEquals(new float[] {0f, 0f, 1.5f, 1.5f}, g0[0]);
        assertArrayEquals(new float[4], g0[1]);
        // sigma -> 0: f -> relu; the gap at x = 0 is p k sigma ln 2
        float[] tiny = {1e-6f, 1e-6f, 1e-6f, 1e-6f};
        float[] yt = forward(x, tiny, 0.3f, 1.5f);
        for (int i = 0; i < 4; i++) {
            assertEquals(y0[i], yt[i], 1.5 * 0.3 * 1e-6 * Math.log(2) * 1.01);
        }
    }

    @Test
    void derivativesAreLogisticAndSigmaSlope() {
        float kk = 0.25f;
        float[] x = {-1f, -0.1f, 0f, 0.2f, 1.5f};
        float[] s = {0.5f, 1f, 2f, 0.3f, 4f};
        float[][] g = backward(x, s, kk, 1f);
        for (int i = 0; i < x.length; i++) {
            double z = x[i] / (kk * (double) s[i]);
            double logistic = 1 / (1 + Math.exp(-z));
            double softplus = Math.log(1 + Math.exp(z));
            assertEquals(logistic, g[0][i], 1e-7);
            assertEquals(kk * (softplus - z * logistic), g[1][i], 1e-7);
            assertTrue(g[1][i] >= 0);
        }
    }
}
