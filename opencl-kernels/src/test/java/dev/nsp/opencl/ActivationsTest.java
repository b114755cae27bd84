package dev.nsp.opencl;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static dev.nsp.opencl.OpenClTestSupport.ULP;
import static dev.nsp.opencl.OpenClTestSupport.assertWithin;
import static dev.nsp.opencl.OpenClTestSupport.closeAll;
import static dev.nsp.opencl.OpenClTestSupport.poisoned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Elementwise kernels against the reference.
 *
 * <p>Tolerance, from the OpenCL 1.2 full-profile ULP limits (section 7.4): exp <= 3 ulp, log1p <= 2 ulp,
 * division correctly rounded (built with -cl-fp32-correctly-rounded-divide-sqrt; 2.5 ulp without), + and *
 * 0.5 ulp. Noisy Softplus forward: k sigma, z = x / (k sigma) and the products cost 2 ulp, exp(-|z|) 3 ulp plus
 * |z| ulp inherited from z (d exp(-|z|) / exp(-|z|) = -d|z|), log1p 2 ulp; the sum max(x,0) + t has no
 * cancellation (both terms >= 0): <= (8 + |z|) ulp. The backward adds a division and up to three products:
 * <= (10 + |z|) ulp. We allow (12 + |z|) ulp of the reference value (the reference, in double, is correct to
 * 0.5 ulp of float), plus an absolute 2^-120 scaled by the output's factors for results that are subnormal
 * (a device may flush subnormals to zero: CL_FP_DENORM is optional). ReLU is exact.
 */
class ActivationsTest {
    private static Kernels cl;
    private static Kernels ref;

    @BeforeAll
    static void open() {
        cl = OpenClTestSupport.open();
        ref = OpenClTestSupport.reference();
    }

    @AfterAll
    static void close() {
        closeAll(cl, ref);
    }

    private static final float[] X_EDGES = {0f, -0f, 1e-30f, -1e-30f, 1e-6f, -1e-6f, 1f, -1f, 30f, -30f, 88f, -88f,
        100f, -100f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, Float.MIN_NORMAL};
    private static final float[] SIGMA_EDGES = {0f, 1e-20f, 1e-6f, 1e-3f, 0.5f, 1f, 3f, 1e6f, 1e20f, Float.MIN_NORMAL};

    /** Random x in [-8, 8], sigma in [0, 2] with 10 % exact zeros (the ReLU limit), gradY in [-2, 2]. */
    private record Inputs(Tensor x, Tensor sigma, Tensor gradY) implements AutoCloseable {
        static Inputs random(int n, long seed) {
            Random r = new Random(seed);
            Tensor x = Tensor.zeros(n);
            Tensor s = Tensor.zeros(n);
            Tensor g = Tensor.zeros(n);
            for (int i = 0; i < n; i++) {
                x.set(i, (r.nextFloat() - 0.5f) * 16f);
                s.set(i, r.nextInt(10) == 0 ? 0f : r.nextFloat() * 2f);
                g.set(i, (r.nextFloat() - 0.5f) * 4f);
            }
            return new Inputs(x, s, g);
        }

        static Inputs edges() {
            int n = X_EDGES.length * SIGMA_EDGES.length;
            Tensor x = Tensor.zeros(n);
            Tensor s = Tensor.zeros(n);
            Tensor g = Tensor.zeros(n);
            int i = 0;
            for (float xv : X_EDGES) {
                for (float sv : SIGMA_EDGES) {
                    x.set(i, xv);
                    s.set(i, sv);
                    g.set(i, i % 2 == 0 ? 1f : -0.75f);
                    i++;
                }
            }
            return new Inputs(x, s, g);
        }

        @Override
        public void close() {
            closeAll(x, sigma, gradY);
        }
    }

    /**
     * (12 + |z|) ulp of |expected| plus an absolute floor of |p| |gradY| (1 + k + k sigma) 2^-120 for subnormal
     * results; |z| is capped at 104, beyond which e^-|z| is below every float and contributes only to the floor.
     *
     * @param gradY null for a forward
     */
    private static double[] activationBound(Tensor expected, Tensor x, Tensor sigma, float k, float p, Tensor gradY) {
        double[] b = new double[(int) x.size()];
        for (int i = 0; i < b.length; i++) {
            double ks = sigma == null ? k : (double) k * sigma.get(i);
            double z = ks == 0 ? 0 : Math.abs(x.get(i) / ks);
            double zc = Double.isNaN(z) ? 0 : Math.min(z, 104);
            double g = gradY == null ? 1 : Math.abs(gradY.get(i));
            b[i] = (12 + zc) * ULP * Math.abs(expected.get(i)) + Math.abs(p) * g * (1 + k + ks) * 0x1p-120;
        }
        return b;
    }

