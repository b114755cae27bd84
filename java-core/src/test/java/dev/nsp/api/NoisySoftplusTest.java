package dev.nsp.api;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The activation API hands the caller's memory to the backend's kernel: every overload must give exactly the
 * bits that the same backend's kernel gives on its own off-heap tensors (the API adds no arithmetic), write
 * nothing outside the range, and reject bad arguments by name.
 */
class NoisySoftplusTest {
    /** Sizes that leave vector tails (16 floats per AVX-512 vector, 256 per block). */
    private static final int[] SIZES = {1, 3, 7, 15, 16, 17, 1021, 4099};
    private static final float K = 0.3f;
    private static final float P = 1.005f;
    private static final float SENTINEL = -12345f;

    private static final Backend REFERENCE = Backend.named("reference");
    private static final Backend VECTOR = available("vector") ? Backend.named("vector") : null;

    @AfterAll
    static void close() {
        REFERENCE.close();
        if (VECTOR != null) {
            VECTOR.close();
        }
    }

    private static boolean available(String name) {
        return Backend.list().stream().anyMatch(i -> i.name().equals(name) && i.available());
    }

    private static Backend backend(String name) {
        return name.equals("reference") ? REFERENCE : VECTOR;
    }

    /** Inputs of one case: x in [-4, 4], sigma in [0, 2] with exact zeros (ReLU), gradY in [-1, 1]. */
    private record Case(float[] x, float[] sigma, float[] gradY) {
        static Case random(int n, long seed) {
            Random r = new Random(seed);
            float[] x = new float[n];
            float[] s = new float[n];
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextDouble() * 8 - 4);
                s[i] = r.nextInt(8) == 0 ? 0f : (float) (r.nextDouble() * 2);
                g[i] = (float) (r.nextDouble() * 2 - 1);
            }
            return new Case(x, s, g);
        }
    }

    /** The backend's own kernel on off-heap tensors: {y, gradX, gradSigma}. */
    private static float[][] expected(Backend b, Case c) {
        Kernels k = b.kernels();
        int n = c.x.length;
        try (Tensor x = Tensor.of(c.x, n); Tensor s = Tensor.of(c.sigma, n); Tensor g = Tensor.of(c.gradY, n);
             Tensor y = Tensor.zeros(n); Tensor gx = Tensor.zeros(n); Tensor gs = Tensor.zeros(n)) {
            k.noisySoftplusForward(x, s, K, P, y);
            k.noisySoftplusBackward(x, s, K, P, g, gx, gs);
            return new float[][] {y.toArray(), gx.toArray(), gs.toArray()};
        }
    }

    private static float[] padded(float[] a, int before, int after) {
        float[] out = new float[before + a.length + after];
        java.util.Arrays.fill(out, SENTINEL);
        System.arraycopy(a, 0, out, before, a.length);
        return out;
    }

    private static void assertRange(float[] expected, float[] actual, int offset, String what) {
        for (int i = 0; i < actual.length; i++) {
            int j = i - offset;
            float e = j >= 0 && j < expected.length ? expected[j] : SENTINEL;
            if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + e);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "vector"})
    void floatArraysGiveTheKernelsBits(String name) {
        org.junit.jupiter.api.Assumptions.assumeTrue(backend(name) != null, name + " not available");
        Backend b = backend(name);
        NoisySoftplus ns = NoisySoftplus.of(K, P, b);
        for (int n : SIZES) {
            Case c = Case.random(n, 1000 + n);
            float[][] e = expected(b, c);
            float[] y = new float[n];
            float[] gx = new float[n];
            float[] gs = new float[n];
            ns.forward(c.x, c.sigma, y);
            ns.backward(c.x, c.sigma, c.gradY, gx, gs);
            assertRange(e[0], y, 0, name + " y n=" + n);
            assertRange(e[1], gx, 0, name + " gradX n=" + n);
            assertRange(e[2], gs, 0, name + " gradSigma n=" + n);
            float[] gx2 = new float[n];
            ns.backward(c.x, c.sigma, c.gradY, gx2, null);
            assertRange(e[1], gx2, 0, name + " gradX without gradSigma n=" + n);

            // ranges inside larger arrays, each at its own offset; nothing outside is touched
            float[] xp = padded(c.x, 3, 2);
            float[] sp = padded(c.sigma, 1, 5);
            float[] gp = padded(c.gradY, 0, 1);
            float[] yp = padded(new float[n], 7, 3);
            float[] gxp = padded(new float[n], 2, 2);
            float[] gsp = padded(new float[n], 5, 0);
            ns.forward(xp, 3, sp, 1, yp, 7, n);
            ns.backward(xp, 3, sp, 1, gp, 0, gxp, 2, gsp, 5, n);
            assertRange(e[0], yp, 7, name + " y offset n=" + n);
            assertRange(e[1], gxp, 2, name + " gradX offset n=" + n);
            assertRange(e[2], gsp, 5, name + " gradSigma offset n=" + n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "vector"})
    void buffersGiveTheKernelsBitsAndKeepTheirPositions(String name) {
        org.junit.jupiter.api.Assumptions.assumeTrue(backend(name) != null, name + " not available");
        Backend b = backend(name);
        NoisySoftplus ns = NoisySoftplus.of(K, P, b);
        for (int n : SIZES) {
            Case c = Case.random(n, 2000 + n);
            float[][] e = expected(b, c);
            for (boolean direct : new boolean[] {false, true}) {
                FloatBuffer x = buffer(direct, padded(c.x, 2, 1), 2, n).asReadOnlyBuffer();
                FloatBuffer s = buffer(direct, padded(c.sigma, 0, 3), 0, n);
                FloatBuffer g = buffer(direct, padded(c.gradY, 5, 0), 5, n);
                FloatBuffer y = buffer(direct, padded(new float[n], 4, 4), 4, n);
                FloatBuffer gx = buffer(direct, padded(new float[n], 1, 1), 1, n);
                FloatBuffer gs = buffer(direct, padded(new float[n], 3, 2), 3, n);
                ns.forward(x, s, y);
                ns.backward(x, s, g, gx, gs);
                String what = name + (direct ? " direct" : " heap") + " n=" + n;
                assertEquals(2, x.position(), what);
                assertEquals(4, y.position(), what);
                assertEquals(4 + n, y.limit(), what);
                assertRange(e[0], all(y), 4, what + " y");
                assertRange(e[1], all(gx), 1, what + " gradX");
                assertRange(e[2], all(gs), 3, what + " gradSigma");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "vector"})
    void segmentsGiveTheKernelsBits(String name) {
        org.junit.jupiter.api.Assumptions.assumeTrue(backend(name) != null, name + " not available");
        Backend b = backend(name);
        NoisySoftplus ns = NoisySoftplus.of(K, P, b);
        for (int n : SIZES) {
            Case c = Case.random(n, 3000 + n);
            float[][] e = expected(b, c);
            try (Arena arena = Arena.ofShared()) {
                // native segments at a 4-byte (not 64-byte) aligned address, and heap segments
                MemorySegment x = arena.allocate((n + 1L) * 4, 64).asSlice(4);
                MemorySegment.copy(c.x, 0, x, ValueLayout.JAVA_FLOAT, 0, n);
                MemorySegment s = MemorySegment.ofArray(c.sigma.clone());
                MemorySegment g = arena.allocateFrom(ValueLayout.JAVA_FLOAT, c.gradY);
                MemorySegment y = arena.allocate(4L * n, 4);
                float[] gxa = new float[n];
                MemorySegment gx = MemorySegment.ofArray(gxa);
                MemorySegment gs = arena.allocate(4L * n, 4);
                ns.forward(x.asReadOnly(), s, y);
                ns.backward(x, s.asReadOnly(), g, gx, gs);
                assertRange(e[0], y.toArray(ValueLayout.JAVA_FLOAT), 0, name + " y n=" + n);
                assertRange(e[1], gxa, 0, name + " gradX n=" + n);
                assertRange(e[2], gs.toArray(ValueLayout.JAVA_FLOAT), 0, name + " gradSigma n=" + n);
            }
        }
    }

    @Test
    void agreesWithTheDoubleFormula() {
        // the reference computes in double and rounds once; value() is the same formula with k in double:
        // the float k = 0.3f differs from 0.3 by 1e-8 relative, so allow 1e-6 relative
        NoisySoftplus ns = NoisySoftplus.of(K, P, REFERENCE);
        Case c = Case.random(1021, 7);
        float[] y = new float[c.x.length];
        ns.forward(c.x, c.sigma, y);
        for (int i = 0; i < y.length; i++) {
            double v = ns.value(c.x[i], c.sigma[i]);
            assertEquals(v, y[i], 1e-6 * Math.max(1, Math.abs(v)), "element " + i);
        }
        assertEquals(P * 2.0, ns.value(2, 0), 1e-15, "sigma = 0 is ReLU");
        assertEquals(0.0, ns.value(-2, 0));
        assertEquals(K, ns.k(), 0);
        assertEquals(P, ns.p(), 0);
        assertSame(REFERENCE, ns.backend());
    }

    @Test
    void emptyRangesDoNothing() {
        NoisySoftplus ns = NoisySoftplus.of(K, P, REFERENCE);
        float[] y = {SENTINEL};
        ns.forward(new float[0], new float[0], new float[0]);
        ns.forward(new float[] {1}, 1, new float[] {1}, 0, y, 0, 0);
        assertEquals(SENTINEL, y[0]);
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> NoisySoftplus.of(0, 1, REFERENCE));
        assertThrows(IllegalArgumentException.class, () -> NoisySoftplus.of(-0.3, 1, REFERENCE));
        assertThrows(IllegalArgumentException.class, () -> NoisySoftplus.of(Double.NaN, 1, REFERENCE));
        assertThrows(IllegalArgumentException.class, () -> NoisySoftplus.of(1e-50, 1, REFERENCE), "0 as a float");
        assertThrows(IllegalArgumentException.class, () -> NoisySoftplus.of(0.3, Double.POSITIVE_INFINITY, REFERENCE));
        assertThrows(IllegalArgumentException.class, () -> NoisySoftplus.of(0.3, 1e39, REFERENCE));
        assertThrows(NullPointerException.class, () -> NoisySoftplus.of(0.3, 1, null));
        NoisySoftplus ns = NoisySoftplus.of(K, P, REFERENCE);
        assertThrows(IllegalArgumentException.class, () -> ns.value(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> ns.value(1, -1));
    }

    @Test
    void rejectsBadArraysByName() {
        NoisySoftplus ns = NoisySoftplus.of(K, P, REFERENCE);
        float[] a = new float[4];
        float[] b = new float[4];
        float[] c = new float[4];
        message(IllegalArgumentException.class, "sigma: length 3", () -> ns.forward(a, new float[3], c));
        message(IllegalArgumentException.class, "y: length 5", () -> ns.forward(a, b, new float[5]));
        message(NullPointerException.class, "sigma", () -> ns.forward(a, null, c));
        message(IndexOutOfBoundsException.class, "y: range [2, 2 + 3)", () -> ns.forward(a, 0, b, 0, c, 2, 3));
        message(IndexOutOfBoundsException.class, "x: range [-1", () -> ns.forward(a, -1, b, 0, c, 0, 1));
        message(IllegalArgumentException.class, "y: must not overlap x", () -> ns.forward(a, b, a));
        message(IllegalArgumentException.class, "y: must not overlap x", () -> ns.forward(a, 0, b, 0, a, 1, 2));
        ns.forward(a, 0, b, 0, a, 2, 2);   // adjacent ranges of one array do not overlap
    }

    @Test
    void rejectsBadBuffersAndSegmentsByName() {
        NoisySoftplus ns = NoisySoftplus.of(K, P, REFERENCE);
        FloatBuffer x = FloatBuffer.allocate(4);
        FloatBuffer s = FloatBuffer.allocate(4);
        message(IllegalArgumentException.class, "y: read-only",
                () -> ns.forward(x, s, FloatBuffer.allocate(4).asReadOnlyBuffer()));
        message(IllegalArgumentException.class, "sigma: byte order BIG_ENDIAN",
                () -> ns.forward(x, ByteBuffer.allocateDirect(16).asFloatBuffer(), FloatBuffer.allocate(4)));
        message(IllegalArgumentException.class, "y: ",
                () -> ns.forward(x, s, ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).asFloatBuffer()));
        message(IllegalArgumentException.class, "y: 3 floats, must equal x's 4",
                () -> ns.forward(x, s, FloatBuffer.allocate(3)));
        FloatBuffer gx = FloatBuffer.allocate(4);
        message(IllegalArgumentException.class, "gradSigma: must not overlap gradX",
                () -> ns.backward(x, s, FloatBuffer.allocate(4), gx, gx.duplicate()));
        MemorySegment m = MemorySegment.ofArray(new float[4]);
        message(IllegalArgumentException.class, "sigma: 6 bytes",
                () -> ns.forward(m, MemorySegment.ofArray(new byte[6]), MemorySegment.ofArray(new float[4])));
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment y = confined.allocate(16, 4);
            message(IllegalArgumentException.class, "y: a segment of a confined arena",
                    () -> ns.forward(m, MemorySegment.ofArray(new float[4]), y));
            FloatBuffer view = confined.allocate(16, 4).asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
            message(IllegalArgumentException.class, "sigma: a segment of a confined arena",
                    () -> ns.forward(FloatBuffer.allocate(4), view, FloatBuffer.allocate(4)));
        }
        Arena closed = Arena.ofShared();
        MemorySegment dead = closed.allocate(16, 4);
        closed.close();
        message(IllegalStateException.class, "x: the segment's arena is closed",
                () -> ns.forward(dead, MemorySegment.ofArray(new float[4]), MemorySegment.ofArray(new float[4])));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "vector"})
    void rejectsNegativeAndNaNSigma(String name) {
        org.junit.jupiter.api.Assumptions.assumeTrue(backend(name) != null, name + " not available");
        NoisySoftplus ns = NoisySoftplus.of(K, P, backend(name));
        for (float bad : new float[] {-0.5f, Float.NaN}) {
            float[] sigma = new float[17];
            sigma[13] = bad;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ns.forward(new float[17], sigma, new float[17]));
            assertTrue(e.getMessage().startsWith("sigma"), e.getMessage());
            assertTrue(e.getMessage().contains("13"), e.getMessage());
        }
    }

    private static void message(Class<? extends Throwable> type, String start, org.junit.jupiter.api.function.Executable call) {
        Throwable t = assertThrows(type, call);
        assertNotNull(t.getMessage(), type.getSimpleName());
        assertTrue(t.getMessage().startsWith(start), "expected '" + start + "...', got: " + t.getMessage());
    }

    /** A buffer over a copy of {@code data} positioned at [offset, offset + n); direct ones in native order. */
    private static FloatBuffer buffer(boolean direct, float[] data, int offset, int n) {
        FloatBuffer b = direct
                ? ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer()
                : FloatBuffer.allocate(data.length);
        b.put(data).clear();
        b.position(offset).limit(offset + n);
        return b;
    }

    /** Every element of the buffer's backing storage, ignoring position and limit. */
    private static float[] all(FloatBuffer b) {
        FloatBuffer d = b.duplicate().clear();
        float[] out = new float[d.capacity()];
        d.get(out);
        return out;
    }

}
