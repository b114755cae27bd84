package dev.nsp.conformance;

import dev.nsp.api.Backend;
import dev.nsp.api.LifPopulation;
import dev.nsp.api.NoisySoftplus;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The public API ({@code dev.nsp.api}) on every backend, including those that cannot read the Java heap
 * (native, OpenCL), for which heap arguments are staged through native memory. The API adds no arithmetic:
 * on every kind of memory it must give exactly the bits of the backend's own kernel on off-heap tensors.
 * The LIF kernel is bit-identical to the reference on every backend for neurons that do not graze the
 * threshold (see {@link BackendConformanceTest}); the population here is driven well away from it, so its
 * spike counts must equal the reference's.
 */
class ApiOnEveryBackendTest {
    private static final int[] SIZES = {1, 17, 4099};
    private static final float K = 0.3f;
    private static final float P = 1.005f;

    /** One API backend per name for the whole class (an OpenCL backend builds its program when created). */
    private static final java.util.Map<String, Backend> BACKENDS = new java.util.concurrent.ConcurrentHashMap<>();

    @AfterAll
    static void closeBackends() {
        Harness.closeAll();
        BACKENDS.values().forEach(Backend::close);
        BACKENDS.clear();
    }

    private static Backend api(String name) {
        return BACKENDS.computeIfAbsent(name, Backend::named);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void activationOnEveryKindOfMemory(String name) {
        Kernels kernels = Harness.backend(name);
        try (Arena arena = Arena.ofShared()) {
            NoisySoftplus ns = NoisySoftplus.of(K, P, api(name));
            Random r = new Random(11);
            for (int n : SIZES) {
                float[] x = new float[n];
                float[] s = new float[n];
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) (r.nextDouble() * 8 - 4);
                    s[i] = r.nextInt(8) == 0 ? 0f : (float) (r.nextDouble() * 2);
                    g[i] = (float) (r.nextDouble() * 2 - 1);
                }
                float[][] e = expected(kernels, x, s, g);
                String what = name + " n=" + n;

                float[] y = new float[n + 2];
                float[] gx = new float[n + 2];
                float[] gs = new float[n + 2];
                ns.forward(x, 0, s, 0, y, 1, n);
                ns.backward(x, 0, s, 0, g, 0, gx, 1, gs, 1, n);
                assertBits(e[0], Arrays.copyOfRange(y, 1, n + 1), what + " float[] y");
                assertBits(e[1], Arrays.copyOfRange(gx, 1, n + 1), what + " float[] gradX");
                assertBits(e[2], Arrays.copyOfRange(gs, 1, n + 1), what + " float[] gradSigma");
                assertEquals(0f, y[0] + y[n + 1] + gx[0] + gs[n + 1], what + ": nothing written outside the range");

                FloatBuffer dy = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
                ns.forward(FloatBuffer.wrap(x), direct(s), dy);
                assertBits(e[0], array(dy), what + " buffers y");
                FloatBuffer hgx = FloatBuffer.allocate(n);
                ns.backward(direct(x), FloatBuffer.wrap(s), FloatBuffer.wrap(g), hgx, null);
                assertBits(e[1], hgx.array(), what + " buffers gradX");

                MemorySegment sy = arena.allocate(4L * n, 4);
                MemorySegment sgs = MemorySegment.ofArray(new float[n]);
                ns.forward(MemorySegment.ofArray(x), arena.allocateFrom(ValueLayout.JAVA_FLOAT, s), sy);
                ns.backward(arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), MemorySegment.ofArray(s),
                        MemorySegment.ofArray(g), arena.allocate(4L * n, 4), sgs);
                assertBits(e[0], sy.toArray(ValueLayout.JAVA_FLOAT), what + " segments y");
                assertBits(e[2], sgs.toArray(ValueLayout.JAVA_FLOAT), what + " segments gradSigma");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void populationCountsEqualTheReference(String name) {
        Harness.backend(name);
        float[] currents = new float[97];
        float[] weights = new float[97];
        Random r = new Random(3);
        for (int i = 0; i < currents.length; i++) {
            currents[i] = (float) (0.1 + r.nextDouble() * 0.6);
            weights[i] = (float) (r.nextDouble() * 4 - 2);
        }
        long[][] counts = new long[2][];
        String[] names = {"reference", name};
        for (int b = 0; b < 2; b++) {
            try (LifPopulation pop = LifPopulation.create(97, LifParameters.TABLE1, 0.1, api(names[b]))) {
                pop.setCurrents(currents);
                pop.addSpikes(weights);
                pop.run(2000);
                for (int step = 0; step < 100; step++) {
                    for (int i : pop.spikedNeurons()) {
                        pop.addSpike((i + 1) % 97, 0.5);
                    }
                    pop.step();
                }
                counts[b] = pop.spikeCounts();
            }
        }
        assertTrue(Arrays.stream(counts[0]).sum() > 500, "the neurons fire");
        assertArrayEquals(counts[0], counts[1], name);
    }

    private static float[][] expected(Kernels k, float[] x, float[] s, float[] g) {
        int n = x.length;
        try (Tensor tx = Tensor.of(x, n); Tensor ts = Tensor.of(s, n); Tensor tg = Tensor.of(g, n);
             Tensor y = Tensor.zeros(n); Tensor gx = Tensor.zeros(n); Tensor gs = Tensor.zeros(n)) {
            k.noisySoftplusForward(tx, ts, K, P, y);
            k.noisySoftplusBackward(tx, ts, K, P, tg, gx, gs);
            return new float[][] {y.toArray(), gx.toArray(), gs.toArray()};
        }
    }

    private static FloatBuffer direct(float[] a) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * a.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(a).flip();
        return b;
    }

    private static float[] array(FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", the kernel gives " + expected[i]);
            }
        }
    }
}
