/**
 * nsp's OpenCL backend: the kernel SPI on OpenCL C kernels through JOCL. A service provider only; it exports
 * nothing. JOCL's jar has no module descriptor: on the module path it is the automatic module {@code jocl}
 * (the name Java derives from {@code jocl-VERSION.jar}), which needs native access:
 * {@code --enable-native-access=jocl} ({@code ALL-UNNAMED} on the class path); without it the backend reports
 * itself unavailable.
 */
@SuppressWarnings("requires-automatic")     // JOCL publishes no module descriptor
module dev.nsp.opencl {
    requires dev.nsp.core;
    requires jocl;

    provides dev.nsp.kernel.KernelProvider with dev.nsp.opencl.OpenClProvider;
}
