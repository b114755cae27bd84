package dev.nsp.opencl;

import org.jocl.CL;

/**
 * Loads JOCL once and switches its error reporting to exceptions: every failing {@code cl*} call then throws
 * {@link org.jocl.CLException} (a RuntimeException naming the error code). JOCL's setting is process-wide.
 */
final class ClRuntime {
    private ClRuntime() {
    }

    private static final Object LOCK = new Object();
    private static boolean done;

    /**
     * Loads JOCL's native library (which loads the OpenCL ICD loader).
     *
     * @throws LinkageError if either cannot be loaded
     */
    static void init() {
        synchronized (LOCK) {
            if (!done) {
                CL.setExceptionsEnabled(true);
                done = true;
            }
        }
    }
}
