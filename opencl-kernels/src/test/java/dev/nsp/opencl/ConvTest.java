package dev.nsp.opencl;

import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.nsp.opencl.OpenClTestSupport.abs;
import static dev.nsp.opencl.OpenClTestSupport.assertWithin;
import static dev.nsp.opencl.OpenClTestSupport.closeAll;
import static dev.nsp.opencl.OpenClTestSupport.poisoned;
import static dev.nsp.opencl.OpenClTestSupport.sumBound;
import static dev.nsp.opencl.OpenClTestSupport.uniform;

/**
 * Convolutions against the reference. The device accumulates in float, the reference in double; the bound is
 * the classical one for a float sum of m products in any order, gamma_(m+1) sum |terms|
 * ({@link OpenClTestSupport#sumBound}), where sum |terms| is the reference run on absolute values. For sigma,
 * sqrt halves the relative error of the variance and adds half an ulp: covered by the same bound with two more
 * roundings. Backward sums of two paths (mean and variance) add one rounding for the combination.
 */
class ConvTest {
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

    /** Paper shapes (6c5 on 28x28, 12c5 on 12x12, batch 50), the wide net's 64c5, and odd shapes with tails. */
    @ParameterizedTest(name = "N{0} C{1} {2}x{3} O{4} k{5}x{6}")
    @CsvSource({
        "50, 1, 28, 28, 6, 5, 5",
        "50, 6, 12, 12, 12, 5, 5",
        "4, 16, 12, 12, 64, 5, 5",
        "1, 1, 1, 1, 1, 1, 1",
        "3, 2, 7, 17, 3, 3, 2",
        "2, 3, 15, 16, 5, 15, 1",
        "1, 1, 33, 129, 1, 4, 5",
    })
    void convolutionsMatchReference(int n, int c, int h, int w, int o, int kh, int kw) {
        int oh = h - kh + 1;
        int ow = w - kw + 1;
        Random r = new Random(31L * n + 7L * c + h + w + o);
        try (Tensor in = uniform(r, -1f, 1f, n, c, h, w);
             Tensor act = uniform(r, 0f, 1f, n, c, h, w);
             Tensor wt = uniform(r, -0.5f, 0.5f, o, c, kh, kw);
             Tensor gOut = uniform(r, -1f, 1f, n, o, oh, ow);
             Tensor gSig = uniform(r, -1f, 1f, n, o, oh, ow);
             Tensor absIn = abs(in); Tensor absW = abs(wt); Tensor absG = abs(gOut); Tensor absGs = abs(gSig);
             Tensor outRef = poisoned(n, o, oh, ow); Tensor outCl = poisoned(n, o, oh, ow);
             Tensor sigRef = poisoned(n, o, oh, ow); Tensor sigCl = poisoned(n, o, oh, ow);
             Tensor absOut = poisoned(n, o, oh, ow);
             Tensor giRef = poisoned(n, c, h, w); Tensor giCl = poisoned(n, c, h, w); Tensor absGi = poisoned(n, c, h, w);
             Tensor gwRef = poisoned(o, c, kh, kw); Tensor gwCl = poisoned(o, c, kh, kw);
             Tensor absGw = poisoned(o, c, kh, kw)) {
            long fanIn = (long) c * kh * kw;
            long fanOut = (long) o * kh * kw;
            long batchTerms = (long) n * oh * ow;

            ref.conv2dForward(in, wt, outRef);
            cl.conv2dForward(in, wt, outCl);
            ref.conv2dForward(absIn, absW, absOut);
            assertWithin("conv2dForward", outRef, outCl, sumBound(absOut, fanIn, 0));

            ref.conv2dBackwardData(gOut, wt, giRef);
            cl.conv2dBackwardData(gOut, wt, giCl);
            ref.conv2dBackwardData(absG, absW, absGi);
            assertWithin("conv2dBackwardData", giRef, giCl, sumBound(absGi, fanOut, 0));

            ref.conv2dBackwardWeights(in, gOut, gwRef);
            cl.conv2dBackwardWeights(in, gOut, gwCl);
            ref.conv2dBackwardWeights(absIn, absG, absGw);
            assertWithin("conv2dBackwardWeights", gwRef, gwCl, sumBound(absGw, batchTerms, 0));

            // moment forms, on non-negative activations (as in a network) and on signed ones (|a| path)
            for (Tensor a : new Tensor[] {act, in}) {
                try (Tensor absA = abs(a)) {
                    ref.momentConv2dForward(a, wt, outRef, sigRef);
                    cl.momentConv2dForward(a, wt, outCl, sigCl);
                    ref.conv2dForward(absA, absW, absOut);
                    assertWithin("momentConv2dForward mean", outRef, outCl, sumBound(absOut, fanIn, 0));
                    assertWithin("momentConv2dForward sigma", sigRef, sigCl, sumBound(sigRef, fanIn, 2));

                    // backward through the mean only (sigma constant), then through both paths
                    ref.momentConv2dBackward(a, wt, sigRef, gOut, null, giRef, gwRef);
                    cl.momentConv2dBackward(a, wt, sigRef, gOut, null, giCl, gwCl);
                    ref.momentConv2dBackward(absA, absW, sigRef, absG, null, absGi, absGw);
                    assertWithin("momentConv2dBackward gradInput", giRef, giCl, sumBound(absGi, fanOut, 0));
                    assertWithin("momentConv2dBackward gradWeights", gwRef, gwCl, sumBound(absGw, batchTerms, 0));

                    giCl.fill(Float.NaN);
                    gwCl.fill(Float.NaN);
                    ref.momentConv2dBackward(a, wt, sigRef, gOut, gSig, giRef, gwRef);
                    cl.momentConv2dBackward(a, wt, sigRef, gOut, gSig, giCl, gwCl);
                    ref.momentConv2dBackward(absA, absW, sigRef, absG, absGs, absGi, absGw);
                    assertWithin("momentConv2dBackward gradInput (sigma path)", giRef, giCl, sumBound(absGi, fanOut, 1));
                    assertWithin("momentConv2dBackward gradWeights (sigma path)", gwRef, gwCl,
                            sumBound(absGw, batchTerms, 2));

                    // only one of the two outputs
                    gwCl.fill(Float.NaN);
                    cl.momentConv2dBackward(a, wt, sigRef, gOut, gSig, null, gwCl);
                    assertWithin("momentConv2dBackward gradWeights alone", gwRef, gwCl, sumBound(absGw, batchTerms, 2));
                }
            }
        }
    }

