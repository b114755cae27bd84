package dev.nsp.conformance;

import dev.nsp.conformance.Harness.Scope;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.nsp.conformance.Harness.ctx;
import static dev.nsp.conformance.Harness.normal;
import static dev.nsp.conformance.Harness.uniform;

/**
 * What the vector backend promises beyond the suite's tolerances: its LIF loop does the reference's
 * double-precision operations in the reference's order (so every neuron, near-threshold ones included,
 * matches bit for bit), and its event-driven accumulation adds the same products in the same order.
 */
class VectorExactnessTest {
    private static Kernels vector;
    private static Kernels reference;

    @BeforeAll
    static void open() {
        VectorTests.assumeVectorAvailable();
        vector = Backends.create("vector");
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        if (vector != null) {
            vector.close();
            reference.close();
        }
    }

    @Test
    void lifIsBitIdenticalToReference() {
        Random r = Harness.random("exact-lif");
        for (double dt : new double[] {1.0, 0.1}) {
            for (int n : new int[] {1, 7, 8, 9, 4099, 9000}) {
                int t = 120;
                LifPropagators c = LifPropagators.of(LifParameters.TABLE1, dt);
                float[] y = uniform(r, n, -5, 14.99);
                float[] ref0 = new float[n];
                for (int i = 0; i < n; i += 5) {
                    ref0[i] = r.nextInt(4) + (i % 10 == 0 ? 0.5f : 0f);      // non-integers truncate, as (int)
                }
                float[] bias = uniform(r, n, 0, 0.5);
                float[] cur = normal(r, t * n, 0.05);
                float[] exc = uniform(r, t * n, 0, 0.05);
                float[] inh = uniform(r, t * n, -0.05, 0);
                float[] counts = uniform(r, n, 0, 3);
                String cs = "N=" + n + " T=" + t + " dt=" + dt;
                try (Scope sc = new Scope(); LifState es = new LifState(n); LifState as = new LifState(n)) {
                    for (LifState s : new LifState[] {es, as}) {
                        s.v().copyFrom(y);
                        s.refractory().copyFrom(ref0);
                        s.iExc().copyFrom(uniform(new Random(n), n, 0, 0.2));
                        s.iInh().copyFrom(uniform(new Random(-n), n, -0.2, 0));
                    }
                    LifInputs in = new LifInputs(sc.of(bias, n), sc.of(cur, t, n), sc.of(exc, t, n), sc.of(inh, t, n));
                    Tensor eSp = sc.poisoned(t, n);
                    Tensor aSp = sc.poisoned(t, n);
                    Tensor eC = sc.of(counts, n);
                    Tensor aC = sc.of(counts, n);
                    reference.lifRun(c, es, t, in, eSp, eC);
                    vector.lifRun(c, as, t, in, aSp, aC);
                    Check.close(ctx("lifRun v", "vector", cs), es.v().toArray(), as.v().toArray(), Check.exact());
                    Check.close(ctx("lifRun iExc", "vector", cs), es.iExc().toArray(), as.iExc().toArray(), Check.exact());
                    Check.close(ctx("lifRun iInh", "vector", cs), es.iInh().toArray(), as.iInh().toArray(), Check.exact());
                    Check.close(ctx("lifRun refractory", "vector", cs), es.refractory().toArray(), as.refractory().toArray(),
                            Check.exact());
                    Check.close(ctx("lifRun spikes", "vector", cs), eSp.toArray(), aSp.toArray(), Check.exact());
                    Check.close(ctx("lifRun spikeCounts", "vector", cs), eC.toArray(), aC.toArray(), Check.exact());
                }
            }
        }
    }

    @Test
    void eventDrivenAccumulationIsBitIdenticalToReference() {
        Random r = Harness.random("exact-spikes");
        int[][] convs = {{3, 6, 12, 12, 12, 5, 5}, {2, 3, 13, 11, 5, 3, 4}, {1, 2, 4, 20, 3, 3, 17}};
        for (int[] c : convs) {
            int[] in = {c[0], c[1], c[2], c[3]};
            int[] wt = {c[4], c[1], c[5], c[6]};
            int[] out = {c[0], c[4], c[2] - c[5] + 1, c[3] - c[6] + 1};
            float[] s = new float[Harness.size(in)];
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 0;
            }
            float[] w = normal(r, Harness.size(wt), 0.5);
            float[] e0 = uniform(r, Harness.size(out), 0, 1);
            float[] i0 = uniform(r, Harness.size(out), -1, 0);
            try (Scope sc = new Scope()) {
                Tensor ts = sc.of(s, in);
                Tensor tw = sc.of(w, wt);
                Tensor ee = sc.of(e0, out);
                Tensor ei = sc.of(i0, out);
                Tensor ae = sc.of(e0, out);
                Tensor ai = sc.of(i0, out);
                reference.spikeConv2dAccumulate(ts, tw, ee, ei);
                vector.spikeConv2dAccumulate(ts, tw, ae, ai);
                String cs = java.util.Arrays.toString(c);
                Check.close(ctx("spikeConv2dAccumulate excitatory", "vector", cs), ee.toArray(), ae.toArray(), Check.exact());
                Check.close(ctx("spikeConv2dAccumulate inhibitory", "vector", cs), ei.toArray(), ai.toArray(), Check.exact());
            }
        }
        int n = 4;
        int k = 300;
        int m = 17;
        float[] s = new float[n * k];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 0;
        }
        float[] w = normal(r, m * k, 0.5);
        float[] e0 = uniform(r, n * m, 0, 1);
        float[] i0 = uniform(r, n * m, -1, 0);
        try (Scope sc = new Scope()) {
            Tensor ts = sc.of(s, n, k);
            Tensor tw = sc.of(w, m, k);
            Tensor ee = sc.of(e0, n, m);
            Tensor ei = sc.of(i0, n, m);
            Tensor ae = sc.of(e0, n, m);
            Tensor ai = sc.of(i0, n, m);
            reference.spikeDenseAccumulate(ts, tw, ee, ei);
            vector.spikeDenseAccumulate(ts, tw, ae, ai);
            Check.close(ctx("spikeDenseAccumulate excitatory", "vector", "dense"), ee.toArray(), ae.toArray(), Check.exact());
            Check.close(ctx("spikeDenseAccumulate inhibitory", "vector", "dense"), ei.toArray(), ai.toArray(), Check.exact());
        }
    }
}
