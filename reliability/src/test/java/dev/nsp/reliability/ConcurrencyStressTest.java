package dev.nsp.reliability;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The kernels are safe to call from several threads at once on different tensors: {@value #THREADS} threads each run
 * {@value #ROUNDS} rounds of a workload of 10 kernels (activations forward and backward, convolution forward and
 * backward, pooling, dense, softmax cross-entropy, 5 LIF steps, Bernoulli and Poisson draws) on their own tensors,
 * all at once on one backend instance, and every thread's final outputs are compared bit for bit with the same
 * workload run on one thread. Every backend promises that (docs/reliability.md): results depend neither on the
 * number of caller threads nor on the backend's own thread count.
 */
class ConcurrencyStressTest {
    static final int THREADS = 8;
    static final int ROUNDS = 40;
    static final int KERNELS_PER_ROUND = 10;

    static List<String> backends() {
        return BackendsUnderTest.names();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void eightThreadsGiveTheSingleThreadedBits(String name) throws Exception {
        try (Kernels k = BackendsUnderTest.open(name)) {
            List<float[]> expected = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                expected.add(workload(k, t));
            }
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        return workload(k, id);
                    }));
                }
                for (int t = 0; t < THREADS; t++) {
                    float[] got = results.get(t).get(5, TimeUnit.MINUTES);
                    assertArrayEquals(expected.get(t), got, name + ": thread " + t + " differs from its single-threaded run");
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.println("nsp concurrency: " + name + ": " + THREADS + " threads x " + ROUNDS * KERNELS_PER_ROUND
                    + " kernel calls, bit-identical to single-threaded");
        }
    }

    /** One thread's workload on its own tensors (seeded by its id); returns every output concatenated. */
    static float[] workload(Kernels k, int id) {
        Random r = new Random(1000 + id);
        LifPropagators c = LifPropagators.of(LifParameters.TABLE1, 1.0);
        try (Tensor x = rand(r, 4099); Tensor sigma = abs(rand(r, 4099)); Tensor y = Tensor.zeros(4099);
             Tensor gy = rand(r, 4099); Tensor gx = Tensor.zeros(4099); Tensor gs = Tensor.zeros(4099);
             Tensor img = rand(r, 2, 3, 12, 12); Tensor w = rand(r, 4, 3, 5, 5); Tensor conv = Tensor.zeros(2, 4, 8, 8);
             Tensor gw = Tensor.zeros(4, 3, 5, 5); Tensor pooled = Tensor.zeros(2, 4, 4, 4);
             Tensor dw = rand(r, 10, 64); Tensor logits = Tensor.zeros(2, 10); Tensor prob = Tensor.zeros(2, 10);
             Tensor glog = Tensor.zeros(2, 10); LifState st = new LifState(517); Tensor bias = rand(r, 517);
             Tensor spikes = Tensor.zeros(5, 517); Tensor counts = Tensor.zeros(517); Tensor p = abs(rand(r, 1021));
             Tensor b = Tensor.zeros(1021); Tensor thr = Tensor.zeros(1021); Tensor pc = Tensor.zeros(1021)) {
            for (int i = 0; i < 1021; i++) {
                p.set(i, p.get(i) * 0.1f);
                thr.set(i, Philox.expNegLambda(r.nextDouble() * 8));
            }
            bias.copyFrom(scale(bias.toArray(), 0.4f));
            int[] labels = {id % 10, (id + 3) % 10};
            float loss = 0;
            for (int round = 0; round < ROUNDS; round++) {
                k.noisySoftplusForward(x, sigma, 0.3f, 1.005f, y);
                k.noisySoftplusBackward(x, sigma, 0.3f, 1.005f, gy, gx, gs);
                k.conv2dForward(img, w, conv);
                k.conv2dBackwardWeights(img, conv, gw);
                k.pool2x2Forward(conv, 0.25f, pooled);
                k.denseForward(pooled.reshape(2, 64), dw, logits);
                loss += k.softmaxCrossEntropy(logits, labels, prob, glog);
                k.lifRun(c, st, 5, LifInputs.bias(bias), spikes, counts);
                k.bernoulliSpikes(id, 1, round, p, b);
                k.poissonCounts(id, 2, round, thr, pc);
            }
            List<float[]> parts = List.of(y.toArray(), gx.toArray(), gs.toArray(), conv.toArray(), gw.toArray(),
                    pooled.toArray(), prob.toArray(), glog.toArray(), new float[] {loss}, st.v().toArray(),
                    st.iExc().toArray(), st.refractory().toArray(), counts.toArray(), b.toArray(), pc.toArray());
            int n = 0;
            for (float[] a : parts) {
                n += a.length;
            }
            float[] out = new float[n];
            int at = 0;
            for (float[] a : parts) {
                System.arraycopy(a, 0, out, at, a.length);
                at += a.length;
            }
            return out;
        }
    }

    private static Tensor rand(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = new float[(int) t.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        t.copyFrom(v);
        return t;
    }

    private static Tensor abs(Tensor t) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]);
        }
        t.copyFrom(v);
        return t;
    }

    private static float[] scale(float[] v, float s) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]) * s;
        }
        return v;
    }
}
