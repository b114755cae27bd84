package dev.nsp.kernel.vector;

import dev.nsp.kernel.Philox;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    /** (word >>> 8) as exact floats: the 24-bit numerator of a uniform. */
    private static FloatVector top24(LongVector word) {
        return (FloatVector) word.lanewise(VectorOperators.LSHR, 8).convertShape(VectorOperators.L2F, FS, 0);
    }

    private static LongVector indices(int i) {
        return LongVector.zero(LS).addIndex(1).add(i);
    }

    /** Counter word 3 of a block: step bits 32..47 and the block number, zero-extended. */
    private static long word3(long step, int blk) {
        return (((step >>> 32) & 0xFFFF) | ((long) blk << 16)) & MASK32;
    }

    /**
     * Bernoulli spikes of elements [from, to), as {@code ReferenceKernels.bernoulliSpikes}. The rounds are
     * written out here (not in a helper returning four vectors) so C2 keeps every word in a register.
     */
    static void bernoulli(long seed, int stream, long step, MemorySegment probability, MemorySegment spikes,
                          int from, int to) {
        long[] keys = roundKeys(seed);
        long w1 = stream & MASK32;
        long w2 = step & MASK32;
        long w3 = word3(step, 0);
        for (int i = from; i < to; i += L) {
            LongVector c0 = indices(i);
            LongVector c1 = LongVector.broadcast(LS, w1);
            LongVector c2 = LongVector.broadcast(LS, w2);
            LongVector c3 = LongVector.broadcast(LS, w3);
            for (int r = 0; r < ROUNDS; r++) {
                LongVector p0 = c0.mul(M0);
                LongVector p1 = c2.mul(M1);
                c0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1)
                        .lanewise(VectorOperators.XOR, keys[r]);
                c2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3)
                        .lanewise(VectorOperators.XOR, keys[ROUNDS + r]);
                c1 = p1.and(MASK32);
                c3 = p0.and(MASK32);
            }
            FloatVector u = top24(c0).mul(Philox.INV_2_24);
            long off = (long) i * Float.BYTES;
            if (i + L <= to) {
                FloatVector p = FloatVector.fromMemorySegment(FS, probability, off, NO);
                FloatVector.zero(FS).blend(1f, u.compare(VectorOperators.LT, p)).intoMemorySegment(spikes, off, NO);
            } else {
                VectorMask<Float> m = FS.indexInRange(i, to);
                FloatVector p = FloatVector.fromMemorySegment(FS, probability, off, NO, m);
                FloatVector.zero(FS).blend(1f, u.compare(VectorOperators.LT, p)).intoMemorySegment(spikes, off, NO, m);
            }
        }
    }

    /**
     * Poisson counts of elements [from, to), as {@link Philox#poissonCount}: the blocks of Philox words are
     * computed for L elements at once, and each element multiplies its uniforms in scalar code, exactly as
     * the reference does (the per-lane stopping makes this part sequential anyway). A new block is drawn
     * while any of the L elements is still above its threshold.
     */
    static void poisson(long seed, int stream, long step, MemorySegment expNegLambda, MemorySegment counts,
                        int from, int to) {
        long[] keys = roundKeys(seed);
        long w1 = stream & MASK32;
        long w2 = step & MASK32;
        long[] words = new long[4 * L];
        float[] product = new float[L];
        float[] threshold = new float[L];
        int[] count = new int[L];
        boolean[] done = new boolean[L];
        for (int i = from; i < to; i += L) {
            int lanes = Math.min(L, to - i);
            for (int j = 0; j < lanes; j++) {
                threshold[j] = expNegLambda.getAtIndex(ValueLayout.JAVA_FLOAT, i + j);
                product[j] = 1f;
                count[j] = 0;
                done[j] = false;
            }
            int active = lanes;
            for (int blk = 0; blk <= Philox.MAX_BLOCK && active > 0; blk++) {
                philoxBlock(indices(i), w1, w2, word3(step, blk), keys, words);
                for (int j = 0; j < lanes; j++) {
                    if (done[j]) {
                        continue;
                    }
                    for (int w = 0; w < 4; w++) {
                        product[j] *= Philox.uniform24Open((int) words[w * L + j]);
                        if (!(product[j] > threshold[j])) {
                            done[j] = true;
                            active--;
                            break;
                        }
                        count[j]++;
                    }
                }
            }
            for (int j = 0; j < lanes; j++) {
                counts.setAtIndex(ValueLayout.JAVA_FLOAT, i + j, count[j]);
            }
        }
    }

    /** The four words of one block for L consecutive indices, into out[word * L + lane]. */
    private static void philoxBlock(LongVector c0, long w1, long w2, long w3, long[] keys, long[] out) {
        LongVector c1 = LongVector.broadcast(LS, w1);
        LongVector c2 = LongVector.broadcast(LS, w2);
        LongVector c3 = LongVector.broadcast(LS, w3);
        for (int r = 0; r < ROUNDS; r++) {
            LongVector p0 = c0.mul(M0);
            LongVector p1 = c2.mul(M1);
            c0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1)
                    .lanewise(VectorOperators.XOR, keys[r]);
            c2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3)
                    .lanewise(VectorOperators.XOR, keys[ROUNDS + r]);
            c1 = p1.and(MASK32);
            c3 = p0.and(MASK32);
        }
        c0.intoArray(out, 0);
        c1.intoArray(out, L);
        c2.intoArray(out, 2 * L);
        c3.intoArray(out, 3 * L);
    }
}
