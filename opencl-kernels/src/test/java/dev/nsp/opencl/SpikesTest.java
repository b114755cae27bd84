package dev.nsp.opencl;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.Philox;
import dev.nsp.opencl.BufferCache.Slot;
import dev.nsp.tensor.Tensor;
import org.jocl.cl_mem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static dev.nsp.opencl.OpenClTestSupport.assertBitIdentical;
import static dev.nsp.opencl.OpenClTestSupport.closeAll;
import static dev.nsp.opencl.OpenClTestSupport.poisoned;
import static dev.nsp.opencl.OpenClTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event-driven accumulation and the Philox spike sources: both are specified to be bit-identical to the
 * reference on every backend (the gather visits sources in the reference's order with the same float
 * operations; Philox is integer arithmetic and exact float comparisons/products).
 */
class SpikesTest {
    private static Kernels cl;
    private static Kernels ref;

    @BeforeAll
    static void open() {
        cl = OpenClTestSupport.open();
        ref = OpenClTestSupport.reference();
    }

    @AfterAll
    static void close() {
        closeAll(cl, ref);
    }

    /** Sparse spike counts: 90 % zero, else 1..3. */
    private static Tensor spikeCounts(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.size(); i++) {
            if (r.nextInt(10) == 0) {
                t.set(i, 1 + r.nextInt(3));
            }
        }
        return t;
    }

    @ParameterizedTest(name = "N{0} C{1} {2}x{3} O{4} k{5}x{6}")
    @CsvSource({"50, 1, 28, 28, 6, 5, 5", "50, 6, 12, 12, 12, 5, 5", "1, 1, 1, 1, 1, 1, 1", "3, 2, 7, 17, 3, 3, 2",
        "2, 16, 12, 12, 64, 5, 5"})
    void convAccumulateIsBitIdentical(int n, int c, int h, int w, int o, int kh, int kw) {
        Random r = new Random(h * 1000L + o);
        int oh = h - kh + 1;
        int ow = w - kw + 1;
        try (Tensor sp = spikeCounts(r, n, c, h, w); Tensor wt = uniform(r, -0.6f, 0.6f, o, c, kh, kw);
             Tensor eRef = uniform(r, 0f, 2f, n, o, oh, ow); Tensor iRef = uniform(r, -2f, 0f, n, o, oh, ow);
             Tensor eCl = eRef.copy(); Tensor iCl = iRef.copy()) {
            wt.set(0, 0f);               // a zero weight delivers nothing
            ref.spikeConv2dAccumulate(sp, wt, eRef, iRef);
            cl.spikeConv2dAccumulate(sp, wt, eCl, iCl);
            assertBitIdentical("excitatory", eRef, eCl);
            assertBitIdentical("inhibitory", iRef, iCl);
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {0.25f, -0.25f, 1f / (4 * 1.005f)})
    void poolAccumulateIsBitIdentical(float weight) {
        Random r = new Random(3);
        for (int[] s : new int[][] {{50, 6, 24, 24}, {1, 1, 2, 2}, {3, 5, 6, 34}}) {
            try (Tensor sp = spikeCounts(r, s); Tensor eRef = uniform(r, 0f, 1f, s[0], s[1], s[2] / 2, s[3] / 2);
                 Tensor iRef = uniform(r, -1f, 0f, s[0], s[1], s[2] / 2, s[3] / 2);
                 Tensor eCl = eRef.copy(); Tensor iCl = iRef.copy()) {
                ref.spikePool2x2Accumulate(sp, weight, eRef, iRef);
                cl.spikePool2x2Accumulate(sp, weight, eCl, iCl);
                assertBitIdentical("excitatory", eRef, eCl);
                assertBitIdentical("inhibitory", iRef, iCl);
            }
        }
    }

    @ParameterizedTest(name = "N{0} K{1} M{2}")
    @CsvSource({"50, 192, 10", "1, 1, 1", "3, 4099, 17", "1021, 16, 3"})
    void denseAccumulateIsBitIdentical(int n, int k, int m) {
        Random r = new Random(n + k + m);
        try (Tensor sp = spikeCounts(r, n, k); Tensor wt = uniform(r, -1f, 1f, m, k);
             Tensor eRef = uniform(r, 0f, 1f, n, m); Tensor iRef = uniform(r, -1f, 0f, n, m);
             Tensor eCl = eRef.copy(); Tensor iCl = iRef.copy()) {
            ref.spikeDenseAccumulate(sp, wt, eRef, iRef);
            cl.spikeDenseAccumulate(sp, wt, eCl, iCl);
            assertBitIdentical("excitatory", eRef, eCl);
            assertBitIdentical("inhibitory", iRef, iCl);
        }
    }

    /** Raw Philox blocks, all four words, against dev.nsp.kernel.Philox. */
    @Test
    void philoxBlocksAreBitIdentical() {
        ClSession s = OpenClTestSupport.raw(cl).session();
        int n = 4099;
        long[][] cases = {{0L, 0, 0, 0}, {42L, 7, 123, 1}, {-1L, -1, Philox.MAX_STEP, Philox.MAX_BLOCK},
            {0x0123456789ABCDEFL, Integer.MIN_VALUE, (1L << 40) + 5, 300}};
        for (long[] c : cases) {
            long seed = c[0];
            int stream = (int) c[1];
            long step = c[2];
            int block = (int) c[3];
            int[] got = new int[4 * n];
            synchronized (s) {
                cl_mem out = s.buffers().get(Slot.K, 16L * n);
                s.launch("philox_words", n, out, (int) seed, (int) (seed >>> 32), stream, (int) step,
                        (int) (step >>> 32), block, n);
                s.readInts(out, got);
            }
            int[] expected = new int[4 * n];
            int[] w = new int[4];
            for (int i = 0; i < n; i++) {
                Philox.draw(seed, i, stream, step, block, w);
                System.arraycopy(w, 0, expected, 4 * i, 4);
            }
            assertArrayEquals(expected, got, "seed " + seed + " stream " + stream + " step " + step + " block " + block);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 15, 16, 17, 1021, 4099, 100_000})
    void bernoulliIsBitIdentical(int n) {
        Random r = new Random(n);
        try (Tensor p = uniform(r, 0f, 1f, n); Tensor a = poisoned(n); Tensor b = poisoned(n)) {
            p.set(0, 0f);                       // never spikes
            if (n > 1) {
                p.set(1, 1f);                   // always spikes
            }
            for (long[] c : new long[][] {{1L, 0, 0}, {-7L, 3, 999}, {Long.MAX_VALUE, -1, Philox.MAX_STEP}}) {
                ref.bernoulliSpikes(c[0], (int) c[1], c[2], p, a);
                cl.bernoulliSpikes(c[0], (int) c[1], c[2], p, b);
                assertBitIdentical("bernoulli n=" + n, a, b);
            }
            assertTrue(b.get(0) == 0f);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 15, 16, 17, 1021, 4099})
    void poissonIsBitIdentical(int n) {
        Random r = new Random(n * 3L);
        try (Tensor t = Tensor.zeros(n); Tensor a = poisoned(n); Tensor b = poisoned(n)) {
            double[] lambdas = {0, 1e-4, 0.02, 0.5, 1, 5, 20, 64};
            for (int i = 0; i < n; i++) {
                double lambda = i < lambdas.length ? lambdas[i] : r.nextDouble() * (r.nextBoolean() ? 1 : 64);
                t.set(i, Philox.expNegLambda(lambda));
            }
            for (long[] c : new long[][] {{5L, 0, 0}, {-3L, 11, 1L << 33}}) {
                ref.poissonCounts(c[0], (int) c[1], c[2], t, a);
                cl.poissonCounts(c[0], (int) c[1], c[2], t, b);
                assertBitIdentical("poisson n=" + n, a, b);
            }
        }
    }
}
