package dev.nsp.kernel.natives;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.reference.ReferenceProvider;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every native kernel test does: run the reference once, run the native kernels at every ISA level
 * this CPU has (baseline, AVX2, AVX-512) with 1 and with 3 threads, outputs poisoned with NaN first,
 * check each run against the reference (bit for bit, or within a stated tolerance), and check that the
 * thread count never changes a single bit.
 */
final class NativeHarness {
    /** The unit roundoff of float, 2^-24. */
    static final double U = 0x1p-24;
    /** The smallest normal float: the absolute error floor of results that land in the subnormal range. */
    static final double FLOAT_MIN_NORMAL = Float.MIN_NORMAL;
    /** Vector-tail sizes: below, at and above 16 lanes, and two odd large ones. */
    static final int[] SIZES = {1, 3, 7, 15, 16, 17, 1021, 4099};

    private static final Map<String, Double> WORST = new TreeMap<>();

    private NativeHarness() {
    }

    /** Tensors of one test case, closed together. */
    static final class Scope implements AutoCloseable {
        private final List<Tensor> tensors = new ArrayList<>();

        Tensor of(float[] data, int... shape) {
            Tensor t = Tensor.of(data, shape);
            tensors.add(t);
            return t;
        }

        /** An output poisoned with NaN, so that an element a kernel forgets to write shows up. */
        Tensor nan(int... shape) {
            Tensor t = Tensor.zeros(shape);
            t.fill(Float.NaN);
            tensors.add(t);
            return t;
        }

        Tensor zeros(int... shape) {
            Tensor t = Tensor.zeros(shape);
            tensors.add(t);
            return t;
        }

        @Override
        public void close() {
            tensors.forEach(Tensor::close);
        }
    }

    /**
     * Skips the calling tests when the build made no library (no C compiler: the build skips it by
     * design); fails them when a library is there but does not load.
     */
    static void requireLibrary() {
        String failure = NativeLib.failure();
        String explicit = System.getProperty(NativeLib.LIBRARY_PROPERTY);
        if (failure != null && explicit == null && NativeLib.class.getResource(NativeLib.resourceName()) == null) {
            Assumptions.abort("no libnsp was built for " + NativeLib.platform() + ": " + failure);
        }
        if (failure != null && explicit != null && !java.nio.file.Files.exists(java.nio.file.Path.of(explicit))) {
            // the JVM of the 'unavailable' surefire execution (a -Dtest=... run selects these tests there too)
            Assumptions.abort("library deliberately absent: " + explicit);
        }
        assertNull(failure, "libnsp is present but did not load");
    }

    static Kernels reference() {
        return new ReferenceProvider().create();
    }

    /** A run of a kernel on one backend: allocates its outputs in a scope, calls, returns their contents. */
    @FunctionalInterface
    interface Run extends Function<Kernels, float[][]> {
    }

    /** Checks one native run's outputs against the reference's. */
    @FunctionalInterface
    interface Check {
        void check(String config, float[][] expected, float[][] actual);
    }

    /**
     * @return the reference's outputs, after checking every native configuration against them
     */
    static float[][] compare(Run run, Check check) {
        float[][] expected;
        try (Kernels ref = reference()) {
            expected = run.apply(ref);
        }
        int max = NativeLib.maxLevel();
        try (Kernels one = new NativeKernels(1); Kernels three = new NativeKernels(3)) {
            for (int level = 0; level <= max; level++) {
                assertEquals(level, NativeLib.setLevel(level));
                float[][] first = null;
                for (Kernels k : List.of(one, three)) {
                    String config = NativeLib.variant() + ", " + ((NativeKernels) k).threads() + " threads";
                    float[][] actual = run.apply(k);
                    check.check(config, expected, actual);
                    if (first == null) {
                        first = actual;
                    } else {
                        for (int o = 0; o < first.length; o++) {
                            assertBitIdentical(config + " vs 1 thread, output " + o, first[o], actual[o]);
                        }
                    }
                }
            }
        } finally {
            NativeLib.setLevel(max);
        }
        return expected;
    }

    /** A check that wants every output bit-identical to the reference. */
    static Check exact(String what) {
        return (config, expected, actual) -> {
            for (int o = 0; o < expected.length; o++) {
                assertBitIdentical(what + " [" + config + "] output " + o, expected[o], actual[o]);
            }
        };
    }

    static void assertBitIdentical(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ") but was " + actual[i]
                        + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    /**
     * Asserts |actual - expected| <= tol(i) element by element; a NaN or infinite expected value must be
     * matched exactly. Records the largest error / tolerance ratio per name (printed by {@link #report}).
     */
    static void assertWithin(String what, float[] expected, float[] actual, IntToDoubleFunction tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) || Float.isInfinite(e)) {
                if (Float.compare(e, a) != 0) {
                    fail(what + ": element " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            double t = tol.applyAsDouble(i);
            assertTrue(t >= 0, what + ": tolerance " + t + " at " + i);
            double err = Math.abs((double) a - (double) e);
            if (!(err <= t)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + ", error " + err
                        + " > tolerance " + t);
            }
            if (t > 0) {
                worst = Math.max(worst, err / t);
            }
        }
        String key = what.replaceAll(" \\[.*", "");
        synchronized (WORST) {
            WORST.merge(key, worst, Math::max);
        }
    }

    /** Prints, per checked quantity, the largest fraction of its tolerance that an error used. */
    static void report(String title) {
        synchronized (WORST) {
            StringBuilder sb = new StringBuilder(title).append(": largest error / tolerance");
            WORST.forEach((k, v) -> sb.append(String.format("%n  %-48s %.3f", k, v)));
            System.out.println(sb);
            WORST.clear();
        }
    }

    static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    static float[] abs(float[] a) {
        float[] b = a.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.abs(b[i]);
        }
        return b;
    }

    /** w^2 / 2 rounded once, as the kernels compute it. */
    static float[] halfSquare(float[] w) {
        float[] b = new float[w.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (0.5 * w[i] * w[i]);
        }
        return b;
    }

    /** gs / (2 sigma), 0 where sigma is not > 0: the variance gradient of the moment kernels. */
    static float[] varianceGrad(float[] sigma, float[] gs) {
        float[] b = new float[sigma.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = sigma[i] > 0 ? (float) (gs[i] / (2.0 * sigma[i])) : 0f;
        }
        return b;
    }

    static int product(int... shape) {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }
}
