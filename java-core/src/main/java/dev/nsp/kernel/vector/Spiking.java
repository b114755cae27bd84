package dev.nsp.kernel.vector;

import dev.nsp.kernel.LifPropagators;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The spiking kernels: the batched LIF loop and event-driven synaptic input.
 *
 * <p>LIF: the state is float (as the SPI stores it) but each step is computed in double, in exactly the
 * reference's order (products rounded to double, summed left to right, no FMA), then rounded to float:
 * every lane does the same IEEE operations as {@code ReferenceKernels.lifRun}, so results are
 * bit-identical to it, on every thread count. The loop runs a block of {@value #SUB} neurons through all
 * steps before moving on, so the block's state stays in L1.
 *
 * <p>Event-driven input visits input elements in the reference's order (channel, row, column) and adds
 * each spike's products to its targets in that order, so every target sums the same float values in the
 * same order as the reference: bit-identical too.
 */
final class Spiking {
    /** Double lanes of the preferred shape; the float state is loaded with the same lane count. */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    static final int LH = D.length();
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Neurons advanced through all steps together: their state (and constants) stay in L1. */
    static final int SUB = 512;

    private Spiking() {
    }

    /** The tensors of a LIF run; nullable ones are optional inputs or outputs. */
    record LifTensors(MemorySegment y, MemorySegment ie, MemorySegment ii, MemorySegment ref,
                      MemorySegment bias, MemorySegment cur, MemorySegment exc, MemorySegment inh,
                      MemorySegment spikes, MemorySegment counts) {
    }

    private static DoubleVector wide(FloatVector f) {
        return (DoubleVector) f.convertShape(VectorOperators.F2D, D, 0);
    }

    private static FloatVector narrow(DoubleVector d) {
        return (FloatVector) d.convertShape(VectorOperators.D2F, FH, 0);
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(FH, s, index * Float.BYTES, NO);
    }

    /**
     * Runs neurons [from, to) of n through all steps: whole vectors of each sub-block in
     * {@link #lifVectors}, the last few neurons of the range in {@link #lifScalar}.
     *
     * @param n the population size (the row length of the [T, N] tensors)
     */
    static void lif(LifPropagators c, LifTensors z, int n, int steps, int from, int to) {
        double[] constant = new double[SUB];
        float[] fired = new float[SUB];
        int vectorEnd = from + (to - from) / LH * LH;
        for (int b0 = from; b0 < vectorEnd; b0 += SUB) {
            int b1 = Math.min(b0 + SUB, vectorEnd);
            for (int i = b0; i < b1; i++) {
                // as the reference: constant = i_offset + bias in float, then widened; refractory as (int)
                float bias = z.bias == null ? 0 : z.bias.getAtIndex(F, i);
                constant[i - b0] = c.offsetNa() + bias;
                z.ref.setAtIndex(F, i, (int) z.ref.getAtIndex(F, i));
            }
            Arrays.fill(fired, 0f);
            lifVectors(c, z, n, steps, b0, b1, constant, fired);
            if (z.counts != null) {
                for (int i = b0; i < b1; i++) {
                    z.counts.setAtIndex(F, i, z.counts.getAtIndex(F, i) + fired[i - b0]);
                }
            }
        }
        for (int i = vectorEnd; i < to; i++) {
            lifScalar(c, z, n, steps, i);
        }
    }

    /** All steps for the sub-block [b0, b1), a whole number of vectors; the state stays in L1. */
    private static void lifVectors(LifPropagators c, LifTensors z, int n, int steps, int b0, int b1,
                                   double[] constant, float[] fired) {
        for (int t = 0; t < steps; t++) {
            long row = (long) t * n;
            for (int i = b0; i < b1; i += LH) {
                int local = i - b0;
                FloatVector y = load(z.y, i);
                FloatVector e = load(z.ie, i);
                FloatVector h = load(z.ii, i);
                FloatVector r = load(z.ref, i);
                DoubleVector drive = DoubleVector.fromArray(D, constant, local)
                        .add(z.cur == null ? DoubleVector.zero(D) : wide(load(z.cur, row + i)));
                DoubleVector yNew = wide(y).mul(c.decayM())
                        .add(drive.mul(c.driveGain()))
                        .add(wide(e).mul(c.psE()))
                        .add(wide(h).mul(c.psI()));
                DoubleVector eNew = wide(e).mul(c.decayE())
                        .add(z.exc == null ? DoubleVector.zero(D) : wide(load(z.exc, row + i)));
                DoubleVector hNew = wide(h).mul(c.decayI())
                        .add(z.inh == null ? DoubleVector.zero(D) : wide(load(z.inh, row + i)));
                VectorMask<Float> refractory = r.compare(VectorOperators.GT, 0f);
                y = narrow(yNew).blend(y, refractory);
                r = r.blend(r.sub(1f), refractory);
                VectorMask<Float> spike = y.compare(VectorOperators.GE, c.theta());
                y.blend(c.yReset(), spike).intoMemorySegment(z.y, (long) i * Float.BYTES, NO);
                narrow(eNew).intoMemorySegment(z.ie, (long) i * Float.BYTES, NO);
                narrow(hNew).intoMemorySegment(z.ii, (long) i * Float.BYTES, NO);
                r.blend((float) c.refractorySteps(), spike).intoMemorySegment(z.ref, (long) i * Float.BYTES, NO);
                if (z.spikes != null) {
                    FloatVector.zero(FH).blend(1f, spike).intoMemorySegment(z.spikes, (row + i) * Float.BYTES, NO);
                }
                FloatVector.fromArray(FH, fired, local).add(1f, spike).intoArray(fired, local);
            }
        }
    }

    /** One neuron through all steps, as the reference computes it (the tail of a range). */
    private static void lifScalar(LifPropagators c, LifTensors z, int n, int steps, int i) {
        double yi = z.y.getAtIndex(F, i);
        double e = z.ie.getAtIndex(F, i);
        double h = z.ii.getAtIndex(F, i);
        int r = (int) z.ref.getAtIndex(F, i);
        double constant = c.offsetNa() + (z.bias == null ? 0 : z.bias.getAtIndex(F, i));
        int fired = 0;
        for (int t = 0; t < steps; t++) {
            long ti = (long) t * n + i;
            if (r > 0) {
                r--;
            } else {
                double drive = constant + (z.cur == null ? 0 : z.cur.getAtIndex(F, ti));
                yi = (double) c.decayM() * yi + (double) c.driveGain() * drive
                        + (double) c.psE() * e + (double) c.psI() * h;
            }
            e = (double) c.decayE() * e + (z.exc == null ? 0 : z.exc.getAtIndex(F, ti));
            h = (double) c.decayI() * h + (z.inh == null ? 0 : z.inh.getAtIndex(F, ti));
            yi = (float) yi;
            e = (float) e;
            h = (float) h;
            boolean spike = yi >= c.theta();
            if (spike) {
                yi = c.yReset();
                r = c.refractorySteps();
                fired++;
            }
            if (z.spikes != null) {
                z.spikes.setAtIndex(F, ti, spike ? 1f : 0f);
            }
        }
        z.y.setAtIndex(F, i, (float) yi);
        z.ie.setAtIndex(F, i, (float) e);
        z.ii.setAtIndex(F, i, (float) h);
        z.ref.setAtIndex(F, i, r);
        if (z.counts != null) {
            z.counts.setAtIndex(F, i, z.counts.getAtIndex(F, i) + fired);
        }
    }

    // ---------------------------------------------------------------- event-driven input

    /**
     * Convolution synapses of image n: every non-zero input adds count * w to its targets, positive
     * products to exc, negative ones to inh.
     *
     * @param wFlip the weights with each kernel row reversed and padded to L: [O][C][KH][L],
     *              {@code wFlip[.., v'] = w[.., KW-1-v']} for v' < KW, 0 beyond (only used when KW <= L)
     */
    static void spikeConv(MemorySegment spikes, float[] w, float[] wFlip, MemorySegment exc, MemorySegment inh,
                          int n, int cin, int h, int wd, int cout, int kh, int kw) {
        int oh = h - kh + 1;
        int ow = wd - kw + 1;
        long inBase = (long) n * cin * h * wd;
        long outBase = (long) n * cout * oh * ow;
        boolean vector = kw <= L;
        for (int c = 0; c < cin; c++) {
            for (int y = 0; y < h; y++) {
                long rowStart = inBase + ((long) c * h + y) * wd;
                for (int x0 = 0; x0 < wd; x0 += L) {
                    VectorMask<Float> inRow = S.indexInRange(x0, wd);
                    VectorMask<Float> nz = FloatVector.fromMemorySegment(S, spikes, (rowStart + x0) * Float.BYTES, NO, inRow)
                            .compare(VectorOperators.NE, 0f, inRow);
                    long bits = nz.toLong();
                    while (bits != 0) {
                        int lane = Long.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                        int x = x0 + lane;
                        float count = spikes.getAtIndex(F, rowStart + x);
                        if (vector) {
                            deliverConvVector(count, wFlip, exc, inh, outBase, c, y, x, cin, cout, kh, kw, oh, ow);
                        } else {
                            deliverConvScalar(count, w, exc, inh, outBase, c, y, x, cin, cout, kh, kw, oh, ow);
                        }
                    }
                }
            }
        }
    }

    private static void deliverConvVector(float count, float[] wFlip, MemorySegment exc, MemorySegment inh,
                                          long outBase, int c, int y, int x, int cin, int cout, int kh, int kw,
                                          int oh, int ow) {
        int j0 = x - (kw - 1);                         // target column of lane 0 (v' = 0, v = kw - 1)
        // lane v' targets column j0 + v'; valid when v' < kw and 0 <= j0 + v' < ow
        VectorMask<Float> lanes = S.indexInRange(j0, ow).and(S.indexInRange(0, kw));
        for (int o = 0; o < cout; o++) {
            for (int u = 0; u < kh; u++) {
                int i = y - u;
                if (i < 0 || i >= oh) {
                    continue;
                }
                FloatVector wv = FloatVector.fromArray(S, wFlip, (((o * cin) + c) * kh + u) * L);
                FloatVector value = wv.mul(count);
                long off = (outBase + ((long) o * oh + i) * ow + j0) * Float.BYTES;
                VectorMask<Float> pos = value.compare(VectorOperators.GT, 0f, lanes);
                VectorMask<Float> neg = value.compare(VectorOperators.LT, 0f, lanes);
                if (pos.anyTrue()) {
                    FloatVector.fromMemorySegment(S, exc, off, NO, pos).add(value).intoMemorySegment(exc, off, NO, pos);
                }
                if (neg.anyTrue()) {
                    FloatVector.fromMemorySegment(S, inh, off, NO, neg).add(value).intoMemorySegment(inh, off, NO, neg);
                }
            }
        }
    }

    private static void deliverConvScalar(float count, float[] w, MemorySegment exc, MemorySegment inh,
                                          long outBase, int c, int y, int x, int cin, int cout, int kh, int kw,
                                          int oh, int ow) {
        for (int o = 0; o < cout; o++) {
            for (int u = 0; u < kh; u++) {
                int i = y - u;
                if (i < 0 || i >= oh) {
                    continue;
                }
                for (int v = 0; v < kw; v++) {
                    int j = x - v;
                    if (j >= 0 && j < ow) {
                        deliver(exc, inh, outBase + ((long) o * oh + i) * ow + j,
                                count * w[((o * cin + c) * kh + u) * kw + v]);
                    }
                }
            }
        }
    }

    private static void deliver(MemorySegment exc, MemorySegment inh, long index, float value) {
        if (value > 0) {
            exc.setAtIndex(F, index, exc.getAtIndex(F, index) + value);
        } else if (value < 0) {
            inh.setAtIndex(F, index, inh.getAtIndex(F, index) + value);
        }
    }

    /** 2x2 pooling synapses of planes [p0, p1): each spike adds count * weight to its pooling unit. */
    static void spikePool(MemorySegment spikes, float weight, MemorySegment exc, MemorySegment inh,
                          int h, int wd, int p0, int p1) {
        int ow = wd / 2;
        for (int p = p0; p < p1; p++) {
            for (int y = 0; y < h; y++) {
                long rowStart = ((long) p * h + y) * wd;
                long outRow = ((long) p * (h / 2) + y / 2) * ow;
                for (int x0 = 0; x0 < wd; x0 += L) {
                    VectorMask<Float> inRow = S.indexInRange(x0, wd);
                    long bits = FloatVector.fromMemorySegment(S, spikes, (rowStart + x0) * Float.BYTES, NO, inRow)
                            .compare(VectorOperators.NE, 0f, inRow).toLong();
                    while (bits != 0) {
                        int x = x0 + Long.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                        deliver(exc, inh, outRow + x / 2, spikes.getAtIndex(F, rowStart + x) * weight);
                    }
                }
            }
        }
    }

    /**
     * Dense synapses of rows [r0, r1): for each row the spiking inputs are listed once (vector scan), then
     * every output sums its products over that list in input order, as the reference does.
     */
    static void spikeDense(MemorySegment spikes, MemorySegment weights, MemorySegment exc, MemorySegment inh,
                           int k, int m, int r0, int r1) {
        int[] idx = new int[k];
        float[] cnt = new float[k];
        for (int r = r0; r < r1; r++) {
            long rowStart = (long) r * k;
            int nnz = 0;
            for (int q0 = 0; q0 < k; q0 += L) {
                VectorMask<Float> in = S.indexInRange(q0, k);
                long bits = FloatVector.fromMemorySegment(S, spikes, (rowStart + q0) * Float.BYTES, NO, in)
                        .compare(VectorOperators.NE, 0f, in).toLong();
                while (bits != 0) {
                    int q = q0 + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    idx[nnz] = q;
                    cnt[nnz++] = spikes.getAtIndex(F, rowStart + q);
                }
            }
            if (nnz == 0) {
                continue;
            }
            for (int col = 0; col < m; col++) {
                long wRow = (long) col * k;
                long target = (long) r * m + col;
                float e = exc.getAtIndex(F, target);
                float ih = inh.getAtIndex(F, target);
                for (int s = 0; s < nnz; s++) {
                    float value = cnt[s] * weights.getAtIndex(F, wRow + idx[s]);
                    if (value > 0) {
                        e += value;
                    } else if (value < 0) {
                        ih += value;
                    }
                }
                exc.setAtIndex(F, target, e);
                inh.setAtIndex(F, target, ih);
            }
        }
    }
}
