package dev.nsp.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dense layers, vectorised along the input dimension K (contiguous in both the activations [N,K] and
 * the weights [M,K]). The weights (and w^2/2) are copied to heap arrays once per call and shared
 * read-only by the tasks; every sum runs in a fixed order, whatever the thread count.
 */
final class Dense {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Dense() {
    }

    /**
     * Rows [r0, r1) of {@code mean = a w^T}; with sigma given also {@code sigma = sqrt(|a| hw^T)}.
     *
     * @param w the weights [m][k]
     * @param hw w^2/2 [m][k], or null without sigma
     */
    static void forward(MemorySegment a, float[] w, float[] hw, MemorySegment mean, MemorySegment sigma,
                        int k, int m, int r0, int r1) {
        float[] lanes = new float[L];
        for (int r = r0; r < r1; r++) {
            long row = (long) r * k;
            for (int c = 0; c < m; c++) {
                int wRow = c * k;
                FloatVector acc = FloatVector.zero(S);
                FloatVector var = FloatVector.zero(S);
                for (int q = 0; q < k; q += L) {
                    VectorMask<Float> in = S.indexInRange(q, k);
                    FloatVector x = FloatVector.fromMemorySegment(S, a, (row + q) * Float.BYTES, NO, in);
                    acc = x.fma(FloatVector.fromArray(S, w, wRow + q, in), acc);
                    if (hw != null) {
                        var = x.abs().fma(FloatVector.fromArray(S, hw, wRow + q, in), var);
                    }
                }
                long out = (long) r * m + c;
                mean.setAtIndex(F, out, Convolutions.sumLanes(acc, lanes));
                if (hw != null) {
                    sigma.setAtIndex(F, out, (float) Math.sqrt(Math.max(Convolutions.sumLanes(var, lanes), 0f)));
                }
            }
        }
    }

    /**
     * Rows [r0, r1) of {@code gradIn = g w}; with gv given also {@code + signum(a) (gv hw)}.
     *
     * @param g the output gradient [n][m], heap copy
     * @param gv the variance gradient [n][m], or null
     */
    static void backwardData(float[] g, float[] gv, float[] w, float[] hw, MemorySegment a, MemorySegment gradIn,
                             int k, int m, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            long row = (long) r * k;
            for (int q = 0; q < k; q += L) {
                VectorMask<Float> in = S.indexInRange(q, k);
                FloatVector acc = FloatVector.zero(S);
                FloatVector var = FloatVector.zero(S);
                for (int c = 0; c < m; c++) {
                    acc = FloatVector.fromArray(S, w, c * k + q, in).fma(FloatVector.broadcast(S, g[r * m + c]), acc);
                    if (gv != null) {
                        var = FloatVector.fromArray(S, hw, c * k + q, in).fma(FloatVector.broadcast(S, gv[r * m + c]), var);
                    }
                }
                long off = (row + q) * Float.BYTES;
                if (gv != null) {
                    FloatVector x = FloatVector.fromMemorySegment(S, a, off, NO, in);
                    acc = Convolutions.signum(x).fma(var, acc);
                }
                acc.intoMemorySegment(gradIn, off, NO, in);
            }
        }
    }

    /**
     * Weight rows [c0, c1) of {@code gradW = g^T a}; with gv given also {@code + w * (gv^T |a|)}.
     *
     * @param a the activations [n][k], heap copy
     * @param absA |a|, or null without gv
     */
    static void backwardWeights(float[] a, float[] absA, float[] g, float[] gv, float[] w, MemorySegment gradW,
                                int n, int k, int m, int c0, int c1) {
        for (int c = c0; c < c1; c++) {
            for (int q = 0; q < k; q += L) {
                VectorMask<Float> in = S.indexInRange(q, k);
                FloatVector acc = FloatVector.zero(S);
                FloatVector var = FloatVector.zero(S);
                for (int r = 0; r < n; r++) {
                    acc = FloatVector.fromArray(S, a, r * k + q, in).fma(FloatVector.broadcast(S, g[r * m + c]), acc);
                    if (gv != null) {
                        var = FloatVector.fromArray(S, absA, r * k + q, in).fma(FloatVector.broadcast(S, gv[r * m + c]), var);
                    }
                }
                if (gv != null) {
                    acc = FloatVector.fromArray(S, w, c * k + q, in).fma(var, acc);
                }
                acc.intoMemorySegment(gradW, ((long) c * k + q) * Float.BYTES, NO, in);
            }
        }
    }

    /** @return gs / (2 sigma) where sigma > 0, else 0 (the reference's varianceGradient), as a heap array */
    static float[] varianceGradient(MemorySegment sigma, MemorySegment gradSigma, int len) {
        float[] gv = new float[len];
        for (int i = 0; i < len; i += L) {
            VectorMask<Float> m = S.indexInRange(i, len);
            long off = (long) i * Float.BYTES;
            FloatVector s = FloatVector.fromMemorySegment(S, sigma, off, NO, m);
            FloatVector gs = FloatVector.fromMemorySegment(S, gradSigma, off, NO, m);
            gs.div(s.add(s)).blend(0f, s.compare(VectorOperators.GT, 0f).not()).intoArray(gv, i, m);
        }
        return gv;
    }

    /**
     * Softmax cross-entropy of rows [r0, r1); writes probabilities and (optionally) the gradient.
     *
     * @return the sum over the rows of -log softmax[label], in double
     */
    static double softmaxCrossEntropy(MemorySegment logits, int[] labels, MemorySegment prob, MemorySegment grad,
                                      int n, int m, int r0, int r1) {
        double loss = 0;
        float[] lanes = new float[L];
        float invN = 1f / n;
        for (int r = r0; r < r1; r++) {
            long row = (long) r * m;
            FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int c = 0; c < m; c += L) {
                VectorMask<Float> in = S.indexInRange(c, m);
                max = max.max(FloatVector.fromMemorySegment(S, logits, (row + c) * Float.BYTES, NO, in)
                        .blend(Float.NEGATIVE_INFINITY, in.not()));
            }
            float mx = max.reduceLanes(VectorOperators.MAX);          // exact in any order
            FloatVector sum = FloatVector.zero(S);
            for (int c = 0; c < m; c += L) {
                VectorMask<Float> in = S.indexInRange(c, m);
                FloatVector e = VMath.expNeg(FloatVector.fromMemorySegment(S, logits, (row + c) * Float.BYTES, NO, in)
                        .neg().add(mx).min(VMath.EXP_NEG_MAX));
                sum = sum.add(e, in);
            }
            float total = Convolutions.sumLanes(sum, lanes);
            float inv = 1f / total;
            for (int c = 0; c < m; c += L) {
                VectorMask<Float> in = S.indexInRange(c, m);
                long off = (row + c) * Float.BYTES;
                FloatVector p = VMath.expNeg(FloatVector.fromMemorySegment(S, logits, off, NO, in)
                        .neg().add(mx).min(VMath.EXP_NEG_MAX)).mul(inv);
                p.intoMemorySegment(prob, off, NO, in);
                if (grad != null) {
                    p.mul(invN).intoMemorySegment(grad, off, NO, in);
                }
            }
            long target = row + labels[r];
            float zLabel = logits.getAtIndex(F, target);
            loss += Math.log(total) + mx - zLabel;
            if (grad != null) {
                float pl = prob.getAtIndex(F, target);
                grad.setAtIndex(F, target, (pl - 1f) * invN);
            }
        }
        return loss;
    }
}
