package dev.nsp.nn;

import dev.nsp.tensor.Tensor;

/**
 * The per-batch tensors of one layer inside a {@link Workspace}. Fields that a layer does not use are null.
 *
 * @param out the layer's output [N, ...]: the activation a, or the logits for the dense layer
 * @param pre the unit input before the activation: the mean current x (noisy-softplus, and the
 *            convolution output for relu/softplus); null for plain pooling and the dense layer
 * @param sigma the noise level of noisy-softplus units; null otherwise
 * @param gradOut d loss / d out
 * @param gradPre d loss / d pre; null where pre is null
 * @param gradSigma d loss / d sigma (noisy-softplus only, used with {@link SigmaGrad#FULL})
 * @param gradWeights d loss / d weights, summed over the batch; null for pooling
 */
record LayerBuffers(Tensor out, Tensor pre, Tensor sigma, Tensor gradOut, Tensor gradPre, Tensor gradSigma,
                    Tensor gradWeights) {
}
