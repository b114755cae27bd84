package dev.nsp.kernel;

import java.util.function.Supplier;

/**
 * A cap, per calling thread, on how many threads the kernels called from that thread may use. Code that
 * already runs one task per core (for instance several spiking-network batches in parallel) sets it to 1, so
 * that each task's kernel calls stay on its own thread instead of competing for the backend's pool.
 * Backends that honour it: native and Vector API (the reference is single-threaded; OpenCL ignores it).
 * Results do not depend on it: every backend's results are independent of its thread count.
 *
 * <p>Thread-safety: the cap is thread-local; nested calls restore the outer cap.
 */
public final class CallerThreads {
    private static final ThreadLocal<Integer> CAP = new ThreadLocal<>();

    private CallerThreads() {
    }

    /**
     * Runs {@code body} with the kernels it calls limited to {@code maxThreads} threads.
     *
     * @param maxThreads the most threads a kernel call may use, {@code >= 1}
     * @param body what to run on the calling thread
     * @param <T> the result type
     * @return the body's result
     * @throws IllegalArgumentException if {@code maxThreads < 1}
     */
    public static <T> T call(int maxThreads, Supplier<T> body) {
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads: " + maxThreads + ", must be >= 1");
        }
        Integer outer = CAP.get();
        CAP.set(outer == null ? maxThreads : Math.min(outer, maxThreads));
        try {
            return body.get();
        } finally {
            if (outer == null) {
                CAP.remove();
            } else {
                CAP.set(outer);
            }
        }
    }

    /**
     * {@return the threads a kernel call may use on this thread}
     *
     * @param threads the backend's own limit
     */
    public static int cap(int threads) {
        Integer c = CAP.get();
        return c == null ? threads : Math.min(threads, c);
    }
}
