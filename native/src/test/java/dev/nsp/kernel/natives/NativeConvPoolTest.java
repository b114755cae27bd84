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
import static dev.nsp.kernel.natives.NativeHarness.exact;
import static dev.nsp.kernel.natives.NativeHarness.halfSquare;
import static dev.nsp.kernel.natives.NativeHarness.product;
import static dev.nsp.kernel.natives.NativeHarness.uniform;
import static dev.nsp.kernel.natives.NativeHarness.varianceGrad;

/**
 * Convolutions (plain and moment form) and 2x2 pooling against the reference.
 *
 * <p>Tolerances. The native convolution sums its K terms per output in float (with FMA where the CPU
 * has it; SIMD reductions split the sum across lanes), the reference in double. Whatever the order, a
 * float sum of K products is within {@code gamma_K sum |terms|}, gamma_K = K u / (1 - K u) (Higham,
 * Accuracy and Stability, eq. 3.5), and the reference's own rounding adds u/2 of the result; so each
 * output must be within {@code (K + 2) u S + K 2^-148} with S = the sum of the magnitudes of its terms
 * (computed with the reference on |inputs|) and the last term for products in the subnormal range.
 * K is C*KH*KW (forward), O*KH*KW (input gradient), and for the weight gradient, which adds per-image
 * float partial sums of oh*ow terms in double, oh*ow. For sigma = sqrt(variance), all of whose terms
 * are >= 0, the relative error of the variance is at most (K + 2) u, so sigma's is half that plus u.
 * Pooling does the reference's double arithmetic exactly: bit-identical.
 */
class NativeConvPoolTest {
    @BeforeAll
    static void library() {
        NativeHarness.requireLibrary();
    }

    /** Shapes {N,C,H,W, O,KH,KW}: the paper's two layers (batch 50), the wide net's, and odd small ones. */
    static final int[][] SHAPES = {
        {50, 1, 28, 28, 6, 5, 5},
        {50, 6, 12, 12, 12, 5, 5},
        {3, 1, 28, 28, 16, 5, 5},
        {3, 16, 12, 12, 64, 5, 5},
        {1, 1, 1, 1, 1, 1, 1},
        {2, 3, 7, 9, 4, 3, 2},
        {3, 2, 17, 16, 5, 1, 4},
        {1, 1, 5, 5, 1, 5, 5},
        {2, 2, 4, 21, 3, 2, 17},
        {1, 3, 33, 19, 2, 4, 3},
    };

    @AfterAll
    static void report() {
        NativeHarness.report("conv/pool");
    }

    private static double tolSum(int terms, double magnitude) {
        return (terms + 2) * U * magnitude + terms * 0x1p-148;
    }

    /** The reference's conv forward of given arrays, for the magnitudes S. */
    private static float[] refForward(float[] a, int[] as, float[] w, int[] ws, int[] os) {
        try (Kernels ref = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
            Tensor o = sc.zeros(os);
            ref.conv2dForward(sc.of(a, as), sc.of(w, ws), o);
            return o.toArray();
        }
    }

    private static float[] refBackData(float[] g, int[] os, float[] w, int[] ws, int[] as) {
        try (Kernels ref = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
            Tensor o = sc.zeros(as);
            ref.conv2dBackwardData(sc.of(g, os), sc.of(w, ws), o);
            return o.toArray();
        }
    }

    private static float[] refBackWeights(float[] a, int[] as, float[] g, int[] os, int[] ws) {
        try (Kernels ref = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
            Tensor o = sc.zeros(ws);
            ref.conv2dBackwardWeights(sc.of(a, as), sc.of(g, os), o);
            return o.toArray();
        }
    }

