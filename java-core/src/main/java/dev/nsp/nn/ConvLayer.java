package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.model.Layer;
import dev.nsp.tensor.Tensor;

/**
 * A convolution followed by the activation. Noisy Softplus units compute both moments of their input with
 * {@link Kernels#momentConv2dForward}; relu and softplus units a plain convolution.
 */
final class ConvLayer implements NetworkLayer {
    private final Layer.Conv spec;
    private final Tensor weights;
    private final Units units;

    ConvLayer(Layer.Conv spec, Tensor weights, Units units) {
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
        return units.allocate(outShape, Tensor.zeros(weights.shape()));
    }

    @Override
    public void forward(Kernels k, Tensor in, LayerBuffers b) {
        if (units.noisy()) {
            k.momentConv2dForward(in, weights, b.pre(), b.sigma());
        } else {
            k.conv2dForward(in, weights, b.pre());
        }
        units.forward(k, b);
    }

    @Override
    public void backward(Kernels k, Tensor in, LayerBuffers b, Tensor gradIn, SigmaGrad mode) {
        Tensor gradSigma = units.backward(k, b, mode);
        if (units.noisy()) {
            k.momentConv2dBackward(in, weights, b.sigma(), b.gradPre(), gradSigma, gradIn, b.gradWeights());
        } else {
            k.conv2dBackwardWeights(in, b.gradPre(), b.gradWeights());
            if (gradIn != null) {
                k.conv2dBackwardData(b.gradPre(), weights, gradIn);
            }
        }
    }
}
