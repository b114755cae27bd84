package dev.nsp.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * 2x2 pooling (stride 2) over planes [p0, p1) of h x w. A step reads 2L input columns of both rows,
 * adds the rows, and adds even and odd columns with a two-vector permute ({@code selectFrom}), giving L
 * outputs; row ends are masked. Backward duplicates each gradient lane into two with a permute.
 */
final class Pooling {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();

    private Pooling() {
    }

    private static FloatVector indexVector(int start, int step, int div) {
        float[] idx = new float[L];
        for (int i = 0; i < L; i++) {
            idx[i] = start + (i / div) * step;
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    /** Lanes 0, 2, 4, ... of the 2L-lane concatenation. */
    private static FloatVector evens() {
        return indexVector(0, 2, 1);
    }

    private static FloatVector odds() {
        return indexVector(1, 2, 1);
    }

    private static FloatVector load(MemorySegment s, long index, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(S, s, index * Float.BYTES, NO, m);
    }

    /**
     * {@code mean = weight * sum}, and with sigma given {@code sigma = sqrt(weight^2/2 * sum |a|)}, per
     * 2x2 block.
     */
    static void forward(MemorySegment in, float weight, MemorySegment mean, MemorySegment sigma,
                        int h, int w, int p0, int p1) {
        FloatVector even = evens();
        FloatVector odd = odds();
        float half = 0.5f * weight * weight;
        int oh = h / 2;
        int ow = w / 2;
        for (int p = p0; p < p1; p++) {
            for (int i = 0; i < oh; i++) {
                long r0 = ((long) p * h + 2 * i) * w;
                long r1 = r0 + w;
                long o = ((long) p * oh + i) * ow;
                for (int j = 0; j < ow; j += L) {
                    int x = 2 * j;
                    VectorMask<Float> m0 = S.indexInRange(x, w);
                    VectorMask<Float> m1 = S.indexInRange(x + L, w);
                    VectorMask<Float> mo = S.indexInRange(j, ow);
                    FloatVector a0 = load(in, r0 + x, m0);
                    FloatVector b0 = load(in, r1 + x, m0);
                    FloatVector a1 = load(in, r0 + x + L, m1);
                    FloatVector b1 = load(in, r1 + x + L, m1);
                    FloatVector s0 = a0.add(b0);
                    FloatVector s1 = a1.add(b1);
                    FloatVector sum = even.selectFrom(s0, s1).add(odd.selectFrom(s0, s1));
                    sum.mul(weight).intoMemorySegment(mean, (o + j) * Float.BYTES, NO, mo);
                    if (sigma != null) {
                        FloatVector t0 = a0.abs().add(b0.abs());
                        FloatVector t1 = a1.abs().add(b1.abs());
                        FloatVector abs = even.selectFrom(t0, t1).add(odd.selectFrom(t0, t1));
                        abs.mul(half).max(0f).sqrt().intoMemorySegment(sigma, (o + j) * Float.BYTES, NO, mo);
                    }
                }
            }
        }
    }

    /**
     * {@code gradIn = weight * gm[block]}; with gs given also {@code + signum(a) * weight^2/2 * gs/(2 sigma)}.
     */
    static void backward(MemorySegment gradMean, float weight, MemorySegment input, MemorySegment sigma,
                         MemorySegment gradSigma, MemorySegment gradIn, int h, int w, int p0, int p1) {
        FloatVector lo = indexVector(0, 1, 2);
        FloatVector hi = indexVector(L / 2, 1, 2);
        float half = 0.5f * weight * weight;
        int oh = h / 2;
        int ow = w / 2;
        for (int p = p0; p < p1; p++) {
            for (int i = 0; i < oh; i++) {
                long r0 = ((long) p * h + 2 * i) * w;
                long r1 = r0 + w;
                long o = ((long) p * oh + i) * ow;
                for (int j = 0; j < ow; j += L) {
                    int x = 2 * j;
                    VectorMask<Float> m0 = S.indexInRange(x, w);
                    VectorMask<Float> m1 = S.indexInRange(x + L, w);
                    VectorMask<Float> mo = S.indexInRange(j, ow);
                    FloatVector g = load(gradMean, o + j, mo).mul(weight);
                    FloatVector g0 = lo.selectFrom(g);
                    FloatVector g1 = hi.selectFrom(g);
                    if (gradSigma == null) {
                        g0.intoMemorySegment(gradIn, (r0 + x) * Float.BYTES, NO, m0);
                        g0.intoMemorySegment(gradIn, (r1 + x) * Float.BYTES, NO, m0);
                        g1.intoMemorySegment(gradIn, (r0 + x + L) * Float.BYTES, NO, m1);
                        g1.intoMemorySegment(gradIn, (r1 + x + L) * Float.BYTES, NO, m1);
                        continue;
                    }
                    FloatVector s = load(sigma, o + j, mo);
                    FloatVector gv = load(gradSigma, o + j, mo).div(s.add(s))
                            .blend(0f, s.compare(VectorOperators.GT, 0f).not()).mul(half);
                    FloatVector v0 = lo.selectFrom(gv);
                    FloatVector v1 = hi.selectFrom(gv);
                    combine(input, gradIn, r0 + x, m0, g0, v0);
                    combine(input, gradIn, r1 + x, m0, g0, v0);
                    combine(input, gradIn, r0 + x + L, m1, g1, v1);
                    combine(input, gradIn, r1 + x + L, m1, g1, v1);
                }
            }
        }
    }

    private static void combine(MemorySegment input, MemorySegment gradIn, long index, VectorMask<Float> m,
                                FloatVector g, FloatVector v) {
        FloatVector a = load(input, index, m);
        Convolutions.signum(a).fma(v, g).intoMemorySegment(gradIn, index * Float.BYTES, NO, m);
    }
}
