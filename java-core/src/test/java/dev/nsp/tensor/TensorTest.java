package dev.nsp.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {

    @Test
    void allocationIsAlignedZeroedAndShaped() {
        try (Tensor t = Tensor.zeros(2, 3, 5)) {
            assertEquals(30, t.size());
            assertArrayEquals(new int[] {2, 3, 5}, t.shape());
            assertEquals(0, t.segment().address() % Tensor.ALIGNMENT);
            for (float v : t.toArray()) {
                assertEquals(0f, v);
            }
        }
    }

    @Test
    void roundTripsData() {
        float[] d = {1, 2, 3, 4, 5, 6};
        try (Tensor t = Tensor.of(d, 2, 3)) {
            assertArrayEquals(d, t.toArray());
            t.set(4, -1f);
            assertEquals(-1f, t.get(4));
            try (Tensor c = t.copy()) {
                t.set(0, 9f);
                assertEquals(1f, c.get(0));
            }
        }
    }

    @Test
    void viewsShareMemoryAndCheckRange() {
        try (Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 4)) {
            Tensor row = t.slice(1);
            assertArrayEquals(new float[] {4, 5, 6, 7}, row.toArray());
            row.set(0, 40f);
            assertEquals(40f, t.get(4));
            assertArrayEquals(new int[] {4, 2}, t.reshape(4, 2).shape());
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.view(6, 3));
            assertTrue(e.getMessage().contains("offset 6"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2));
            assertThrows(IllegalArgumentException.class, () -> t.reshape(3, 3));
        }
    }

    @Test
    void useAfterCloseIsAnExceptionForOwnerAndViews() {
        Tensor t = Tensor.zeros(4);
        Tensor v = t.view(1, 2);
        t.close();
        t.close(); // harmless
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.get(0));
        assertTrue(e.getMessage().contains("after close"), e.getMessage());
        assertThrows(IllegalStateException.class, v::segment);
        assertTrue(v.isClosed());
    }

    @Test
    void closingAViewLeavesTheOwnerUsable() {
        try (Tensor t = Tensor.zeros(4)) {
            Tensor v = t.view(0, 2);
            v.close();
            assertThrows(IllegalStateException.class, () -> v.get(0));
            t.set(0, 1f);
            assertEquals(1f, t.get(0));
        }
    }

    @Test
    void badShapesAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 0));
        assertTrue(e.getMessage().startsWith("shape: dimension 1 is 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(d.getMessage().startsWith("data:"), d.getMessage());
        try (Tensor t = Tensor.zeros(3)) {
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(3));
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(-1));
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[2]));
        }
    }
}
