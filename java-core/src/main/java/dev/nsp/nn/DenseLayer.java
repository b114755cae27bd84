package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.model.Layer;
import dev.nsp.tensor.Tensor;

/**
 * A fully connected layer without bias. The output layer has no activation: its outputs are the logits of
 * the softmax. A hidden dense layer is made of the same units as the convolutions (for noisy-softplus, both
 * moments from {@link Kernels#momentDenseForward}).
 */
final class DenseLayer implements NetworkLayer {
    private final Layer.Dense spec;
    private final Tensor weights;
    private final Units units; // null for the output layer

    DenseLayer(Layer.Dense spec, Tensor weights, Units units) {
        this.spec = spec;
        this.weights = weights;
        this.units = units;
    }

    @Override
    public Layer spec() {
        return spec;
    }

    @Override
    public Tensor weights() {
        return weights;
    }

    @Override
    public LayerBuffers allocate(int[] outShape) {
        Tensor gradWeights = Tensor.zeros(weights.shape());
        if (units != null) {
            return units.allocate(outShape, gradWeights);
        }
        return new LayerBuffers(Tensor.zeros(outShape), null, null, Tensor.zeros(outShape), null, null, gradWeights);
    }

    @Override
    public void forward(Kernels k, Tensor in, LayerBuffers b) {
        if (units == null) {
            k.denseForward(in, weights, b.out());
        } else {
            if (units.noisy()) {
                k.momentDenseForward(in, weights, b.pre(), b.sigma());
            } else {
                k.denseForward(in, weights, b.pre());
            }
            units.forward(k, b);
        }
    }

    @Override
    public void backward(Kernels k, Tensor in, LayerBuffers b, Tensor gradIn, SigmaGrad mode) {
        if (units == null) {
            k.denseBackwardWeights(in, b.gradOut(), b.gradWeights());
            if (gradIn != null) {
                k.denseBackwardData(b.gradOut(), weights, gradIn);
            }
            return;
        }
        Tensor gradSigma = units.backward(k, b, mode);
        if (units.noisy()) {
            k.momentDenseBackward(in, weights, b.sigma(), b.gradPre(), gradSigma, gradIn, b.gradWeights());
        } else {
            k.denseBackwardWeights(in, b.gradPre(), b.gradWeights());
            if (gradIn != null) {
                k.denseBackwardData(b.gradPre(), weights, gradIn);
            }
        }
    }
}
