package dev.nsp.nn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchitectureTest {

    @Test
    void parsesThePaperNetwork() {
        Architecture a = Architecture.parse(Architecture.PAPER);
        assertEquals(List.of(new LayerSpec.Conv(6, 5), new LayerSpec.Pool(2), new LayerSpec.Conv(12, 5),
                new LayerSpec.Pool(2), new LayerSpec.Dense(10)), a.layers());
        assertArrayEquals(new int[] {1, 28, 28}, a.inputShape());
        assertArrayEquals(new int[] {6, 24, 24}, a.outputShape(0));
        assertArrayEquals(new int[] {6, 12, 12}, a.outputShape(1));
        assertArrayEquals(new int[] {12, 8, 8}, a.outputShape(2));
        assertArrayEquals(new int[] {12, 4, 4}, a.outputShape(3));
        assertArrayEquals(new int[] {10}, a.outputShape(4));
        assertArrayEquals(new int[] {12, 4, 4}, a.inputShape(4)); // 192 inputs of the dense layer
        assertEquals(10, a.outputs());
        assertEquals(Architecture.PAPER, a.spec());
    }

    @Test
    void parsesTheWideNetworkAndNormalisesTheSpelling() {
        Architecture a = Architecture.parse(" 16C5 - 2S-64c5-2s-10 ");
        assertEquals(Architecture.WIDE, a.spec());
        assertArrayEquals(new int[] {64, 4, 4}, a.inputShape(4));
        assertEquals(a, Architecture.parse(Architecture.WIDE));
        assertEquals(a.hashCode(), Architecture.parse(Architecture.WIDE).hashCode());
    }

    @Test
    void parsesOtherInputShapes() {
        Architecture a = Architecture.parse("4c3-2s-3", 2, 10, 12);
        assertArrayEquals(new int[] {4, 4, 5}, a.outputShape(1));
        assertArrayEquals(new int[] {3}, a.outputShape(2));
    }

    private static void rejects(String spec, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.parse(spec));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void rejectsBadSpecsWithAMessageNamingTheToken() {
        rejects("", "spec", "empty");
        rejects(null, "spec");
        rejects("6x5-2s-10", "token 1 '6x5'", "not a layer");
        rejects("6c5--10", "token 2 ''", "not a layer");
        rejects("6c5-2s-12c5-2s", "layer 4 (2s)", "last layer must be the dense");
        rejects("10-6c5", "layer 1 (10)", "must be the last layer");
        rejects("6c5-2s-100-10", "layer 3 (100)", "hidden dense");
        rejects("6c29-10", "kernel 29x29", "28x28");
        rejects("6c4-2s-10", "layer 2 (2s)", "even", "25x25");
        rejects("6c5-3s-10", "token 2 '3s'", "only 2x2");
        rejects("0c5-10", "token 1 '0c5'", "maps: 0");
        rejects("6c0-10", "token 1 '6c0'", "kernel: 0");
        rejects("6c5-1", "token 2 '1'", "outputs: 1");
        rejects("6c5-99999999999-10", "token 2", "not a layer");
        assertThrows(IllegalArgumentException.class, () -> Architecture.parse("6c5-10", 0, 28, 28));
        assertThrows(IllegalArgumentException.class, () -> Architecture.parse("6c5-10", 1, 28, -1));
    }
}