    @Test
    void zeroSigmaGivesNoVarianceGradient() {
        // an all-zero input gives sigma = 0 everywhere: the variance path must contribute 0, not NaN (1 / 0)
        try (Tensor a = Tensor.zeros(2, 1, 6, 6); Tensor w = Tensor.of(new float[] {1, -2, 3, 4}, 1, 1, 2, 2);
             Tensor mean = poisoned(2, 1, 5, 5); Tensor sig = poisoned(2, 1, 5, 5);
             Tensor gm = Tensor.zeros(2, 1, 5, 5); Tensor gs = Tensor.zeros(2, 1, 5, 5);
             Tensor gi = poisoned(2, 1, 6, 6); Tensor gw = poisoned(1, 1, 2, 2)) {
            gm.fill(1f);
            gs.fill(1f);
            cl.momentConv2dForward(a, w, mean, sig);
            for (float v : sig.toArray()) {
                org.junit.jupiter.api.Assertions.assertEquals(0f, v);
            }
            cl.momentConv2dBackward(a, w, sig, gm, gs, gi, gw);
            try (Tensor giRef = poisoned(2, 1, 6, 6); Tensor gwRef = poisoned(1, 1, 2, 2)) {
                ref.momentConv2dBackward(a, w, sig, gm, gs, giRef, gwRef);
                OpenClTestSupport.assertBitIdentical("gradInput", giRef, gi);
                OpenClTestSupport.assertBitIdentical("gradWeights", gwRef, gw);
            }
        }
    }
}
