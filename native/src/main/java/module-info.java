/**
 * nsp's native backend: the kernel SPI on C kernels ({@code libnsp}, built by Maven and shipped in the jar),
 * called through the FFM API. A service provider only; it exports nothing. Needs native access:
 * {@code --enable-native-access=dev.nsp.natives} on the module path ({@code ALL-UNNAMED} on the class path);
 * without it the backend reports itself unavailable.
 */
module dev.nsp.natives {
    requires dev.nsp.core;

    provides dev.nsp.kernel.KernelProvider with dev.nsp.kernel.natives.NativeProvider;
}
