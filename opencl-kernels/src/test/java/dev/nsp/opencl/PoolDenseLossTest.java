package dev.nsp.opencl;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.nsp.opencl.OpenClTestSupport.ULP;
import static dev.nsp.opencl.OpenClTestSupport.abs;
import static dev.nsp.opencl.OpenClTestSupport.assertWithin;
import static dev.nsp.opencl.OpenClTestSupport.closeAll;
import static dev.nsp.opencl.OpenClTestSupport.poisoned;
import static dev.nsp.opencl.OpenClTestSupport.sumBound;
import static dev.nsp.opencl.OpenClTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pooling, dense layers and softmax cross-entropy against the reference. Sums: the bound of
 * {@link OpenClTestSupport#sumBound}. Softmax: see {@link #softmaxCrossEntropyMatchesReference}.
 */
class PoolDenseLossTest {
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

    @ParameterizedTest(name = "N{0} C{1} {2}x{3}")
    @CsvSource({"50, 6, 24, 24", "50, 12, 8, 8", "1, 1, 2, 2", "3, 5, 6, 34", "1, 1, 2, 8198"})
    void poolingMatchesReference(int n, int c, int h, int w) {
        Random r = new Random(n * 131L + c * 17L + h + w);
        float weight = 1f / (4 * 1.005f);
        try (Tensor in = uniform(r, -1f, 1f, n, c, h, w); Tensor absIn = abs(in);
             Tensor gm = uniform(r, -1f, 1f, n, c, h / 2, w / 2); Tensor gs = uniform(r, -1f, 1f, n, c, h / 2, w / 2);
             Tensor absGm = abs(gm); Tensor absGs = abs(gs);
             Tensor mRef = poisoned(n, c, h / 2, w / 2); Tensor mCl = poisoned(n, c, h / 2, w / 2);
             Tensor sRef = poisoned(n, c, h / 2, w / 2); Tensor sCl = poisoned(n, c, h / 2, w / 2);
             Tensor absM = poisoned(n, c, h / 2, w / 2);
             Tensor giRef = poisoned(n, c, h, w); Tensor giCl = poisoned(n, c, h, w); Tensor absGi = poisoned(n, c, h, w)) {
            for (float wgt : new float[] {weight, 0.25f, -0.75f}) {
                ref.pool2x2Forward(in, wgt, mRef);
                cl.pool2x2Forward(in, wgt, mCl);
                ref.pool2x2Forward(absIn, Math.abs(wgt), absM);
                assertWithin("pool2x2Forward", mRef, mCl, sumBound(absM, 4, 1));

                ref.pool2x2Backward(gm, wgt, giRef);
                cl.pool2x2Backward(gm, wgt, giCl);
                OpenClTestSupport.assertBitIdentical("pool2x2Backward (one correctly rounded product)", giRef, giCl);

                ref.momentPool2x2Forward(in, wgt, mRef, sRef);
                cl.momentPool2x2Forward(in, wgt, mCl, sCl);
                assertWithin("momentPool2x2Forward mean", mRef, mCl, sumBound(absM, 4, 1));
                assertWithin("momentPool2x2Forward sigma", sRef, sCl, sumBound(sRef, 4, 3));

                ref.momentPool2x2Backward(in, wgt, sRef, gm, gs, giRef);
                cl.momentPool2x2Backward(in, wgt, sRef, gm, gs, giCl);
                ref.momentPool2x2Backward(absIn, Math.abs(wgt), sRef, absGm, absGs, absGi);
                assertWithin("momentPool2x2Backward", giRef, giCl, sumBound(absGi, 2, 3));
                giCl.fill(Float.NaN);
                ref.momentPool2x2Backward(in, wgt, sRef, gm, null, giRef);
                cl.momentPool2x2Backward(in, wgt, sRef, gm, null, giCl);
                OpenClTestSupport.assertBitIdentical("momentPool2x2Backward, sigma constant", giRef, giCl);
            }
        }
    }

    @ParameterizedTest(name = "N{0} K{1} M{2}")
    @CsvSource({"50, 192, 10", "50, 1024, 10", "1, 1, 1", "3, 17, 15", "7, 4099, 3", "16, 16, 16", "1021, 3, 17"})
    void denseMatchesReference(int n, int k, int m) {
        Random r = new Random(n * 7919L + k * 31L + m);
        try (Tensor in = uniform(r, -1f, 1f, n, k); Tensor act = uniform(r, 0f, 1f, n, k);
             Tensor w = uniform(r, -0.3f, 0.3f, m, k); Tensor absW = abs(w);
             Tensor gm = uniform(r, -1f, 1f, n, m); Tensor gs = uniform(r, -1f, 1f, n, m);
             Tensor absGm = abs(gm); Tensor absGs = abs(gs);
             Tensor oRef = poisoned(n, m); Tensor oCl = poisoned(n, m); Tensor sRef = poisoned(n, m);
             Tensor sCl = poisoned(n, m); Tensor absO = poisoned(n, m);
             Tensor giRef = poisoned(n, k); Tensor giCl = poisoned(n, k); Tensor absGi = poisoned(n, k);
             Tensor gwRef = poisoned(m, k); Tensor gwCl = poisoned(m, k); Tensor absGw = poisoned(m, k)) {
            for (Tensor a : new Tensor[] {in, act}) {
                try (Tensor absA = abs(a)) {
                    ref.denseForward(a, w, oRef);
                    cl.denseForward(a, w, oCl);
                    ref.denseForward(absA, absW, absO);
                    assertWithin("denseForward", oRef, oCl, sumBound(absO, k, 0));

                    ref.denseBackwardData(gm, w, giRef);
                    cl.denseBackwardData(gm, w, giCl);
                    ref.denseBackwardData(absGm, absW, absGi);
                    assertWithin("denseBackwardData", giRef, giCl, sumBound(absGi, m, 0));

                    ref.denseBackwardWeights(a, gm, gwRef);
                    cl.denseBackwardWeights(a, gm, gwCl);
                    ref.denseBackwardWeights(absA, absGm, absGw);
                    assertWithin("denseBackwardWeights", gwRef, gwCl, sumBound(absGw, n, 0));

                    ref.momentDenseForward(a, w, oRef, sRef);
                    cl.momentDenseForward(a, w, oCl, sCl);
                    assertWithin("momentDenseForward mean", oRef, oCl, sumBound(absO, k, 0));
                    assertWithin("momentDenseForward sigma", sRef, sCl, sumBound(sRef, k, 2));

                    giCl.fill(Float.NaN);
                    gwCl.fill(Float.NaN);
                    ref.momentDenseBackward(a, w, sRef, gm, gs, giRef, gwRef);
                    cl.momentDenseBackward(a, w, sRef, gm, gs, giCl, gwCl);
                    ref.momentDenseBackward(absA, absW, sRef, absGm, absGs, absGi, absGw);
                    assertWithin("momentDenseBackward gradInput", giRef, giCl, sumBound(absGi, m, 1));
                    assertWithin("momentDenseBackward gradWeights", gwRef, gwCl, sumBound(absGw, n, 2));

                    giCl.fill(Float.NaN);
                    ref.momentDenseBackward(a, w, sRef, gm, null, giRef, null);
                    cl.momentDenseBackward(a, w, sRef, gm, null, giCl, null);
                    ref.momentDenseBackward(absA, absW, sRef, absGm, null, absGi, null);
                    assertWithin("momentDenseBackward gradInput, sigma constant", giRef, giCl, sumBound(absGi, m, 0));
                }
            }
        }
    }

    /**
     * Softmax tolerance. With u = 2^-24 and Z = max |z|: each exp(z - max) has relative error <= 3 ulp + the
     * rounding of its argument (<= u |z - max| <= 2 u Z); their sum of M positive terms adds (M - 1) u; log adds
     * 3 ulp and the addition of max u |logSum| (<= u (Z + log M)); the argument z - logSum then carries an absolute
     * error <= (M + 8 + 4 Z) u and its own rounding (<= u (2 Z + log M)); exp turns an absolute argument error
     * into a relative one and adds 3 ulp. So |dp| <= p (M + 16 + 8 Z) ulp, and the loss, logSum - z[label], has an
     * absolute error <= (M + 16 + 8 Z) ulp. The gradient (p - onehot) / N inherits |dp| / N plus two roundings.
     */
    @ParameterizedTest(name = "N{0} M{1} scale{2}")
    @CsvSource({"50, 10, 3", "1, 1, 1", "3, 17, 10", "1021, 10, 30", "2, 4099, 2", "5, 2, 80"})
    void softmaxCrossEntropyMatchesReference(int n, int m, float scale) {
        Random r = new Random(n * 37L + m);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(m);
        }
        try (Tensor z = uniform(r, -scale, scale, n, m);
             Tensor pRef = poisoned(n, m); Tensor pCl = poisoned(n, m);
             Tensor gRef = poisoned(n, m); Tensor gCl = poisoned(n, m)) {
            float lossRef = ref.softmaxCrossEntropy(z, labels, pRef, gRef);
            float lossCl = cl.softmaxCrossEntropy(z, labels, pCl, gCl);
            double units = (m + 16 + 8 * scale) * ULP;
            double[] pb = new double[n * m];
            double[] gb = new double[n * m];
            for (int i = 0; i < pb.length; i++) {
                pb[i] = units * pRef.get(i) + Float.MIN_NORMAL;
                gb[i] = units * pRef.get(i) / n + 2 * ULP * Math.abs(gRef.get(i)) + Float.MIN_NORMAL;
            }
            assertWithin("probabilities", pRef, pCl, pb);
            assertWithin("gradLogits", gRef, gCl, gb);
            assertEquals(lossRef, lossCl, units + ULP * Math.abs(lossRef), "loss");

            pCl.fill(Float.NaN);
            float again = cl.softmaxCrossEntropy(z, labels, pCl, null);
            assertEquals(lossCl, again, 0f, "loss without gradient");
            assertWithin("probabilities without gradient", pRef, pCl, pb);
        }
    }

    @Test
    void softmaxPropagatesNaNLikeTheReference() {
        try (Tensor z = Tensor.of(new float[] {1f, Float.NaN, 2f, 0f, 1f, 2f}, 2, 3);
             Tensor pRef = poisoned(2, 3); Tensor pCl = poisoned(2, 3)) {
            int[] labels = {0, 2};
            float lRef = ref.softmaxCrossEntropy(z, labels, pRef, null);
            float lCl = cl.softmaxCrossEntropy(z, labels, pCl, null);
            assertEquals(Float.isNaN(lRef), Float.isNaN(lCl));
            for (int i = 0; i < 3; i++) {
                assertEquals(Float.isNaN(pRef.get(i)), Float.isNaN(pCl.get(i)), "row 0 element " + i);
            }
        }
    }
}
