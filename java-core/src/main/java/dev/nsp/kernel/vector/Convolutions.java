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
 *   <li>Backward data: the forward of the zero-padded output gradient with the transposed, flipped kernel.</li>
 *   <li>Backward weights: {@code gw[o][t] = sum_n sum_p gout'[n][o][p] in[n][off[t] + p]} (gout' is zero on
 *       the discarded positions); a task is one block of 6 output channels and a fixed group of
 *       {@value #GROUP} images, with 6 x 3 taps in registers; group partial sums are added in group order
 *       afterwards, so the result does not depend on the thread count.</li>
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
    static final int P1 = 6;
    /** Taps per register block of the weight-gradient kernel. */
    static final int TB = 3;
    /** Images per weight-gradient task: fixed, so the summation order does not depend on the threads. */
    static final int GROUP = 4;

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
                kernel1x6(in, inBase, pl.off, pl.taps, packed, o * pl.taps, out, o * pl.nPos, pl.nPos);
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

    private static void kernel1x6(float[] in, int inBase, int[] off, int taps, float[] w, int wBase,
                                  float[] out, int outBase, int nPos) {
        for (int p = 0; p < nPos; p += P1 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            for (int t = 0; t < taps; t++) {
                int b = inBase + off[t] + p;
                FloatVector wt = FloatVector.broadcast(S, w[wBase + t]);
                a0 = FloatVector.fromArray(S, in, b).fma(wt, a0);
                a1 = FloatVector.fromArray(S, in, b + L).fma(wt, a1);
                a2 = FloatVector.fromArray(S, in, b + 2 * L).fma(wt, a2);
                a3 = FloatVector.fromArray(S, in, b + 3 * L).fma(wt, a3);
                a4 = FloatVector.fromArray(S, in, b + 4 * L).fma(wt, a4);
                a5 = FloatVector.fromArray(S, in, b + 5 * L).fma(wt, a5);
            }
            int o = outBase + p;
            a0.intoArray(out, o);
            a1.intoArray(out, o + L);
            a2.intoArray(out, o + 2 * L);
            a3.intoArray(out, o + 3 * L);
            a4.intoArray(out, o + 4 * L);
            a5.intoArray(out, o + 5 * L);
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
     * Copies one row of len gradient values to dst; with sigma given, the variance gradient
     * {@code gs / (2 sigma)} (0 where sigma is not > 0) instead of the row of g.
     */
    static void stageGradRow(MemorySegment g, MemorySegment sigma, long srcIndex, float[] dst, int dstIndex, int len) {
        if (sigma == null) {
            MemorySegment.copy(g, F, srcIndex * Float.BYTES, dst, dstIndex, len);
            return;
        }
        for (int j = 0; j < len; j += L) {
            VectorMask<Float> m = S.indexInRange(j, len);
            long off = (srcIndex + j) * Float.BYTES;
            FloatVector s = FloatVector.fromMemorySegment(S, sigma, off, NO, m);
            FloatVector gs = FloatVector.fromMemorySegment(S, g, off, NO, m);
            FloatVector gv = gs.div(s.add(s)).blend(0f, s.compare(VectorOperators.GT, 0f).not());
            gv.intoArray(dst, dstIndex + j, m);
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
        float[] out = Scratch.get(1, pl.cout * pl.nPos);
        stageImage(pl, input, inIndex, in, 0, false);
        correlate(pl, in, 0, packed, out);
        writeRows(pl, out, mean, n);
        if (sigma != null) {
            float[] abs = Scratch.get(2, pl.inLen);
            float[] var = Scratch.get(3, pl.cout * pl.nPos);
            System.arraycopy(in, 0, abs, 0, pl.inLen);
            absInPlace(abs, 0, pl.inLen);
            correlate(pl, abs, 0, packedHalfSq, var);
            sqrtNonNegative(var, pl.cout * pl.nPos);
            writeRows(pl, var, sigma, n);
        }
    }

    static void sqrtNonNegative(float[] a, int len) {
        for (int i = 0; i < len; i += L) {
            FloatVector.fromArray(S, a, i).max(0f).sqrt().intoArray(a, i);
        }
    }

    /** Writes the valid positions of out ([cout][nPos], row stride w) to image n of dst [N][cout][oh][ow]. */
    private static void writeRows(Plan pl, float[] out, MemorySegment dst, int n) {
        long base = (long) n * pl.cout * pl.oh * pl.ow;
        for (int o = 0; o < pl.cout; o++) {
            for (int i = 0; i < pl.oh; i++) {
                MemorySegment.copy(out, o * pl.nPos + i * pl.w, dst, F,
                        (base + ((long) o * pl.oh + i) * pl.ow) * Float.BYTES, pl.ow);
            }
        }
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
        Arrays.fill(dst, 0, bp.inLen, 0f);
        long base = (long) n * bp.cin * goh * gow;
        for (int o = 0; o < bp.cin; o++) {
            for (int i = 0; i < goh; i++) {
                stageGradRow(g, sigma, base + ((long) o * goh + i) * gow, dst,
                        (o * bp.h + i + kh - 1) * bp.w + kw - 1, gow);
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
        float[] g = Scratch.get(0, bp.inLen);
        float[] out = Scratch.get(1, bp.cout * bp.nPos);
        stagePadded(bp, gradOut, null, n, g);
        correlate(bp, g, 0, packedT, out);
        if (gradSigma == null) {
            writeRows(bp, out, gradIn, n);
            return;
        }
        float[] gv = Scratch.get(2, bp.inLen);
        float[] var = Scratch.get(3, bp.cout * bp.nPos);
        stagePadded(bp, gradSigma, sigma, n, gv);
        correlate(bp, gv, 0, packedHalfSqT, var);
        // gradIn = out + signum(a) * var, row by row against the input image
        long base = (long) n * bp.cout * bp.oh * bp.ow;
        for (int c = 0; c < bp.cout; c++) {
            for (int y = 0; y < bp.oh; y++) {
                int src = c * bp.nPos + y * bp.w;
                long dst = base + ((long) c * bp.oh + y) * bp.ow;
                for (int j = 0; j < bp.ow; j += L) {
                    VectorMask<Float> m = S.indexInRange(j, bp.ow);
                    long off = (dst + j) * Float.BYTES;
                    FloatVector a = FloatVector.fromMemorySegment(S, input, off, NO, m);
                    FloatVector mv = FloatVector.fromArray(S, out, src + j, m);
                    FloatVector vv = FloatVector.fromArray(S, var, src + j, m);
                    signum(a).fma(vv, mv).intoMemorySegment(gradIn, off, NO, m);
                }
            }
        }
    }

    /** Math.signum lanewise: -1, +1, or the lane itself for +-0 and NaN. */
    static FloatVector signum(FloatVector a) {
        return a.blend(1f, a.compare(VectorOperators.GT, 0f)).blend(-1f, a.compare(VectorOperators.LT, 0f));
    }

    // ---------------------------------------------------------------- backward weights

    /** @return the number of weight-gradient tasks for a batch of n images */
    static int weightTasks(Plan pl, int n) {
        return pl.blocks() * Math.ceilDiv(n, GROUP);
    }

    /**
     * One weight-gradient task: channel block b and image group g. Writes
     * {@code part[(g * cout + o) * taps + t] = sum over the group's images of sum_p gout'[o][p] x[off[t] + p]}
     * for the block's own channels, where x is the input (|input| when abs) and gout' the output gradient
     * (or the variance gradient, when sigma is given).
     */
    static void weightTask(Plan pl, MemorySegment input, boolean abs, MemorySegment gradOut, MemorySegment sigma,
                           int batch, int task, float[] part) {
        int blocks = pl.blocks();
        int b = task % blocks;
        int g = task / blocks;
        int n0 = g * GROUP;
        int images = Math.min(GROUP, batch - n0);
        int rows = pl.blockRows();
        int o0 = pl.blockStart(b);
        int ownFrom = pl.cout >= OB ? Math.min(b * OB, pl.cout) - o0 : 0;   // rows another block does not write
        int imageLen = pl.cin * pl.h * pl.w;
        float[] in = Scratch.get(0, images * pl.inLen);
        float[] go = Scratch.get(1, images * rows * pl.nPos);
        for (int k = 0; k < images; k++) {
            int n = n0 + k;
            stageImage(pl, input, (long) n * imageLen, in, k * pl.inLen, abs);
            int gBase = k * rows * pl.nPos;
            Arrays.fill(go, gBase, gBase + rows * pl.nPos, 0f);
            long outBase = (long) n * pl.cout * pl.oh * pl.ow;
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < pl.oh; i++) {
                    stageGradRow(gradOut, sigma, outBase + ((long) (o0 + r) * pl.oh + i) * pl.ow, go,
                            gBase + r * pl.nPos + i * pl.w, pl.ow);
                }
            }
        }
        int resBase = (g * pl.cout + o0) * pl.taps;
        float[] lanes = new float[L];
        if (rows == OB && pl.taps >= TB) {
            for (int t = 0; t < pl.taps; t += TB) {
                int t0 = Math.min(t, pl.taps - TB);
                gradKernel6x3(in, pl.inLen, go, pl.nPos, images, pl.off, t0, part, resBase, pl.taps, ownFrom, lanes);
            }
        } else {
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < pl.taps; t++) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int k = 0; k < images; k++) {
                        int ib = k * pl.inLen + pl.off[t];
                        int gb = (k * rows + r) * pl.nPos;
                        for (int p = 0; p < pl.nPos; p += L) {
                            acc = FloatVector.fromArray(S, go, gb + p).fma(FloatVector.fromArray(S, in, ib + p), acc);
                        }
                    }
                    if (r >= ownFrom) {
                        part[resBase + r * pl.taps + t] = sumLanes(acc, lanes);
                    }
                }
            }
        }
    }

    private static void gradKernel6x3(float[] in, int inLen, float[] go, int nPos, int images, int[] off, int t0,
                                      float[] part, int resBase, int taps, int ownFrom, float[] lanes) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00;
        FloatVector a50 = a00, a51 = a00, a52 = a00;
        int o0 = off[t0];
        int o1 = off[t0 + 1];
        int o2 = off[t0 + 2];
        for (int k = 0; k < images; k++) {
            int ib = k * inLen;
            int gb = k * OB * nPos;
            for (int p = 0; p < nPos; p += L) {
                FloatVector x0 = FloatVector.fromArray(S, in, ib + o0 + p);
                FloatVector x1 = FloatVector.fromArray(S, in, ib + o1 + p);
                FloatVector x2 = FloatVector.fromArray(S, in, ib + o2 + p);
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
        int base = resBase + t0;
        put(part, base, taps, 0, ownFrom, a00, a01, a02, lanes);
        put(part, base, taps, 1, ownFrom, a10, a11, a12, lanes);
        put(part, base, taps, 2, ownFrom, a20, a21, a22, lanes);
        put(part, base, taps, 3, ownFrom, a30, a31, a32, lanes);
        put(part, base, taps, 4, ownFrom, a40, a41, a42, lanes);
        put(part, base, taps, 5, ownFrom, a50, a51, a52, lanes);
    }

    private static void put(float[] part, int base, int taps, int r, int ownFrom, FloatVector q0, FloatVector q1,
                            FloatVector q2, float[] lanes) {
        if (r >= ownFrom) {
            int i = base + r * taps;
            part[i] = sumLanes(q0, lanes);
            part[i + 1] = sumLanes(q1, lanes);
            part[i + 2] = sumLanes(q2, lanes);
        }
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
     * Sums the group partials in group order: {@code gw[o][t] = sum_g part[g][o][t]}, and with partVar
     * given {@code + w[o][t] * sum_g partVar[g][o][t]}.
     */
    static void reduceGroups(Plan pl, int groups, float[] part, float[] partVar, float[] w, MemorySegment gradWeights) {
        int len = pl.cout * pl.taps;
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