    @Test
    void convolutionMatchesReference() {
        SplittableRandom r = new SplittableRandom(21);
        for (int[] d : SHAPES) {
            int[] as = {d[0], d[1], d[2], d[3]};
            int[] ws = {d[4], d[1], d[5], d[6]};
            int[] os = {d[0], d[4], d[2] - d[5] + 1, d[3] - d[6] + 1};
            float[] a = uniform(r, product(as), -1, 1);
            float[] w = uniform(r, product(ws), -0.5, 0.5);
            float[] g = uniform(r, product(os), -1, 1);
            float[] magF = refForward(abs(a), as, abs(w), ws, os);
            float[] magD = refBackData(abs(g), os, abs(w), ws, as);
            float[] magW = refBackWeights(abs(a), as, abs(g), os, ws);
            int kF = d[1] * d[5] * d[6];
            int kD = d[4] * d[5] * d[6];
            int kW = os[2] * os[3];
            compare(k -> {
                try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                    Tensor out = sc.nan(os);
                    Tensor gin = sc.nan(as);
                    Tensor gw = sc.nan(ws);
                    Tensor at = sc.of(a, as);
                    Tensor wt = sc.of(w, ws);
                    Tensor gt = sc.of(g, os);
                    k.conv2dForward(at, wt, out);
                    k.conv2dBackwardData(gt, wt, gin);
                    k.conv2dBackwardWeights(at, gt, gw);
                    return new float[][] {out.toArray(), gin.toArray(), gw.toArray()};
                }
            }, (config, e, x) -> {
                String s = java.util.Arrays.toString(d);
                assertWithin("conv2dForward [" + config + s + "]", e[0], x[0], i -> tolSum(kF, magF[i]));
                assertWithin("conv2dBackwardData [" + config + s + "]", e[1], x[1], i -> tolSum(kD, magD[i]));
                assertWithin("conv2dBackwardWeights [" + config + s + "]", e[2], x[2], i -> tolSum(kW, magW[i]));
            });
        }
    }

    @Test
    void convolutionPropagatesNaNAndInfinityLikeTheReference() {
        int[] as = {2, 2, 9, 8};
        int[] ws = {3, 2, 3, 3};
        int[] os = {2, 3, 7, 6};
        SplittableRandom r = new SplittableRandom(22);
        float[] a = uniform(r, product(as), -1, 1);
        float[] w = uniform(r, product(ws), -1, 1);
        a[10] = Float.NaN;
        a[100] = Float.POSITIVE_INFINITY;
        a[150] = Float.NEGATIVE_INFINITY;
        w[4] = 0f;
        float[] g = uniform(r, product(os), -1, 1);
        g[7] = Float.POSITIVE_INFINITY;
        float[] magF = refForward(abs(a), as, abs(w), ws, os);
        float[] magD = refBackData(abs(g), os, abs(w), ws, as);
        compare(k -> {
            try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor out = sc.nan(os);
                Tensor gin = sc.nan(as);
                k.conv2dForward(sc.of(a, as), sc.of(w, ws), out);
                k.conv2dBackwardData(sc.of(g, os), sc.of(w, ws), gin);
                return new float[][] {out.toArray(), gin.toArray()};
            }
        }, (config, e, x) -> {
            assertWithin("conv2dForward non-finite [" + config + "]", e[0], x[0], i -> tolSum(18, magF[i]));
            assertWithin("conv2dBackwardData non-finite [" + config + "]", e[1], x[1], i -> tolSum(27, magD[i]));
        });
    }

    @Test
    void momentConvolutionMatchesReference() {
        SplittableRandom r = new SplittableRandom(23);
        for (int[] shape : SHAPES) {
            int[] d = shape.clone();
            d[0] = Math.min(d[0], 8);    // the paper's layers at batch 8: the reference is slow, 4 variants each
            int[] as = {d[0], d[1], d[2], d[3]};
            int[] ws = {d[4], d[1], d[5], d[6]};
            int[] os = {d[0], d[4], d[2] - d[5] + 1, d[3] - d[6] + 1};
            float[] a = uniform(r, product(as), -0.2, 1);       // activations, mostly >= 0, some negative
            float[] w = uniform(r, product(ws), -0.5, 0.5);
            float[] gm = uniform(r, product(os), -1, 1);
            float[] gsg = uniform(r, product(os), -1, 1);
            float[] hw = halfSquare(w);
            int kF = d[1] * d[5] * d[6];
            int kD = d[4] * d[5] * d[6];
            int kW = os[2] * os[3];
            float[] magMean = refForward(abs(a), as, abs(w), ws, os);
            float[][] ref = new float[1][];
            // the sigma the forward produced is an input of the backward: take the reference's
            try (Kernels k = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor m = sc.zeros(os);
                Tensor s = sc.zeros(os);
                k.momentConv2dForward(sc.of(a, as), sc.of(w, ws), m, s);
                ref[0] = s.toArray();
            }
            float[] sigma = ref[0];
            float[] gv = varianceGrad(sigma, gsg);
            float[] magDm = refBackData(abs(gm), os, abs(w), ws, as);
            float[] magDv = refBackData(abs(gv), os, hw, ws, as);
            float[] magWm = refBackWeights(abs(a), as, abs(gm), os, ws);
            float[] magWv = refBackWeights(abs(a), as, abs(gv), os, ws);
            for (int variant = 0; variant < 4; variant++) {
                boolean withSigma = variant % 2 == 0;
                boolean wantInput = variant != 3;
                boolean wantWeights = variant != 2;
                compare(k -> {
                    try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                        Tensor mean = sc.nan(os);
                        Tensor sg = sc.nan(os);
                        Tensor at = sc.of(a, as);
                        Tensor wt = sc.of(w, ws);
                        k.momentConv2dForward(at, wt, mean, sg);
                        Tensor gin = wantInput ? sc.nan(as) : null;
                        Tensor gw = wantWeights ? sc.nan(ws) : null;
                        k.momentConv2dBackward(at, wt, sc.of(sigma, os), sc.of(gm, os),
                                withSigma ? sc.of(gsg, os) : null, gin, gw);
                        return new float[][] {mean.toArray(), sg.toArray(),
                            gin == null ? new float[0] : gin.toArray(), gw == null ? new float[0] : gw.toArray()};
                    }
                }, (config, e, x) -> {
                    String s = java.util.Arrays.toString(d) + (withSigma ? " with gradSigma" : "");
                    assertWithin("momentConv2dForward mean [" + config + s + "]", e[0], x[0], i -> tolSum(kF, magMean[i]));
                    assertWithin("momentConv2dForward sigma [" + config + s + "]", e[1], x[1],
                            i -> ((kF + 2) * U / 2 + U) * e[1][i] + Math.sqrt(kF * 0x1p-148));
                    assertWithin("momentConv2dBackward gradInput [" + config + s + "]", e[2], x[2],
                            i -> tolSum(kD, magDm[i] + (withSigma ? magDv[i] : 0)));
                    assertWithin("momentConv2dBackward gradWeights [" + config + s + "]", e[3], x[3],
                            i -> tolSum(kW, magWm[i] + (withSigma ? Math.abs(w[i]) * magWv[i] : 0)));
                });
            }
        }
    }

    @Test
    void poolingIsBitIdenticalToReference() {
        SplittableRandom r = new SplittableRandom(24);
        int[][] shapes = {{50, 6, 24, 24}, {50, 12, 8, 8}, {1, 1, 2, 2}, {2, 3, 2, 34}, {3, 1, 30, 2}, {1, 7, 18, 34}};
        for (int[] is : shapes) {
            int[] os = {is[0], is[1], is[2] / 2, is[3] / 2};
            float[] a = uniform(r, product(is), -0.3, 1);
            a[0] = -0f;
            if (a.length > 5) {
                a[5] = 0f;
            }
            float[] gm = uniform(r, product(os), -1, 1);
            float[] gsg = uniform(r, product(os), -1, 1);
            float[] sigma;
            try (Kernels k = NativeHarness.reference(); NativeHarness.Scope sc = new NativeHarness.Scope()) {
                Tensor m = sc.zeros(os);
                Tensor s = sc.zeros(os);
                k.momentPool2x2Forward(sc.of(a, is), 1 / (4 * 1.005f), m, s);
                sigma = s.toArray();
            }
            sigma[0] = 0f;   // the variance gradient is 0 where sigma is 0
            for (float weight : new float[] {1 / (4 * 1.005f), 0.25f, -0.7f}) {
                compare(k -> {
                    try (NativeHarness.Scope sc = new NativeHarness.Scope()) {
                        Tensor at = sc.of(a, is);
                        Tensor out = sc.nan(os);
                        Tensor gin = sc.nan(is);
                        Tensor mean = sc.nan(os);
                        Tensor sg = sc.nan(os);
                        Tensor mgin = sc.nan(is);
                        Tensor mgin0 = sc.nan(is);
                        Tensor gmt = sc.of(gm, os);
                        k.pool2x2Forward(at, weight, out);
                        k.pool2x2Backward(gmt, weight, gin);
                        k.momentPool2x2Forward(at, weight, mean, sg);
                        k.momentPool2x2Backward(at, weight, sc.of(sigma, os), gmt, sc.of(gsg, os), mgin);
                        k.momentPool2x2Backward(at, weight, sc.of(sigma, os), gmt, null, mgin0);
                        return new float[][] {out.toArray(), gin.toArray(), mean.toArray(), sg.toArray(),
                            mgin.toArray(), mgin0.toArray()};
                    }
                }, exact("pool " + java.util.Arrays.toString(is) + " weight " + weight));
            }
        }
    }
}
