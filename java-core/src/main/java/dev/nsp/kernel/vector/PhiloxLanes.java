package dev.nsp.kernel.vector;

import dev.nsp.kernel.Philox;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Philox4x32-10 for a vector of consecutive element indices at once: each 32-bit word lives
 * zero-extended in a 64-bit lane, so the 32x32 -> 64 bit products of a round are plain lane
 * multiplies. Every lane computes exactly the words of {@link Philox#draw}, and uniforms and comparisons
 * are the same float operations as the reference, so spikes and counts are bit-identical to it.
 */
final class PhiloxLanes {
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as LS. */
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, VectorShape.forBitSize(LS.vectorBitSize() / 2));
    static final int L = LS.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final long MASK32 = 0xFFFFFFFFL;
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final int ROUNDS = 10;

    private PhiloxLanes() {
    }

    /** The four words of one block, one lane per element. */
    private record Words(LongVector w0, LongVector w1, LongVector w2, LongVector w3) {
    }

    /** Round keys (zero-extended) of a seed: [k0 of round 0..9, k1 of round 0..9]. */
    static long[] roundKeys(long seed) {
        long[] k = new long[2 * ROUNDS];
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int r = 0; r < ROUNDS; r++) {
            k[r] = k0 & MASK32;
            k[ROUNDS + r] = k1 & MASK32;
            k0 += W0;
            k1 += W1;
        }
        return k;
    }

    private static Words block(LongVector c0, long stream, long step, int blk, long[] keys) {
        LongVector c1 = LongVector.broadcast(LS, stream & MASK32);
        LongVector c2 = LongVector.broadcast(LS, step & MASK32);
        LongVector c3 = LongVector.broadcast(LS, (((step >>> 32) & 0xFFFF) | ((long) blk << 16)) & MASK32);
        for (int r = 0; r < ROUNDS; r++) {
            LongVector p0 = c0.mul(M0);
            LongVector p1 = c2.mul(M1);
            LongVector n0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1)
                    .lanewise(VectorOperators.XOR, keys[r]);
            LongVector n2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3)
                    .lanewise(VectorOperators.XOR, keys[ROUNDS + r]);
            c1 = p1.and(MASK32);
            c3 = p0.and(MASK32);
            c0 = n0;
            c2 = n2;
        }
        return new Words(c0, c1, c2, c3);
    }

    /** (word >>> 8) as exact floats: the 24-bit numerator of a uniform. */
    private static FloatVector top24(LongVector word) {
        return (FloatVector) word.lanewise(VectorOperators.LSHR, 8).convertShape(VectorOperators.L2F, FS, 0);
    }

    private static LongVector indices(int i) {
        return LongVector.zero(LS).addIndex(1).add(i);
    }

    /** Bernoulli spikes of elements [from, to), as {@code ReferenceKernels.bernoulliSpikes}. */
    static void bernoulli(long seed, int stream, long step, MemorySegment probability, MemorySegment spikes,
                          int from, int to) {
        long[] keys = roundKeys(seed);
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = i + L <= to ? null : FS.indexInRange(i, to);
            long off = (long) i * Float.BYTES;
            Words w = block(indices(i), stream, step, 0, keys);
            FloatVector u = top24(w.w0).mul(Philox.INV_2_24);
            FloatVector p = m == null ? FloatVector.fromMemorySegment(FS, probability, off, NO)
                    : FloatVector.fromMemorySegment(FS, probability, off, NO, m);
            FloatVector s = FloatVector.zero(FS).blend(1f, u.compare(VectorOperators.LT, p));
            if (m == null) {
                s.intoMemorySegment(spikes, off, NO);
            } else {
                s.intoMemorySegment(spikes, off, NO, m);
            }
        }
    }

    /** Poisson counts of elements [from, to), as {@link Philox#poissonCount}. */
    static void poisson(long seed, int stream, long step, MemorySegment expNegLambda, MemorySegment counts,
                        int from, int to) {
        long[] keys = roundKeys(seed);
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = i + L <= to ? FS.maskAll(true) : FS.indexInRange(i, to);
            long off = (long) i * Float.BYTES;
            FloatVector threshold = FloatVector.fromMemorySegment(FS, expNegLambda, off, NO, m);
            FloatVector count = FloatVector.zero(FS);
            FloatVector product = FloatVector.broadcast(FS, 1f);
            VectorMask<Float> active = m;
            LongVector index = indices(i);
            for (int blk = 0; blk <= Philox.MAX_BLOCK && active.anyTrue(); blk++) {
                Words w = block(index, stream, step, blk, keys);
                for (int j = 0; j < 4; j++) {
                    LongVector word = j == 0 ? w.w0 : j == 1 ? w.w1 : j == 2 ? w.w2 : w.w3;
                    FloatVector u = top24(word).add(1f).mul(Philox.INV_2_24);     // uniform24Open: exact
                    product = product.blend(product.mul(u), active);
                    active = active.and(product.compare(VectorOperators.GT, threshold));
                    count = count.add(1f, active);
                }
            }
            count.intoMemorySegment(counts, off, NO, m);
        }
    }
}
