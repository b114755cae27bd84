package dev.nsp.kernel;

/**
 * A backend could not complete a kernel call because its device or runtime failed (an OpenCL error: out of device
 * memory, an enqueue or copy failure), not because of the arguments. {@link #outputsUntouched()} says whether the
 * call wrote nothing into the caller's tensors yet, so that it can be repeated on another backend: with
 * {@code -Dnsp.opencl.fallback=cpu} {@link Backends} does exactly that (see docs/reliability.md).
 */
public final class BackendFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failing backend's name. */
    private final String backend;
    /** Whether the call wrote none of the caller's tensors. */
    private final boolean outputsUntouched;

    /**
     * Creates the exception.
     *
     * @param backend the failing backend's name
     * @param message what failed
     * @param outputsUntouched true if no output or in-place tensor of the call was written yet
     * @param cause the runtime's exception
     */
    public BackendFailureException(String backend, String message, boolean outputsUntouched, Throwable cause) {
        super(backend + " backend failed: " + message, cause);
        this.backend = backend;
        this.outputsUntouched = outputsUntouched;
    }

    /**
     * The failing backend.
     *
     * @return the failing backend's name
     */
    public String backend() {
        return backend;
    }

    /**
     * Whether the failed call may be repeated on another backend.
     *
     * @return true if the call wrote none of the caller's tensors, so that it may be repeated elsewhere
     */
    public boolean outputsUntouched() {
        return outputsUntouched;
    }
}
