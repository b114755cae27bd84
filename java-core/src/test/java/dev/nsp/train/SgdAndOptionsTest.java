package dev.nsp.train;

import dev.nsp.nn.SigmaGrad;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SgdAndOptionsTest {

    @Test
    void sgdStepsAgainstTheGradient() {
        try (Tensor w = Tensor.of(new float[] {1f, -2f, 0.5f}, 3);
             Tensor g = Tensor.of(new float[] {0.5f, 1f, -4f}, 3);
             Tensor w2 = Tensor.of(new float[] {3f}, 1);
             Tensor g2 = Tensor.of(new float[] {2f}, 1)) {
            Sgd.step(List.of(w, w2), List.of(g, g2), 0.25f);
            assertArrayEquals(new float[] {0.875f, -2.25f, 1.5f}, w.toArray());
            assertArrayEquals(new float[] {2.5f}, w2.toArray());
            assertArrayEquals(new float[] {0.5f, 1f, -4f}, g.toArray(), "gradients untouched");
            assertThrows(IllegalArgumentException.class, () -> Sgd.step(List.of(w), List.of(g2), 0.1f));
            assertThrows(IllegalArgumentException.class, () -> Sgd.step(List.of(w), List.of(), 0.1f));
            assertThrows(IllegalArgumentException.class, () -> Sgd.step(List.of(w), List.of(g), Float.NaN));
        }
    }

    @Test
    void trainOptionsAreValidated() {
        TrainOptions o = TrainOptions.defaults();
        assertEquals(10, o.epochs());
        assertEquals(50, o.batchSize());
        assertEquals(SigmaGrad.NONE, o.sigmaGrad());
        assertThrows(IllegalArgumentException.class, () -> o.withEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> o.withBatchSize(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withLearningRate(-1));
        assertTrue(e.getMessage().contains("learningRate: -1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> o.withLearningRate(Double.NaN));
        assertThrows(NullPointerException.class, () -> o.withSigmaGrad(null));
        assertThrows(IllegalArgumentException.class, () -> o.withEvalBatchSize(0));
    }
}
