package dev.nsp.conformance;

import dev.nsp.conformance.Harness.Scope;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.CheckedKernels;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.kernel.vector.VectorProvider;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static dev.nsp.conformance.Harness.activations;
import static dev.nsp.conformance.Harness.ctx;
import static dev.nsp.conformance.Harness.normal;
import static dev.nsp.conformance.Harness.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vector backend computes the same bits on 1, 2 and 3 threads: work is cut into tasks by shape,
 * never by thread count, and every output element is computed by the same operations in the same order
 * whichever thread runs its task (its exp and log1p are FMA polynomials, not JIT-dependent intrinsics).
 * Sizes are above the backend's parallel threshold, so the pool is really used. Compared bit for bit.
 */
class VectorThreadCountTest {
    private static final int[] THREADS = {1, 2, 3};
    private static final List<Kernels> BACKENDS = new ArrayList<>();

    @BeforeAll
    static void open() {
        VectorTests.assumeVectorAvailable();
        VectorProvider provider = new VectorProvider();
        for (int t : THREADS) {
            BACKENDS.add(new CheckedKernels(provider.create(t)));
        }
    }

    @AfterAll
    static void close() {
        for (Kernels k : BACKENDS) {
            k.close();
        }
        BACKENDS.clear();
    }

    /**
     * Runs op on every thread count and asserts all outputs equal the 1-thread outputs bit for bit.
     *
     * @param op runs a kernel on the given backend and returns its outputs
     */
    private static void same(String kernel, Function<Kernels, float[][]> op) {
        float[][] first = op.apply(BACKENDS.get(0));
        for (int i = 1; i < BACKENDS.size(); i++) {
            float[][] other = op.apply(BACKENDS.get(i));
            for (int o = 0; o < first.length; o++) {
                if (!Arrays.equals(first[o], other[o])) {
                    int at = 0;
                    while (Float.floatToIntBits(first[o][at]) == Float.floatToIntBits(other[o][at])) {
                        at++;
                    }
                    fail(ctx(kernel + " output " + o, "vector", THREADS[i] + " threads vs 1") + ": element " + at
                            + " is " + other[o][at] + ", on 1 thread " + first[o][at]);
                }
            }
        }
    }

    @Test
    void elementwise() {
        Random r = Harness.random("threads-elementwise");
        int n = 200_003;
        float[] x = normal(r, n, 2);
        float[] s = uniform(r, n, 0, 2);
        float[] g = normal(r, n, 1);
        same("noisySoftplus", k -> {
            try (Scope sc = new Scope()) {
                Tensor tx = sc.of(x, n);
                Tensor ts = sc.of(s, n);
                Tensor tg = sc.of(g, n);
                Tensor y = sc.poisoned(n);
                Tensor gx = sc.poisoned(n);
                Tensor gs = sc.poisoned(n);
                Tensor sp = sc.poisoned(n);
                k.noisySoftplusForward(tx, ts, 0.3f, 1.005f, y);
                k.noisySoftplusBackward(tx, ts, 0.3f, 1.005f, tg, gx, gs);
                k.softplusForward(tx, 0.2f, 1f, sp);
                return new float[][] {y.toArray(), gx.toArray(), gs.toArray(), sp.toArray()};
            }
        });
    }

    @Test
    void convolution() {
        Random r = Harness.random("threads-conv");
        for (int[] c : new int[][] {{50, 1, 28, 28, 6, 5, 5}, {50, 6, 12, 12, 12, 5, 5}, {8, 16, 12, 12, 64, 5, 5}}) {
            int[] in = {c[0], c[1], c[2], c[3]};
            int[] wt = {c[4], c[1], c[5], c[6]};
            int[] out = {c[0], c[4], c[2] - c[5] + 1, c[3] - c[6] + 1};
            float[] a = activations(r, Harness.size(in));
            float[] w = normal(r, Harness.size(wt), 0.2);
            float[] g = normal(r, Harness.size(out), 1);
            float[] gs = normal(r, Harness.size(out), 1);
            same("conv2d " + Arrays.toString(c), k -> {
                try (Scope sc = new Scope()) {
                    Tensor ta = sc.of(a, in);
                    Tensor tw = sc.of(w, wt);
                    Tensor tg = sc.of(g, out);
                    Tensor y = sc.poisoned(out);
                    Tensor gi = sc.poisoned(in);
                    Tensor gw = sc.poisoned(wt);
                    Tensor mean = sc.poisoned(out);
                    Tensor sigma = sc.poisoned(out);
                    Tensor mgi = sc.poisoned(in);
                    Tensor mgw = sc.poisoned(wt);
                    k.conv2dForward(ta, tw, y);
                    k.conv2dBackwardData(tg, tw, gi);
                    k.conv2dBackwardWeights(ta, tg, gw);
                    k.momentConv2dForward(ta, tw, mean, sigma);
                    k.momentConv2dBackward(ta, tw, sigma, tg, sc.of(gs, out), mgi, mgw);
                    return new float[][] {y.toArray(), gi.toArray(), gw.toArray(), mean.toArray(), sigma.toArray(),
                            mgi.toArray(), mgw.toArray()};
                }
            });
        }
    }

