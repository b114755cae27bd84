package dev.nsp.train;

import dev.nsp.nn.SigmaGrad;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SgdAndDataTest {

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
    void labeledImagesAreValidated() {
        LabeledImages d = new LabeledImages(new byte[] {1, 2, 3, 4, 5, 6, (byte) 255, 8}, new byte[] {0, (byte) 200}, 2, 2, 2);
        assertEquals(4, d.imageSize());
        assertEquals(200, d.label(1));
        LabeledImages r = d.range(1, 1);
        assertArrayEquals(new byte[] {5, 6, (byte) 255, 8}, r.pixels());
        assertEquals(200, r.label(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.checkLabels("x", 10));
        assertTrue(e.getMessage().contains("x: label of image 1 is 200"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabeledImages(new byte[7], new byte[2], 2, 2, 2));
        assertTrue(e.getMessage().contains("pixels: length 7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LabeledImages(new byte[8], new byte[3], 2, 2, 2));
        assertTrue(e.getMessage().contains("labels: length 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(new byte[0], new byte[0], 0, 2, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> d.range(1, 2));
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
