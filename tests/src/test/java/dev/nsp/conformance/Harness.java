package dev.nsp.conformance;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Backends, seeds and tensors for the conformance suite.
 *
 * <p>Backends: every provider {@link Backends#probeAll()} finds except the reference, so a backend
 * module added to this module's test dependencies joins the suite without code changes. An unavailable
 * backend is SKIPPED with its probe's reason, unless {@value #REQUIRE} names it: then it FAILS.
 *
 * <p>Seed: {@value #SEED_PROPERTY} when set, else a fresh one per run; every failure message names it.
 */
final class Harness {
    static final String SEED_PROPERTY = "nsp.test.seed";
    static final String REQUIRE = "nsp.test.requireBackends";
    static final long SEED = seed();

    private static final Map<String, Kernels> OPEN = new ConcurrentHashMap<>();

    private Harness() {
    }

    private static long seed() {
        String s = System.getProperty(SEED_PROPERTY);
        if (s != null && !s.isBlank()) {
            return Long.parseLong(s.trim());
        }
        return new java.security.SecureRandom().nextLong();
    }

    /** @return the backends a run must have, from {@value #REQUIRE} or else the environment's NSP_REQUIRE_BACKENDS */
    static Set<String> required() {
        String s = System.getProperty(REQUIRE, "");
        if (s.isBlank() || s.startsWith("${")) {
            s = System.getenv().getOrDefault("NSP_REQUIRE_BACKENDS", "");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** @return the names under test: every provider but the reference, plus required names not found */
    static Stream<String> backendNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Backends.Probe p : Backends.probeAll()) {
            if (!p.name().equals("reference")) {
                names.add(p.name());
            }
        }
        names.addAll(required());
        if (names.isEmpty()) {
            names.add("(none)");
        }
        return names.stream();
    }

    /** @return the reference backend (shared, closed at the end) */
    static Kernels reference() {
        return OPEN.computeIfAbsent("reference", Backends::create);
    }

    /**
     * @return the named backend, validated; skips the test (or fails it, when required) if unavailable
     */
    static Kernels backend(String name) {
        Backends.Probe probe = null;
        List<String> found = new ArrayList<>();
        for (Backends.Probe p : Backends.probeAll()) {
            found.add(p.name());
            if (p.name().equals(name)) {
                probe = p;
            }
        }
        boolean required = required().contains(name);
        if (probe == null) {
            String why = "backend '" + name + "' is not on the class path (found " + found + ")";
            if (required) {
                fail(why + ", but " + REQUIRE + " requires it");
            }
            Assumptions.abort(why);
        }
        if (!probe.availability().available()) {
            String why = "backend '" + name + "' is not available here: " + probe.availability().detail();
            if (required) {
                fail(why + " (required by " + REQUIRE + ")");
            }
            Assumptions.abort(why);
        }
        return OPEN.computeIfAbsent(name, Backends::create);
    }

    static void closeAll() {
        for (Kernels k : OPEN.values()) {
            k.close();
        }
        OPEN.clear();
    }

    /** @return a generator for one test, the same for every backend of a run */
    static Random random(String test) {
        return new Random(SEED * 0x9E3779B97F4A7C15L + test.hashCode());
    }

    /** @return a failure context: kernel, backend, case, and how to repeat the run */
    static String ctx(String kernel, String backend, String detail) {
        return kernel + " [" + backend + "; " + detail + "; seed " + SEED + ", repeat with -D" + SEED_PROPERTY
                + "=" + SEED + "]";
    }

    /** The tensors of one test case, closed together. */
    static final class Scope implements AutoCloseable {
        private final List<Tensor> tensors = new ArrayList<>();

        Tensor of(float[] data, int... shape) {
            Tensor t = Tensor.of(data, shape);
            tensors.add(t);
            return t;
        }

        /** @return a tensor full of NaN: an element the kernel does not write stays NaN and fails */
        Tensor poisoned(int... shape) {
            Tensor t = Tensor.zeros(shape);
            t.fill(Float.NaN);
            tensors.add(t);
            return t;
        }

        Tensor copy(Tensor t) {
            Tensor c = t.copy();
            tensors.add(c);
            return c;
        }

        @Override
        public void close() {
            for (Tensor t : tensors) {
                t.close();
            }
        }
    }

    // ---------------------------------------------------------------- random data

    static float[] normal(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    static float[] uniform(Random r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** Activations with some exact zeros (as after a ReLU) and both signs. */
    static float[] activations(Random r, int n) {
        float[] a = normal(r, n, 1.0);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(8) == 0) {
                a[i] = 0f;
            }
        }
        return a;
    }

    static int[] shape(int... s) {
        return s;
    }

    static String str(int[] s) {
        return Arrays.toString(s);
    }

    static int size(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
