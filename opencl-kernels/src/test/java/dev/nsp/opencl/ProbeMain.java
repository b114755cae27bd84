package dev.nsp.opencl;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.KernelProvider;

/** Run in a child JVM by {@link ProviderTest}: prints the probe and the backend that automatic selection picks. */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) {
        KernelProvider.Availability a = new OpenClProvider().probe();
        System.out.println("available=" + a.available() + " automatic=" + a.automatic() + " detail=" + a.detail());
        System.out.println("chosen=" + Backends.get().name());
    }
}
