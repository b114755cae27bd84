package dev.nsp.opencl;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.CheckedKernels;
import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.Random;

/**
 * Shared test plumbing: opens the OpenCL backend on whatever device {@code nsp.opencl.device} selects (PoCL's
 * CPU device on a machine without a GPU), or skips the test with the reason when OpenCL is missing, unless
 * {@code -Dnsp.test.requireBackends} (or, without it, the environment variable {@code NSP_REQUIRE_BACKENDS})
 * names {@code opencl}, in which case a missing OpenCL FAILS the test.
 */
final class OpenClTestSupport {
    static final String REQUIRE = "nsp.test.requireBackends";
    /** 2^-24: the unit roundoff of float32 (half an ulp of 1). */
    static final double U = 0x1p-24;
    /** 2^-23: one ulp relative, an upper bound of ulp(v) / |v| for every normal float v. */
    static final double ULP = 0x1p-23;

    private OpenClTestSupport() {
    }

    /** @return why OpenCL cannot run here, or null when it can */
    static String unavailableReason() {
        KernelProvider.Availability a = new OpenClProvider().probe();
        return a.available() ? null : a.detail();
    }

    /** Skips (or, when required, fails) unless the OpenCL backend can run here. */
    static void requireOpenCl() {
        String reason = unavailableReason();
        if (reason == null) {
            return;
        }
        String required = System.getProperty(REQUIRE, "");
        if (required.isBlank()) {
            required = System.getenv().getOrDefault("NSP_REQUIRE_BACKENDS", "");
        }
        if (required.toLowerCase(java.util.Locale.ROOT).contains("opencl")) {
            Assertions.fail("OpenCL is required (-D" + REQUIRE + "=" + required + ") but not available: " + reason);
        }
        Assumptions.abort("OpenCL not available: " + reason);
    }

    /** @return the OpenCL backend behind the validating wrapper, as Backends hands it out */
    static Kernels open() {
        requireOpenCl();
        return Backends.create("opencl");
    }

    /** @return the raw OpenCL backend (for package-private access) */
    static OpenClKernels raw(Kernels k) {
        return (OpenClKernels) ((CheckedKernels) k).unwrap();
    }

    static Kernels reference() {
        return Backends.create("reference");
    }

    /** @return a tensor of {@code shape} filled with NaN: every element a kernel fails to write stays NaN */
    static Tensor poisoned(int... shape) {
        Tensor t = Tensor.zeros(shape);
        t.fill(Float.NaN);
        return t;
    }

    static Tensor uniform(Random r, float lo, float hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, lo + (hi - lo) * r.nextFloat());
        }
        return t;
    }

    static Tensor abs(Tensor t) {
        Tensor a = t.copy();
        for (long i = 0; i < a.size(); i++) {
            a.set(i, Math.abs(a.get(i)));
        }
        return a;
    }

    /**
     * Asserts |actual - expected| <= bound[i] element by element; NaN must meet NaN, infinities must be equal.
     */
    static void assertWithin(String what, Tensor expected, Tensor actual, double[] bound) {
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        Assertions.assertEquals(e.length, a.length, what + ": size");
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i]) || Float.isNaN(a[i])) {
                if (!(Float.isNaN(e[i]) && Float.isNaN(a[i]))) {
                    Assertions.fail(what + "[" + i + "]: expected " + e[i] + ", got " + a[i]);
                }
                continue;
            }
            if (Float.isInfinite(e[i]) || Float.isInfinite(a[i])) {
                Assertions.assertEquals(e[i], a[i], what + "[" + i + "]");
                continue;
            }
            double d = Math.abs((double) a[i] - e[i]);
            if (!(d <= bound[i])) {
                Assertions.fail(what + "[" + i + "]: expected " + e[i] + ", got " + a[i] + ", |diff| " + d
                        + " > bound " + bound[i]);
            }
        }
    }

    /**
     * The error bound of a float sum of m products, accumulated in any order: |fl(sum) - sum| <= gamma_m S with
     * gamma_m = m u / (1 - m u) and S = sum |terms| (Higham, Accuracy and Stability of Numerical Algorithms, 3.1),
     * plus the reference's own rounding to float (u |sum| <= u S), plus {@code extra} more roundings.
     *
     * @param absSums S per element, as the reference computes it from absolute inputs (rounded to float: the
     *                factor 1.0001 covers that rounding)
     */
    static double[] sumBound(Tensor absSums, long m, int extra) {
        double gamma = (m + 1 + extra) * U / (1 - (m + 1 + extra) * U) * 1.0001;
        double[] b = new double[(int) absSums.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = gamma * absSums.get(i) + Float.MIN_NORMAL;
        }
        return b;
    }

    /** Asserts bit-identical contents (floatToIntBits: -0 differs from +0, every NaN is the same NaN). */
    static void assertBitIdentical(String what, Tensor expected, Tensor actual) {
        Assertions.assertArrayEquals(expected.toArray(), actual.toArray(), what);
    }

    static void closeAll(AutoCloseable... cs) {
        for (AutoCloseable c : cs) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
