/**
 * nsp's public API: the three things people embed, on a backend of their choice.
 *
 * <ul>
 *   <li>{@link dev.nsp.api.NoisySoftplus}: the Noisy Softplus activation and its gradients over
 *       {@code float[]}, {@link java.nio.FloatBuffer} and {@link java.lang.foreign.MemorySegment}, computed in
 *       place on the caller's memory;</li>
 *   <li>{@link dev.nsp.api.LifPopulation}: N leaky integrate-and-fire neurons
 *       ({@link dev.nsp.neuron.LifParameters}), driven by currents and spikes, stepped by exact integration,
 *       with spikes, counts and rates to read;</li>
 *   <li>{@link dev.nsp.api.Responses}: the neuron's firing rate for constant and noisy currents (paper eqs. 2
 *       and 3, {@link dev.nsp.api.Noise}) and the calibration of Noisy Softplus to it
 *       ({@link dev.nsp.api.ResponseFit});</li>
 *   <li>{@link dev.nsp.api.Backend}: which kernels run them: chosen automatically (the best one available,
 *       logged once) or by name.</li>
 * </ul>
 *
 * <p>Units: time ms, voltage mV, current nA, capacitance nF, rates Hz; every parameter name or its
 * documentation says which. Invalid arguments throw {@link java.lang.IllegalArgumentException} (or
 * {@link java.lang.NullPointerException}, {@link java.lang.IndexOutOfBoundsException}) naming the parameter,
 * the value and the allowed range.
 *
 * <p>JVM flags: {@code --add-modules jdk.incubator.vector} for the Vector API backend and
 * {@code --enable-native-access=ALL-UNNAMED} (class path) or {@code =dev.nsp.natives,jocl} (module path) for the
 * native and OpenCL backends. Without them everything works on the reference backend, and the automatic choice
 * logs one warning saying which flag is missing.
 */
package dev.nsp.api;
