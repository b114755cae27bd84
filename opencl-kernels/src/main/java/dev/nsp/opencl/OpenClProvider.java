package dev.nsp.opencl;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.NativeAccess;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenCL backend's provider (name {@code opencl}, priority 50: tried before the Vector API backend).
 *
 * <p>Device choice: {@code -Dnsp.opencl.device=cpu|gpu|<index>} (index into all devices of all platforms in
 * platform order); unset, the first GPU or accelerator, else the first CPU device. Automatic selection takes
 * only a GPU or an accelerator; a CPU OpenCL device (PoCL, say) is {@link Availability#onlyWhenForced} and is
 * used only with {@code -Dnsp.backend=opencl}.
 *
 * <p>The probe never throws and never crashes start-up: a missing JOCL native library or OpenCL ICD loader
 * ({@link LinkageError}), no platform, no matching device, or kernels that the device's compiler rejects all
 * make it answer "unavailable" with the reason (the build log of a failed build is logged at WARNING). Before
 * answering "available" for a device that would be used (a GPU, or any device when the backend is forced) it
 * builds nsp's program once per process and device.
 */
public final class OpenClProvider implements KernelProvider {
    /** System property that chooses the device: {@code cpu}, {@code gpu} or a device index. */
    public static final String DEVICE_PROPERTY = "nsp.opencl.device";

    private static final System.Logger LOG = System.getLogger("dev.nsp.opencl");
    /** Enumeration result, once per process: the devices, or why there are none. */
    private static volatile Object devicesOrFailure;
    /** Trial build per device index: "" when it succeeded, else the reason. */
    private static final ConcurrentHashMap<Integer, String> BUILDS = new ConcurrentHashMap<>();

    /** Creates the provider (ServiceLoader does). */
    public OpenClProvider() {
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Availability probe() {
        String noAccess = joclNativeAccess();
        if (noAccess != null) {
            return Availability.no(noAccess);   // checked first: loading JOCL's library would make the JVM warn
        }
        try {
            ClDevice d = chosenDevice();
            boolean automatic = d.isGpu();
            boolean forced = name().equals(Backends.forcedName());
            if (automatic || forced) {
                String failure = BUILDS.computeIfAbsent(d.index(), i -> trialBuild(d, ""));
                if (!failure.isEmpty()) {
                    return Availability.no(failure);
                }
            }
            return automatic ? Availability.yes(d.describe())
                    : Availability.onlyWhenForced(d.describe() + "; not a GPU, used only with -D"
                    + Backends.PROPERTY + "=opencl");
        } catch (IllegalArgumentException e) {
            return Availability.no(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("OpenCL failed: " + e);
        }
    }

    /**
     * JOCL loads its JNI library, a restricted operation: without native access for JOCL's module (the
     * unnamed module on the class path, the automatic module {@code jocl} on the module path) the JVM warns.
     *
     * @return null when JOCL has native access, else why not and which flag grants it
     */
    static String joclNativeAccess() {
        try {
            Class<?> cl = Class.forName("org.jocl.CL", false, OpenClProvider.class.getClassLoader());
            return NativeAccess.missing(cl.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return "JOCL is not on the class or module path: " + e;
        }
    }

    /**
     * @return a new backend on the chosen device, with its own context, queue, program and buffers
     * @throws IllegalStateException if OpenCL or the device is not available, or the program does not build
     */
    @Override
    public Kernels create() {
        ClDevice d;
        try {
            d = chosenDevice();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("opencl backend: " + e.getMessage(), e);
        }
        return new OpenClKernels(ClSession.open(d, ""));
    }

    /**
     * Creates a backend with extra program build options (tests build the float LIF variant this way).
     *
     * @param extraOptions e.g. {@code -DNSP_LIF_FLOAT}
     */
    static OpenClKernels create(String extraOptions) {
        return new OpenClKernels(ClSession.open(chosenDevice(), extraOptions));
    }

    /**
     * The device that {@link #DEVICE_PROPERTY} selects.
     *
     * @throws IllegalArgumentException with the reason when there is none
     */
    static ClDevice chosenDevice() {
        return ClDevice.select(devices(), System.getProperty(DEVICE_PROPERTY));
    }

    /** @return every OpenCL device, enumerated once per process */
    @SuppressWarnings("unchecked")
    static List<ClDevice> devices() {
        Object v = devicesOrFailure;
        if (v == null) {
            synchronized (OpenClProvider.class) {
                v = devicesOrFailure;
                if (v == null) {
                    try {
                        v = List.copyOf(ClDevice.enumerate());
                    } catch (RuntimeException | LinkageError e) {
                        v = "no usable OpenCL runtime (JOCL native library or OpenCL ICD loader): " + e;
                        LOG.log(System.Logger.Level.DEBUG, "nsp opencl: " + v);
                    }
                    devicesOrFailure = v;
                }
            }
        }
        if (v instanceof String reason) {
            throw new IllegalArgumentException(reason);
        }
        return (List<ClDevice>) v;
    }

    /**
     * Builds nsp's program once on {@code d}.
     *
     * @return "" if it built, else the reason (the build log is logged at WARNING)
     */
    static String trialBuild(ClDevice d, String extraOptions) {
        try (ClSession s = ClSession.open(d, extraOptions)) {
            LOG.log(System.Logger.Level.DEBUG, "nsp opencl: program built on " + d.describe() + " in "
                    + s.buildNanos() / 1_000_000 + " ms");
            return "";
        } catch (ProgramBuildException e) {
            LOG.log(System.Logger.Level.WARNING, "nsp opencl: kernels do not build on " + d.describe()
                    + ", falling back to the next backend; build log:\n" + e.buildLog());
            return "program build failed on " + d.describe();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "nsp opencl: cannot start on " + d.describe() + ": " + e);
            return "cannot start on " + d.describe() + ": " + e;
        }
    }
}
