package dev.nsp.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Chooses the kernel backend at runtime, in the style of Lucene's {@code VectorizationProvider}:
 * the providers found by {@link ServiceLoader} are probed in priority order (opencl on a GPU, vector,
 * native, reference) and the first available one is used, with exactly one log line that names it and
 * says why each better one was skipped (at WARNING when that leaves the slow reference backend, else at
 * INFO). {@code -Dnsp.backend=NAME} or the environment variable {@code NSP_BACKEND} forces one; a forced
 * backend that is unavailable is an error.
 *
 * <p>Every instance handed out is wrapped in {@link CheckedKernels}, so arguments are validated once,
 * the same way, for every backend. In automatic selection, when {@code vector} is chosen and
 * {@code native} is available too, the spiking kernels run on {@code native} ({@link RoutedKernels}), which
 * measured about 5x faster for the spiking network simulation; a forced backend is used alone.
 */
public final class Backends {
    /** System property that forces a backend. */
    public static final String PROPERTY = "nsp.backend";
    /** Environment variable that forces a backend (the property wins). */
    public static final String ENV = "NSP_BACKEND";
    /**
     * System property: {@code cpu} makes an OpenCL backend that fails to start (unavailable, program build
     * failure) or fails during a call ({@link BackendFailureException}) continue on the best CPU backend, with one
     * warning; {@code none} (the default) makes such failures errors.
     */
    public static final String FALLBACK_PROPERTY = "nsp.opencl.fallback";
    /** Environment variable equivalent of {@link #FALLBACK_PROPERTY} (the property wins). */
    public static final String FALLBACK_ENV = "NSP_OPENCL_FALLBACK";
    /** The backend that {@link #FALLBACK_PROPERTY} applies to. */
    private static final String DEVICE_BACKEND = "opencl";

    private static final System.Logger LOG = System.getLogger("dev.nsp.kernel");
    private static volatile Kernels defaultKernels;

    private Backends() {
    }

    /**
     * A provider and its probe.
     *
     * @param name the backend's name
     * @param priority its rank in automatic selection, lower first
     * @param availability the probe's answer
     */
    public record Probe(String name, int priority, KernelProvider.Availability availability) {
    }

    /**
     * The process-wide default backend, chosen on first use (and logged once).
     *
     * @return the validated default kernels; do not close it
     * @throws IllegalStateException if a forced backend is unknown or unavailable
     */
    public static Kernels get() {
        Kernels k = defaultKernels;
        if (k == null) {
            synchronized (Backends.class) {
                k = defaultKernels;
                if (k == null) {
                    k = choose();
                    defaultKernels = k;
                }
            }
        }
        return k;
    }

    /**
     * A new instance of a named backend.
     *
     * @param name reference, vector, native or opencl
     * @return validated kernels that the caller closes
     * @throws IllegalArgumentException if no such backend exists or it is not available here
     */
    public static Kernels create(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (KernelProvider p : providers()) {
            if (p.name().equals(n)) {
                KernelProvider.Availability a = safeProbe(p);
                if (!a.available()) {
                    if (n.equals(DEVICE_BACKEND) && fallbackToCpu()) {
                        return new CheckedKernels(cpuInstead(n, "it is not available here: " + a.detail()));
                    }
                    throw new IllegalArgumentException("backend: '" + n + "' is not available here: " + a.detail());
                }
                return new CheckedKernels(start(p));
            }
        }
        throw new IllegalArgumentException("backend: '" + name + "' is unknown; known: " + names());
    }

    /** {@return every provider on the class or module path with its probe, in priority order} */
    public static List<Probe> probeAll() {
        List<Probe> out = new ArrayList<>();
        for (KernelProvider p : providers()) {
            out.add(new Probe(p.name(), p.priority(), safeProbe(p)));
        }
        return out;
    }

    /** {@return the name the property or environment forces, or null} */
    public static String forcedName() {
        String s = System.getProperty(PROPERTY);
        if (s == null || s.isBlank()) {
            s = System.getenv(ENV);
        }
        return s == null || s.isBlank() ? null : s.trim().toLowerCase(Locale.ROOT);
    }

    private static Kernels choose() {
        String forced = forcedName();
        if (forced != null) {
            try {
                Kernels k = create(forced);
                LOG.log(System.Logger.Level.INFO, "nsp backend: " + k.name() + " (forced by " + PROPERTY + "/" + ENV + ")");
                return k;
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("nsp backend forced to '" + forced + "': " + e.getMessage(), e);
            }
        }
        StringBuilder skipped = new StringBuilder();
        for (KernelProvider p : providers()) {
            KernelProvider.Availability a = safeProbe(p);
            if (a.available() && a.automatic()) {
                Kernels k;
                try {
                    k = start(p);
                } catch (RuntimeException | LinkageError e) {
                    append(skipped, p.name(), "failed to start: " + e);
                    continue;
                }
                String routed = "";
                if (p.name().equals(SPIKING_ROUTE[0])) {
                    Kernels spiking = tryCreate(SPIKING_ROUTE[1]);
                    if (spiking != null) {
                        k = new RoutedKernels(k, spiking);
                        routed = "; spiking kernels (LIF, synaptic input, Poisson) on " + SPIKING_ROUTE[1]
                                + ", about 5x faster for spiking networks";
                    }
                }
                // the scalar reference is 10-30x slower: say so loudly, with the reasons (a missing JVM flag, say)
                System.Logger.Level level = p.name().equals("reference") && !skipped.isEmpty()
                        ? System.Logger.Level.WARNING : System.Logger.Level.INFO;
                LOG.log(level, "nsp backend: " + p.name() + " (" + a.detail() + ")" + routed
                        + (skipped.isEmpty() ? "" : "; skipped " + skipped));
                return new CheckedKernels(k);
            }
            append(skipped, p.name(), a.available() ? "only when forced: " + a.detail() : a.detail());
        }
        throw new IllegalStateException("no nsp backend available: " + skipped);
    }

