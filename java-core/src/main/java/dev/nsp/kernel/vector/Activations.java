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
 * it stays right when ks underflows (a denormal sigma) or z overflows. |z| is clamped at
 * {@link VMath#EXP_NEG_MAX} (where exp(-|z|) is 0 in float) so that {@code |z| * logistic(-|z|)} is 0,
 * never {@code inf * 0}. Lanes with sigma = 0 are ReLU, as the SPI defines. exp and log1p are the
 * polynomials of {@link VMath}.
 */
final class Activations {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** exp(-|z|) is 0 in float beyond this, so larger |z| change nothing. */
    static final float Z_CLAMP = VMath.EXP_NEG_MAX;

    private Activations() {
    }

    // ---------------------------------------------------------------- Noisy Softplus
    //
    // C2 stops inlining once a compiled method has too many IR nodes, and a Vector API call it does not
    // inline boxes its vectors (~50x slower). exp + log1p + the Noisy Softplus algebra in one loop is past
    // that limit, so each kernel runs per block of BLOCK elements as a few small loops (phases): the
    // argument |z| into a buffer, the transcendental terms, then the combination (x and sigma come from
    // L1 the second time, so memory traffic does not change). The phases are called through an enum, a
    // call site with several receivers, which C2 never inlines: each phase is compiled on its own, and
    // fits. Tails are masked.

    /** Elements per block: the buffers stay in L1. */
    static final int BLOCK = 256;

    /** The operands of one block of a Noisy Softplus kernel. */
    private static final class Block {
        MemorySegment x;
        MemorySegment sigma;
        MemorySegment y;
        MemorySegment gradY;
        MemorySegment gradX;
        MemorySegment gradSigma;
        float k;
        float p;
        final float[] a = new float[BLOCK];
        float[] lPos;
        float[] lNeg;
        float[] slope;
    }

    /** One loop of a blocked kernel over n elements from b. */
    private enum Phase {
        /** a = min(|x / sigma / k|, clamp); returns whether a sigma is negative or NaN. */
        Z_ARGUMENT {
            @Override
            boolean run(Block k, long b, int n) {
                return zArgument(k.x, k.sigma, 1f / k.k, k.a, b, n);
            }
        },
        /** a := log1p(exp(-a)). */
        SOFTPLUS_TERM {
            @Override
            boolean run(Block k, long b, int n) {
                softplusTerm(k.a, n);
                return false;
            }
        },
        /** y = p (sigma k a + max(x, 0)), or p max(x, 0) where sigma = 0. */
        NS_COMBINE {
            @Override
            boolean run(Block k, long b, int n) {
                nsCombine(k.x, k.sigma, k.k, k.p, k.a, k.y, b, n);
                return false;
            }
        },
        /** From a: lPos, lNeg, and e^-a into slope when there is one. */
        LOGISTIC_TERMS {
            @Override
            boolean run(Block k, long b, int n) {
                logisticTerms(k.a, k.lPos, k.lNeg, k.slope, n);
                return false;
            }
        },
        /** slope := a lNeg + log1p(slope). */
        SLOPE_TERMS {
            @Override
            boolean run(Block k, long b, int n) {
                slopeTerms(k.a, k.lNeg, k.slope, n);
                return false;
            }
        },
        /** gradX and gradSigma from the terms. */
        GRAD_COMBINE {
            @Override
            boolean run(Block k, long b, int n) {
                nsGradCombine(k.x, k.sigma, k.p * k.k, k.p, k.gradY, k.gradX, k.gradSigma, k.lPos, k.lNeg, k.slope, b, n);
                return false;
            }
        };

        abstract boolean run(Block k, long b, int n);
    }

    private static final Phase[] FORWARD = {Phase.Z_ARGUMENT, Phase.SOFTPLUS_TERM, Phase.NS_COMBINE};
    private static final Phase[] BACKWARD = {Phase.Z_ARGUMENT, Phase.LOGISTIC_TERMS, Phase.SLOPE_TERMS, Phase.GRAD_COMBINE};
    private static final Phase[] BACKWARD_X = {Phase.Z_ARGUMENT, Phase.LOGISTIC_TERMS, Phase.GRAD_COMBINE};

    /** @return whether some sigma was negative or NaN */
    private static boolean runBlocks(Phase[] phases, Block k, long from, long to) {
        boolean bad = false;
        for (long b = from; b < to; b += BLOCK) {
            int n = (int) Math.min(BLOCK, to - b);
            for (Phase ph : phases) {
                bad |= ph.run(k, b, n);
            }
        }
        return bad;
    }

    /**
     * Forward Noisy Softplus over [from, to).
     *
     * @return the first index in the range whose sigma is negative or NaN (outputs of the range are then
     *         unspecified), or -1
     */
    static long nsForward(MemorySegment x, MemorySegment sigma, float k, float p, MemorySegment y,
                          long from, long to) {
        Block blk = new Block();
        blk.x = x;
        blk.sigma = sigma;
        blk.y = y;
        blk.k = k;
        blk.p = p;
        return runBlocks(FORWARD, blk, from, to) ? firstBadSigma(sigma, from, to) : -1;
    }

    /**
     * Backward Noisy Softplus over [from, to); gradSigma may be null.
     *
     * @return the first index with a bad sigma, or -1
     */
    static long nsBackward(MemorySegment x, MemorySegment sigma, float k, float p, MemorySegment gradY,
                           MemorySegment gradX, MemorySegment gradSigma, long from, long to) {
        Block blk = new Block();
        blk.x = x;
        blk.sigma = sigma;
        blk.gradY = gradY;
        blk.gradX = gradX;
        blk.gradSigma = gradSigma;
        blk.k = k;
        blk.p = p;
        blk.lPos = new float[BLOCK];
        blk.lNeg = new float[BLOCK];
        blk.slope = gradSigma == null ? null : new float[BLOCK];
        return runBlocks(gradSigma == null ? BACKWARD_X : BACKWARD, blk, from, to) ? firstBadSigma(sigma, from, to) : -1;
    }

    /**
     * buf[i] = min(|x / sigma / k|, clamp) for the n elements from b (whole vectors: lanes past n hold
     * garbage).
     *
     * @return whether a sigma is negative or NaN
     */
    private static boolean zArgument(MemorySegment x, MemorySegment sigma, float invK, float[] buf, long b, int n) {
        VectorMask<Float> bad = S.maskAll(false);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            long off = (b + i) * Float.BYTES;
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO);
            bad = bad.or(sv.compare(VectorOperators.GE, 0f).not());
            FloatVector.fromMemorySegment(S, x, off, NO).div(sv).mul(invK).abs().min(Z_CLAMP).intoArray(buf, i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long off = (b + i) * Float.BYTES;
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO, m);    // 0 in unused lanes
            bad = bad.or(sv.compare(VectorOperators.GE, 0f).not());
            FloatVector.fromMemorySegment(S, x, off, NO, m).div(sv).mul(invK).abs().min(Z_CLAMP).intoArray(buf, i);
        }
        return bad.anyTrue();
    }

    /** buf[i] = log1p(exp(-buf[i])) for the first n elements, rounded up to whole vectors. */
    private static void softplusTerm(float[] buf, int n) {
        for (int i = 0; i < n; i += L) {
            VMath.log1p01(VMath.expNeg(FloatVector.fromArray(S, buf, i))).intoArray(buf, i);
        }
    }

    /** y = p (sigma k log1p(e^-|z|) + max(x, 0)), or p max(x, 0) where sigma = 0. */
    private static void nsCombine(MemorySegment x, MemorySegment sigma, float k, float p, float[] buf,
                                  MemorySegment y, long b, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            long off = (b + i) * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO);
            FloatVector relu = xv.max(0f);
            sv.mul(k).fma(FloatVector.fromArray(S, buf, i), relu).blend(relu, sv.compare(VectorOperators.EQ, 0f))
                    .mul(p).intoMemorySegment(y, off, NO);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long off = (b + i) * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO, m);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO, m);
            FloatVector relu = xv.max(0f);
            sv.mul(k).fma(FloatVector.fromArray(S, buf, i), relu).blend(relu, sv.compare(VectorOperators.EQ, 0f))
                    .mul(p).intoMemorySegment(y, off, NO, m);
        }
    }

    /** From a = |z|: lPos = logistic(|z|), lNeg = logistic(-|z|), and e^-|z| into e if given (whole vectors). */
    private static void logisticTerms(float[] a, float[] lPos, float[] lNeg, float[] e, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector ev = VMath.expNeg(FloatVector.fromArray(S, a, i));
            FloatVector pos = FloatVector.broadcast(S, 1f).div(ev.add(1f));
            pos.intoArray(lPos, i);
            ev.mul(pos).intoArray(lNeg, i);
            if (e != null) {
                ev.intoArray(e, i);
            }
        }
    }

    /**
     * In place, from e = e^-|z|: {@code slope = softplus(z) - z logistic(z)}, computed as
     * {@code log1p(e^-|z|) + |z| logistic(-|z|)}: no cancellation.
     */
    private static void slopeTerms(float[] a, float[] lNeg, float[] slope, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, lNeg, i),
                    VMath.log1p01(FloatVector.fromArray(S, slope, i))).intoArray(slope, i);
        }
    }

    /**
     * gradX = gy p logistic(z) (gy p step(x) where sigma = 0); gradSigma = gy p k slope (0 where
     * sigma = 0). sign(z) = sign(x), as sigma and k are positive.
     */
    private static void nsGradCombine(MemorySegment x, MemorySegment sigma, float pk, float p, MemorySegment gradY,
                                      MemorySegment gradX, MemorySegment gradSigma, float[] lPos, float[] lNeg,
                                      float[] slope, long b, int n) {
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = S.indexInRange(i, n);
            long off = (b + i) * Float.BYTES;
            FloatVector xv = FloatVector.fromMemorySegment(S, x, off, NO, m);
            FloatVector sv = FloatVector.fromMemorySegment(S, sigma, off, NO, m);
            FloatVector gy = FloatVector.fromMemorySegment(S, gradY, off, NO, m);
            VectorMask<Float> relu = sv.compare(VectorOperators.EQ, 0f);
            FloatVector logistic = FloatVector.fromArray(S, lPos, i)
                    .blend(FloatVector.fromArray(S, lNeg, i), xv.compare(VectorOperators.LT, 0f));
            FloatVector step = FloatVector.zero(S).blend(1f, xv.compare(VectorOperators.GT, 0f));
            gy.mul(p).mul(logistic.blend(step, relu)).intoMemorySegment(gradX, off, NO, m);
            if (slope != null) {
                gy.mul(pk).mul(FloatVector.fromArray(S, slope, i)).blend(0f, relu).intoMemorySegment(gradSigma, off, NO, m);
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
        long bound = from + S.loopBound(to - from);
        for (long i = from; i < bound; i += L) {
            long off = i * Float.BYTES;
            softplusValue(FloatVector.fromMemorySegment(S, x, off, NO), scale, p).intoMemorySegment(y, off, NO);
        }
        if (bound < to) {
            softplusTail(x, scale, p, y, bound, to);
        }
    }

    private static void softplusTail(MemorySegment x, float scale, float p, MemorySegment y, long from, long to) {
        VectorMask<Float> m = S.indexInRange(from, to);
        long off = from * Float.BYTES;
        softplusValue(FloatVector.fromMemorySegment(S, x, off, NO, m), scale, p).intoMemorySegment(y, off, NO, m);
    }

    private static FloatVector softplusValue(FloatVector x, float scale, float p) {
        FloatVector a = x.div(scale).abs().min(Z_CLAMP);
        FloatVector t = VMath.log1p01(VMath.expNeg(a));
        return t.fma(FloatVector.broadcast(S, scale), x.max(0f)).mul(p);
    }

    /** {@code gradX = gradY p logistic(x / scale)}. */
    static void softplusBackward(MemorySegment x, float scale, float p, MemorySegment gradY, MemorySegment gradX,
                                 long from, long to) {
        long bound = from + S.loopBound(to - from);
        for (long i = from; i < bound; i += L) {
            long off = i * Float.BYTES;
            FloatVector g = logistic(FloatVector.fromMemorySegment(S, x, off, NO).div(scale))
                    .mul(FloatVector.fromMemorySegment(S, gradY, off, NO).mul(p));
            g.intoMemorySegment(gradX, off, NO);
        }
        if (bound < to) {
            softplusBackwardTail(x, scale, p, gradY, gradX, bound, to);
        }
    }

    private static void softplusBackwardTail(MemorySegment x, float scale, float p, MemorySegment gradY,
                                             MemorySegment gradX, long from, long to) {
        VectorMask<Float> m = S.indexInRange(from, to);
        long off = from * Float.BYTES;
        FloatVector g = logistic(FloatVector.fromMemorySegment(S, x, off, NO, m).div(scale))
                .mul(FloatVector.fromMemorySegment(S, gradY, off, NO, m).mul(p));
        g.intoMemorySegment(gradX, off, NO, m);
    }

    /** logistic(z) from e^-|z|, without overflow. */
    private static FloatVector logistic(FloatVector z) {
        FloatVector e = VMath.expNeg(z.abs().min(Z_CLAMP));
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
