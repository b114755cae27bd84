package dev.nsp.kernel;

import dev.nsp.tensor.Tensor;

/**
 * The state of N LIF neurons, as tensors of shape [N]: membrane potential relative to v_rest (mV),
 * excitatory and inhibitory synaptic currents (nA; the inhibitory one is {@code <= 0}) and the
 * remaining refractory steps (a whole number stored as float). Owns its tensors.
 */
public final class LifState implements AutoCloseable {
    private final int neurons;
    private final Tensor v;
    private final Tensor iExc;
    private final Tensor iInh;
    private final Tensor refractory;

    /**
     * Allocates N neurons at rest (y = 0, no current, not refractory).
     *
     * @param neurons N, {@code >= 1}
     */
    public LifState(int neurons) {
        if (neurons < 1) {
            throw new IllegalArgumentException("neurons: " + neurons + ", must be >= 1");
        }
        this.neurons = neurons;
        this.v = Tensor.zeros(neurons);
        this.iExc = Tensor.zeros(neurons);
        this.iInh = Tensor.zeros(neurons);
        this.refractory = Tensor.zeros(neurons);
    }

    /** {@return N} */
    public int neurons() {
        return neurons;
    }

    /** {@return membrane potential relative to v_rest, mV, shape [N]} */
    public Tensor v() {
        return v;
    }

    /** {@return excitatory synaptic current, nA, shape [N]} */
    public Tensor iExc() {
        return iExc;
    }

    /** {@return inhibitory synaptic current, nA ({@code <= 0}), shape [N]} */
    public Tensor iInh() {
        return iInh;
    }

    /** {@return remaining refractory steps, shape [N]} */
    public Tensor refractory() {
        return refractory;
    }

    /** Puts every neuron back at rest. */
    public void reset() {
        v.fill(0f);
        iExc.fill(0f);
        iInh.fill(0f);
        refractory.fill(0f);
    }

    @Override
    public void close() {
        v.close();
        iExc.close();
        iInh.close();
        refractory.close();
    }
}
