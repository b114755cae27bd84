/**
 * nsp's core: the Noisy Softplus activation, LIF populations and the LIF response functions, on kernels
 * chosen at run time.
 *
 * <p><b>Public API</b> (exported, documented, versioned; listed in {@code java-core/api/nsp-core.api}):
 * <ul>
 *   <li>{@link dev.nsp.api}: {@link dev.nsp.api.NoisySoftplus}, {@link dev.nsp.api.LifPopulation},
 *       {@link dev.nsp.api.Responses} and {@link dev.nsp.api.Backend};</li>
 *   <li>{@link dev.nsp.neuron}: the neuron's parameters, {@link dev.nsp.neuron.LifParameters}.</li>
 * </ul>
 *
 * <p>Everything else is internal and may change in any release: the kernel SPI ({@code dev.nsp.kernel}) and
 * tensors ({@code dev.nsp.tensor}) are exported only to the backend modules {@code dev.nsp.natives} and
 * {@code dev.nsp.opencl}; the backends, response library, training, data and spiking-network packages are not
 * exported at all (nsp's command line, benchmarks and tests use them from the class path).
 *
 * <p>Backends are services ({@code dev.nsp.kernel.KernelProvider}), found by {@link java.util.ServiceLoader}
 * on the module path and, through {@code META-INF/services}, on the class path. The Vector API backend needs
 * {@code --add-modules jdk.incubator.vector} (a static dependence: without it the module still resolves, and
 * the backend reports itself unavailable).
 */
@SuppressWarnings("module")     // the qualified exports name backend modules that are not on the core's module path
module dev.nsp.core {
    requires java.management;
    requires static jdk.incubator.vector;

    exports dev.nsp.api;
    exports dev.nsp.neuron;

    exports dev.nsp.kernel to dev.nsp.natives, dev.nsp.opencl;
    exports dev.nsp.tensor to dev.nsp.natives, dev.nsp.opencl;

    uses dev.nsp.kernel.KernelProvider;

    provides dev.nsp.kernel.KernelProvider with
            dev.nsp.kernel.reference.ReferenceProvider,
            dev.nsp.kernel.vector.VectorProvider;
}
