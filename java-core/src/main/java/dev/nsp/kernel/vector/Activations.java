package dev.nsp.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Elementwise activations over a range [from, to) of float elements, loaded and stored straight from
 * the tensors' memory segments; the tail is one masked vector.
 *
 * <p>Noisy Softplus is evaluated as {@code f = max(x, 0) + ks log1p(exp(-|z|))}, {@code ks = k sigma},
 * {@code z = (x / sigma) / k}: equal to {@code ks softplus(z)}, but without the product {@code ks * z}, so
 * it stays right when ks underflows (a denormal sigma) or z overflows. |z| is clamped at {@value #Z_CLAMP}
 * (where exp(-|z|) is 0 in float) so that {@code |z| * logistic(-|z|)} is 0, never {@code inf * 0}.
 * Lanes with sigma = 0 are ReLU, as the SPI defines.
 */
final class Activations {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** exp(-200) underflows to 0 in float, so beyond this |z| changes nothing. */
    static final float Z_CLAMP = 200f;

    private Activations() {
    }

    // ---------------------------------------------------------------- Noisy Softplus

    /**
     * Forward Noisy Softplus over [from, to).
     *
     * @return the first index in the range whose sigma is negative or NaN (outputs of the range are then
     *         unspecified), or -1
     */
    static long nsForward(MemorySegment x, MemorySegment sigma, float k, float p, MemorySegment y,
                          long from, long to) {
        VectorMask<Float> bad = S.maskAll(false);
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            long off = i * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO);
            bad = bad.or(sv.compare(VectorOperators.GE, 0f).not());
            nsValue(xv, sv, k, p).intoMemorySegment(y, off, NO);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            long off = i * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO, m);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO, m);   // 0 in unused lanes
            bad = bad.or(sv.compare(VectorOperators.GE, 0f).not());
            nsValue(xv, sv, k, p).intoMemorySegment(y, off, NO, m);
        }
        return bad.anyTrue() ? firstBadSigma(sigma, from, to) : -1;
    }

    private static FloatVector nsValue(FloatVector x, FloatVector s, float k, float p) {
        FloatVector relu = x.max(0f);
        FloatVector a = x.div(s).mul(1f / k).abs().min(Z_CLAMP);
        FloatVector t = a.neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P);
        FloatVector f = s.mul(k).fma(t, relu);
        return f.blend(relu, s.compare(VectorOperators.EQ, 0f)).mul(p);
    }

    /**
     * Backward Noisy Softplus over [from, to); gradSigma may be null.
     *
     * @return the first index with a bad sigma, or -1
     */
    static long nsBackward(MemorySegment x, MemorySegment sigma, float k, float p, MemorySegment gradY,
                           MemorySegment gradX, MemorySegment gradSigma, long from, long to) {
        VectorMask<Float> bad = S.maskAll(false);
        float pk = p * k;
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            long off = i * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO);
            FloatVector gy = FloatVector.fromMemorySegment(S, gradY, off, NO);
            bad = bad.or(sv.compare(VectorOperators.GE, 0f).not());
            nsGrad(xv, sv, gy, k, p, pk, gradX, gradSigma, off, null);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            long off = i * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO, m);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO, m);
            FloatVector gy = FloatVector.fromMemorySegment(S, gradY, off, NO, m);
            bad = bad.or(sv.compare(VectorOperators.GE, 0f).not());
            nsGrad(xv, sv, gy, k, p, pk, gradX, gradSigma, off, m);
        }
        return bad.anyTrue() ? firstBadSigma(sigma, from, to) : -1;
    }

    private static void nsGrad(FloatVector x, FloatVector s, FloatVector gy, float k, float p, float pk,
                               MemorySegment gradX, MemorySegment gradSigma, long off, VectorMask<Float> m) {
        VectorMask<Float> relu = s.compare(VectorOperators.EQ, 0f);
        FloatVector z = x.div(s).mul(1f / k);
        FloatVector a = z.abs().min(Z_CLAMP);
        FloatVector e = a.neg().lanewise(VectorOperators.EXP);            // e^-|z|
        FloatVector lPos = FloatVector.broadcast(S, 1f).div(e.add(1f));   // logistic(|z|)
        FloatVector lNeg = e.mul(lPos);                                     // logistic(-|z|)
        FloatVector logistic = lPos.blend(lNeg, z.compare(VectorOperators.LT, 0f));
        FloatVector step = FloatVector.zero(S).blend(1f, x.compare(VectorOperators.GT, 0f));
        FloatVector gpy = gy.mul(p);
        FloatVector gx = gpy.mul(logistic.blend(step, relu));
        if (m == null) {
            gx.intoMemorySegment(gradX, off, NO);
        } else {
            gx.intoMemorySegment(gradX, off, NO, m);
        }
        if (gradSigma != null) {
            // softplus(z) - z logistic(z) = log1p(e^-|z|) + |z| logistic(-|z|): no cancellation
            FloatVector slope = a.fma(lNeg, e.lanewise(VectorOperators.LOG1P));
            FloatVector gs = gy.mul(pk).mul(slope).blend(0f, relu);
            if (m == null) {
                gs.intoMemorySegment(gradSigma, off, NO);
            } else {
                gs.intoMemorySegment(gradSigma, off, NO, m);
            }
        }
    }

    /** @return the first index in [from, to) whose sigma is negative or NaN, or -1 */
    private static long firstBadSigma(MemorySegment sigma, long from, long to) {
        for (long i = from; i < to; i++) {
            if (!(sigma.getAtIndex(F, i) >= 0)) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- Softplus and ReLU

    /** {@code y = p (max(x, 0) + s log1p(exp(-|x / s|)))}, s = scale. */
    static void softplusForward(MemorySegment x, float scale, float p, MemorySegment y, long from, long to) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            long off = i * Float.BYTES;
            softplusValue(FloatVector.fromMemorySegment(S, x, off, NO), scale, p).intoMemorySegment(y, off, NO);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            long off = i * Float.BYTES;
            softplusValue(FloatVector.fromMemorySegment(S, x, off, NO, m), scale, p).intoMemorySegment(y, off, NO, m);
        }
    }

    private static FloatVector softplusValue(FloatVector x, float scale, float p) {
        FloatVector a = x.div(scale).abs().min(Z_CLAMP);
        FloatVector t = a.neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P);
        return t.fma(FloatVector.broadcast(S, scale), x.max(0f)).mul(p);
    }

    /** {@code gradX = gradY p logistic(x / scale)}. */
    static void softplusBackward(MemorySegment x, float scale, float p, MemorySegment gradY, MemorySegment gradX,
                                 long from, long to) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            long off = i * Float.BYTES;
            FloatVector g = logistic(FloatVector.fromMemorySegment(S, x, off, NO).div(scale))
                    .mul(FloatVector.fromMemorySegment(S, gradY, off, NO).mul(p));
            g.intoMemorySegment(gradX, off, NO);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            long off = i * Float.BYTES;
            FloatVector g = logistic(FloatVector.fromMemorySegment(S, x, off, NO, m).div(scale))
                    .mul(FloatVector.fromMemorySegment(S, gradY, off, NO, m).mul(p));
            g.intoMemorySegment(gradX, off, NO, m);
        }
    }

    /** logistic(z) from e^-|z|, without overflow. */
    private static FloatVector logistic(FloatVector z) {
        FloatVector e = z.abs().min(Z_CLAMP).neg().lanewise(VectorOperators.EXP);
        FloatVector lPos = FloatVector.broadcast(S, 1f).div(e.add(1f));
        return lPos.blend(e.mul(lPos), z.compare(VectorOperators.LT, 0f));
    }

    /** {@code y = p max(x, 0)}. */
    static void reluForward(MemorySegment x, float p, MemorySegment y, long from, long to) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            long off = i * Float.BYTES;
            FloatVector.fromMemorySegment(S, x, off, NO).max(0f).mul(p).intoMemorySegment(y, off, NO);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            long off = i * Float.BYTES;
            FloatVector.fromMemorySegment(S, x, off, NO, m).max(0f).mul(p).intoMemorySegment(y, off, NO, m);
        }
    }

    /** {@code gradX = gradY p step(x)}, step(0) = 0. */
    static void reluBackward(MemorySegment x, float p, MemorySegment gradY, MemorySegment gradX, long from, long to) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += L) {
            long off = i * Float.BYTES;
            VectorMask<Float> pos = FloatVector.fromMemorySegment(S, x, off, NO).compare(VectorOperators.GT, 0f);
            FloatVector.fromMemorySegment(S, gradY, off, NO).mul(p).blend(0f, pos.not())
                    .intoMemorySegment(gradX, off, NO);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            long off = i * Float.BYTES;
            VectorMask<Float> pos = FloatVector.fromMemorySegment(S, x, off, NO, m).compare(VectorOperators.GT, 0f);
            FloatVector.fromMemorySegment(S, gradY, off, NO, m).mul(p).blend(0f, pos.not())
                    .intoMemorySegment(gradX, off, NO, m);
        }
    }
}
