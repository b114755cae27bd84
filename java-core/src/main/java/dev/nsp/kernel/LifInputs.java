package dev.nsp.kernel;

import dev.nsp.tensor.Tensor;

/**
 * What drives a LIF population during a run of T steps; every part is optional (null).
 *
 * @param biasNa a constant current per neuron, nA, shape [N], added to i_offset for the whole run
 * @param currentNa an external current per step and neuron, nA, shape [T, N], constant during its step
 * @param excitatoryNa excitatory synaptic input per step, nA, shape [T, N], added to I_E at the end of the step
 * @param inhibitoryNa inhibitory synaptic input per step, nA ({@code <= 0}), shape [T, N], added to I_I at the end of the step
 */
public record LifInputs(Tensor biasNa, Tensor currentNa, Tensor excitatoryNa, Tensor inhibitoryNa) {
    /** No input beyond i_offset. */
    public static final LifInputs NONE = new LifInputs(null, null, null, null);

    /**
     * {@return inputs of a constant bias current per neuron only}
     *
     * @param biasNa the bias current per neuron, nA, shape [N]
     */
    public static LifInputs bias(Tensor biasNa) {
        return new LifInputs(biasNa, null, null, null);
    }
}
