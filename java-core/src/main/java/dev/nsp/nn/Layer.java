package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;

/** One layer of a {@link Network}: weights (if any) and the kernel calls of its forward and backward pass. */
sealed interface Layer permits ConvLayer, PoolLayer, DenseLayer {

    /** @return the layer's spec */
    LayerSpec spec();

    /** @return the weight tensor (live), or null for pooling */
    Tensor weights();

    /** @return whether the layer's output goes through the activation function */
    boolean activated();

    /**
     * Allocates the layer's batch tensors.
     *
     * @param outShape the output shape including the batch dimension
     */
    LayerBuffers allocate(int[] outShape);

    /** Computes {@code b.out} (and the intermediate tensors) from {@code in}. */
    void forward(Kernels k, Tensor in, LayerBuffers b);

    /**
     * From {@code b.gradOut}, computes {@code b.gradWeights} and, unless {@code gradIn} is null, the gradient
     * with respect to the layer's input.
     */
    void backward(Kernels k, Tensor in, LayerBuffers b, Tensor gradIn, SigmaGrad mode);
}
