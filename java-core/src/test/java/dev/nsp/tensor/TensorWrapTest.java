package dev.nsp.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

class TensorWrapTest {

    @Test
    void wrapsNativeMemoryWithoutCopying() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(10 * Float.BYTES, 4);
            Tensor t = Tensor.wrap(s, 2, 3);     // the first 6 floats
            assertEquals(6, t.size());
            t.set(5, 7f);
            assertEquals(7f, s.getAtIndex(ValueLayout.JAVA_FLOAT, 5));
            s.setAtIndex(ValueLayout.JAVA_FLOAT, 0, -2f);
            assertEquals(-2f, t.get(0));
            t.close();
            assertTrue(t.isClosed());
            // closing the tensor does not free the caller's memory
            assertEquals(7f, s.getAtIndex(ValueLayout.JAVA_FLOAT, 5));
        }
    }

    @Test
    void wrapsFloatArrays() {
        float[] a = {1, 2, 3, 4};
        Tensor t = Tensor.wrap(MemorySegment.ofArray(a).asSlice(4), 3);
        assertArrayEquals(new float[] {2, 3, 4}, t.toArray());
        t.set(0, 9f);
        assertEquals(9f, a[1]);
    }

    @Test
    void aClosedArenaMakesTheTensorUnusable() {
        Tensor t;
        try (Arena arena = Arena.ofShared()) {
            t = Tensor.wrap(arena.allocate(16), 4);
        }
        assertThrows(IllegalStateException.class, () -> t.get(0));
    }

    @Test
    void rejectsSmallOrUnalignedSegments() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(MemorySegment.ofArray(new float[3]), 4));
        assertTrue(small.getMessage().startsWith("segment: 12 bytes"), small.getMessage());
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(MemorySegment.ofArray(new byte[16]), 4));
        assertTrue(bytes.getMessage().contains("aligned to 1"), bytes.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment odd = arena.allocate(20, 8).asSlice(1, 16);
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(odd, 4));
        }
        assertThrows(NullPointerException.class, () -> Tensor.wrap(null, 1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(MemorySegment.ofArray(new float[3]), 0));
    }
}
