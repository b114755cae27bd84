package dev.nsp.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Random;

/**
 * Opens PyTorch through DJL for the peer benchmarks and makes their inputs. DJL runs offline
 * ({@code -Dai.djl.offline=true}) with its native cache under the build directory ({@code ENGINE_CACHE_DIR}); the
 * thread count comes from {@code -Dai.djl.pytorch.num_threads} (intra-op) and
 * {@code -Dai.djl.pytorch.num_interop_threads}, which bench/run-peers.sh sets to nsp's count and 1.
 */
final class Torch {
    /** DJL's name of the engine. */
    static final String ENGINE = "PyTorch";

    private Torch() {
    }

    /**
     * @return the PyTorch engine
     * @throws IllegalStateException starting with "SKIPPED" when DJL or its native library is missing
     */
    static Engine engine() {
        try {
            return Engine.getEngine(ENGINE);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("SKIPPED: PyTorch through DJL is not available here: " + e, e);
        }
    }

    /** @return a manager on the CPU of the PyTorch engine */
    static NDManager manager() {
        return engine().newBaseManager();
    }

    /** @return the intra-op thread count PyTorch computes with */
    static int threads() {
        return JniUtils.getNumThreads();
    }

    /**
     * Normal values times scale, drawn exactly as nsp's benchmarks draw them (same generator, same order).
     *
     * @param r the generator, advanced by the call
     */
    static float[] normal(Random r, double scale, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    /** Uniform values in [lo, hi), drawn exactly as nsp's benchmarks draw them. */
    static float[] uniform(Random r, double lo, double hi, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** @return a new array of the values with that shape */
    static NDArray array(NDManager m, float[] values, long... shape) {
        return m.create(values, new Shape(shape));
    }

    /** System property naming the file that the set-up checks append their results to. */
    static final String CHECKS_PROPERTY = "nsp.peers.checks";

    /**
     * Compares a PyTorch result with nsp's reference and records the outcome (it does not stop the benchmark:
     * a wrong PyTorch result is a finding to report, next to its time). One line per check,
     * {@code what,maxRelativeError,tolerance,ok|WRONG}, goes to standard output and is appended to the file
     * named by {@value #CHECKS_PROPERTY} when that is set.
     *
     * @param what the benchmark, its parameters and the quantity, for the record (no commas)
     * @param expected nsp's values (the reference backend)
     * @param actual PyTorch's values
     * @param tolerance the allowed max |difference| / max |expected| (a norm-wise relative error, meaningful for
     *        small gradients too)
     * @return whether the result is within the tolerance
     */
    static boolean check(String what, float[] expected, float[] actual, double tolerance) {
        double worst = expected.length == actual.length ? 0 : Double.POSITIVE_INFINITY;
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return record(what, scale > 0 ? worst / scale : worst, tolerance);
    }

    /** Records a check whose error was computed elsewhere; see {@link #check}. */
    static boolean record(String what, double error, double tolerance) {
        boolean ok = error <= tolerance;
        String line = what.replace(',', ';') + "," + error + "," + tolerance + "," + (ok ? "ok" : "WRONG");
        System.out.println("check: " + line);
        String file = System.getProperty(CHECKS_PROPERTY);
        if (file != null && !file.isBlank()) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(file), line + System.lineSeparator(),
                        java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot append to " + CHECKS_PROPERTY + " = " + file, e);
            }
        }
        return ok;
    }
}
