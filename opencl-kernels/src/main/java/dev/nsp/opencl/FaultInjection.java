package dev.nsp.opencl;

import org.jocl.CL;
import org.jocl.CLException;

import java.util.Locale;

/**
 * Test-only fault injection: {@code -Dnsp.opencl.faultInjection=SPEC}, read when a session is opened, makes that
 * session fail at a chosen OpenCL call, so that tests can check that a failure is clean (a clear exception, no leaked
 * OpenCL objects) and that the CPU fallback works. SPEC is one of
 * <ul>
 *   <li>{@code build}: the program build fails ({@link ProgramBuildException} with a build log);</li>
 *   <li>{@code create@N}: the N-th object creation while the session opens (context, queue, program, kernels) fails;</li>
 *   <li>{@code alloc@N}: the N-th device buffer allocation fails with CL_MEM_OBJECT_ALLOCATION_FAILURE (out of device
 *       memory);</li>
 *   <li>{@code enqueue@N}: the N-th kernel launch fails with CL_OUT_OF_RESOURCES;</li>
 *   <li>{@code read@N}: the N-th copy into a caller's tensor fails with CL_OUT_OF_RESOURCES (after the call began
 *       writing its outputs).</li>
 * </ul>
 * N counts from 1 within one session; one fault per session. Unset or empty: no faults (the production case; the
 * check is one comparison per call).
 */
final class FaultInjection {
    /** The system property. */
    static final String PROPERTY = "nsp.opencl.faultInjection";

    enum Kind { BUILD, CREATE, ALLOC, ENQUEUE, READ }

    private static final FaultInjection NONE = new FaultInjection(null, 0);

    private final Kind kind;
    private final long at;
    private long count;

    private FaultInjection(Kind kind, long at) {
        this.kind = kind;
        this.at = at;
    }

    /** @return the plan {@link #PROPERTY} describes */
    static FaultInjection fromProperty() {
        return parse(System.getProperty(PROPERTY));
    }

    static FaultInjection parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("build")) {
            return new FaultInjection(Kind.BUILD, 1);
        }
        int a = s.indexOf('@');
        try {
            if (a > 0) {
                Kind k = Kind.valueOf(s.substring(0, a).toUpperCase(Locale.ROOT));
                long n = Long.parseLong(s.substring(a + 1));
                if (k != Kind.BUILD && n >= 1) {
                    return new FaultInjection(k, n);
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException(PROPERTY + ": '" + spec + "', expected build, create@N, alloc@N, enqueue@N"
                + " or read@N with N >= 1");
    }

    /** @return whether the program build is to fail */
    boolean failsBuild() {
        return kind == Kind.BUILD;
    }

    /**
     * Counts one call of a kind and throws the injected error if it is the chosen one.
     *
     * @param what the OpenCL call, for the message
     */
    void before(Kind k, String what) {
        if (k != kind) {
            return;
        }
        if (++count == at) {
            int status = k == Kind.ALLOC ? CL.CL_MEM_OBJECT_ALLOCATION_FAILURE : CL.CL_OUT_OF_RESOURCES;
            throw new CLException(CL.stringFor_errorCode(status) + " (injected by " + PROPERTY + "=" + k.name()
                    .toLowerCase(Locale.ROOT) + "@" + at + ") in " + what, status);
        }
    }
}
