package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;

/** The fully connected output layer, no bias, no activation: {@code logits = a W^T}, fed to the softmax. */
final class DenseLayer implements Layer {
    private final LayerSpec.Dense spec;
    private final Tensor weights;

    DenseLayer(LayerSpec.Dense spec, Tensor weights) {
        this.spec = spec;
        this.weights = weights;
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public Tensor weights() {
        return weights;
    }

    @Override
    public boolean activated() {
        return false;
    }

    @Override
    public LayerBuffers allocate(int[] outShape) {
        return new LayerBuffers(Tensor.zeros(outShape), null, null, Tensor.zeros(outShape), null, null,
                Tensor.zeros(weights.shape()));
    }

    @Override
    public void forward(Kernels k, Tensor in, LayerBuffers b) {
        k.denseForward(in, weights, b.out());
    }

    @Override
    public void backward(Kernels k, Tensor in, LayerBuffers b, Tensor gradIn, SigmaGrad mode) {
        k.denseBackwardWeights(in, b.gradOut(), b.gradWeights());
        if (gradIn != null) {
            k.denseBackwardData(b.gradOut(), weights, gradIn);
        }
    }
}
