package dev.nsp.kernel;

import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.*;

/** Every rule of the SPI's validation gives a clear exception that names the parameter. */
class BadInputTest {
    static Kernels k;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    static <T extends Throwable> void fails(Class<T> type, String prefix, Executable e) {
        T t = assertThrows(type, e);
        assertTrue(t.getMessage().startsWith(prefix), "message '" + t.getMessage() + "' should start with " + prefix);
    }

    @Test
    void noisySoftplusArguments() {
        try (Tensor x = Tensor.zeros(4); Tensor s = Tensor.of(new float[] {1, -0.5f, 1, 1}, 4); Tensor y = Tensor.zeros(4);
             Tensor nan = Tensor.of(new float[] {1, 1, Float.NaN, 1}, 4); Tensor ok = Tensor.of(new float[] {1, 1, 1, 1}, 4);
             Tensor small = Tensor.zeros(3)) {
            fails(IllegalArgumentException.class, "sigma: element 1 is -0.5", () -> k.noisySoftplusForward(x, s, 0.3f, 1f, y));
            fails(IllegalArgumentException.class, "sigma: element 2 is NaN", () -> k.noisySoftplusForward(x, nan, 0.3f, 1f, y));
            fails(IllegalArgumentException.class, "sigma: element 1", () -> k.noisySoftplusBackward(x, s, 0.3f, 1f, ok, y, null));
            fails(IllegalArgumentException.class, "k: NaN", () -> k.noisySoftplusForward(x, ok, Float.NaN, 1f, y));
            fails(IllegalArgumentException.class, "k: -1.0", () -> k.noisySoftplusForward(x, ok, -1f, 1f, y));
            fails(IllegalArgumentException.class, "k: 0.0", () -> k.noisySoftplusForward(x, ok, 0f, 1f, y));
            fails(IllegalArgumentException.class, "p: Infinity", () -> k.noisySoftplusForward(x, ok, 0.3f, Float.POSITIVE_INFINITY, y));
            fails(IllegalArgumentException.class, "y: size 3", () -> k.noisySoftplusForward(x, ok, 0.3f, 1f, small));
            fails(NullPointerException.class, "sigma:", () -> k.noisySoftplusForward(x, null, 0.3f, 1f, y));
            fails(IllegalArgumentException.class, "y: must not overlap sigma", () -> k.noisySoftplusForward(x, ok, 0.3f, 1f, ok));
            fails(IllegalArgumentException.class, "scale: 0.0", () -> k.softplusForward(x, 0f, 1f, y));
        }
    }

    @Test
    void closedTensorsAreRejected() {
        Tensor x = Tensor.zeros(4);
        try (Tensor s = Tensor.zeros(4); Tensor y = Tensor.zeros(4)) {
            x.close();
            fails(IllegalStateException.class, "x: tensor [4] used after close", () -> k.noisySoftplusForward(x, s, 0.3f, 1f, y));
        }
    }

    @Test
    void shapeMismatches() {
        try (Tensor in = Tensor.zeros(2, 3, 8, 8); Tensor w = Tensor.zeros(4, 2, 5, 5); Tensor w3 = Tensor.zeros(4, 3, 5, 5);
             Tensor out = Tensor.zeros(2, 4, 5, 5); Tensor big = Tensor.zeros(4, 3, 9, 9); Tensor odd = Tensor.zeros(1, 1, 5, 4);
             Tensor pooled = Tensor.zeros(1, 1, 2, 2); Tensor flat = Tensor.zeros(3, 8); Tensor dw = Tensor.zeros(10, 7);
             Tensor dout = Tensor.zeros(3, 10)) {
            fails(IllegalArgumentException.class, "weights: 2 input channels", () -> k.conv2dForward(in, w, out));
            fails(IllegalArgumentException.class, "output: shape [2, 4, 5, 5], expected [2, 4, 4, 4]", () -> k.conv2dForward(in, w3, out));
            fails(IllegalArgumentException.class, "weights: kernel 9x9", () -> k.conv2dForward(in, big, out));
            fails(IllegalArgumentException.class, "input: rank 2", () -> k.conv2dForward(flat, w3, out));
            fails(IllegalArgumentException.class, "input: height and width must be even", () -> k.pool2x2Forward(odd, 0.25f, pooled));
            fails(IllegalArgumentException.class, "weight: NaN", () -> k.pool2x2Forward(in, Float.NaN, pooled));
            fails(IllegalArgumentException.class, "weights: [10, 7] expects 7 inputs", () -> k.denseForward(flat, dw, dout));
        }
    }

