package dev.nsp.bench;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;

import java.util.Random;

/**
 * Opens a backend by name for a benchmark: backends are a {@code @Param} string, so a backend added later
 * (native, opencl) is benchmarked with {@code -p backend=native} without code changes. An unavailable
 * backend fails its setup with the probe's reason, and JMH goes on with the other benchmarks.
 */
final class BackendBench {

    private BackendBench() {
    }

    /**
     * @param name a backend name
     * @return the validated backend
     * @throws IllegalStateException naming the reason when it is not available (JMH reports it and moves on)
     */
    static Kernels open(String name) {
        for (Backends.Probe p : Backends.probeAll()) {
            if (p.name().equals(name) && !p.availability().available()) {
                throw new IllegalStateException("SKIPPED: backend '" + name + "' is not available here: "
                        + p.availability().detail());
            }
        }
        return Backends.create(name);
    }

    /** @return a tensor of normal values times scale, from a fixed seed */
    static Tensor normal(Random r, double scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] a = new float[(int) t.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        t.copyFrom(a);
        return t;
    }

    /** @return a tensor of uniform values in [lo, hi), from a fixed seed */
    static Tensor uniform(Random r, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] a = new float[(int) t.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        t.copyFrom(a);
        return t;
    }
}