    private static void checkNoisySoftplus(Inputs in, float k, float p) {
        int n = (int) in.x.size();
        try (Tensor yRef = poisoned(n); Tensor yCl = poisoned(n);
             Tensor gxRef = poisoned(n); Tensor gxCl = poisoned(n);
             Tensor gsRef = poisoned(n); Tensor gsCl = poisoned(n); Tensor gxCl2 = poisoned(n)) {
            ref.noisySoftplusForward(in.x, in.sigma, k, p, yRef);
            cl.noisySoftplusForward(in.x, in.sigma, k, p, yCl);
            assertWithin("noisySoftplusForward n=" + n, yRef, yCl, activationBound(yRef, in.x, in.sigma, k, p, null));

            ref.noisySoftplusBackward(in.x, in.sigma, k, p, in.gradY, gxRef, gsRef);
            cl.noisySoftplusBackward(in.x, in.sigma, k, p, in.gradY, gxCl, gsCl);
            assertWithin("noisySoftplusBackward gradX n=" + n, gxRef, gxCl,
                    activationBound(gxRef, in.x, in.sigma, k, p, in.gradY));
            assertWithin("noisySoftplusBackward gradSigma n=" + n, gsRef, gsCl,
                    activationBound(gsRef, in.x, in.sigma, k, p, in.gradY));

            cl.noisySoftplusBackward(in.x, in.sigma, k, p, in.gradY, gxCl2, null);
            OpenClTestSupport.assertBitIdentical("gradX without gradSigma", gxCl, gxCl2);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 15, 16, 17, 1021, 4099})
    void noisySoftplusMatchesReference(int n) {
        try (Inputs in = Inputs.random(n, 1000 + n)) {
            checkNoisySoftplus(in, 0.30f, 1.005f);
            checkNoisySoftplus(in, 0.17f, -2.5f);
        }
    }

    @Test
    void noisySoftplusEdgeValues() {
        try (Inputs in = Inputs.edges()) {
            checkNoisySoftplus(in, 0.30f, 1.005f);
            checkNoisySoftplus(in, 1e-3f, 1f);
        }
    }

    @Test
    void sigmaZeroIsExactlyRelu() {
        try (Tensor x = Tensor.of(new float[] {-2f, -0f, 0f, 0.5f, 3e38f, Float.NaN}, 6);
             Tensor s = Tensor.zeros(6); Tensor y = poisoned(6); Tensor relu = poisoned(6)) {
            cl.noisySoftplusForward(x, s, 0.3f, 1.005f, y);
            cl.reluForward(x, 1.005f, relu);
            OpenClTestSupport.assertBitIdentical("sigma = 0", relu, y);
            assertEquals(0.5f * 1.005f, y.get(3));
        }
    }

    @Test
    void negativeOrNanSigmaThrowsNamingSigmaAndTheFirstBadIndex() {
        int n = 4099;
        try (Inputs in = Inputs.random(n, 7); Tensor y = poisoned(n); Tensor gx = poisoned(n)) {
            in.sigma.set(2050, -0.5f);
            in.sigma.set(3000, Float.NaN);
            in.sigma.set(17, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cl.noisySoftplusForward(in.x, in.sigma, 0.3f, 1f, y));
            assertTrue(e.getMessage().startsWith("sigma: element 17 is NaN"), e.getMessage());
            in.sigma.set(17, 0.25f);
            e = assertThrows(IllegalArgumentException.class,
                    () -> cl.noisySoftplusBackward(in.x, in.sigma, 0.3f, 1f, in.gradY, gx, null));
            assertTrue(e.getMessage().startsWith("sigma: element 2050 is -0.5"), e.getMessage());
            // the same message as the reference
            IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                    () -> ref.noisySoftplusBackward(in.x, in.sigma, 0.3f, 1f, in.gradY, gx, null));
            assertEquals(r.getMessage(), e.getMessage());
            // and the backend still works afterwards
            in.sigma.set(2050, 0f);
            in.sigma.set(3000, 1f);
            cl.noisySoftplusForward(in.x, in.sigma, 0.3f, 1f, y);
            assertTrue(Float.isFinite(y.get(0)));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 15, 16, 17, 1021, 4099})
    void softplusAndReluMatchReference(int n) {
        try (Inputs in = Inputs.random(n, 77 + n); Inputs edges = Inputs.edges()) {
            for (Inputs src : new Inputs[] {in, edges}) {
                int m = (int) src.x.size();
                try (Tensor a = poisoned(m); Tensor b = poisoned(m)) {
                    for (float scale : new float[] {0.3f, 2.5f, 1e-4f}) {
                        ref.softplusForward(src.x, scale, 1.005f, a);
                        cl.softplusForward(src.x, scale, 1.005f, b);
                        assertWithin("softplusForward", a, b, activationBound(a, src.x, null, scale, 1.005f, null));
                        ref.softplusBackward(src.x, scale, -0.5f, src.gradY, a);
                        cl.softplusBackward(src.x, scale, -0.5f, src.gradY, b);
                        assertWithin("softplusBackward", a, b, activationBound(a, src.x, null, scale, -0.5f, src.gradY));
                    }
                    // ReLU: one product, correctly rounded in both: identical, except that a device may flush a
                    // subnormal result to zero
                    ref.reluForward(src.x, 1.005f, a);
                    cl.reluForward(src.x, 1.005f, b);
                    double[] subnormal = new double[m];
                    java.util.Arrays.fill(subnormal, Float.MIN_NORMAL);
                    assertWithin("reluForward", a, b, subnormal);
                    ref.reluBackward(src.x, -2f, src.gradY, a);
                    cl.reluBackward(src.x, -2f, src.gradY, b);
                    OpenClTestSupport.assertBitIdentical("reluBackward", a, b);
                }
            }
        }
    }
}