    @Test
    void lossArguments() {
        try (Tensor z = Tensor.zeros(2, 10); Tensor p = Tensor.zeros(2, 10)) {
            fails(IllegalArgumentException.class, "labels: element 1 is 10, must be in [0, 10)",
                    () -> k.softmaxCrossEntropy(z, new int[] {0, 10}, p, null));
            fails(IllegalArgumentException.class, "labels: length 3", () -> k.softmaxCrossEntropy(z, new int[] {0, 1, 2}, p, null));
        }
    }

    @Test
    void lifArguments() {
        LifPropagators c = LifPropagators.of(LifParameters.TABLE1, 0.1);
        try (LifState s = new LifState(3); Tensor cur = Tensor.zeros(5, 2); Tensor counts = Tensor.zeros(4)) {
            fails(IllegalArgumentException.class, "steps: 0", () -> k.lifRun(c, s, 0, LifInputs.NONE, null, null));
            fails(IllegalArgumentException.class, "inputs.currentNa: shape [5, 2], expected [5, 3]",
                    () -> k.lifRun(c, s, 5, new LifInputs(null, cur, null, null), null, null));
            fails(IllegalArgumentException.class, "spikeCounts: shape [4]", () -> k.lifRun(c, s, 5, LifInputs.NONE, null, counts));
            fails(NullPointerException.class, "inputs:", () -> k.lifRun(c, s, 5, null, null, null));
        }
        fails(IllegalArgumentException.class, "neurons: 0", () -> new LifState(0));
        fails(IllegalArgumentException.class, "dtMs: 2.0, must be <= tauRefracMs", () -> LifPropagators.of(LifParameters.TABLE1, 2.0));
        fails(IllegalArgumentException.class, "dtMs: -0.1", () -> LifPropagators.of(LifParameters.TABLE1, -0.1));
        fails(IllegalArgumentException.class, "dtMs: 6.0, must be <= the smallest time constant",
                () -> LifPropagators.of(LifParameters.TABLE1.withTauSyn(5).withIOffset(0), 6.0));
    }

    @Test
    void lifParameters() {
        fails(IllegalArgumentException.class, "cmNf: -0.25", () -> new LifParameters(-0.25, 20, 1, 5, 5, -65, -65, -50, 0.1));
        fails(IllegalArgumentException.class, "tauMMs: 0.0", () -> new LifParameters(0.25, 0, 1, 5, 5, -65, -65, -50, 0.1));
        fails(IllegalArgumentException.class, "tauRefracMs: -1.0", () -> new LifParameters(0.25, 20, -1, 5, 5, -65, -65, -50, 0.1));
        fails(IllegalArgumentException.class, "vThreshMv: -70.0, must be > vResetMv", () -> new LifParameters(0.25, 20, 1, 5, 5, -65, -65, -70, 0.1));
        fails(IllegalArgumentException.class, "iOffsetNa: NaN", () -> new LifParameters(0.25, 20, 1, 5, 5, -65, -65, -50, Double.NaN));
        assertEquals(80.0, LifParameters.TABLE1.rmMohm(), 1e-12);
    }

    @Test
    void randomGeneratorArguments() {
        try (Tensor p = Tensor.zeros(3); Tensor s = Tensor.zeros(4)) {
            fails(IllegalArgumentException.class, "step: -1", () -> k.bernoulliSpikes(1, 0, -1, p, p));
            fails(IllegalArgumentException.class, "spikes: size 4", () -> k.bernoulliSpikes(1, 0, 0, p, s));
        }
    }

    @Test
    void unknownAndForcedBackends() {
        fails(IllegalArgumentException.class, "backend: 'quantum' is unknown", () -> Backends.create("quantum"));
        assertEquals("reference", k.name());
        assertTrue(Backends.probeAll().stream().anyMatch(p -> p.name().equals("reference") && p.availability().available()));
    }
}
