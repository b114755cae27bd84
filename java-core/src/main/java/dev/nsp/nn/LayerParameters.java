package dev.nsp.nn;

/**
 * Everything a converter needs about one layer of a trained {@link Network} (copies, not live data).
 *
 * @param index the layer's position, from 0
 * @param spec the layer's spec
 * @param inputShape per image, {@code [C, H, W]} (for the dense layer, the shape of the maps it flattens
 *                   in C, H, W order)
 * @param outputShape per image, {@code [C, H, W]} or {@code [outputs]}
 * @param weightShape {@code [O, C, KH, KW]} for a convolution, {@code [M, K]} for the dense layer, null for
 *                    pooling
 * @param weights row-major weights (in the ANN's units; for noisy-softplus these are the synaptic weights
 *                in nA), null for pooling
 * @param poolWeight the fixed weight of every pooling synapse in the ANN (1/(4p) for noisy-softplus, 1/4
 *                   otherwise); NaN for other layers
 * @param activated whether the layer's units apply the activation (conv: always; pooling: only for
 *                  noisy-softplus; dense output: never, it feeds the softmax)
 */
public record LayerParameters(int index, LayerSpec spec, int[] inputShape, int[] outputShape, int[] weightShape,
                              float[] weights, float poolWeight, boolean activated) {
}
