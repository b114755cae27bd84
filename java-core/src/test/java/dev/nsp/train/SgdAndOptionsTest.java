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

    @Test
    void theDefaultsTrainAsThePaperDoes() {
        TrainOptions o = TrainOptions.defaults();
        assertEquals(LrSchedule.CONSTANT, o.schedule());
        assertEquals(0, o.maxShift());
        assertEquals(LrSchedule.COSINE, o.withSchedule(LrSchedule.COSINE).schedule());
        assertEquals(8, o.withMaxShift(8).maxShift());
    }

    @Test
    void cosineAnnealingStartsAtTheRateAndEndsNearZero() {
        for (int t = 0; t < 7; t++) {
            assertEquals(0.3, LrSchedule.CONSTANT.rate(0.3, t, 7));
        }
        assertEquals(0.3, LrSchedule.COSINE.rate(0.3, 0, 100), 1e-15);
        assertEquals(0.15, LrSchedule.COSINE.rate(0.3, 50, 100), 1e-15);
        assertEquals(0.3 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, LrSchedule.COSINE.rate(0.3, 99, 100), 1e-15);
        double previous = Double.POSITIVE_INFINITY;
        for (int t = 0; t < 100; t++) {
            double r = LrSchedule.COSINE.rate(0.3, t, 100);
            assertTrue(r > 0 && r < previous, "step " + t + ": " + r);
            previous = r;
        }
        assertEquals(0.3, LrSchedule.COSINE.rate(0.3, 0, 1));
        assertEquals(LrSchedule.COSINE, LrSchedule.parse(" Cosine "));
        assertEquals(LrSchedule.CONSTANT, LrSchedule.parse("constant"));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse(null));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.COSINE.rate(0.3, -1, 10));
    }
}
