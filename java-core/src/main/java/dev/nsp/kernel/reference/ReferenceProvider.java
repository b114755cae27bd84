package dev.nsp.kernel.reference;

import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;

/** The scalar reference backend: always available, chosen last. */
public final class ReferenceProvider implements KernelProvider {
    /** Creates the provider (ServiceLoader does). */
    public ReferenceProvider() {
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int priority() {
        return 1000;
    }

    @Override
    public Availability probe() {
        return Availability.yes("scalar reference, single-threaded, double accumulation");
    }

    @Override
    public Kernels create() {
        return new ReferenceKernels();
    }
}
