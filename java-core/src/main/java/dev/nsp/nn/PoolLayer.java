package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.model.Layer;
import dev.nsp.tensor.Tensor;

/**
 * 2x2 pooling. For noisy-softplus networks the pooling units are Noisy Softplus units with the fixed weight
 * 1/(4p) ({@link Kernels#momentPool2x2Forward} then the activation); for relu and softplus networks they are
 * plain average pooling (weight 1/4) with no activation.
 */
final class PoolLayer implements NetworkLayer {
    private final Units units;
    private final float weight;

    PoolLayer(Units units, float weight) {
        this.units = units;
        this.weight = weight;
    }

    @Override
    public Layer spec() {
        return new Layer.Pool2x2();
    }

    @Override
    public Tensor weights() {
        return null;
    }

    @Override
    public LayerBuffers allocate(int[] outShape) {
        if (units.noisy()) {
            return units.allocate(outShape, null);
        }
        return new LayerBuffers(Tensor.zeros(outShape), null, null, Tensor.zeros(outShape), null, null, null);
    }

    @Override
    public void forward(Kernels k, Tensor in, LayerBuffers b) {
        if (units.noisy()) {
            k.momentPool2x2Forward(in, weight, b.pre(), b.sigma());
            units.forward(k, b);
        } else {
            k.pool2x2Forward(in, weight, b.out());
        }
    }

    @Override
    public void backward(Kernels k, Tensor in, LayerBuffers b, Tensor gradIn, SigmaGrad mode) {
        if (gradIn == null) {
            return; // no weights here, and nothing below needs a gradient
        }
        if (units.noisy()) {
            Tensor gradSigma = units.backward(k, b, mode);
            k.momentPool2x2Backward(in, weight, b.sigma(), b.gradPre(), gradSigma, gradIn);
        } else {
            k.pool2x2Backward(b.gradOut(), weight, gradIn);
        }
    }
}
