package dev.nsp.kernel.natives;

import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.NativeAccess;

/**
 * The native C backend ({@code -Dnsp.backend=native}): libnsp's kernels, vectorised by GCC for the best
 * instruction set of the CPU (baseline x86-64, AVX2 or AVX-512, chosen at load time) and parallel with
 * a small help-first thread pool. Priority 200: after the Vector API backend, before the reference, so it is chosen
 * automatically where the Vector API is not usable.
 *
 * <p>System property {@value #THREADS_PROPERTY}: the most threads one kernel call uses (default: the
 * available processors).
 */
public final class NativeProvider implements KernelProvider {
    /** System property: threads per kernel call, an integer {@code >= 1}. */
    public static final String THREADS_PROPERTY = "nsp.threads";

    /** Creates the provider (ServiceLoader). */
    public NativeProvider() {
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public Availability probe() {
        String noAccess = NativeAccess.missing(NativeProvider.class.getModule());
        if (noAccess != null) {
            return Availability.no(noAccess);   // checked first: loading libnsp would make the JVM warn
        }
        try {
            String failure = NativeLib.failure();
            if (failure != null) {
                return Availability.no(failure);
            }
            return Availability.yes("C kernels " + NativeLib.variant() + " (" + describe(NativeLib.variant())
                    + "), up to " + threads() + " threads, libnsp built by " + NativeLib.compiler());
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("libnsp failed to load: " + e);
        }
    }

    @Override
    public Kernels create() {
        return new NativeKernels(threads());
    }

    private static String describe(String variant) {
        return switch (variant) {
            case "v4" -> "x86-64-v4, AVX-512";
            case "v3" -> "x86-64-v3, AVX2+FMA";
            default -> "baseline ISA";
        };
    }

    /**
     * @return the threads per call from {@value #THREADS_PROPERTY}, or the available processors
     * @throws IllegalArgumentException if the property is not an integer {@code >= 1}
     */
    static int threads() {
        String s = System.getProperty(THREADS_PROPERTY);
        if (s == null || s.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int t;
        try {
            t = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": '" + s + "' is not an integer >= 1", e);
        }
        if (t < 1) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": " + t + ", must be >= 1");
        }
        return t;
    }
}
