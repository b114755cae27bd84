package dev.nsp.kernel.natives;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one place that touches libnsp: finds the library (inside the jar under
 * {@code native/<os>-<arch>/libnsp.so}, or the file named by {@value #LIBRARY_PROPERTY}), loads it with
 * {@link SymbolLookup#libraryLookup(Path, Arena)} into the global arena, checks its ABI version and binds
 * one hand-written downcall handle per C function. The handles are {@code static final} so that the JIT
 * inlines them; when loading fails they are all null and {@link #failure()} says why.
 *
 * <p>Elementwise kernels also get a {@link Linker.Option#critical critical} handle: for short calls it
 * skips the thread-state transition. It must not be used for long calls (a critical call holds off
 * safepoints, i.e. the garbage collector), so callers use it only below {@link #CRITICAL_MAX_ELEMENTS}.
 */
@SuppressWarnings("restricted") // this class is the one place that loads and binds native code
final class NativeLib {
    /** System property: an explicit path of the library, instead of the copy in the jar. */
    static final String LIBRARY_PROPERTY = "nsp.native.library";
    /** The C side's {@code NSP_ABI_VERSION}. */
    static final int ABI_VERSION = 2;
    /** Elementwise calls of at most this many elements use the critical handles (about 10 microseconds). */
    static final long CRITICAL_MAX_ELEMENTS = 8192;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option[] NONE = {};
    private static final Linker.Option[] CRITICAL = {Linker.Option.critical(false)};
    private static final MemoryLayout P = ADDRESS;
    private static final MemoryLayout F = JAVA_FLOAT;
    private static final MemoryLayout I = JAVA_INT;
    private static final MemoryLayout L = JAVA_LONG;

    private static final SymbolLookup LOOKUP;
    private static final String FAILURE;
    private static final Path PATH;

    static {
        SymbolLookup lookup = null;
        String failure = null;
        Path path = null;
        try {
            path = locate();
            lookup = SymbolLookup.libraryLookup(path, Arena.global());
            MethodHandle version = LINKER.downcallHandle(lookup.findOrThrow("nsp_abi_version"),
                    FunctionDescriptor.of(JAVA_INT), CRITICAL);
            int v = (int) version.invokeExact();
            if (v != ABI_VERSION) {
                throw new IllegalStateException(path + " has ABI version " + v + ", this jar needs " + ABI_VERSION);
            }
        } catch (Throwable t) {
            lookup = null;
            failure = t.getMessage() == null ? t.toString() : t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        LOOKUP = lookup;
        FAILURE = failure;
        PATH = path;
    }

    static final MethodHandle MAX_LEVEL = bind("nsp_max_level", JAVA_INT, CRITICAL);
    static final MethodHandle SET_LEVEL = bind("nsp_set_level", JAVA_INT, CRITICAL, I);
    static final MethodHandle VARIANT = bind("nsp_variant", P, CRITICAL);
    static final MethodHandle COMPILER = bind("nsp_compiler", P, CRITICAL);

    static final MethodHandle NS_FORWARD = bind("nsp_ns_forward", L, NONE, P, P, F, F, P, L, I);
    static final MethodHandle NS_FORWARD_CRITICAL = bind("nsp_ns_forward", L, CRITICAL, P, P, F, F, P, L, I);
    static final MethodHandle NS_BACKWARD = bind("nsp_ns_backward", L, NONE, P, P, F, F, P, P, P, L, I);
    static final MethodHandle NS_BACKWARD_CRITICAL = bind("nsp_ns_backward", L, CRITICAL, P, P, F, F, P, P, P, L, I);
    static final MethodHandle SOFTPLUS_FORWARD = bind("nsp_softplus_forward", null, NONE, P, F, F, P, L, I);
    static final MethodHandle SOFTPLUS_FORWARD_CRITICAL = bind("nsp_softplus_forward", null, CRITICAL, P, F, F, P, L, I);
    static final MethodHandle SOFTPLUS_BACKWARD = bind("nsp_softplus_backward", null, NONE, P, F, F, P, P, L, I);
    static final MethodHandle SOFTPLUS_BACKWARD_CRITICAL = bind("nsp_softplus_backward", null, CRITICAL, P, F, F, P, P, L, I);
    static final MethodHandle RELU_FORWARD = bind("nsp_relu_forward", null, NONE, P, F, P, L, I);
    static final MethodHandle RELU_FORWARD_CRITICAL = bind("nsp_relu_forward", null, CRITICAL, P, F, P, L, I);
    static final MethodHandle RELU_BACKWARD = bind("nsp_relu_backward", null, NONE, P, F, P, P, L, I);
    static final MethodHandle RELU_BACKWARD_CRITICAL = bind("nsp_relu_backward", null, CRITICAL, P, F, P, P, L, I);

    // conv: pointers..., N, C, H, W, O, KH, KW, threads
    static final MethodHandle CONV_FORWARD = bind("nsp_conv_forward", JAVA_INT, NONE, P, P, P, I, I, I, I, I, I, I, I);
    static final MethodHandle CONV_BACKWARD_DATA = bind("nsp_conv_backward_data", JAVA_INT, NONE, P, P, P, I, I, I, I, I, I, I, I);
    static final MethodHandle CONV_BACKWARD_WEIGHTS = bind("nsp_conv_backward_weights", JAVA_INT, NONE, P, P, P, I, I, I, I, I, I, I, I);
    static final MethodHandle MOMENT_CONV_FORWARD = bind("nsp_moment_conv_forward", JAVA_INT, NONE, P, P, P, P, I, I, I, I, I, I, I, I);
    static final MethodHandle MOMENT_CONV_BACKWARD = bind("nsp_moment_conv_backward", JAVA_INT, NONE,
            P, P, P, P, P, P, P, I, I, I, I, I, I, I, I);

    // pool: pointers..., planes, H, W, threads
    static final MethodHandle POOL_FORWARD = bind("nsp_pool_forward", null, NONE, P, F, P, L, I, I, I);
    static final MethodHandle POOL_BACKWARD = bind("nsp_pool_backward", null, NONE, P, F, P, L, I, I, I);
    static final MethodHandle MOMENT_POOL_FORWARD = bind("nsp_moment_pool_forward", null, NONE, P, F, P, P, L, I, I, I);
    static final MethodHandle MOMENT_POOL_BACKWARD = bind("nsp_moment_pool_backward", null, NONE, P, F, P, P, P, P, L, I, I, I);

    // dense: pointers..., N, K, M, threads
    static final MethodHandle DENSE_FORWARD = bind("nsp_dense_forward", null, NONE, P, P, P, I, I, I, I);
    static final MethodHandle DENSE_BACKWARD_DATA = bind("nsp_dense_backward_data", null, NONE, P, P, P, I, I, I, I);
    static final MethodHandle DENSE_BACKWARD_WEIGHTS = bind("nsp_dense_backward_weights", null, NONE, P, P, P, I, I, I, I);
    static final MethodHandle MOMENT_DENSE_FORWARD = bind("nsp_moment_dense_forward", JAVA_INT, NONE, P, P, P, P, I, I, I, I);
    static final MethodHandle MOMENT_DENSE_BACKWARD = bind("nsp_moment_dense_backward", JAVA_INT, NONE,
            P, P, P, P, P, P, P, I, I, I, I);

    static final MethodHandle SOFTMAX_CE = bind("nsp_softmax_ce", JAVA_DOUBLE, NONE, P, P, P, P, I, I);

    // LIF: 9 propagators, refractory steps, v, iExc, iInh, refractory, bias, current, exc, inh, spikes, counts, N, T, threads
    static final MethodHandle LIF_RUN = bind("nsp_lif_run", JAVA_INT, NONE, F, F, F, F, F, F, F, F, F, I,
            P, P, P, P, P, P, P, P, P, P, L, I, I);

    static final MethodHandle SPIKE_CONV = bind("nsp_spike_conv", null, NONE, P, P, P, P, I, I, I, I, I, I, I, I);
    static final MethodHandle SPIKE_POOL = bind("nsp_spike_pool", null, NONE, P, F, P, P, L, I, I, I);
    static final MethodHandle SPIKE_DENSE = bind("nsp_spike_dense", null, NONE, P, P, P, P, I, I, I, I);
    static final MethodHandle BERNOULLI = bind("nsp_bernoulli", null, NONE, L, I, L, P, P, L, L, I);
    static final MethodHandle POISSON = bind("nsp_poisson", null, NONE, L, I, L, P, P, L, I);

    private NativeLib() {
    }

    /** @return null when the library is loaded and bound, else why it is not */
    static String failure() {
        return FAILURE;
    }

    /** @return the library file in use (null when it could not be located) */
    static Path path() {
        return PATH;
    }

    /** @throws IllegalStateException if the library is not available */
    static void ensureLoaded() {
        if (FAILURE != null) {
            throw new IllegalStateException("native backend unavailable: " + FAILURE);
        }
    }

    /** @return the platform folder of this JVM, e.g. {@code linux-x86_64} */
    static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            os = "linux";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            os = "darwin";
        } else if (os.startsWith("windows")) {
            os = "windows";
        } else {
            os = os.replaceAll("[^a-z0-9]", "");
        }
        arch = switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch.replaceAll("[^a-z0-9_]", "");
        };
        return os + "-" + arch;
    }

    /** @return the highest ISA level the CPU runs: 0 baseline, 1 x86-64-v3 (AVX2), 2 x86-64-v4 (AVX-512) */
    static int maxLevel() {
        ensureLoaded();
        try {
            return (int) MAX_LEVEL.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Switches every kernel of the process to an ISA level (capped at {@link #maxLevel()}); for tests.
     *
     * @return the level now in effect
     */
    static int setLevel(int level) {
        ensureLoaded();
        try {
            return (int) SET_LEVEL.invokeExact(level);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the name of the active kernel variant: base, v3 or v4 */
    static String variant() {
        return string(VARIANT);
    }

    /** @return the compiler that built the library */
    static String compiler() {
        return string(COMPILER);
    }

    private static String string(MethodHandle h) {
        ensureLoaded();
        try {
            MemorySegment s = (MemorySegment) h.invokeExact();
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Rethrows what a downcall threw (they throw only unchecked exceptions, e.g. for a closed segment). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }

    private static MethodHandle bind(String name, MemoryLayout result, Linker.Option[] options, MemoryLayout... args) {
        if (LOOKUP == null) {
            return null;
        }
        FunctionDescriptor fd = result == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(result, args);
        return LINKER.downcallHandle(LOOKUP.findOrThrow(name), fd, options);
    }

    private static MethodHandle bind(String name, MemoryLayout result, Linker.Option[] options) {
        return bind(name, result, options, new MemoryLayout[0]);
    }

    /** The library file: the property's, the jar's resource as a file, or the resource copied to a temp file. */
    private static Path locate() throws IOException, URISyntaxException {
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(LIBRARY_PROPERTY + ": '" + explicit + "' is not a file");
            }
            return p;
        }
        String resource = resourceName();
        URL url = NativeLib.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("no " + resource + " on the class path (no native build for "
                    + platform() + ", or the jar was built without a C compiler)");
        }
        if ("file".equals(url.getProtocol())) {
            return Path.of(url.toURI());
        }
        return extract(url);
    }

    /**
     * Copies a library out of a jar (or any URL) into a temp file that is deleted when the JVM exits:
     * dlopen needs a file.
     *
     * @param url where the library is
     * @return the temp file
     */
    static Path extract(URL url) throws IOException {
        Path tmp = Files.createTempFile("nsp-", "-" + System.mapLibraryName("nsp"));
        tmp.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** @return the class-path resource name of the library for this platform */
    static String resourceName() {
        return "/native/" + platform() + "/" + System.mapLibraryName("nsp");
    }
}
