package dev.nsp.kernel.natives;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.nsp.kernel.natives.NativeHarness.SIZES;
import static dev.nsp.kernel.natives.NativeHarness.compare;
import static dev.nsp.kernel.natives.NativeHarness.exact;
import static dev.nsp.kernel.natives.NativeHarness.product;
import static dev.nsp.kernel.natives.NativeHarness.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spiking kernels must be bit-identical to the reference at every ISA level and thread count: the
 * LIF loop repeats its double arithmetic in its order with the state rounded to float each step,
 * spike accumulation adds the same float products in the same order per target, and Bernoulli and
 * Poisson draws come from the same Philox4x32-10 words.
 */
class NativeSpikingTest {
    @BeforeAll
    static void library() {
        NativeHarness.requireLibrary();
    }

    /** Random state: potentials around and above threshold, currents, partly refractory (some non-integral). */
    private static void randomState(SplittableRandom r, LifState s, int n) {
        s.v().copyFrom(uniform(r, n, -5, 16));
        s.iExc().copyFrom(uniform(r, n, 0, 1));
        s.iInh().copyFrom(uniform(r, n, -1, 0));
        float[] ref = new float[n];
        for (int i = 0; i < n; i++) {
            ref[i] = r.nextInt(4) == 0 ? r.nextInt(1, 12) + (r.nextBoolean() ? 0.5f : 0f) : 0f;
        }
        s.refractory().copyFrom(ref);
    }

