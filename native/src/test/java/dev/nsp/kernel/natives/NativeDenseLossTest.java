package dev.nsp.kernel.natives;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.nsp.kernel.natives.NativeHarness.U;
import static dev.nsp.kernel.natives.NativeHarness.abs;
import static dev.nsp.kernel.natives.NativeHarness.assertWithin;
import static dev.nsp.kernel.natives.NativeHarness.compare;
import static dev.nsp.kernel.natives.NativeHarness.halfSquare;
import static dev.nsp.kernel.natives.NativeHarness.uniform;
import static dev.nsp.kernel.natives.NativeHarness.varianceGrad;

/**
 * Dense layers (plain and moment form) and softmax cross-entropy against the reference.
 *
 * <p>Tolerances. Dense sums are float sums of K (forward), M (input gradient) or N (weight gradient)
 * products, so, as for convolution, within {@code (terms + 2) u S + terms 2^-148}, S the sum of the
 * magnitudes of the terms. Softmax cross-entropy is computed in double with glibc's exp/log where the
 * reference uses Java's; those differ by at most an ulp of double, so the float results may differ by
 * the last float rounding: 2u relative, plus, for the gradient {@code (p - 1) / N}, the double error of
 * p near 1 (4e-16 / N) that the subtraction exposes.
 */
class NativeDenseLossTest {
    @BeforeAll
    static void library() {
        NativeHarness.requireLibrary();
    }

    /** {N, K, M}: the paper's 192 -> 10 layer at batch 50, the wide net's 1024 -> 10, tails. */
    static final int[][] SHAPES = {{50, 192, 10}, {50, 1024, 10}, {1, 1, 1}, {3, 17, 5}, {7, 15, 16}, {2, 4099, 3},
        {17, 1021, 7}, {64, 33, 129}};

    @AfterAll
    static void report() {
        NativeHarness.report("dense/loss");
    }

    private static double tolSum(int terms, double magnitude) {
        return (terms + 2) * U * magnitude + terms * 0x1p-148;
    }

    private static float[][] refDense(float[] a, float[] w, float[] g, int n, int k, int m) {
        try (Kernels ref = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
            Tensor o = sc.zeros(n, m);
            Tensor gi = sc.zeros(n, k);
            Tensor gw = sc.zeros(m, k);
            ref.denseForward(sc.of(a, n, k), sc.of(w, m, k), o);
            ref.denseBackwardData(sc.of(g, n, m), sc.of(w, m, k), gi);
            ref.denseBackwardWeights(sc.of(a, n, k), sc.of(g, n, m), gw);
            return new float[][] {o.toArray(), gi.toArray(), gw.toArray()};
        }
    }

