package dev.nsp.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchitectureTest {

    @Test
    void paperNet() {
        Architecture a = Architecture.paper();
        assertEquals(List.of(new Layer.Conv(6, 1, 5, 5), new Layer.Pool2x2(), new Layer.Conv(12, 6, 5, 5),
                new Layer.Pool2x2(), new Layer.Dense(10, 192)), a.layers());
        assertEquals("6c5-2s-12c5-2s-10", a.spec());
        assertEquals(10, a.classes());
        // 6*25 + 12*6*25 + 10*192
        assertEquals(150 + 1800 + 1920, a.weightCount());
        assertArrayEquals(new int[] {1, 28, 28}, a.inputShape(0));
        assertArrayEquals(new int[] {6, 24, 24}, a.outputShape(0));
        assertArrayEquals(new int[] {6, 12, 12}, a.outputShape(1));
        assertArrayEquals(new int[] {12, 8, 8}, a.outputShape(2));
        assertArrayEquals(new int[] {12, 4, 4}, a.inputShape(4));
        assertArrayEquals(new int[] {10}, a.outputShape(4));
        assertArrayEquals(new int[] {10, 192}, a.layers().get(4).weightShape());
        assertArrayEquals(new int[0], a.layers().get(1).weightShape());
        assertTrue(a.describe().contains("weights [12, 6, 5, 5]"), a.describe());
    }

    @Test
    void wideNet() {
        Architecture a = Architecture.wide();
        assertEquals(new Layer.Conv(64, 16, 5, 5), a.layers().get(2));
        assertEquals(new Layer.Dense(10, 1024), a.layers().get(4));
        assertEquals(16 * 25 + 64 * 16 * 25 + 10 * 1024, a.weightCount());
        assertEquals(Architecture.WIDE, a.spec());
    }

    @Test
    void otherShapesRoundTrip() {
        Architecture a = Architecture.parse("4c3x5-2s-100-10", 3, 10, 12);   // 8 x 8 after the conv, 4 x 4 after pooling
        assertEquals(new Layer.Conv(4, 3, 3, 5), a.layers().getFirst());
        assertEquals(new Layer.Dense(100, 4 * 4 * 4), a.layers().get(2));
        assertEquals(new Layer.Dense(10, 100), a.layers().get(3));
        assertEquals("4c3x5-2s-100-10", a.spec());
        assertEquals(a, Architecture.parse(a.spec(), 3, 10, 12));
        assertEquals(new Layer.Dense(10, 784), Architecture.parse("10", 1, 28, 28).layers().getFirst());
    }

    @Test
    void badSpecsNameTheProblem() {
        assertMessage("only 2s", () -> Architecture.parse("6c5-3s-10", 1, 28, 28));
        assertMessage("must be dense", () -> Architecture.parse("6c5-2s", 1, 28, 28));
        assertMessage("bad token 'x'", () -> Architecture.parse("6c5-x-10", 1, 28, 28));
        assertMessage("bad token ''", () -> Architecture.parse("6c5--10", 1, 28, 28));
        assertMessage("larger than its input", () -> Architecture.parse("6c29-10", 1, 28, 28));
        assertMessage("not even", () -> Architecture.parse(Architecture.PAPER, 1, 27, 27));
        assertMessage("after a dense layer", () -> Architecture.parse("10-6c5-10", 1, 28, 28));
        assertMessage("must be >= 1", () -> Architecture.parse("0c5-10", 1, 28, 28));
        assertMessage("input", () -> Architecture.parse("10", 0, 28, 28));
    }

    @Test
    void layersMustChain() {
        assertMessage("in = 2, but it receives 1 channels", () -> new Architecture(1, 8, 8,
                List.of(new Layer.Conv(2, 2, 3, 3), new Layer.Dense(10, 72))));
        assertMessage("in = 71, but it receives 72 values", () -> new Architecture(1, 8, 8,
                List.of(new Layer.Conv(2, 1, 3, 3), new Layer.Dense(10, 71))));
        assertMessage("more than", () -> new Layer.Conv(Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 1));
        assertMessage("[1, 64]", () -> new Architecture(1, 1, 1, List.of()));
    }

    @Test
    void activations() {
        Activation ns = Activation.noisySoftplus(0.30, 201, 5);
        assertEquals(1.005, ns.p(), 1e-12);
        assertEquals(Activation.Kind.NOISY_SOFTPLUS, Activation.Kind.parse("Noisy-Softplus"));
        assertEquals("softplus", Activation.softplus(0.3, 0.5, 1).kind().id());
        assertEquals(Activation.Kind.RELU, Activation.relu(1).kind());
        assertMessage("k: 0.0", () -> Activation.noisySoftplus(0, 201, 5));
        assertMessage("softplusSigma", () -> Activation.softplus(0.3, 0, 1));
        assertMessage("p: 0.0", () -> Activation.relu(0));
        assertMessage("finite", () -> new Activation(Activation.Kind.RELU, Double.NaN, 0, 0, 1, 0));
        assertMessage("expected relu", () -> Activation.Kind.parse("tanh"));
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ex);
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
    }
}
