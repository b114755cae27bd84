package dev.nsp.kernel;

/**
 * A backend, as found by {@link java.util.ServiceLoader}. Implementations live in the backend
 * modules; {@link Backends} asks each whether it can run here and creates the chosen one.
 */
public interface KernelProvider {

    /** {@return the backend's name, as {@code -Dnsp.backend} spells it} */
    String name();

    /** {@return the rank in automatic selection: lower is tried first} */
    int priority();

    /**
     * Probes the machine. Must not throw: a missing library or device is an unavailable answer.
     *
     * @return whether this backend can run here and whether automatic selection may pick it
     */
    Availability probe();

    /**
     * Creates the backend; called only after {@link #probe()} said it is available.
     *
     * @return a new kernels instance that the caller closes
     */
    Kernels create();

    /**
     * A probe's answer.
     *
     * @param available whether the backend can run here
     * @param automatic whether automatic selection may choose it (an OpenCL CPU device, say, only when forced)
     * @param detail what was found (when available) or why it is not available
     */
    record Availability(boolean available, boolean automatic, String detail) {
        /**
         * {@return an available backend that automatic selection may choose}
         *
         * @param detail what was found
         */
        public static Availability yes(String detail) {
            return new Availability(true, true, detail);
        }

        /**
         * {@return an available backend used only when forced}
         *
         * @param detail what was found, and why it is used only when forced
         */
        public static Availability onlyWhenForced(String detail) {
            return new Availability(true, false, detail);
        }

        /**
         * {@return an unavailable backend and the reason}
         *
         * @param reason why it is not available
         */
        public static Availability no(String reason) {
            return new Availability(false, false, reason);
        }
    }
}