    @Test
    void denseMatchesReference() {
        SplittableRandom r = new SplittableRandom(31);
        for (int[] d : SHAPES) {
            int n = d[0];
            int kk = d[1];
            int m = d[2];
            float[] a = uniform(r, n * kk, -1, 1);
            float[] w = uniform(r, m * kk, -0.3, 0.3);
            float[] g = uniform(r, n * m, -1, 1);
            float[][] mag = refDense(abs(a), abs(w), abs(g), n, kk, m);
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor o = sc.nan(n, m);
                    Tensor gi = sc.nan(n, kk);
                    Tensor gw = sc.nan(m, kk);
                    Tensor at = sc.of(a, n, kk);
                    Tensor wt = sc.of(w, m, kk);
                    Tensor gt = sc.of(g, n, m);
                    k.denseForward(at, wt, o);
                    k.denseBackwardData(gt, wt, gi);
                    k.denseBackwardWeights(at, gt, gw);
                    return new float[][] {o.toArray(), gi.toArray(), gw.toArray()};
                }
            }, (config, e, x) -> {
                String s = java.util.Arrays.toString(d);
                assertWithin("denseForward [" + config + s + "]", e[0], x[0], i -> tolSum(kk, mag[0][i]));
                assertWithin("denseBackwardData [" + config + s + "]", e[1], x[1], i -> tolSum(m, mag[1][i]));
                assertWithin("denseBackwardWeights [" + config + s + "]", e[2], x[2], i -> tolSum(n, mag[2][i]));
            });
        }
    }

    @Test
    void momentDenseMatchesReference() {
        SplittableRandom r = new SplittableRandom(32);
        for (int[] d : SHAPES) {
            int n = d[0];
            int kk = d[1];
            int m = d[2];
            float[] a = uniform(r, n * kk, -0.2, 1);
            float[] w = uniform(r, m * kk, -0.3, 0.3);
            float[] gm = uniform(r, n * m, -1, 1);
            float[] gsg = uniform(r, n * m, -1, 1);
            float[] sigma;
            try (Kernels k = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor mean = sc.zeros(n, m);
                Tensor s = sc.zeros(n, m);
                k.momentDenseForward(sc.of(a, n, kk), sc.of(w, m, kk), mean, s);
                sigma = s.toArray();
            }
            float[] gv = varianceGrad(sigma, gsg);
            float[][] magM = refDense(abs(a), abs(w), abs(gm), n, kk, m);
            float[][] magV = refDense(abs(a), halfSquare(w), abs(gv), n, kk, m);
            for (int variant = 0; variant < 4; variant++) {
                boolean withSigma = variant % 2 == 0;
                boolean wantInput = variant != 3;
                boolean wantWeights = variant != 2;
                compare(k -> {
                    try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                        Tensor mean = sc.nan(n, m);
                        Tensor sg = sc.nan(n, m);
                        Tensor at = sc.of(a, n, kk);
                        Tensor wt = sc.of(w, m, kk);
                        k.momentDenseForward(at, wt, mean, sg);
                        Tensor gi = wantInput ? sc.nan(n, kk) : null;
                        Tensor gw = wantWeights ? sc.nan(m, kk) : null;
                        k.momentDenseBackward(at, wt, sc.of(sigma, n, m), sc.of(gm, n, m),
                                withSigma ? sc.of(gsg, n, m) : null, gi, gw);
                        return new float[][] {mean.toArray(), sg.toArray(),
                            gi == null ? new float[0] : gi.toArray(), gw == null ? new float[0] : gw.toArray()};
                    }
                }, (config, e, x) -> {
                    String s = java.util.Arrays.toString(d) + (withSigma ? " with gradSigma" : "");
                    assertWithin("momentDenseForward mean [" + config + s + "]", e[0], x[0], i -> tolSum(kk, magM[0][i]));
                    assertWithin("momentDenseForward sigma [" + config + s + "]", e[1], x[1],
                            i -> ((kk + 2) * U / 2 + U) * e[1][i] + Math.sqrt(kk * 0x1p-148));
                    assertWithin("momentDenseBackward gradInput [" + config + s + "]", e[2], x[2],
                            i -> tolSum(m, magM[1][i] + (withSigma ? magV[1][i] : 0)));
                    assertWithin("momentDenseBackward gradWeights [" + config + s + "]", e[3], x[3],
                            i -> tolSum(n, magM[2][i] + (withSigma ? Math.abs(w[i]) * magV[2][i] : 0)));
                });
            }
        }
    }

    @Test
    void softmaxCrossEntropyMatchesReference() {
        SplittableRandom r = new SplittableRandom(33);
        for (int[] d : new int[][] {{50, 10}, {1, 1}, {3, 17}, {1021, 3}, {16, 10}}) {
            int n = d[0];
            int m = d[1];
            float[] z = uniform(r, n * m, -8, 8);
            z[0] = 80f;                     // a confident row: p ~ 1, gradient (p - 1) / N tiny
            if (z.length > 2) {
                z[2] = -1e30f;
            }
            int[] labels = r.ints(n, 0, m).toArray();
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor p = sc.nan(n, m);
                    Tensor g = sc.nan(n, m);
                    Tensor p2 = sc.nan(n, m);
                    float l = k.softmaxCrossEntropy(sc.of(z, n, m), labels, p, g);
                    float l2 = k.softmaxCrossEntropy(sc.of(z, n, m), labels, p2, null);
                    return new float[][] {p.toArray(), g.toArray(), {l, l2}, p2.toArray()};
                }
            }, (config, e, x) -> {
                assertWithin("softmaxCrossEntropy probabilities [" + config + "]", e[0], x[0],
                        i -> 2 * U * Math.abs(e[0][i]) + Float.MIN_NORMAL);
                assertWithin("softmaxCrossEntropy probabilities, no gradient [" + config + "]", e[3], x[3],
                        i -> 2 * U * Math.abs(e[3][i]) + Float.MIN_NORMAL);
                assertWithin("softmaxCrossEntropy gradient [" + config + "]", e[1], x[1],
                        i -> 2 * U * Math.abs(e[1][i]) + 4e-16 / n + Float.MIN_NORMAL);
                assertWithin("softmaxCrossEntropy loss [" + config + "]", e[2], x[2],
                        i -> 2 * U * Math.abs(e[2][i]) + 1e-15);
            });
        }
    }
}
