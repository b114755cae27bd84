package dev.nsp.kernel.vector;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * The Vector API backend: every kernel of the SPI with {@code jdk.incubator.vector}, on the tensors'
 * memory segments, on a fixed pool of threads owned by this instance (see {@link WorkerPool}).
 *
 * <p>Work is cut into tasks of a fixed size (elements, images, neuron blocks, channel blocks x image
 * groups) that never depends on the thread count, and every output element is computed by the same
 * operations in the same order whichever thread runs its task: results are identical for every thread
 * count (the transcendental kernels up to the JIT: the interpreter and C2 may round EXP/LOG1P
 * differently by an ulp). Small problems run on the calling thread alone.
 *
 * <p>Created through {@link VectorProvider}, which loads this class only after checking that the
 * incubator module is present.
 */
final class VectorKernels implements Kernels {
    /** Elements per task of the elementwise kernels. */
    static final int CHUNK = 1 << 15;
    /** Neurons per LIF task. */
    static final int LIF_BLOCK = 4096;
    /** Elements per Philox task. */
    static final int RNG_CHUNK = 1 << 13;
    /** Below this many multiply-adds (or element-operations) a call runs on the calling thread. */
    static final long PARALLEL_WORK = 1 << 18;

    private final WorkerPool pool;

    /** @param threads workers per call, the caller included */
    VectorKernels(int threads) {
        this.pool = new WorkerPool(threads);
    }

