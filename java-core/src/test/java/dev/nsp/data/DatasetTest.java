package dev.nsp.data;

import dev.nsp.io.CorruptFileException;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    @TempDir
    Path dir;

    private static Dataset small() {
        // 4 images of 2 x 3; image i has pixels 10 i + j (j = 0..5), image 3 is full ink
        byte[] px = new byte[4 * 6];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 6; j++) {
                px[i * 6 + j] = (byte) (10 * i + j);
            }
        }
        for (int j = 0; j < 6; j++) {
            px[18 + j] = (byte) 255;
        }
        return new Dataset("t", 4, 2, 3, px, new byte[] {7, 0, 9, 4});
    }

    @Test
    void fillBatchScalesPixelsAndFollowsTheIndices() {
        Dataset d = small();
        float scale = Dataset.inputScale(200, 5);
        assertEquals(1.0f, scale);
        try (Tensor t = Tensor.zeros(3, 1, 2, 3)) {
            t.fill(-1f);
            d.fillBatch(new int[] {9, 3, 2, 0}, 1, scale, t);   // from = 1: items 3, 2, 0
            float[] v = t.toArray();
            for (int j = 0; j < 6; j++) {
                assertEquals(1.0f, v[j], "full ink is exactly scale");
                assertEquals((float) ((20 + j) / 255.0), v[6 + j]);
                assertEquals((float) (j / 255.0), v[12 + j]);
            }
            int[] labels = new int[3];
            d.fillLabels(new int[] {9, 3, 2, 0}, 1, labels);
            assertArrayEquals(new int[] {4, 9, 7}, labels);
        }
        try (Tensor t = Tensor.zeros(1, 1, 2, 3)) {
            d.fillBatch(new int[] {3}, 0.5f, t);
            assertEquals(0.5f, t.get(5));
        }
    }

    @Test
    void fillBatchValidatesItsArguments() {
        Dataset d = small();
        try (Tensor t = Tensor.zeros(2, 1, 2, 3); Tensor wrong = Tensor.zeros(2, 1, 3, 2)) {
            assertThrows(IllegalArgumentException.class, () -> d.fillBatch(new int[] {0, 1}, 1f, wrong));
            assertThrows(IllegalArgumentException.class, () -> d.fillBatch(new int[] {0, 1}, 0f, t));
            assertThrows(IllegalArgumentException.class, () -> d.fillBatch(new int[] {0, 1}, Float.NaN, t));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> d.fillBatch(new int[] {0, 4}, 1f, t));
            assertTrue(e.getMessage().contains("indices[1]: 4"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> d.fillBatch(new int[] {0, 1}, 1, 1f, t));
            assertThrows(IndexOutOfBoundsException.class, () -> d.fillLabels(new int[] {-1}, 0, new int[1]));
        }
    }

    @Test
    void constructorValidates() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 2, 2, new byte[7], new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 2, 2, new byte[8], new byte[3]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("x", 2, 2, 2, new byte[8], new byte[] {1, 10}));
        assertTrue(e.getMessage().contains("item 1 has label 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.inputScale(0, 5));
        assertThrows(IllegalArgumentException.class, () -> Dataset.inputScale(200, Double.NaN));
    }

    @Test
    void accessorsAndHead() {
        Dataset d = small();
        assertEquals(9, d.label(2));
        assertEquals(255, d.pixel(3, 1, 2));
        assertEquals(21, d.pixel(2, 0, 1));
        Dataset h = d.head(2);
        assertEquals(2, h.count());
        assertEquals(0, h.label(1));
        assertThrows(IndexOutOfBoundsException.class, () -> d.pixel(0, 2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(4));
    }

    @Test
    void loadChecksThatImagesAndLabelsBelongTogether() throws IOException {
        Dataset d = small();
        Path fi = dir.resolve("img");
        Path fl = dir.resolve("lab.gz");
        Idx.writeImages(fi, new IdxImages(4, 2, 3, d.pixels()), false);
        Idx.writeLabels(fl, d.labels(), true);
        Dataset back = Dataset.load("back", fi, fl);
        assertArrayEquals(d.pixels(), back.pixels());
        assertArrayEquals(d.labels(), back.labels());
        Idx.writeLabels(fl, new byte[] {1, 2, 3}, true);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> Dataset.load("x", fi, fl));
        assertTrue(e.getMessage().contains("3 labels") && e.getMessage().contains("4 images"), e.getMessage());
    }
}
