package dev.nsp.nn;

import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.tensor.Tensor;

/** The activation step shared by all hidden units: {@code out = act(pre[, sigma])} and its gradient. */
final class Units {
    private final Activation.Kind kind;
    private final float k;
    private final float p;
    private final float softplusScale;

    Units(Activation a) {
        this.kind = a.kind();
        this.k = (float) a.k();
        this.p = (float) a.p();
        this.softplusScale = (float) (a.k() * a.softplusSigma());
        if (!(p > 0) || Float.isInfinite(p)) {
            throw new IllegalArgumentException("activation: p = " + a.p() + " does not fit a positive float");
        }
        if (kind != Activation.Kind.RELU && (!(k > 0) || Float.isInfinite(k))) {
            throw new IllegalArgumentException("activation: k = " + a.k() + " does not fit a positive float");
        }
        if (kind == Activation.Kind.SOFTPLUS && (!(softplusScale > 0) || Float.isInfinite(softplusScale))) {
            throw new IllegalArgumentException("activation: k * softplusSigma = " + a.k() * a.softplusSigma()
                    + " does not fit a positive float");
        }
    }

    boolean noisy() {
        return kind == Activation.Kind.NOISY_SOFTPLUS;
    }

    /** Allocates out, pre, gradOut, gradPre and, for noisy-softplus, sigma and gradSigma. */
    LayerBuffers allocate(int[] outShape, Tensor gradWeights) {
        boolean ns = noisy();
        return new LayerBuffers(Tensor.zeros(outShape), Tensor.zeros(outShape), ns ? Tensor.zeros(outShape) : null,
                Tensor.zeros(outShape), Tensor.zeros(outShape), ns ? Tensor.zeros(outShape) : null, gradWeights);
    }

    /** {@code b.out = act(b.pre, b.sigma)}. */
    void forward(Kernels kernels, LayerBuffers b) {
        switch (kind) {
            case NOISY_SOFTPLUS -> kernels.noisySoftplusForward(b.pre(), b.sigma(), k, p, b.out());
            case SOFTPLUS -> kernels.softplusForward(b.pre(), softplusScale, p, b.out());
            case RELU -> kernels.reluForward(b.pre(), p, b.out());
        }
    }

    /**
     * {@code b.gradPre} (and, in FULL mode for noisy-softplus, {@code b.gradSigma}) from {@code b.gradOut}.
     *
     * @return the sigma gradient to pass to the moment backward, or null to treat sigma as a constant
     */
    Tensor backward(Kernels kernels, LayerBuffers b, SigmaGrad mode) {
        switch (kind) {
            case NOISY_SOFTPLUS -> {
                Tensor gs = mode == SigmaGrad.FULL ? b.gradSigma() : null;
                kernels.noisySoftplusBackward(b.pre(), b.sigma(), k, p, b.gradOut(), b.gradPre(), gs);
                return gs;
            }
            case SOFTPLUS -> kernels.softplusBackward(b.pre(), softplusScale, p, b.gradOut(), b.gradPre());
            case RELU -> kernels.reluBackward(b.pre(), p, b.gradOut(), b.gradPre());
        }
        return null;
    }
}