    /** @return the preferred vector size in bits (read by {@link VectorProvider#probe()}) */
    static int preferredVectorBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /** @return the threads of a call */
    int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "vector";
    }

    private void run(int tasks, long work, IntConsumer body) {
        pool.forEach(tasks, work >= PARALLEL_WORK, body);
    }

    /** Runs [0, size) in chunks; body gets (from, to). */
    private void chunks(long size, int chunk, long workPerElement, RangeBody body) {
        int tasks = (int) ((size + chunk - 1) / chunk);
        run(tasks, size * workPerElement, t -> body.run((long) t * chunk, Math.min(size, (long) (t + 1) * chunk)));
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(long from, long to);
    }

    // ---------------------------------------------------------------- activations

    private static void throwBadSigma(Tensor sigma, AtomicLong firstBad) {
        long i = firstBad.get();
        if (i != Long.MAX_VALUE) {
            throw new IllegalArgumentException("sigma: element " + i + " is " + sigma.get(i)
                    + ", must be >= 0 and not NaN");
        }
    }

    private static void recordBad(AtomicLong firstBad, long index) {
        if (index >= 0) {
            firstBad.accumulateAndGet(index, Math::min);
        }
    }

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        MemorySegment xs = x.segment();
        MemorySegment ss = sigma.segment();
        MemorySegment ys = y.segment();
        AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
        chunks(x.size(), CHUNK, 8, (from, to) -> recordBad(firstBad, Activations.nsForward(xs, ss, k, p, ys, from, to)));
        throwBadSigma(sigma, firstBad);
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX,
                                      Tensor gradSigma) {
        MemorySegment xs = x.segment();
        MemorySegment ss = sigma.segment();
        MemorySegment gy = gradY.segment();
        MemorySegment gx = gradX.segment();
        MemorySegment gs = gradSigma == null ? null : gradSigma.segment();
        AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
        chunks(x.size(), CHUNK, 8, (from, to) ->
                recordBad(firstBad, Activations.nsBackward(xs, ss, k, p, gy, gx, gs, from, to)));
        throwBadSigma(sigma, firstBad);
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        chunks(x.size(), CHUNK, 8, (from, to) -> Activations.softplusForward(xs, scale, p, ys, from, to));
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        MemorySegment xs = x.segment();
        MemorySegment gy = gradY.segment();
        MemorySegment gx = gradX.segment();
        chunks(x.size(), CHUNK, 8, (from, to) -> Activations.softplusBackward(xs, scale, p, gy, gx, from, to));
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        chunks(x.size(), CHUNK, 1, (from, to) -> Activations.reluForward(xs, p, ys, from, to));
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        MemorySegment xs = x.segment();
        MemorySegment gy = gradY.segment();
        MemorySegment gx = gradX.segment();
        chunks(x.size(), CHUNK, 1, (from, to) -> Activations.reluBackward(xs, p, gy, gx, from, to));
    }

    // ---------------------------------------------------------------- convolution

    private static Convolutions.Plan plan(Tensor input, Tensor weights) {
        return new Convolutions.Plan(input.dim(1), input.dim(2), input.dim(3), weights.dim(0), weights.dim(2),
                weights.dim(3));
    }

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        convForward(input, weights, output, null);
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        convForward(input, weights, mean, sigma);
    }

    private void convForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        Convolutions.Plan pl = plan(input, weights);
        float[] w = weights.toArray();
        float[] packed = Convolutions.pack(pl, w);
        float[] packedHalfSq = sigma == null ? null : Convolutions.pack(pl, Convolutions.halfSquare(w));
        MemorySegment in = input.segment();
        MemorySegment ms = mean.segment();
        MemorySegment ss = sigma == null ? null : sigma.segment();
        int n = input.dim(0);
        run(n, pl.macs() * n, img -> Convolutions.forwardImage(pl, packed, packedHalfSq, in, ms, ss, img));
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        convBackwardData(gradInput, weights, null, gradOutput, null, gradInput);
    }

    private void convBackwardData(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                  Tensor gradInput) {
        Convolutions.Plan pl = plan(input, weights);
        float[] w = weights.toArray();
        MemorySegment gm = gradMean.segment();
        MemorySegment ss = gradSigma == null ? null : sigma.segment();
        MemorySegment gs = gradSigma == null ? null : gradSigma.segment();
        MemorySegment in = gradSigma == null ? null : input.segment();
        MemorySegment gi = gradInput.segment();
        int n = input.dim(0);
        if (Convolutions.scatterBackward(pl)) {
            float[] packed = Convolutions.packTaps(pl, w);
            float[] packedHalfSq = gradSigma == null ? null : Convolutions.packTaps(pl, Convolutions.halfSquare(w));
            run(n, pl.macs() * n, img -> Convolutions.backwardDataScatter(pl, packed, packedHalfSq, gm, ss, gs, in, gi, img));
            return;
        }
        Convolutions.Plan bp = Convolutions.backwardPlan(pl);
        float[] packedT = Convolutions.pack(bp, Convolutions.flipTranspose(w, pl.cout, pl.cin, pl.kh, pl.kw));
        float[] packedHalfSqT = gradSigma == null ? null
                : Convolutions.pack(bp, Convolutions.flipTranspose(Convolutions.halfSquare(w), pl.cout, pl.cin, pl.kh, pl.kw));
        run(n, bp.macs() * n, img -> Convolutions.backwardDataImage(bp, packedT, packedHalfSqT, gm, ss, gs, in, gi, img));
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        convBackwardWeights(input, gradWeights, null, gradOutput, null, gradWeights);
    }

    private void convBackwardWeights(Tensor input, Tensor weightsShape, Tensor sigma, Tensor gradMean,
                                     Tensor gradSigma, Tensor gradWeights) {
        Convolutions.Plan pl = plan(input, weightsShape);
        int n = input.dim(0);
        Convolutions.WeightSplit ws = Convolutions.WeightSplit.of(pl, n);
        long work = pl.macs() * n;
        float[] part = weightGradient(pl, ws, input.segment(), false, gradMean.segment(), null, n, work);
        float[] partVar = null;
        float[] w = null;
        if (gradSigma != null) {
            partVar = weightGradient(pl, ws, input.segment(), true, gradSigma.segment(), sigma.segment(), n, work);
            w = weightsShape.toArray();
        }
        Convolutions.writeWeightGradient(part, partVar, ws.groups(), w, gradWeights.segment());
    }

    /** Stages the batch (in parallel over images) in the calling thread's scratch, then runs the tasks. */
    private float[] weightGradient(Convolutions.Plan pl, Convolutions.WeightSplit ws, MemorySegment in, boolean abs,
                                   MemorySegment grad, MemorySegment sigma, int n, long work) {
        Convolutions.Staged st = new Convolutions.Staged(Scratch.get(4, n * pl.inLen), Scratch.get(5, n * pl.goStride()));
        run(n, work, img -> Convolutions.stageForWeights(pl, in, abs, grad, sigma, st, img));
        float[] part = new float[ws.groups() * pl.cout * pl.taps];
        run(ws.tasks(), work, t -> Convolutions.weightTask(pl, ws, st, n, t, part));
        return part;
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        if (gradInput != null) {
            convBackwardData(input, weights, sigma, gradMean, gradSigma, gradInput);
        }
        if (gradWeights != null) {
            convBackwardWeights(input, weights, sigma, gradMean, gradSigma, gradWeights);
        }
    }

    // ---------------------------------------------------------------- pooling

    private void pool(Tensor input, IntRange body) {
        int planes = input.dim(0) * input.dim(1);
        int perPlane = input.dim(2) * input.dim(3);
        int planesPerTask = Math.max(1, CHUNK / perPlane);
        int tasks = Math.ceilDiv(planes, planesPerTask);
        run(tasks, (long) planes * perPlane, t -> body.run(t * planesPerTask, Math.min(planes, (t + 1) * planesPerTask)));
    }

    @FunctionalInterface
    private interface IntRange {
        void run(int from, int to);
    }

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        MemorySegment in = input.segment();
        MemorySegment out = output.segment();
        int h = input.dim(2);
        int w = input.dim(3);
        pool(input, (p0, p1) -> Pooling.forward(in, weight, out, null, h, w, p0, p1));
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        MemorySegment go = gradOutput.segment();
        MemorySegment gi = gradInput.segment();
        int h = gradInput.dim(2);
        int w = gradInput.dim(3);
        pool(gradInput, (p0, p1) -> Pooling.backward(go, weight, null, null, null, gi, h, w, p0, p1));
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        MemorySegment in = input.segment();
        MemorySegment ms = mean.segment();
        MemorySegment ss = sigma.segment();
        int h = input.dim(2);
        int w = input.dim(3);
        pool(input, (p0, p1) -> Pooling.forward(in, weight, ms, ss, h, w, p0, p1));
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        MemorySegment in = input.segment();
        MemorySegment gm = gradMean.segment();
        MemorySegment ss = gradSigma == null ? null : sigma.segment();
        MemorySegment gs = gradSigma == null ? null : gradSigma.segment();
        MemorySegment gi = gradInput.segment();
        int h = input.dim(2);
        int w = input.dim(3);
        pool(input, (p0, p1) -> Pooling.backward(gm, weight, in, ss, gs, gi, h, w, p0, p1));
    }

    // ---------------------------------------------------------------- dense

    /** Rows per dense task: fixed, so partitions do not depend on the threads. */
    private static int rowsPerTask(long workPerRow) {
        return (int) Math.max(1, Math.min(1 << 20, PARALLEL_WORK / 4 / Math.max(1, workPerRow)));
    }

    private void rows(int count, long workPerRow, IntRange body) {
        int per = rowsPerTask(workPerRow);
        int tasks = Math.ceilDiv(count, per);
        run(tasks, count * workPerRow, t -> body.run(t * per, Math.min(count, (t + 1) * per)));
    }

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        denseForward(input, weights, output, null);
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        denseForward(input, weights, mean, sigma);
    }

    private void denseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        int n = input.dim(0);
        int k = input.dim(1);
        int m = weights.dim(0);
        float[] w = weights.toArray();
        float[] hw = sigma == null ? null : Convolutions.halfSquare(w);
        MemorySegment in = input.segment();
        MemorySegment ms = mean.segment();
        MemorySegment ss = sigma == null ? null : sigma.segment();
        rows(n, (long) k * m, (r0, r1) -> Dense.forward(in, w, hw, ms, ss, k, m, r0, r1));
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        denseBackwardData(gradInput, weights, null, gradOutput, null, gradInput);
    }

    private void denseBackwardData(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                   Tensor gradInput) {
        int n = input.dim(0);
        int k = input.dim(1);
        int m = weights.dim(0);
        float[] w = weights.toArray();
        float[] g = gradMean.toArray();
        float[] gv = gradSigma == null ? null : Dense.varianceGradient(sigma.segment(), gradSigma.segment(), n * m);
        float[] hw = gradSigma == null ? null : Convolutions.halfSquare(w);
        MemorySegment in = gradSigma == null ? null : input.segment();
        MemorySegment gi = gradInput.segment();
        rows(n, (long) k * m, (r0, r1) -> Dense.backwardData(g, gv, w, hw, in, gi, k, m, r0, r1));
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        denseBackwardWeights(input, gradWeights, null, gradOutput, null, gradWeights);
    }

    private void denseBackwardWeights(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradWeights) {
        int n = input.dim(0);
        int k = input.dim(1);
        int m = weights.dim(0);
        float[] a = input.toArray();
        float[] g = gradMean.toArray();
        float[] gv = gradSigma == null ? null : Dense.varianceGradient(sigma.segment(), gradSigma.segment(), n * m);
        float[] absA = null;
        float[] w = null;
        if (gv != null) {
            absA = a.clone();
            Convolutions.absInPlace(absA, 0, absA.length);
            w = weights.toArray();
        }
        float[] fAbsA = absA;
        float[] fw = w;
        MemorySegment gw = gradWeights.segment();
        rows(m, (long) k * n, (c0, c1) -> Dense.backwardWeights(a, fAbsA, g, gv, fw, gw, n, k, m, c0, c1));
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        if (gradInput != null) {
            denseBackwardData(input, weights, sigma, gradMean, gradSigma, gradInput);
        }
        if (gradWeights != null) {
            denseBackwardWeights(input, weights, sigma, gradMean, gradSigma, gradWeights);
        }
    }

    // ---------------------------------------------------------------- loss

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        int n = logits.dim(0);
        int m = logits.dim(1);
        double loss = Dense.softmaxCrossEntropy(logits.segment(), labels, probabilities.segment(),
                gradLogits == null ? null : gradLogits.segment(), n, m, 0, n);
        return (float) (loss / n);
    }

    // ---------------------------------------------------------------- spiking

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        int n = state.neurons();
        Spiking.LifTensors z = new Spiking.LifTensors(state.v().segment(), state.iExc().segment(),
                state.iInh().segment(), state.refractory().segment(), seg(inputs.biasNa()), seg(inputs.currentNa()),
                seg(inputs.excitatoryNa()), seg(inputs.inhibitoryNa()), seg(spikes), seg(spikeCounts));
        int tasks = Math.ceilDiv(n, LIF_BLOCK);
        run(tasks, (long) n * steps * 16, t -> Spiking.lif(c, z, n, steps, t * LIF_BLOCK, Math.min(n, (t + 1) * LIF_BLOCK)));
    }

    private static MemorySegment seg(Tensor t) {
        return t == null ? null : t.segment();
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        int n = spikes.dim(0);
        int cin = spikes.dim(1);
        int h = spikes.dim(2);
        int wd = spikes.dim(3);
        int cout = weights.dim(0);
        int kh = weights.dim(2);
        int kw = weights.dim(3);
        float[] w = weights.toArray();
        int l = Spiking.L;
        float[] wFlip = null;
        if (kw <= l) {
            wFlip = new float[cout * cin * kh * l];
            for (int row = 0; row < cout * cin * kh; row++) {
                for (int v = 0; v < kw; v++) {
                    wFlip[row * l + v] = w[row * kw + (kw - 1 - v)];
                }
            }
        }
        float[] flip = wFlip;
        MemorySegment s = spikes.segment();
        MemorySegment e = excitatory.segment();
        MemorySegment i = inhibitory.segment();
        run(n, spikes.size() / n * 4 * n, img -> Spiking.spikeConv(s, w, flip, e, i, img, cin, h, wd, cout, kh, kw));
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        MemorySegment s = spikes.segment();
        MemorySegment e = excitatory.segment();
        MemorySegment i = inhibitory.segment();
        int h = spikes.dim(2);
        int w = spikes.dim(3);
        pool(spikes, (p0, p1) -> Spiking.spikePool(s, weight, e, i, h, w, p0, p1));
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        int n = spikes.dim(0);
        int k = spikes.dim(1);
        int m = weights.dim(0);
        MemorySegment s = spikes.segment();
        MemorySegment w = weights.segment();
        MemorySegment e = excitatory.segment();
        MemorySegment i = inhibitory.segment();
        rows(n, (long) k * 2, (r0, r1) -> Spiking.spikeDense(s, w, e, i, k, m, r0, r1));
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        MemorySegment p = probability.segment();
        MemorySegment s = spikes.segment();
        chunks(probability.size(), RNG_CHUNK, 64, (from, to) ->
                PhiloxLanes.bernoulli(seed, stream, step, p, s, (int) from, (int) to));
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        MemorySegment t = expNegLambda.segment();
        MemorySegment c = counts.segment();
        chunks(expNegLambda.size(), RNG_CHUNK, 64, (from, to) ->
                PhiloxLanes.poisson(seed, stream, step, t, c, (int) from, (int) to));
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "VectorKernels[" + preferredVectorBits() + " bits, " + pool.threads() + " threads]";
    }
}