    @Test
    void poolingAndDense() {
        Random r = Harness.random("threads-pool-dense");
        int[] in = {50, 12, 24, 24};
        int[] out = {50, 12, 12, 12};
        float[] a = activations(r, Harness.size(in));
        float[] gm = normal(r, Harness.size(out), 1);
        float[] gs = normal(r, Harness.size(out), 1);
        same("pool2x2", k -> {
            try (Scope sc = new Scope()) {
                Tensor ta = sc.of(a, in);
                Tensor mean = sc.poisoned(out);
                Tensor sigma = sc.poisoned(out);
                Tensor gi = sc.poisoned(in);
                k.momentPool2x2Forward(ta, 0.25f, mean, sigma);
                k.momentPool2x2Backward(ta, 0.25f, sigma, sc.of(gm, out), sc.of(gs, out), gi);
                return new float[][] {mean.toArray(), sigma.toArray(), gi.toArray()};
            }
        });
        int n = 300;
        int kk = 64;
        int m = 40;
        float[] x = activations(r, n * kk);
        float[] w = normal(r, m * kk, 0.1);
        float[] g = normal(r, n * m, 1);
        same("dense", k -> {
            try (Scope sc = new Scope()) {
                Tensor tx = sc.of(x, n, kk);
                Tensor tw = sc.of(w, m, kk);
                Tensor tg = sc.of(g, n, m);
                Tensor mean = sc.poisoned(n, m);
                Tensor sigma = sc.poisoned(n, m);
                Tensor gi = sc.poisoned(n, kk);
                Tensor gw = sc.poisoned(m, kk);
                k.momentDenseForward(tx, tw, mean, sigma);
                k.momentDenseBackward(tx, tw, sigma, tg, tg, gi, gw);
                return new float[][] {mean.toArray(), sigma.toArray(), gi.toArray(), gw.toArray()};
            }
        });
    }

    @Test
    void spiking() {
        Random r = Harness.random("threads-spiking");
        int n = 20_011;
        int t = 50;
        LifPropagators c = LifPropagators.of(LifParameters.TABLE1, 1.0);
        float[] bias = uniform(r, n, 0, 0.5);
        float[] exc = uniform(r, t * n, 0, 0.05);
        same("lifRun", k -> {
            try (Scope sc = new Scope(); LifState st = new LifState(n)) {
                Tensor spikes = sc.poisoned(t, n);
                Tensor counts = sc.of(new float[n], n);
                k.lifRun(c, st, t, new LifInputs(sc.of(bias, n), null, sc.of(exc, t, n), null), spikes, counts);
                return new float[][] {st.v().toArray(), st.iExc().toArray(), st.refractory().toArray(),
                        spikes.toArray(), counts.toArray()};
            }
        });
        int size = 100_003;
        float[] p = uniform(r, size, 0, 1);
        float[] thr = new float[size];
        for (int i = 0; i < size; i++) {
            thr[i] = Philox.expNegLambda(4 * r.nextDouble());
        }
        same("bernoulli/poisson", k -> {
            try (Scope sc = new Scope()) {
                Tensor b = sc.poisoned(size);
                Tensor q = sc.poisoned(size);
                k.bernoulliSpikes(7, 3, 11, sc.of(p, size), b);
                k.poissonCounts(7, 3, 11, sc.of(thr, size), q);
                return new float[][] {b.toArray(), q.toArray()};
            }
        });
    }

    /** The guarantee the threads rely on is checked too: an instance really runs the asked thread count. */
    @Test
    void providerHonoursThreadCount() {
        for (int i = 0; i < THREADS.length; i++) {
            String s = ((CheckedKernels) BACKENDS.get(i)).unwrap().toString();
            assertTrue(s.contains(THREADS[i] + " threads"), "vector backend created with " + THREADS[i]
                    + " threads reports " + s);
        }
        assertTrue(Backends.probeAll().stream().anyMatch(p -> p.name().equals("vector")), "vector provider registered");
    }
}
