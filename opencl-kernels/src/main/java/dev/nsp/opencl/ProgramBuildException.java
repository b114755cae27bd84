package dev.nsp.opencl;

/** The OpenCL C compiler rejected nsp's kernels; carries the compiler's build log. */
final class ProgramBuildException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final String buildLog;

    ProgramBuildException(String message, String buildLog, Throwable cause) {
        super(message + (buildLog.isBlank() ? "" : "; build log:\n" + buildLog), cause);
        this.buildLog = buildLog;
    }

    /** @return the output of clGetProgramBuildInfo(CL_PROGRAM_BUILD_LOG) */
    String buildLog() {
        return buildLog;
    }
}
