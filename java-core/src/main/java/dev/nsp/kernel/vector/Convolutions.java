package dev.nsp.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Convolutions as register-blocked matrix products with an implicit im2col.
 *
 * <p>The trick: number the output positions of an image in the input's row stride, {@code p = i W + j}
 * (positions with {@code j >= OW} are computed and thrown away). Then tap t = (c, u, v) of the kernel
 * reads the input at {@code p + off[t]}, {@code off[t] = c H W + u W + v}, so row t of the im2col matrix
 * is a contiguous slice of the (staged) input and the convolution is the product
 * {@code out[o][p] = sum_t w[o][t] in[off[t] + p]} without an im2col copy. The micro-kernel keeps a
 * block of 6 output channels x 3 vectors of positions (18 accumulators) in registers and per tap loads
 * 3 input vectors and broadcasts 6 weights for 18 FMAs.
 *
 * <ul>
 *   <li>Forward: that product, one task per image.</li>
 *   <li>Backward data: {@code col[t][p] = sum_o w[o][t] gout'[o][p]} for 6 taps x 3 position vectors in
 *       registers, each vector then added to the image gradient at {@code off[t] + p} (col2im), one task
 *       per image; for shapes that blocking does not fit, the forward of the zero-padded output gradient
 *       with the transposed, flipped kernel.</li>
 *   <li>Backward weights: {@code gw[o][t] = sum_n sum_p gout'[n][o][p] in[n][off[t] + p]} (gout' is zero on
 *       the discarded positions); a task is one block of 6 output channels and a fixed chunk of taps over
 *       the whole batch, with 6 x 3 (channel, tap) accumulators in registers per image, so the result
 *       does not depend on the thread count.</li>
 * </ul>
 * Images are staged into per-thread float[] buffers: that adds the padding and slack the flat positions
 * need (a copy of C H W floats against C H W K O multiply-adds).
 */
final class Convolutions {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Output channels per register block. */
    static final int OB = 6;
    /** Position vectors per register block of the 6-channel kernel. */
    static final int PB = 3;
    /** Position vectors of the single-channel kernel (when there are fewer than OB channels). */
    static final int P1 = 8;
    /** Taps per register block of the weight-gradient kernel. */
    static final int TB = 3;

    private Convolutions() {
    }

    /** A valid correlation of cin planes of h x w with cout kernels of kh x kw, in flat positions. */
    static final class Plan {
        final int cin;
        final int h;
        final int w;
        final int cout;
        final int kh;
        final int kw;
        final int oh;
        final int ow;
        final int taps;
        final int[] off;
        /** Positions computed per output channel: oh * w rounded up to the kernel's block. */
        final int nPos;
        /** Floats of a staged image, slack included. */
        final int inLen;

        Plan(int cin, int h, int w, int cout, int kh, int kw) {
            this.cin = cin;
            this.h = h;
            this.w = w;
            this.cout = cout;
            this.kh = kh;
            this.kw = kw;
            this.oh = h - kh + 1;
            this.ow = w - kw + 1;
            this.taps = Math.multiplyExact(cin, kh * kw);
            this.off = new int[taps];
            for (int c = 0, t = 0; c < cin; c++) {
                for (int u = 0; u < kh; u++) {
                    for (int v = 0; v < kw; v++) {
                        off[t++] = (c * h + u) * w + v;
                    }
                }
            }
            int block = (cout >= OB ? PB : P1) * L;
            this.nPos = Math.ceilDiv(oh * w, block) * block;
            this.inLen = Math.max(cin * h * w, off[taps - 1] + nPos);
        }

        /** @return register blocks of output channels (single channels when cout < OB) */
        int blocks() {
            return cout >= OB ? Math.ceilDiv(cout, OB) : cout;
        }

        /** @return the first channel of block b; the last block overlaps the one before it */
        int blockStart(int b) {
            return cout >= OB ? Math.min(b * OB, cout - OB) : b;
        }

        int blockRows() {
            return cout >= OB ? OB : 1;
        }

        /**
         * @return floats per image of a staged output gradient: cout * nPos plus L of slack, so a row's
         *         vector overrun never reaches the next image (which another thread may be staging)
         */
        int goStride() {
            return cout * nPos + L;
        }

        /** @return multiply-adds of one image */
        long macs() {
            return (long) cout * oh * ow * taps;
        }
    }

    /**
     * Packs weights [cout][taps] for the kernels: [block][tap][OB] when cout >= OB, else a copy.
     */
    static float[] pack(Plan pl, float[] w) {
        if (pl.cout < OB) {
            return w.clone();
        }
        int blocks = pl.blocks();
        float[] p = new float[blocks * pl.taps * OB];
        for (int b = 0; b < blocks; b++) {
            int o0 = pl.blockStart(b);
            for (int t = 0; t < pl.taps; t++) {
                for (int r = 0; r < OB; r++) {
                    p[(b * pl.taps + t) * OB + r] = w[(o0 + r) * pl.taps + t];
                }
            }
        }
        return p;
    }

    /** @return the weights [cin][cout][kh][kw] of the backward-data correlation: transposed and flipped */
    static float[] flipTranspose(float[] w, int cout, int cin, int kh, int kw) {
        float[] f = new float[w.length];
        for (int o = 0; o < cout; o++) {
            for (int c = 0; c < cin; c++) {
                for (int u = 0; u < kh; u++) {
                    for (int v = 0; v < kw; v++) {
                        f[((c * cout + o) * kh + u) * kw + v] = w[((o * cin + c) * kh + (kh - 1 - u)) * kw + (kw - 1 - v)];
                    }
                }
            }
        }
        return f;
    }

    /** @return w^2 / 2 elementwise (rounded once, as the reference's halfSquare) */
    static float[] halfSquare(float[] w) {
        float[] r = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            r[i] = w[i] * w[i] * 0.5f;
        }
        return r;
    }

    // ---------------------------------------------------------------- the product

    /** out[o * nPos + p] = sum_t w[o][t] in[inBase + off[t] + p] for every channel o and p < nPos. */
    static void correlate(Plan pl, float[] in, int inBase, float[] packed, float[] out) {
        if (pl.cout >= OB) {
            for (int b = 0; b < pl.blocks(); b++) {
                kernel6x3(in, inBase, pl.off, pl.taps, packed, b * pl.taps * OB, out, pl.blockStart(b) * pl.nPos, pl.nPos);
            }
        } else {
            for (int o = 0; o < pl.cout; o++) {
                kernel1x8(in, inBase, pl.off, pl.taps, packed, o * pl.taps, out, o * pl.nPos, pl.nPos);
            }
        }
    }

    private static void kernel6x3(float[] in, int inBase, int[] off, int taps, float[] wp, int wpBase,
                                  float[] out, int outBase, int nPos) {
        for (int p = 0; p < nPos; p += PB * L) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00;
            FloatVector a40 = a00, a41 = a00, a42 = a00;
            FloatVector a50 = a00, a51 = a00, a52 = a00;
            for (int t = 0; t < taps; t++) {
                int b = inBase + off[t] + p;
                FloatVector x0 = FloatVector.fromArray(S, in, b);
                FloatVector x1 = FloatVector.fromArray(S, in, b + L);
                FloatVector x2 = FloatVector.fromArray(S, in, b + 2 * L);
                int wb = wpBase + t * OB;
                FloatVector w = FloatVector.broadcast(S, wp[wb]);
                a00 = x0.fma(w, a00);
                a01 = x1.fma(w, a01);
                a02 = x2.fma(w, a02);
                w = FloatVector.broadcast(S, wp[wb + 1]);
                a10 = x0.fma(w, a10);
                a11 = x1.fma(w, a11);
                a12 = x2.fma(w, a12);
                w = FloatVector.broadcast(S, wp[wb + 2]);
                a20 = x0.fma(w, a20);
                a21 = x1.fma(w, a21);
                a22 = x2.fma(w, a22);
                w = FloatVector.broadcast(S, wp[wb + 3]);
                a30 = x0.fma(w, a30);
                a31 = x1.fma(w, a31);
                a32 = x2.fma(w, a32);
                w = FloatVector.broadcast(S, wp[wb + 4]);
                a40 = x0.fma(w, a40);
                a41 = x1.fma(w, a41);
                a42 = x2.fma(w, a42);
                w = FloatVector.broadcast(S, wp[wb + 5]);
                a50 = x0.fma(w, a50);
                a51 = x1.fma(w, a51);
                a52 = x2.fma(w, a52);
            }
            int o = outBase + p;
            a00.intoArray(out, o);
            a01.intoArray(out, o + L);
            a02.intoArray(out, o + 2 * L);
            o += nPos;
            a10.intoArray(out, o);
            a11.intoArray(out, o + L);
            a12.intoArray(out, o + 2 * L);
            o += nPos;
            a20.intoArray(out, o);
            a21.intoArray(out, o + L);
            a22.intoArray(out, o + 2 * L);
            o += nPos;
            a30.intoArray(out, o);
            a31.intoArray(out, o + L);
            a32.intoArray(out, o + 2 * L);
            o += nPos;
            a40.intoArray(out, o);
            a41.intoArray(out, o + L);
            a42.intoArray(out, o + 2 * L);
            o += nPos;
            a50.intoArray(out, o);
            a51.intoArray(out, o + L);
            a52.intoArray(out, o + 2 * L);
        }
    }

    private static void kernel1x8(float[] in, int inBase, int[] off, int taps, float[] w, int wBase,
                                  float[] out, int outBase, int nPos) {
        for (int p = 0; p < nPos; p += P1 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int t = 0; t < taps; t++) {
                int b = inBase + off[t] + p;
                FloatVector wt = FloatVector.broadcast(S, w[wBase + t]);
                a0 = FloatVector.fromArray(S, in, b).fma(wt, a0);
                a1 = FloatVector.fromArray(S, in, b + L).fma(wt, a1);
                a2 = FloatVector.fromArray(S, in, b + 2 * L).fma(wt, a2);
                a3 = FloatVector.fromArray(S, in, b + 3 * L).fma(wt, a3);
                a4 = FloatVector.fromArray(S, in, b + 4 * L).fma(wt, a4);
                a5 = FloatVector.fromArray(S, in, b + 5 * L).fma(wt, a5);
                a6 = FloatVector.fromArray(S, in, b + 6 * L).fma(wt, a6);
                a7 = FloatVector.fromArray(S, in, b + 7 * L).fma(wt, a7);
            }
            int o = outBase + p;
            a0.intoArray(out, o);
            a1.intoArray(out, o + L);
            a2.intoArray(out, o + 2 * L);
            a3.intoArray(out, o + 3 * L);
            a4.intoArray(out, o + 4 * L);
            a5.intoArray(out, o + 5 * L);
            a6.intoArray(out, o + 6 * L);
            a7.intoArray(out, o + 7 * L);
        }
    }

    // ---------------------------------------------------------------- staging

    /** Copies image n ([cin][h][w] at element offset) into dst[dstBase..], |a| if abs, and zeroes the slack. */
    static void stageImage(Plan pl, MemorySegment src, long srcIndex, float[] dst, int dstBase, boolean abs) {
        int len = pl.cin * pl.h * pl.w;
        MemorySegment.copy(src, F, srcIndex * Float.BYTES, dst, dstBase, len);
        if (abs) {
            absInPlace(dst, dstBase, len);
        }
        Arrays.fill(dst, dstBase + len, dstBase + pl.inLen, 0f);
    }

    static void absInPlace(float[] a, int from, int len) {
        int i = from;
        int end = from + len;
        for (; i + L <= end; i += L) {
            FloatVector.fromArray(S, a, i).abs().intoArray(a, i);
        }
        for (; i < end; i++) {
            a[i] = Math.abs(a[i]);
        }
    }

    /**
     * Copies image-sized gradient data (len contiguous floats from element srcIndex) into tmp[0..len); with
     * sigma given, the variance gradient {@code gs / (2 sigma)} (0 where sigma is not > 0) instead.
     */
    static void loadGradient(MemorySegment g, MemorySegment sigma, long srcIndex, int len, float[] tmp, float[] tmpSigma) {
        MemorySegment.copy(g, F, srcIndex * Float.BYTES, tmp, 0, len);
        if (sigma == null) {
            return;
        }
        MemorySegment.copy(sigma, F, srcIndex * Float.BYTES, tmpSigma, 0, len);
        for (int j = 0; j < len; j += L) {                     // tmp arrays have L floats of slack
            FloatVector sv = FloatVector.fromArray(S, tmpSigma, j);
            FloatVector.fromArray(S, tmp, j).div(sv.add(sv)).blend(0f, sv.compare(VectorOperators.GT, 0f).not())
                    .intoArray(tmp, j);
        }
    }

    // ---------------------------------------------------------------- forward

    /**
     * Forward of image n: {@code mean = w * a}; when var is given also {@code sigma = sqrt(hw * |a|)}.
     */
    static void forwardImage(Plan pl, float[] packed, float[] packedHalfSq, MemorySegment input,
                             MemorySegment mean, MemorySegment sigma, int n) {
        long inIndex = (long) n * pl.cin * pl.h * pl.w;
        float[] in = Scratch.get(0, pl.inLen);
        float[] out = Scratch.get(1, pl.cout * pl.nPos + L);
        stageImage(pl, input, inIndex, in, 0, false);
        correlate(pl, in, 0, packed, out);
        long outIndex = (long) n * pl.cout * pl.oh * pl.ow;
        writeImage(pl, out, mean, outIndex, false);
        if (sigma != null) {
            float[] abs = Scratch.get(2, pl.inLen);
            float[] var = Scratch.get(3, pl.cout * pl.nPos + L);
            System.arraycopy(in, 0, abs, 0, pl.inLen);
            absInPlace(abs, 0, pl.inLen);
            correlate(pl, abs, 0, packedHalfSq, var);
            writeImage(pl, var, sigma, outIndex, true);
        }
    }

    /**
     * Writes the valid positions of out ([cout][nPos], row stride w) as one image [cout][oh][ow] at dstIndex,
     * sqrt(max(v, 0)) of them with sqrt: rows are packed into a heap buffer by whole vectors in increasing
     * order (a vector that runs past its row leaves garbage in the next row, which that row then rewrites),
     * then the image goes out in one bulk copy. Per-vector segment stores, or masked ones, cost several
     * times more here, and rows are short.
     */
    static void writeImage(Plan pl, float[] out, MemorySegment dst, long dstIndex, boolean sqrt) {
        int len = pl.cout * pl.oh * pl.ow;
        float[] packed = Scratch.get(SLOT_PACK, len + L);
        int d = 0;
        for (int o = 0; o < pl.cout; o++) {
            for (int i = 0; i < pl.oh; i++, d += pl.ow) {
                int sb = o * pl.nPos + i * pl.w;
                for (int j = 0; j < pl.ow; j += L) {
                    FloatVector v = FloatVector.fromArray(S, out, sb + j);
                    (sqrt ? v.max(0f).sqrt() : v).intoArray(packed, d + j);
                }
            }
        }
        MemorySegment.copy(packed, 0, dst, F, dstIndex * Float.BYTES, len);
    }

    // ---------------------------------------------------------------- backward data

    /**
     * The plan of the backward-data correlation of a forward plan: input = the output gradient padded by
     * kernel-1 on every side (cout planes), output = cin channels of h x w.
     */
    static Plan backwardPlan(Plan fwd) {
        return new Plan(fwd.cout, fwd.oh + 2 * (fwd.kh - 1), fwd.ow + 2 * (fwd.kw - 1), fwd.cin, fwd.kh, fwd.kw);
    }

    /** Stages image n of a [N][cout][oh][ow] gradient (or its variance gradient) zero-padded for bp. */
    private static void stagePadded(Plan bp, MemorySegment g, MemorySegment sigma, int n, float[] dst) {
        int kh = bp.kh;
        int kw = bp.kw;
        int goh = bp.h - 2 * (kh - 1);
        int gow = bp.w - 2 * (kw - 1);
        int len = bp.cin * goh * gow;
        float[] tmp = Scratch.get(2, len + L);
        float[] tmpSigma = sigma == null ? null : Scratch.get(3, len + L);
        loadGradient(g, sigma, (long) n * len, len, tmp, tmpSigma);
        Arrays.fill(dst, 0, bp.inLen, 0f);
        // one channel after another: row i of channel o goes to row i + kh - 1, column kw - 1
        for (int o = 0; o < bp.cin; o++) {
            expandRowsFrom(tmp, o * goh * gow, goh, gow, dst, (o * bp.h + kh - 1) * bp.w + kw - 1, bp.w);
        }
    }

    /**
     * Spreads rows of rowLen floats (contiguous from src[srcBase]) to dst with row stride dstStride, by whole
     * vectors in increasing order; the lanes of a row's last vector past rowLen are written as zeros, so gaps
     * that were zero stay zero and an overrun into the next row is overwritten by that row. dst needs L
     * floats of slack, src L floats past its last row.
     */
    private static void expandRowsFrom(float[] src, int srcBase, int rows, int rowLen, float[] dst, int dstBase,
                                       int dstStride) {
        int full = rowLen / L * L;
        VectorMask<Float> tail = S.indexInRange(full, rowLen);
        for (int i = 0; i < rows; i++) {
            int sb = srcBase + i * rowLen;
            int db = dstBase + i * dstStride;
            for (int j = 0; j < full; j += L) {
                FloatVector.fromArray(S, src, sb + j).intoArray(dst, db + j);
            }
            if (full < rowLen) {
                FloatVector.fromArray(S, src, sb + full).blend(0f, tail.not()).intoArray(dst, db + full);
            }
        }
    }

    /**
     * Backward data of image n: {@code gradIn = corr(pad(gm), wT)}; with gs given also
     * {@code + signum(a) corr(pad(gs / 2 sigma), hwT)}.
     */
    static void backwardDataImage(Plan bp, float[] packedT, float[] packedHalfSqT, MemorySegment gradOut,
                                  MemorySegment sigma, MemorySegment gradSigma, MemorySegment input,
                                  MemorySegment gradIn, int n) {
        float[] g = Scratch.get(0, bp.inLen + L);
        float[] out = Scratch.get(1, bp.cout * bp.nPos + L);
        stagePadded(bp, gradOut, null, n, g);
        correlate(bp, g, 0, packedT, out);
        long base = (long) n * bp.cout * bp.oh * bp.ow;
        if (gradSigma == null) {
            writeImage(bp, out, gradIn, base, false);
            return;
        }
        float[] gv = Scratch.get(4, bp.inLen + L);
        float[] var = Scratch.get(5, bp.cout * bp.nPos + L);
        stagePadded(bp, gradSigma, sigma, n, gv);
        correlate(bp, gv, 0, packedHalfSqT, var);
        // gradIn = out + signum(a) * var, row by row against the input image (masked: rows are short)
        for (int c = 0; c < bp.cout; c++) {
            for (int y = 0; y < bp.oh; y++) {
                int src = c * bp.nPos + y * bp.w;
                long dst = base + ((long) c * bp.oh + y) * bp.ow;
                for (int j = 0; j < bp.ow; j += L) {
                    VectorMask<Float> m = S.indexInRange(j, bp.ow);
                    long off = (dst + j) * Float.BYTES;
                    FloatVector a = FloatVector.fromMemorySegment(S, input, off, NO, m);
                    FloatVector mv = FloatVector.fromArray(S, out, src + j);
                    FloatVector vv = FloatVector.fromArray(S, var, src + j);
                    signum(a).fma(vv, mv).intoMemorySegment(gradIn, off, NO, m);
                }
            }
        }
    }

    // ---------------------------------------------------------------- backward data as GEMM + col2im

    /**
     * Packs weights [cout][taps] for {@link #scatterKernel6x3}: [tap block][o][6 taps] (the last block
     * overlaps the one before, as channel blocks do in the forward).
     */
    static float[] packTaps(Plan pl, float[] w) {
        int blocks = Math.ceilDiv(pl.taps, OB);
        float[] p = new float[blocks * pl.cout * OB];
        for (int b = 0; b < blocks; b++) {
            int t0 = Math.min(b * OB, pl.taps - OB);
            for (int o = 0; o < pl.cout; o++) {
                for (int r = 0; r < OB; r++) {
                    p[(b * pl.cout + o) * OB + r] = w[o * pl.taps + t0 + r];
                }
            }
        }
        return p;
    }

    /**
     * @return whether backward data uses GEMM + col2im: it needs a whole tap block and position blocks of
     *         PB vectors. It beat the padded correlation on all of the paper's layers (single thread, layer 1
     *         / layer 2 / wide 1 / wide 2: 46 / 71 / 55 / 105 against 42 / 59 / 39 / 53 GFLOP/s), which
     *         multiplies the padding's zeros (2.25x the useful flops on layer 2). The padded form remains
     *         for shapes it does not fit.
     */
    static boolean scatterBackward(Plan pl) {
        return pl.taps >= OB && pl.nPos % (PB * L) == 0;
    }

    /**
     * Backward data of image n as a product and a col2im: {@code col[t][p] = sum_o w[o][t] gout'[o][p]}
     * for 6 taps x 3 position vectors in registers, then each of those 18 vectors is added to the image
     * gradient at {@code off[t] + p}. No zero padding is multiplied; gout' is zero on discarded positions,
     * so they add nothing. With gs given, also {@code + signum(a) (same with w^2/2 and gs / 2 sigma)}.
     */
    static void backwardDataScatter(Plan pl, float[] packedTaps, float[] packedTapsHalfSq, MemorySegment gradOut,
                                    MemorySegment sigma, MemorySegment gradSigma, MemorySegment input,
                                    MemorySegment gradIn, int n) {
        int imageLen = pl.cin * pl.h * pl.w;
        long base = (long) n * imageLen;
        float[] gi = Scratch.get(0, pl.inLen + L);
        float[] go = Scratch.get(1, pl.goStride());
        stageGradientImage(pl, gradOut, null, n, go);
        Arrays.fill(gi, 0, pl.inLen, 0f);
        scatterImage(pl, packedTaps, go, gi);
        if (gradSigma == null) {
            MemorySegment.copy(gi, 0, gradIn, F, base * Float.BYTES, imageLen);
            return;
        }
        float[] gv = Scratch.get(4, pl.inLen + L);
        stageGradientImage(pl, gradSigma, sigma, n, go);
        Arrays.fill(gv, 0, pl.inLen, 0f);
        scatterImage(pl, packedTapsHalfSq, go, gv);
        float[] a = Scratch.get(5, imageLen + L);
        MemorySegment.copy(input, F, base * Float.BYTES, a, 0, imageLen);
        for (int i = 0; i < imageLen; i += L) {         // arrays have L floats of slack
            signum(FloatVector.fromArray(S, a, i)).fma(FloatVector.fromArray(S, gv, i), FloatVector.fromArray(S, gi, i))
                    .intoArray(gi, i);
        }
        MemorySegment.copy(gi, 0, gradIn, F, base * Float.BYTES, imageLen);
    }

    /** Stages image n's gradient as go[o * nPos + p], zero on discarded positions (as for the weights). */
    private static void stageGradientImage(Plan pl, MemorySegment g, MemorySegment sigma, int n, float[] go) {
        int len = pl.cout * pl.oh * pl.ow;
        float[] tmp = Scratch.get(2, len + L);
        float[] tmpSigma = sigma == null ? null : Scratch.get(3, len + L);
        loadGradient(g, sigma, (long) n * len, len, tmp, tmpSigma);
        Arrays.fill(go, 0, pl.goStride(), 0f);
        for (int o = 0; o < pl.cout; o++) {
            expandRowsFrom(tmp, o * pl.oh * pl.ow, pl.oh, pl.ow, go, o * pl.nPos, pl.w);
        }
    }

    private static void scatterImage(Plan pl, float[] packedTaps, float[] go, float[] gi) {
        int blocks = Math.ceilDiv(pl.taps, OB);
        for (int b = 0; b < blocks; b++) {
            int t0 = Math.min(b * OB, pl.taps - OB);
            int ownFrom = Math.min(b * OB, pl.taps) - t0;      // taps the block before already added
            for (int p = 0; p < pl.nPos; p += PB * L) {
                scatterKernel6x3(packedTaps, b * pl.cout * OB, pl.cout, go, pl.nPos, p, pl.off, t0, ownFrom, gi);
            }
        }
    }

    private static void scatterKernel6x3(float[] wp, int wpBase, int cout, float[] go, int nPos, int p, int[] off,
                                         int t0, int ownFrom, float[] gi) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00;
        FloatVector a50 = a00, a51 = a00, a52 = a00;
        for (int o = 0; o < cout; o++) {
            int gb = o * nPos + p;
            FloatVector g0 = FloatVector.fromArray(S, go, gb);
            FloatVector g1 = FloatVector.fromArray(S, go, gb + L);
            FloatVector g2 = FloatVector.fromArray(S, go, gb + 2 * L);
            int wb = wpBase + o * OB;
            FloatVector w = FloatVector.broadcast(S, wp[wb]);
            a00 = g0.fma(w, a00);
            a01 = g1.fma(w, a01);
            a02 = g2.fma(w, a02);
            w = FloatVector.broadcast(S, wp[wb + 1]);
            a10 = g0.fma(w, a10);
            a11 = g1.fma(w, a11);
            a12 = g2.fma(w, a12);
            w = FloatVector.broadcast(S, wp[wb + 2]);
            a20 = g0.fma(w, a20);
            a21 = g1.fma(w, a21);
            a22 = g2.fma(w, a22);
            w = FloatVector.broadcast(S, wp[wb + 3]);
            a30 = g0.fma(w, a30);
            a31 = g1.fma(w, a31);
            a32 = g2.fma(w, a32);
            w = FloatVector.broadcast(S, wp[wb + 4]);
            a40 = g0.fma(w, a40);
            a41 = g1.fma(w, a41);
            a42 = g2.fma(w, a42);
            w = FloatVector.broadcast(S, wp[wb + 5]);
            a50 = g0.fma(w, a50);
            a51 = g1.fma(w, a51);
            a52 = g2.fma(w, a52);
        }
        // col2im: add the 18 vectors at their taps' offsets (taps below ownFrom belong to the previous block)
        int at;
        if (ownFrom <= 0) {
            at = off[t0] + p;
            FloatVector.fromArray(S, gi, at).add(a00).intoArray(gi, at);
            FloatVector.fromArray(S, gi, at + L).add(a01).intoArray(gi, at + L);
            FloatVector.fromArray(S, gi, at + 2 * L).add(a02).intoArray(gi, at + 2 * L);
        }
        if (ownFrom <= 1) {
            at = off[t0 + 1] + p;
            FloatVector.fromArray(S, gi, at).add(a10).intoArray(gi, at);
            FloatVector.fromArray(S, gi, at + L).add(a11).intoArray(gi, at + L);
            FloatVector.fromArray(S, gi, at + 2 * L).add(a12).intoArray(gi, at + 2 * L);
        }
        if (ownFrom <= 2) {
            at = off[t0 + 2] + p;
            FloatVector.fromArray(S, gi, at).add(a20).intoArray(gi, at);
            FloatVector.fromArray(S, gi, at + L).add(a21).intoArray(gi, at + L);
            FloatVector.fromArray(S, gi, at + 2 * L).add(a22).intoArray(gi, at + 2 * L);
        }
        if (ownFrom <= 3) {
            at = off[t0 + 3] + p;
            FloatVector.fromArray(S, gi, at).add(a30).intoArray(gi, at);
            FloatVector.fromArray(S, gi, at + L).add(a31).intoArray(gi, at + L);
            FloatVector.fromArray(S, gi, at + 2 * L).add(a32).intoArray(gi, at + 2 * L);
        }
        if (ownFrom <= 4) {
            at = off[t0 + 4] + p;
            FloatVector.fromArray(S, gi, at).add(a40).intoArray(gi, at);
            FloatVector.fromArray(S, gi, at + L).add(a41).intoArray(gi, at + L);
            FloatVector.fromArray(S, gi, at + 2 * L).add(a42).intoArray(gi, at + 2 * L);
        }
        at = off[t0 + 5] + p;
        FloatVector.fromArray(S, gi, at).add(a50).intoArray(gi, at);
        FloatVector.fromArray(S, gi, at + L).add(a51).intoArray(gi, at + L);
        FloatVector.fromArray(S, gi, at + 2 * L).add(a52).intoArray(gi, at + 2 * L);
    }

    /** Math.signum lanewise: -1, +1, or the lane itself for +-0 and NaN. */
    static FloatVector signum(FloatVector a) {
        return a.blend(1f, a.compare(VectorOperators.GT, 0f)).blend(-1f, a.compare(VectorOperators.LT, 0f));
    }

    // ---------------------------------------------------------------- backward weights

    /** Scratch slot of the packing buffer of {@link #writeImage} (the others: 0-3 per image, 4-5 per call). */
    static final int SLOT_PACK = 6;

    /** Images whose data (one group: ~4 x 6 KB for the paper's layer 2) stays in L1 while a tap block is summed. */
    static final int IMAGES_IN_L1 = 4;
    /** Tasks the weight gradient is cut into, at least (when the shape allows): enough for a few cores. */
    static final int MIN_WEIGHT_TASKS = 8;

    /**
     * How a weight gradient is cut into tasks, a function of the shape only (never of the thread count),
     * so every element is summed in the same order on any number of threads: channel blocks x chunks of
     * tap blocks x groups of images. Image groups (whose partial sums are added in group order at the end)
     * are only used when channel blocks and tap chunks give fewer than {@value #MIN_WEIGHT_TASKS} tasks.
     */
    record WeightSplit(int blocks, int tapChunks, int chunkTaps, int groups, int groupSize) {
        static WeightSplit of(Plan pl, int batch) {
            int blocks = pl.blocks();
            int tapBlocks = Math.ceilDiv(pl.taps, TB);
            int tapChunks = Math.ceilDiv(tapBlocks, 8);
            int chunkTaps = Math.ceilDiv(tapBlocks, tapChunks) * TB;
            tapChunks = Math.ceilDiv(pl.taps, chunkTaps);
            int base = blocks * tapChunks;
            int groups = base >= MIN_WEIGHT_TASKS ? 1 : Math.min(batch, Math.ceilDiv(MIN_WEIGHT_TASKS, base));
            int groupSize = Math.ceilDiv(batch, groups);
            return new WeightSplit(blocks, tapChunks, chunkTaps, Math.ceilDiv(batch, groupSize), groupSize);
        }

        int tasks() {
            return blocks * tapChunks * groups;
        }
    }

    /** The batch staged for a weight gradient: images (slack zeroed) and gradients with zeroed discards. */
    record Staged(float[] in, float[] go) {
    }

    /**
     * Stages image n of the batch: the input (|input| when abs) at in[n * inLen], and the output gradient
     * (the variance gradient gs / 2 sigma when sigma is given) at go[n * goStride], zero on the
     * positions that are thrown away.
     */
    static void stageForWeights(Plan pl, MemorySegment input, boolean abs, MemorySegment gradOut, MemorySegment sigma,
                                Staged st, int n) {
        stageImage(pl, input, (long) n * pl.cin * pl.h * pl.w, st.in, n * pl.inLen, abs);
        int len = pl.cout * pl.oh * pl.ow;
        float[] tmp = Scratch.get(0, len + L);
        float[] tmpSigma = sigma == null ? null : Scratch.get(1, len + L);
        loadGradient(gradOut, sigma, (long) n * len, len, tmp, tmpSigma);
        int gBase = n * pl.goStride();
        Arrays.fill(st.go, gBase, gBase + pl.goStride(), 0f);
        for (int o = 0; o < pl.cout; o++) {
            expandRowsFrom(tmp, o * pl.oh * pl.ow, pl.oh, pl.ow, st.go, gBase + o * pl.nPos, pl.w);
        }
    }

    /**
     * One weight-gradient task: channel block, tap chunk and image group. Writes
     * {@code part[(group * cout + o) * taps + t] = sum over the group's images n of sum_p go[n][o][p] in[n][off[t] + p]}
     * for the block's own channels and the chunk's taps. Per tap block, 6 x 3 (channel, tap) vector
     * accumulators are carried in registers over {@value #IMAGES_IN_L1} images at a time and parked in an L1
     * array in between; their lanes are added in lane order at the end.
     */
    static void weightTask(Plan pl, WeightSplit ws, Staged st, int batch, int task, float[] part) {
        int b = task % ws.blocks();
        int rest = task / ws.blocks();
        int chunk = rest % ws.tapChunks();
        int group = rest / ws.tapChunks();
        int rows = pl.blockRows();
        int o0 = pl.blockStart(b);
        int ownFrom = pl.cout >= OB ? Math.min(b * OB, pl.cout) - o0 : 0;   // rows another block does not write
        int tFrom = chunk * ws.chunkTaps();
        int tTo = Math.min(pl.taps, tFrom + ws.chunkTaps());
        int n0 = group * ws.groupSize();
        int n1 = Math.min(batch, n0 + ws.groupSize());
        int goStride = pl.goStride();
        int resBase = group * pl.cout * pl.taps;
        float[] lanes = new float[L];
        if (rows == OB && pl.taps >= TB) {
            int tBlocks = Math.ceilDiv(tTo - tFrom, TB);
            float[] acc = new float[tBlocks * OB * TB * L];
            for (int m0 = n0; m0 < n1; m0 += IMAGES_IN_L1) {
                int m1 = Math.min(n1, m0 + IMAGES_IN_L1);
                for (int k = 0; k < tBlocks; k++) {
                    int t0 = Math.min(tFrom + k * TB, pl.taps - TB);
                    gradKernel6x3(st.in, pl.inLen, st.go, goStride, o0 * pl.nPos, m0, m1, pl.nPos, pl.off, t0, acc, k * OB * TB * L);
                }
            }
            for (int k = 0; k < tBlocks; k++) {
                int t0 = Math.min(tFrom + k * TB, pl.taps - TB);
                for (int r = ownFrom; r < OB; r++) {
                    for (int q = 0; q < TB; q++) {
                        part[resBase + (o0 + r) * pl.taps + t0 + q] =
                                sumLanes(FloatVector.fromArray(S, acc, ((k * OB + r) * TB + q) * L), lanes);
                    }
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                for (int t = tFrom; t < tTo; t++) {
                    FloatVector s = FloatVector.zero(S);
                    for (int n = n0; n < n1; n++) {
                        int ib = n * pl.inLen + pl.off[t];
                        int gb = n * goStride + (o0 + r) * pl.nPos;
                        for (int p = 0; p < pl.nPos; p += L) {
                            s = FloatVector.fromArray(S, st.go, gb + p).fma(FloatVector.fromArray(S, st.in, ib + p), s);
                        }
                    }
                    if (r >= ownFrom) {
                        part[resBase + (o0 + r) * pl.taps + t] = sumLanes(s, lanes);
                    }
                }
            }
        }
    }

    /**
     * Adds the products of images [m0, m1) for the 6 channels at go[n * goStride + goOff ..] and taps
     * t0..t0+2 to the 18 vectors at acc[a..].
     */
    private static void gradKernel6x3(float[] in, int inLen, float[] go, int goStride, int goOff, int m0, int m1,
                                      int nPos, int[] off, int t0, float[] acc, int a) {
        FloatVector a00 = FloatVector.fromArray(S, acc, a);
        FloatVector a01 = FloatVector.fromArray(S, acc, a + L);
        FloatVector a02 = FloatVector.fromArray(S, acc, a + 2 * L);
        FloatVector a10 = FloatVector.fromArray(S, acc, a + 3 * L);
        FloatVector a11 = FloatVector.fromArray(S, acc, a + 4 * L);
        FloatVector a12 = FloatVector.fromArray(S, acc, a + 5 * L);
        FloatVector a20 = FloatVector.fromArray(S, acc, a + 6 * L);
        FloatVector a21 = FloatVector.fromArray(S, acc, a + 7 * L);
        FloatVector a22 = FloatVector.fromArray(S, acc, a + 8 * L);
        FloatVector a30 = FloatVector.fromArray(S, acc, a + 9 * L);
        FloatVector a31 = FloatVector.fromArray(S, acc, a + 10 * L);
        FloatVector a32 = FloatVector.fromArray(S, acc, a + 11 * L);
        FloatVector a40 = FloatVector.fromArray(S, acc, a + 12 * L);
        FloatVector a41 = FloatVector.fromArray(S, acc, a + 13 * L);
        FloatVector a42 = FloatVector.fromArray(S, acc, a + 14 * L);
        FloatVector a50 = FloatVector.fromArray(S, acc, a + 15 * L);
        FloatVector a51 = FloatVector.fromArray(S, acc, a + 16 * L);
        FloatVector a52 = FloatVector.fromArray(S, acc, a + 17 * L);
        for (int n = m0; n < m1; n++) {
            int o0 = n * inLen + off[t0];
            int o1 = n * inLen + off[t0 + 1];
            int o2 = n * inLen + off[t0 + 2];
            int gb = n * goStride + goOff;
            for (int p = 0; p < nPos; p += L) {
                FloatVector x0 = FloatVector.fromArray(S, in, o0 + p);
                FloatVector x1 = FloatVector.fromArray(S, in, o1 + p);
                FloatVector x2 = FloatVector.fromArray(S, in, o2 + p);
                int q = gb + p;
                FloatVector g = FloatVector.fromArray(S, go, q);
                a00 = x0.fma(g, a00);
                a01 = x1.fma(g, a01);
                a02 = x2.fma(g, a02);
                g = FloatVector.fromArray(S, go, q + nPos);
                a10 = x0.fma(g, a10);
                a11 = x1.fma(g, a11);
                a12 = x2.fma(g, a12);
                g = FloatVector.fromArray(S, go, q + 2 * nPos);
                a20 = x0.fma(g, a20);
                a21 = x1.fma(g, a21);
                a22 = x2.fma(g, a22);
                g = FloatVector.fromArray(S, go, q + 3 * nPos);
                a30 = x0.fma(g, a30);
                a31 = x1.fma(g, a31);
                a32 = x2.fma(g, a32);
                g = FloatVector.fromArray(S, go, q + 4 * nPos);
                a40 = x0.fma(g, a40);
                a41 = x1.fma(g, a41);
                a42 = x2.fma(g, a42);
                g = FloatVector.fromArray(S, go, q + 5 * nPos);
                a50 = x0.fma(g, a50);
                a51 = x1.fma(g, a51);
                a52 = x2.fma(g, a52);
    }
        }
        a00.intoArray(acc, a);
        a01.intoArray(acc, a + L);
        a02.intoArray(acc, a + 2 * L);
        a10.intoArray(acc, a + 3 * L);
        a11.intoArray(acc, a + 4 * L);
        a12.intoArray(acc, a + 5 * L);
        a20.intoArray(acc, a + 6 * L);
        a21.intoArray(acc, a + 7 * L);
        a22.intoArray(acc, a + 8 * L);
        a30.intoArray(acc, a + 9 * L);
        a31.intoArray(acc, a + 10 * L);
        a32.intoArray(acc, a + 11 * L);
        a40.intoArray(acc, a + 12 * L);
        a41.intoArray(acc, a + 13 * L);
        a42.intoArray(acc, a + 14 * L);
        a50.intoArray(acc, a + 15 * L);
        a51.intoArray(acc, a + 16 * L);
        a52.intoArray(acc, a + 17 * L);
    }

    /** The lanes' sum in lane order: the same on every run (reduceLanes may change its order with the JIT). */
    static float sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0f;
        for (float x : lanes) {
            s += x;
        }
        return s;
    }

    /**
     * Sums the image groups' partials in group order, {@code gw[i] = sum_g part[g][i]}, and with partVar
     * given adds {@code w[i] * sum_g partVar[g][i]} (the moment backward's variance path); writes gw.
     */
    static void writeWeightGradient(float[] part, float[] partVar, int groups, float[] w, MemorySegment gradWeights) {
        int len = part.length / groups;
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            float s = 0f;
            for (int g = 0; g < groups; g++) {
                s += part[g * len + i];
            }
            if (partVar != null) {
                float v = 0f;
                for (int g = 0; g < groups; g++) {
                    v += partVar[g * len + i];
                }
                s = Math.fma(w[i], v, s);
            }
            out[i] = s;
        }
        MemorySegment.copy(out, 0, gradWeights, F, 0, len);
    }
}
