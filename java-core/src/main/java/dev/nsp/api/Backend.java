package dev.nsp.api;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A compute backend: the kernels that {@link NoisySoftplus} and {@link LifPopulation} run on.
 *
 * <p>Backends are found with {@link java.util.ServiceLoader}, on the class path and on the module path
 * alike: {@code reference} (plain Java, always there), {@code vector} (the Vector API; needs
 * {@code --add-modules jdk.incubator.vector}), {@code native} (C kernels, artifact {@code nsp-native}; needs
 * native access enabled) and {@code opencl} (artifact {@code nsp-opencl}; a GPU is chosen automatically, a CPU
 * OpenCL device only by name). {@link #automatic()} is the best one available, picked once per process (and
 * logged in one line); {@link #named(String)} creates the one you ask for.
 *
 * <p>Memory: every backend works in place on native memory (direct buffers, native
 * {@link java.lang.foreign.MemorySegment}s). The backends that run in Java ({@code reference}, {@code vector})
 * also work in place on heap memory ({@code float[]}, heap buffers); {@code native} and {@code opencl} cannot
 * read the Java heap, so heap arguments are copied to native memory and back for them
 * ({@link #readsHeapInPlace()}).
 *
 * <p>Thread-safety: a backend may be used by several threads at once, as long as they write to different
 * memory. {@link #close()} must not race with calls in progress.
 */
public final class Backend implements AutoCloseable {
    /** The backends whose kernels read and write heap segments directly (they run in Java). */
    private static final Set<String> HEAP_IN_PLACE = Set.of("reference", "vector");

    private static volatile Backend automatic;

    private final Kernels kernels;
    private final boolean shared;
    private final boolean heapInPlace;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Backend(Kernels kernels, boolean shared) {
        this.kernels = kernels;
        this.shared = shared;
        String n = kernels.name();
        // "vector+native": elementwise kernels on vector, spiking kernels (on nsp's own native memory) on native
        int plus = n.indexOf('+');
        this.heapInPlace = HEAP_IN_PLACE.contains(plus < 0 ? n : n.substring(0, plus));
    }

    /**
     * The process-wide backend chosen automatically: the first available of opencl (on a GPU), vector, native
     * and reference, unless the system property {@code nsp.backend} or the environment variable
     * {@code NSP_BACKEND} names one. Chosen on first use and logged once (at WARNING when it falls back to
     * {@code reference} because a faster backend lacks a JVM flag or library, else at INFO).
     *
     * @return the shared backend; {@link #close()} on it does nothing
     * @throws IllegalStateException if {@code nsp.backend} / {@code NSP_BACKEND} names a backend that is unknown
     *         or not available here
     */
    public static Backend automatic() {
        Backend b = automatic;
        if (b == null) {
            synchronized (Backend.class) {
                b = automatic;
                if (b == null) {
                    b = new Backend(Backends.get(), true);
                    automatic = b;
                }
            }
        }
        return b;
    }

    /**
     * Creates a new instance of the named backend, for callers that want to choose.
     *
     * @param name {@code reference}, {@code vector}, {@code native} or {@code opencl} (case-insensitive)
     * @return a new backend that the caller must close
     * @throws NullPointerException if name is null
     * @throws IllegalArgumentException if no backend of that name is on the class or module path, or it is not
     *         available here (the message says why, e.g. a missing JVM flag)
     */
    public static Backend named(String name) {
        Objects.requireNonNull(name, "name");
        return new Backend(Backends.create(name), false);
    }

    /**
     * Every backend that {@link java.util.ServiceLoader} finds, with its probe, in the order automatic
     * selection tries them. Probing loads native libraries (once per process) but creates no backend.
     *
     * @return the backends found, best first
     */
    public static List<Info> list() {
        List<Info> out = new ArrayList<>();
        for (Backends.Probe p : Backends.probeAll()) {
            out.add(new Info(p.name(), p.availability().available(), p.availability().automatic(),
                    p.availability().detail()));
        }
        return List.copyOf(out);
    }

    /**
     * A backend found on the class or module path.
     *
     * @param name the name {@link #named(String)} takes
     * @param available whether it can run here
     * @param automatic whether {@link #automatic()} may choose it (an OpenCL CPU device, say, only by name)
     * @param detail what was found (the device, vector width, threads) or why it is not available
     */
    public record Info(String name, boolean available, boolean automatic, String detail) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if name or detail is null
         */
        public Info {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The backend's name: {@code reference}, {@code vector}, {@code native}, {@code opencl}, or
     * {@code vector+native} for the automatic choice that runs the spiking kernels on {@code native}.
     *
     * @return the name
     */
    public String name() {
        return kernels.name();
    }

    /**
     * Whether the kernels work in place on heap memory ({@code float[]}, heap {@link java.nio.FloatBuffer}s,
     * heap segments). When false, heap arguments are copied to native memory and back on each call; direct
     * buffers and native segments are always used in place.
     *
     * @return true for the backends that run in Java (reference, vector)
     */
    public boolean readsHeapInPlace() {
        return heapInPlace;
    }

    /**
     * Releases the backend's threads and devices. Does nothing for {@link #automatic()}, which lives as long
     * as the process; closing twice is harmless.
     */
    @Override
    public void close() {
        if (!shared && closed.compareAndSet(false, true)) {
            kernels.close();
        }
    }

    @Override
    public String toString() {
        return "Backend[" + name() + (closed.get() ? ", closed" : "") + "]";
    }

    /** @return the kernels, validated by {@link dev.nsp.kernel.CheckedKernels} */
    Kernels kernels() {
        if (closed.get()) {
            throw new IllegalStateException("backend '" + name() + "' is closed");
        }
        return kernels;
    }
}