    private static float[] sparse(SplittableRandom r, int n, double w) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(5) == 0 ? (float) (w * r.nextInt(1, 4)) : 0f;
        }
        return a;
    }

    @Test
    void lifRunIsBitIdenticalToReference() {
        SplittableRandom r = new SplittableRandom(41);
        for (double dt : new double[] {1.0, 0.1}) {
            LifPropagators c = LifPropagators.of(LifParameters.TABLE1, dt);
            for (int n : new int[] {1, 3, 17, 1021, 4099}) {
                int steps = dt == 1.0 ? 60 : 150;
                float[] bias = uniform(r, n, 0, 0.4);
                float[] cur = uniform(r, steps * n, -0.1, 0.5);
                float[] exc = sparse(r, steps * n, 0.3);
                float[] inh = sparse(r, steps * n, -0.2);
                long seed = r.nextLong();
                for (int inputs = 0; inputs < 4; inputs++) {
                    int which = inputs;
                    float[][] ref = compare(k -> {
                        try (NativeHarness.Scope sc = new NativeHarness.Scope(); LifState s = new LifState(n)) {
                            randomState(new SplittableRandom(seed), s, n);
                            LifInputs in = switch (which) {
                                case 0 -> LifInputs.NONE;
                                case 1 -> LifInputs.bias(sc.of(bias, n));
                                case 2 -> new LifInputs(sc.of(bias, n), sc.of(cur, steps, n), sc.of(exc, steps, n),
                                        sc.of(inh, steps, n));
                                default -> new LifInputs(null, sc.of(cur, steps, n), null, sc.of(inh, steps, n));
                            };
                            Tensor spikes = which == 3 ? null : sc.nan(steps, n);
                            Tensor counts = which == 1 ? null : sc.of(uniform(new SplittableRandom(seed), n, 0, 5), n);
                            k.lifRun(c, s, steps, in, spikes, counts);
                            // a second run continues from the state the first left
                            k.lifRun(c, s, steps, in, null, counts);
                            return new float[][] {s.v().toArray(), s.iExc().toArray(), s.iInh().toArray(),
                                s.refractory().toArray(), spikes == null ? new float[0] : spikes.toArray(),
                                counts == null ? new float[0] : counts.toArray()};
                        }
                    }, exact("lifRun dt " + dt + " n " + n + " inputs " + which));
                    if (which == 2 && n > 100) {
                        double total = 0;
                        for (float f : ref[4]) {
                            total += f;
                        }
                        assertTrue(total > n, "the test drive must make neurons fire: " + total);
                    }
                }
            }
        }
    }

    /**
     * Counts and weights where the vectorised paths must still do exactly what deliver() does: fractional,
     * negative, huge, tiny (products underflow to zero), NaN and infinite counts; +0, -0, NaN and tiny weights;
     * accumulators holding -0.0 (x + -0.0 keeps -0.0, x + 0.0 would not).
     */
    private void spikeAccumulationEdgeValuesAreBitIdentical() {
        SplittableRandom r = new SplittableRandom(7);
        float[] counts = {1f, 2f, 0.5f, -1f, -3f, 1e-30f, 3e38f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE};
        float[] weights = {0.7f, -0.4f, 0f, -0f, Float.NaN, 1e-30f, -1e-30f, Float.MIN_VALUE, 3f, -2f};
        int[] ss = {2, 2, 9, 21};
        int[] ws = {3, 2, 3, 5};
        int[] os = {2, 3, 7, 17};
        float[] spikes = new float[product(ss)];
        for (int i = 0; i < spikes.length; i++) {
            spikes[i] = r.nextInt(3) == 0 ? counts[r.nextInt(counts.length)] : 0f;
        }
        float[] w = new float[product(ws)];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[r.nextInt(weights.length)];
        }
        float[] e0 = new float[product(os)];
        float[] i0 = new float[product(os)];
        for (int i = 0; i < e0.length; i++) {
            e0[i] = r.nextBoolean() ? -0f : 0f;
            i0[i] = r.nextBoolean() ? -0f : (float) -r.nextDouble();
        }
        compare(k -> {
            try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor e = sc.of(e0, os);
                Tensor i = sc.of(i0, os);
                k.spikeConv2dAccumulate(sc.of(spikes, ss), sc.of(w, ws), e, i);
                return new float[][] {e.toArray(), i.toArray()};
            }
        }, exact("spikeConv2dAccumulate edge values"));
        int[] ps = {2, 2, 8, 34};
        int[] pos = {2, 2, 4, 17};
        float[] pin = new float[product(ps)];
        for (int i = 0; i < pin.length; i++) {
            pin[i] = r.nextInt(3) == 0 ? counts[r.nextInt(counts.length)] : 0f;
        }
        float[] pe0 = new float[product(pos)];
        float[] pi0 = new float[product(pos)];
        for (int i = 0; i < pe0.length; i++) {
            pe0[i] = r.nextBoolean() ? -0f : 0f;
            pi0[i] = r.nextBoolean() ? -0f : 0f;
        }
        for (float weight : new float[] {0.25f, -0.25f, 0f, -0f, Float.NaN, 1e-30f}) {
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor e = sc.of(pe0, pos);
                    Tensor i = sc.of(pi0, pos);
                    k.spikePool2x2Accumulate(sc.of(pin, ps), weight, e, i);
                    return new float[][] {e.toArray(), i.toArray()};
                }
            }, exact("spikePool2x2Accumulate edge values, weight " + weight));
        }
    }

    @Test
    void spikeAccumulationIsBitIdenticalToReference() {
        SplittableRandom r = new SplittableRandom(42);
        int[][] convShapes = {{1, 1, 28, 28, 6, 5, 5}, {2, 6, 12, 12, 12, 5, 5}, {1, 1, 1, 1, 1, 1, 1},
            {3, 2, 7, 9, 4, 3, 2}, {1, 3, 17, 5, 2, 4, 5},
            // kernel rows wider than one 16-lane vector, and narrower images than kernels are wide
            {1, 2, 6, 40, 3, 3, 18}, {2, 1, 5, 33, 2, 2, 33}, {1, 1, 9, 9, 2, 9, 9}};
        for (int[] d : convShapes) {
            int[] ss = {d[0], d[1], d[2], d[3]};
            int[] ws = {d[4], d[1], d[5], d[6]};
            int[] os = {d[0], d[4], d[2] - d[5] + 1, d[3] - d[6] + 1};
            float[] spikes = sparse(r, product(ss), 1);
            float[] w = uniform(r, product(ws), -1, 1);
            w[0] = 0f;
            float[] e0 = uniform(r, product(os), 0, 2);
            float[] i0 = uniform(r, product(os), -2, 0);
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor e = sc.of(e0, os);
                    Tensor i = sc.of(i0, os);
                    k.spikeConv2dAccumulate(sc.of(spikes, ss), sc.of(w, ws), e, i);
                    return new float[][] {e.toArray(), i.toArray()};
                }
            }, exact("spikeConv2dAccumulate " + java.util.Arrays.toString(d)));
        }
        spikeAccumulationEdgeValuesAreBitIdentical();
        for (int[] ps : new int[][] {{1, 6, 24, 24}, {2, 3, 2, 34}, {1, 1, 2, 2}}) {
            int[] os = {ps[0], ps[1], ps[2] / 2, ps[3] / 2};
            float[] spikes = sparse(r, product(ps), 1);
            float[] e0 = uniform(r, product(os), 0, 2);
            float[] i0 = uniform(r, product(os), -2, 0);
            for (float weight : new float[] {0.25f, -0.3f}) {
                compare(k -> {
                    try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                        Tensor e = sc.of(e0, os);
                        Tensor i = sc.of(i0, os);
                        k.spikePool2x2Accumulate(sc.of(spikes, ps), weight, e, i);
                        return new float[][] {e.toArray(), i.toArray()};
                    }
                }, exact("spikePool2x2Accumulate " + java.util.Arrays.toString(ps)));
            }
        }
        for (int[] d : new int[][] {{1, 192, 10}, {50, 192, 10}, {1, 1, 1}, {3, 17, 1021}}) {
            int n = d[0];
            int kk = d[1];
            int m = d[2];
            float[] spikes = sparse(r, n * kk, 1);
            float[] w = uniform(r, m * kk, -1, 1);
            float[] e0 = uniform(r, n * m, 0, 2);
            float[] i0 = uniform(r, n * m, -2, 0);
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor e = sc.of(e0, n, m);
                    Tensor i = sc.of(i0, n, m);
                    k.spikeDenseAccumulate(sc.of(spikes, n, kk), sc.of(w, m, kk), e, i);
                    return new float[][] {e.toArray(), i.toArray()};
                }
            }, exact("spikeDenseAccumulate " + java.util.Arrays.toString(d)));
        }
    }

    @Test
    void bernoulliAndPoissonDrawTheReferenceNumbers() {
        SplittableRandom r = new SplittableRandom(43);
        int[] sizes = java.util.Arrays.copyOf(SIZES, SIZES.length + 1);
        sizes[SIZES.length] = 50000;
        for (int n : sizes) {
            float[] prob = uniform(r, n, 0, 1);
            float[] thr = new float[n];
            for (int i = 0; i < n; i++) {
                double lambda = switch (r.nextInt(5)) {
                    case 0 -> 0;
                    case 1 -> r.nextDouble(3, Philox.MAX_LAMBDA);     // many blocks of draws
                    default -> r.nextDouble(0, 1.5);
                };
                thr[i] = Philox.expNegLambda(lambda);
            }
            prob[0] = n > 2 ? 0f : prob[0];
            if (n > 2) {
                prob[1] = 1f;
            }
            // runs of zero, negative-zero and NaN probabilities (like black image regions) longer and shorter
            // than a 16-lane block, at varying offsets: the native draw skips all-zero blocks
            for (int start = 2; start + 40 < n; start += 97) {
                int len = 5 + r.nextInt(36);
                for (int i = start; i < start + len; i++) {
                    prob[i] = switch (r.nextInt(6)) {
                        case 0 -> -0f;
                        case 1 -> Float.NaN;
                        default -> 0f;
                    };
                }
            }
            long seed = r.nextLong();
            int stream = r.nextInt();
            long step = r.nextLong(Philox.MAX_STEP + 1);
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor spikes = sc.nan(n);
                    Tensor counts = sc.nan(n);
                    Tensor spikes0 = sc.nan(n);
                    k.bernoulliSpikes(seed, stream, step, sc.of(prob, n), spikes);
                    k.poissonCounts(seed, stream, step, sc.of(thr, n), counts);
                    k.bernoulliSpikes(~seed, 0, 0, sc.of(prob, n), spikes0);
                    // rows of a batch: the reference runs the SPI's default (one draw per row)
                    int rows = n % 3 == 0 ? 3 : 1;
                    Tensor batch = sc.nan(rows, n / rows);
                    k.bernoulliSpikeRows(seed, stream, step, sc.of(prob, rows, n / rows), batch);
                    return new float[][] {spikes.toArray(), counts.toArray(), spikes0.toArray(), batch.toArray()};
                }
            }, exact("bernoulli/poisson n " + n));
        }
    }
}
