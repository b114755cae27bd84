package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.model.Layer;
import dev.nsp.tensor.Tensor;

/** One layer of a {@link Network}: its weights (if any) and the kernel calls of its forward and backward pass. */
sealed interface NetworkLayer permits ConvLayer, PoolLayer, DenseLayer {

    /** @return the layer's description */
    Layer spec();

    /** @return the weight tensor (live), or null for pooling */
    Tensor weights();

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