    /**
     * Reads the fallback setting.
     *
     * @return whether {@link #FALLBACK_PROPERTY} (or {@link #FALLBACK_ENV}) asks for the CPU fallback
     * @throws IllegalArgumentException if the setting is neither {@code cpu} nor {@code none}
     */
    public static boolean fallbackToCpu() {
        String s = System.getProperty(FALLBACK_PROPERTY);
        if (s == null || s.isBlank()) {
            s = System.getenv(FALLBACK_ENV);
        }
        if (s == null || s.isBlank() || s.trim().equalsIgnoreCase("none")) {
            return false;
        }
        if (s.trim().equalsIgnoreCase("cpu")) {
            return true;
        }
        throw new IllegalArgumentException(FALLBACK_PROPERTY + ": '" + s + "', expected cpu or none");
    }

    /**
     * Creates a provider's backend; for the device backend with the CPU fallback configured, a failure to start
     * gives the CPU backend instead and a working one is wrapped in {@link FallbackKernels}.
     */
    private static Kernels start(KernelProvider p) {
        if (!p.name().equals(DEVICE_BACKEND) || !fallbackToCpu()) {
            return p.create();
        }
        Kernels k;
        try {
            k = p.create();
        } catch (RuntimeException | LinkageError e) {
            return cpuInstead(p.name(), "it failed to start: " + e);
        }
        return new FallbackKernels(k, Backends::cpuBackend);
    }

    private static Kernels cpuInstead(String name, String why) {
        Kernels cpu = cpuBackend();
        LOG.log(System.Logger.Level.WARNING, "nsp: the " + name + " backend cannot be used, " + why + "; "
                + FALLBACK_PROPERTY + "=cpu: using " + cpu.name() + " instead");
        return cpu;
    }

    /**
     * The best automatically selectable backend other than the device backend (unvalidated: the caller wraps it),
     * with the spiking kernels routed as in automatic selection.
     *
     * @throws IllegalStateException if there is none (the reference backend always exists in nsp-core)
     */
    static Kernels cpuBackend() {
        for (KernelProvider p : providers()) {
            if (p.name().equals(DEVICE_BACKEND)) {
                continue;
            }
            KernelProvider.Availability a = safeProbe(p);
            if (a.available() && a.automatic()) {
                Kernels k;
                try {
                    k = p.create();
                } catch (RuntimeException | LinkageError e) {
                    continue;
                }
                if (p.name().equals(SPIKING_ROUTE[0])) {
                    Kernels spiking = tryCreate(SPIKING_ROUTE[1]);
                    if (spiking != null) {
                        k = new RoutedKernels(k, spiking);
                    }
                }
                return k;
            }
        }
        throw new IllegalStateException("no CPU backend available for the " + DEVICE_BACKEND + " fallback");
    }

    /**
     * In automatic selection, when the first backend here is chosen and the second is available, the
     * spiking kernels run on the second (see {@link RoutedKernels}; measured in docs/benchmarks.md).
     */
    private static final String[] SPIKING_ROUTE = {"vector", "native"};

    /** @return a new instance of an available, automatically selectable backend, or null */
    private static Kernels tryCreate(String name) {
        for (KernelProvider p : providers()) {
            if (p.name().equals(name)) {
                KernelProvider.Availability a = safeProbe(p);
                if (a.available() && a.automatic()) {
                    try {
                        return p.create();
                    } catch (RuntimeException | LinkageError e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    private static void append(StringBuilder sb, String name, String why) {
        if (!sb.isEmpty()) {
            sb.append("; ");
        }
        sb.append(name).append(": ").append(why);
    }

    private static KernelProvider.Availability safeProbe(KernelProvider p) {
        try {
            return p.probe();
        } catch (RuntimeException | LinkageError e) {
            return KernelProvider.Availability.no("probe failed: " + e);
        }
    }

    private static List<KernelProvider> providers() {
        List<KernelProvider> list = new ArrayList<>();
        ServiceLoader<KernelProvider> loader = ServiceLoader.load(KernelProvider.class, Backends.class.getClassLoader());
        for (var it = loader.iterator(); ; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                list.add(it.next());
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                LOG.log(System.Logger.Level.DEBUG, "nsp: skipping a backend provider that failed to load: " + e);
            }
        }
        list.sort(Comparator.comparingInt(KernelProvider::priority).thenComparing(KernelProvider::name));
        return list;
    }

    private static String names() {
        List<String> n = new ArrayList<>();
        for (KernelProvider p : providers()) {
            n.add(p.name());
        }
        return String.join(", ", n);
    }
}
