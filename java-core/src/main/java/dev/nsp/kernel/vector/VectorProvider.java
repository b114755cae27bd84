package dev.nsp.kernel.vector;

import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The Vector API backend ({@code jdk.incubator.vector}), in the style of Lucene's
 * {@code VectorizationProvider}: it is offered only where it is fast, that is where the incubator
 * module is in the boot layer, the C2 compiler can run (not {@code -Xint}, not
 * {@code -XX:TieredStopAtLevel} below 4) and the preferred vector is at least 256 bits wide.
 *
 * <p>This class never links against {@code jdk.incubator.vector} itself: the kernels and the width
 * probe live in other classes, loaded reflectively after the module check, so the probe answers
 * "unavailable" instead of failing with {@link NoClassDefFoundError} when the module is missing.
 *
 * <p>Thread count: {@link #create()} reads the system property {@value #THREADS_PROPERTY} (default
 * {@link Runtime#availableProcessors()}) each time it is called; {@link #create(int)} takes it explicitly.
 */
public final class VectorProvider implements KernelProvider {
    /** System property with the number of threads a new instance computes with (the caller included). */
    public static final String THREADS_PROPERTY = "nsp.threads";
    /** The smallest preferred vector size, in bits, at which this backend beats the scalar one. */
    public static final int MIN_VECTOR_BITS = 256;

    private static final String MODULE = "jdk.incubator.vector";
    private static final String KERNELS_CLASS = "dev.nsp.kernel.vector.VectorKernels";

    /** Creates the provider (ServiceLoader does). */
    public VectorProvider() {
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability probe() {
        Optional<Module> module = ModuleLayer.boot().findModule(MODULE);
        if (module.isEmpty()) {
            return Availability.no("module " + MODULE + " is not in the boot layer (run with --add-modules "
                    + MODULE + ")");
        }
        String noC2 = c2Missing();
        if (noC2 != null) {
            return Availability.no("the C2 compiler is not available (" + noC2 + "): the Vector API would be "
                    + "interpreted, slower than the scalar backend");
        }
        int bits;
        try {
            Method m = Class.forName(KERNELS_CLASS, true, VectorProvider.class.getClassLoader())
                    .getDeclaredMethod("preferredVectorBits");
            bits = (Integer) m.invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return Availability.no("cannot load the Vector API kernels: " + rootCause(e));
        }
        if (bits < MIN_VECTOR_BITS) {
            return Availability.no("preferred vector size is " + bits + " bits, below " + MIN_VECTOR_BITS);
        }
        return Availability.yes(bits + "-bit vectors (" + bits / Float.SIZE + " floats), "
                + threadsFromProperty() + " threads");
    }

    @Override
    public Kernels create() {
        return create(threadsFromProperty());
    }

    /**
     * Creates the backend with an explicit thread count (tests compare thread counts with it).
     * The instance is not wrapped in {@link dev.nsp.kernel.CheckedKernels}: callers that take arguments
     * from outside should wrap it, as {@link dev.nsp.kernel.Backends} does.
     *
     * @param threads the threads that compute one call, the calling thread included, {@code >= 1}
     * @return a new kernels instance that the caller closes
     * @throws IllegalArgumentException if threads is below 1
     * @throws IllegalStateException if the Vector API cannot be loaded
     */
    public Kernels create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + ", must be >= 1");
        }
        try {
            Constructor<?> c = Class.forName(KERNELS_CLASS, true, VectorProvider.class.getClassLoader())
                    .getDeclaredConstructor(int.class);
            return (Kernels) c.newInstance(threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("vector backend failed to start: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("vector backend cannot be loaded: " + rootCause(e), e);
        }
    }

    /**
     * The thread count from {@value #THREADS_PROPERTY}, or the number of processors.
     *
     * @return the count, {@code >= 1}
     * @throws IllegalArgumentException if the property is set but not a positive integer
     */
    public static int threadsFromProperty() {
        String s = System.getProperty(THREADS_PROPERTY);
        if (s == null || s.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(THREADS_PROPERTY + ": '" + s + "', must be an integer >= 1");
    }

    /** @return why C2 cannot compile here, or null when it can */
    private static String c2Missing() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null) {
            return "no JIT compiler (-Xint?)";
        }
        String useCompiler = vmOption("UseCompiler");
        if ("false".equals(useCompiler)) {
            return "-XX:-UseCompiler / -Xint";
        }
        String useC2 = vmOption("UseC2");
        if ("false".equals(useC2)) {
            return "-XX:-UseC2";
        }
        String tiered = vmOption("TieredCompilation");
        String stopAt = vmOption("TieredStopAtLevel");
        if (!"false".equals(tiered) && stopAt != null) {
            try {
                if (Integer.parseInt(stopAt) < 4) {
                    return "-XX:TieredStopAtLevel=" + stopAt;
                }
            } catch (NumberFormatException e) {
                // unknown format: assume C2 is there
            }
        }
        String jitName = jit.getName();
        if (jitName != null && jitName.toLowerCase(java.util.Locale.ROOT).contains("client")) {
            return "client compiler only: " + jitName;
        }
        return null;
    }

    /** @return a HotSpot VM option's value, or null where there is no such option or no HotSpot bean */
    private static String vmOption(String name) {
        try {
            Class<?> beanClass = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Object bean = ManagementFactory.getPlatformMXBean(beanClass.asSubclass(
                    java.lang.management.PlatformManagedObject.class));
            if (bean == null) {
                return null;
            }
            Object option = beanClass.getMethod("getVMOption", String.class).invoke(bean, name);
            return (String) option.getClass().getMethod("getValue").invoke(option);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;   // not HotSpot, or no such option in this VM
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }
}
