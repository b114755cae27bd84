package dev.nsp.cli;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import picocli.CommandLine.Option;

/** The {@code --backend} option shared by the commands that compute. */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "Kernel backend: reference, vector, native or opencl (default: the best available, "
                    + "or -Dnsp.backend / NSP_BACKEND).")
    String name;

    /** @return the chosen kernels; close them with {@link #release} */
    Kernels open() {
        return name == null ? Backends.get() : Backends.create(name);
    }

    /** Closes kernels created for an explicit --backend; the process-wide default stays open. */
    void release(Kernels k) {
        if (name != null) {
            k.close();
        }
    }
}
