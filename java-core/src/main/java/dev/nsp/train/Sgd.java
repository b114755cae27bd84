package dev.nsp.train;

import dev.nsp.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Plain stochastic gradient descent with a fixed learning rate: {@code w -= lr * grad}, elementwise over the
 * weight tensors' memory. O(weights) per batch, so it does not go through the kernel SPI.
 */
public final class Sgd {
    private Sgd() {
    }

    /**
     * One update step.
     *
     * @param weights the weight tensors, updated in place
     * @param gradients their gradients, aligned with and the same sizes as {@code weights}
     * @param learningRate the step, finite
     */
    public static void step(List<Tensor> weights, List<Tensor> gradients, float learningRate) {
        if (!Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: " + learningRate + ", must be finite");
        }
        if (weights.size() != gradients.size()) {
            throw new IllegalArgumentException("gradients: " + gradients.size() + " tensors for " + weights.size()
                    + " weight tensors");
        }
        for (int t = 0; t < weights.size(); t++) {
            Tensor w = weights.get(t);
            Tensor g = gradients.get(t);
            if (w.size() != g.size()) {
                throw new IllegalArgumentException("gradients: tensor " + t + " has " + g.size() + " elements, weights "
                        + w.size());
            }
            MemorySegment ws = w.segment();
            MemorySegment gs = g.segment();
            for (long i = 0, n = w.size(); i < n; i++) {
                float v = ws.getAtIndex(ValueLayout.JAVA_FLOAT, i) - learningRate * gs.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                ws.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
        }
    }
}
