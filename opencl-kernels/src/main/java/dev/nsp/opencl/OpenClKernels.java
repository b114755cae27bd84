package dev.nsp.opencl;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.opencl.BufferCache.Slot;
import dev.nsp.tensor.Tensor;
import org.jocl.cl_mem;

/**
 * The OpenCL backend: every kernel of the SPI as OpenCL C (resources dev/nsp/opencl/*.cl), run through JOCL on
 * one device. Each call copies its input tensors into reused device buffers, launches kernels on an in-order
 * queue and copies its outputs back: host-device copies happen only at the edges of a call (the LIF loop runs
 * all T steps on the device in one launch). Calls are serialised by a lock, so the instance is thread-safe.
 *
 * <p>Arithmetic: float32 with IEEE semantics (no fast-math, no contraction, correctly rounded division and sqrt
 * where the device offers it); the LIF loop in double where the device has cl_khr_fp64 (then bit-identical to
 * the reference); spike accumulation and the Philox draws are bit-identical to the reference on every device.
 * Tensors may hold at most {@code Integer.MAX_VALUE} elements.
 */
final class OpenClKernels implements Kernels {
    private static final int NO_BAD_INDEX = Integer.MAX_VALUE;

    private final Object lock = new Object();
    private final ClSession session;
    private boolean closed;

    OpenClKernels(ClSession session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "opencl";
    }

    /** @return the session (device, buffers, build time) for tests and benchmarks */
    ClSession session() {
        return session;
    }

    // ---------------------------------------------------------------- helpers

    /** Called first by every kernel, under the lock. */
    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("opencl backend: used after close");
        }
        session.beginCall();
    }

    /** @return the element count as int, or an exception naming the tensor */
    private static int count(String name, Tensor t) {
        long n = t.size();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": " + n + " elements, the opencl backend handles at most "
                    + Integer.MAX_VALUE + " per tensor");
        }
        return (int) n;
    }

    private static long bytes(Tensor t) {
        return t.size() * Float.BYTES;
    }

    /** Copies {@code t} into the buffer of {@code slot}. */
    private cl_mem upload(Slot slot, String name, Tensor t) {
        count(name, t);
        cl_mem m = session.buffers().get(slot, bytes(t));
        session.write(m, t.segment(), bytes(t));
        return m;
    }

    /** A device buffer of {@code floats} floats with undefined contents. */
    private cl_mem scratch(Slot slot, long floats) {
        return session.buffers().get(slot, floats * Float.BYTES);
    }

    private void download(cl_mem m, Tensor t) {
        session.read(m, t.segment(), bytes(t));
    }

    /** A 4-byte placeholder for absent optional arguments (never read or written by the kernels). */
    private cl_mem dummy() {
        return session.buffers().get(Slot.DUMMY, 4);
    }

    /** The error flag: reset to "no bad index". */
    private cl_mem flag() {
        cl_mem f = session.buffers().get(Slot.FLAG, 4);
        session.writeInts(f, new int[] {NO_BAD_INDEX});
        return f;
    }

    /** Throws, as the reference does, when a kernel recorded a negative or NaN sigma. */
    private void checkSigma(cl_mem flag, Tensor sigma) {
        int[] bad = new int[1];
        session.readInts(flag, bad);
        if (bad[0] != NO_BAD_INDEX) {
            throw new IllegalArgumentException("sigma: element " + bad[0] + " is " + sigma.get(bad[0])
                    + ", must be >= 0 and not NaN");
        }
    }

    /** Shapes of a convolution: input [n,c,h,w], weights [o,c,kh,kw]. */
    private record Conv(int n, int c, int h, int w, int o, int kh, int kw) {
        static Conv of(Tensor input, Tensor weights) {
            return new Conv(input.dim(0), input.dim(1), input.dim(2), input.dim(3), weights.dim(0), weights.dim(2),
                    weights.dim(3));
        }

        long outputs() {
            return (long) n * o * (h - kh + 1) * (w - kw + 1);
        }

        int weightCount() {
            return o * c * kh * kw;
        }
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        synchronized (lock) {
            ensureOpen();
            int n = count("x", x);
            cl_mem bx = upload(Slot.A, "x", x);
            cl_mem bs = upload(Slot.B, "sigma", sigma);
            cl_mem by = scratch(Slot.C, n);
            cl_mem f = flag();
            session.launch("ns_forward", n, bx, bs, k, p, by, f, n);
            checkSigma(f, sigma);
            download(by, y);
        }
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX,
                                      Tensor gradSigma) {
        synchronized (lock) {
            ensureOpen();
            int n = count("x", x);
            cl_mem bx = upload(Slot.A, "x", x);
            cl_mem bs = upload(Slot.B, "sigma", sigma);
            cl_mem bgy = upload(Slot.C, "gradY", gradY);
            cl_mem bgx = scratch(Slot.D, n);
            cl_mem bgs = gradSigma == null ? dummy() : scratch(Slot.E, n);
            cl_mem f = flag();
            session.launch("ns_backward", n, bx, bs, k, p, bgy, bgx, bgs, gradSigma == null ? 0 : 1, f, n);
            checkSigma(f, sigma);
            download(bgx, gradX);
            if (gradSigma != null) {
                download(bgs, gradSigma);
            }
        }
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        synchronized (lock) {
            ensureOpen();
            int n = count("x", x);
            cl_mem bx = upload(Slot.A, "x", x);
            cl_mem by = scratch(Slot.B, n);
            session.launch("softplus_forward", n, bx, scale, p, by, n);
            download(by, y);
        }
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        synchronized (lock) {
            ensureOpen();
            int n = count("x", x);
            cl_mem bx = upload(Slot.A, "x", x);
            cl_mem bgy = upload(Slot.B, "gradY", gradY);
            cl_mem bgx = scratch(Slot.C, n);
            session.launch("softplus_backward", n, bx, scale, p, bgy, bgx, n);
            download(bgx, gradX);
        }
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        synchronized (lock) {
            ensureOpen();
            int n = count("x", x);
            cl_mem bx = upload(Slot.A, "x", x);
            cl_mem by = scratch(Slot.B, n);
            session.launch("relu_forward", n, bx, p, by, n);
            download(by, y);
        }
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        synchronized (lock) {
            ensureOpen();
            int n = count("x", x);
            cl_mem bx = upload(Slot.A, "x", x);
            cl_mem bgy = upload(Slot.B, "gradY", gradY);
            cl_mem bgx = scratch(Slot.C, n);
            session.launch("relu_backward", n, bx, p, bgy, bgx, n);
            download(bgx, gradX);
        }
    }

    /**
     * Uploads sigma and gradSigma into slots {@code sigmaSlot} and {@code gradSlot} and computes
     * gv = gradSigma / (2 sigma) (0 where sigma = 0) into {@code gvSlot}.
     */
    private cl_mem varianceGradient(Tensor sigma, Tensor gradSigma, Slot sigmaSlot, Slot gradSlot, Slot gvSlot) {
        int n = count("sigma", sigma);
        cl_mem bs = upload(sigmaSlot, "sigma", sigma);
        cl_mem bg = upload(gradSlot, "gradSigma", gradSigma);
        cl_mem gv = scratch(gvSlot, n);
        session.launch("variance_gradient", n, bs, bg, gv, n);
        return gv;
    }

    // ---------------------------------------------------------------- convolution

    private Object[] dims(Conv s) {
        return new Object[] {s.n, s.c, s.h, s.w, s.o, s.kh, s.kw};
    }

    private void convForward(Tensor input, Tensor weights, Tensor out, Tensor sigma) {
        Conv s = Conv.of(input, weights);
        count("output", out);
        cl_mem bi = upload(Slot.A, "input", input);
        cl_mem bw = upload(Slot.B, "weights", weights);
        cl_mem bo = scratch(Slot.C, s.outputs());
        cl_mem bs = sigma == null ? dummy() : scratch(Slot.D, s.outputs());
        session.launch("conv_forward", s.outputs(), concat(new Object[] {bi, bw, bo, bs, sigma == null ? 0 : 1}, dims(s)));
        download(bo, out);
        if (sigma != null) {
            download(bs, sigma);
        }
    }

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        synchronized (lock) {
            ensureOpen();
            convForward(input, weights, output, null);
        }
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        synchronized (lock) {
            ensureOpen();
            convForward(input, weights, mean, sigma);
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        synchronized (lock) {
            ensureOpen();
            Conv s = Conv.of(gradInput, weights);
            int n = count("gradInput", gradInput);
            cl_mem bg = upload(Slot.A, "gradOutput", gradOutput);
            cl_mem bw = upload(Slot.B, "weights", weights);
            cl_mem bi = scratch(Slot.C, n);
            session.launch("conv_backward_data", n, concat(new Object[] {bg, bw, dummy(), dummy(), bi, 0}, dims(s)));
            download(bi, gradInput);
        }
    }

    /** Two deterministic passes: per-image partial sums, then the sum over the batch (slots H, I, J). */
    private void convBackwardWeights(Conv s, cl_mem input, cl_mem gradOut, cl_mem gv, cl_mem weights, int moments,
                                     Tensor gradWeights) {
        long partials = (long) s.n * s.weightCount();
        if (partials > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input: batch " + s.n + " x " + s.weightCount()
                    + " weights exceeds the opencl backend's " + Integer.MAX_VALUE + " partial sums");
        }
        cl_mem part = scratch(Slot.H, partials);
        cl_mem partVar = moments != 0 ? scratch(Slot.I, partials) : dummy();
        session.launch("conv_backward_weights_partial", partials,
                concat(new Object[] {input, gradOut, gv, part, partVar, moments}, dims(s)));
        cl_mem gw = scratch(Slot.J, s.weightCount());
        session.launch("reduce_batch", s.weightCount(), part, partVar, weights, gw, moments, s.n, s.weightCount());
        download(gw, gradWeights);
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        synchronized (lock) {
            ensureOpen();
            Conv s = Conv.of(input, gradWeights);
            cl_mem bi = upload(Slot.A, "input", input);
            cl_mem bg = upload(Slot.B, "gradOutput", gradOutput);
            convBackwardWeights(s, bi, bg, dummy(), dummy(), 0, gradWeights);
        }
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        synchronized (lock) {
            ensureOpen();
            Conv s = Conv.of(input, weights);
            int moments = gradSigma == null ? 0 : 1;
            cl_mem ba = upload(Slot.A, "input", input);
            cl_mem bw = upload(Slot.B, "weights", weights);
            cl_mem bgm = upload(Slot.C, "gradMean", gradMean);
            cl_mem gv = moments != 0 ? varianceGradient(sigma, gradSigma, Slot.D, Slot.E, Slot.F) : dummy();
            if (gradInput != null) {
                int n = count("gradInput", gradInput);
                cl_mem bgi = scratch(Slot.G, n);
                session.launch("conv_backward_data", n, concat(new Object[] {bgm, bw, gv, ba, bgi, moments}, dims(s)));
                download(bgi, gradInput);
            }
            if (gradWeights != null) {
                convBackwardWeights(s, ba, bgm, gv, bw, moments, gradWeights);
            }
        }
    }

    // ---------------------------------------------------------------- pooling

    private void poolForward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        int planes = input.dim(0) * input.dim(1);
        int n = count("output", mean);
        cl_mem bi = upload(Slot.A, "input", input);
        cl_mem bm = scratch(Slot.B, n);
        cl_mem bs = sigma == null ? dummy() : scratch(Slot.C, n);
        session.launch("pool_forward", n, bi, weight, bm, bs, sigma == null ? 0 : 1, planes, input.dim(2),
                input.dim(3));
        download(bm, mean);
        if (sigma != null) {
            download(bs, sigma);
        }
    }

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        synchronized (lock) {
            ensureOpen();
            poolForward(input, weight, output, null);
        }
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        synchronized (lock) {
            ensureOpen();
            poolForward(input, weight, mean, sigma);
        }
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        synchronized (lock) {
            ensureOpen();
            int n = count("gradInput", gradInput);
            cl_mem bg = upload(Slot.A, "gradOutput", gradOutput);
            cl_mem bi = scratch(Slot.B, n);
            session.launch("pool_backward", n, bg, weight, dummy(), dummy(), bi, 0,
                    gradInput.dim(0) * gradInput.dim(1), gradInput.dim(2), gradInput.dim(3));
            download(bi, gradInput);
        }
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        synchronized (lock) {
            ensureOpen();
            int moments = gradSigma == null ? 0 : 1;
            int n = count("gradInput", gradInput);
            cl_mem bgm = upload(Slot.A, "gradMean", gradMean);
            cl_mem gv = dummy();
            cl_mem ba = dummy();
            if (moments != 0) {
                gv = varianceGradient(sigma, gradSigma, Slot.B, Slot.C, Slot.D);
                ba = upload(Slot.E, "input", input);
            }
            cl_mem bi = scratch(Slot.F, n);
            session.launch("pool_backward", n, bgm, weight, gv, ba, bi, moments, input.dim(0) * input.dim(1),
                    input.dim(2), input.dim(3));
            download(bi, gradInput);
        }
    }

    // ---------------------------------------------------------------- dense

    private void denseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        int rows = input.dim(0);
        int k = input.dim(1);
        int m = weights.dim(0);
        int n = count("output", mean);
        cl_mem bi = upload(Slot.A, "input", input);
        cl_mem bw = upload(Slot.B, "weights", weights);
        cl_mem bm = scratch(Slot.C, n);
        cl_mem bs = sigma == null ? dummy() : scratch(Slot.D, n);
        session.launch("dense_forward", n, bi, bw, bm, bs, sigma == null ? 0 : 1, rows, k, m);
        download(bm, mean);
        if (sigma != null) {
            download(bs, sigma);
        }
    }

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        synchronized (lock) {
            ensureOpen();
            denseForward(input, weights, output, null);
        }
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        synchronized (lock) {
            ensureOpen();
            denseForward(input, weights, mean, sigma);
        }
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        synchronized (lock) {
            ensureOpen();
            int n = count("gradInput", gradInput);
            cl_mem bg = upload(Slot.A, "gradOutput", gradOutput);
            cl_mem bw = upload(Slot.B, "weights", weights);
            cl_mem bi = scratch(Slot.C, n);
            session.launch("dense_backward_data", n, bg, bw, dummy(), dummy(), bi, 0, gradOutput.dim(0),
                    weights.dim(1), weights.dim(0));
            download(bi, gradInput);
        }
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        synchronized (lock) {
            ensureOpen();
            int n = count("gradWeights", gradWeights);
            cl_mem bi = upload(Slot.A, "input", input);
            cl_mem bg = upload(Slot.B, "gradOutput", gradOutput);
            cl_mem bw = scratch(Slot.C, n);
            session.launch("dense_backward_weights", n, bi, bg, dummy(), dummy(), bw, 0, input.dim(0), input.dim(1),
                    gradWeights.dim(0));
            download(bw, gradWeights);
        }
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        synchronized (lock) {
            ensureOpen();
            int rows = input.dim(0);
            int k = input.dim(1);
            int m = weights.dim(0);
            int moments = gradSigma == null ? 0 : 1;
            cl_mem ba = upload(Slot.A, "input", input);
            cl_mem bw = upload(Slot.B, "weights", weights);
            cl_mem bgm = upload(Slot.C, "gradMean", gradMean);
            cl_mem gv = moments != 0 ? varianceGradient(sigma, gradSigma, Slot.D, Slot.E, Slot.F) : dummy();
            if (gradInput != null) {
                int n = count("gradInput", gradInput);
                cl_mem bgi = scratch(Slot.G, n);
                session.launch("dense_backward_data", n, bgm, bw, gv, ba, bgi, moments, rows, k, m);
                download(bgi, gradInput);
            }
            if (gradWeights != null) {
                int n = count("gradWeights", gradWeights);
                cl_mem bgw = scratch(Slot.H, n);
                session.launch("dense_backward_weights", n, ba, bgm, gv, bw, bgw, moments, rows, k, m);
                download(bgw, gradWeights);
            }
        }
    }

    // ---------------------------------------------------------------- loss

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        synchronized (lock) {
            ensureOpen();
            int rows = logits.dim(0);
            int m = logits.dim(1);
            int n = count("logits", logits);
            cl_mem bz = upload(Slot.A, "logits", logits);
            cl_mem bl = session.buffers().get(Slot.LABELS, (long) rows * Integer.BYTES);
            session.writeInts(bl, labels);
            cl_mem bp = scratch(Slot.B, n);
            cl_mem bg = gradLogits == null ? dummy() : scratch(Slot.C, n);
            cl_mem bloss = scratch(Slot.D, rows);
            session.launch("softmax_ce", rows, bz, bl, bp, bg, bloss, gradLogits == null ? 0 : 1, rows, m);
            float[] rowLoss = new float[rows];
            session.readFloats(bloss, rowLoss);
            download(bp, probabilities);
            if (gradLogits != null) {
                download(bg, gradLogits);
            }
            double loss = 0;
            for (float l : rowLoss) {
                loss += l;
            }
            return (float) (loss / rows);
        }
    }

    // ---------------------------------------------------------------- spiking

    private static final int LIF_BIAS = 1;
    private static final int LIF_CURRENT = 2;
    private static final int LIF_EXC = 4;
    private static final int LIF_INH = 8;
    private static final int LIF_SPIKES = 16;
    private static final int LIF_COUNTS = 32;

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        synchronized (lock) {
            ensureOpen();
            int n = state.neurons();
            cl_mem bv = upload(Slot.A, "state.v", state.v());
            cl_mem be = upload(Slot.B, "state.iExc", state.iExc());
            cl_mem bh = upload(Slot.C, "state.iInh", state.iInh());
            cl_mem br = upload(Slot.D, "state.refractory", state.refractory());
            int flags = 0;
            cl_mem bias = dummy();
            cl_mem cur = dummy();
            cl_mem exc = dummy();
            cl_mem inh = dummy();
            cl_mem sp = dummy();
            cl_mem counts = dummy();
            if (inputs.biasNa() != null) {
                bias = upload(Slot.E, "inputs.biasNa", inputs.biasNa());
                flags |= LIF_BIAS;
            }
            if (inputs.currentNa() != null) {
                cur = upload(Slot.F, "inputs.currentNa", inputs.currentNa());
                flags |= LIF_CURRENT;
            }
            if (inputs.excitatoryNa() != null) {
                exc = upload(Slot.G, "inputs.excitatoryNa", inputs.excitatoryNa());
                flags |= LIF_EXC;
            }
            if (inputs.inhibitoryNa() != null) {
                inh = upload(Slot.H, "inputs.inhibitoryNa", inputs.inhibitoryNa());
                flags |= LIF_INH;
            }
            if (spikes != null) {
                sp = scratch(Slot.I, (long) count("spikes", spikes));
                flags |= LIF_SPIKES;
            }
            if (spikeCounts != null) {
                counts = upload(Slot.J, "spikeCounts", spikeCounts);
                flags |= LIF_COUNTS;
            }
            session.launch("lif_run", n, bv, be, bh, br, bias, cur, exc, inh, sp, counts,
                    c.decayM(), c.driveGain(), c.psE(), c.psI(), c.decayE(), c.decayI(), c.offsetNa(), c.theta(),
                    c.yReset(), c.refractorySteps(), n, steps, flags);
            download(bv, state.v());
            download(be, state.iExc());
            download(bh, state.iInh());
            download(br, state.refractory());
            if (spikes != null) {
                download(sp, spikes);
            }
            if (spikeCounts != null) {
                download(counts, spikeCounts);
            }
        }
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        synchronized (lock) {
            ensureOpen();
            Conv s = Conv.of(spikes, weights);
            cl_mem bs = upload(Slot.A, "spikes", spikes);
            cl_mem bw = upload(Slot.B, "weights", weights);
            cl_mem be = upload(Slot.C, "excitatory", excitatory);
            cl_mem bi = upload(Slot.D, "inhibitory", inhibitory);
            session.launch("spike_conv_accumulate", s.outputs(), concat(new Object[] {bs, bw, be, bi}, dims(s)));
            download(be, excitatory);
            download(bi, inhibitory);
        }
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        synchronized (lock) {
            ensureOpen();
            cl_mem bs = upload(Slot.A, "spikes", spikes);
            cl_mem be = upload(Slot.B, "excitatory", excitatory);
            cl_mem bi = upload(Slot.C, "inhibitory", inhibitory);
            session.launch("spike_pool_accumulate", excitatory.size(), bs, weight, be, bi,
                    spikes.dim(0) * spikes.dim(1), spikes.dim(2), spikes.dim(3));
            download(be, excitatory);
            download(bi, inhibitory);
        }
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        synchronized (lock) {
            ensureOpen();
            cl_mem bs = upload(Slot.A, "spikes", spikes);
            cl_mem bw = upload(Slot.B, "weights", weights);
            cl_mem be = upload(Slot.C, "excitatory", excitatory);
            cl_mem bi = upload(Slot.D, "inhibitory", inhibitory);
            session.launch("spike_dense_accumulate", excitatory.size(), bs, bw, be, bi, spikes.dim(0), spikes.dim(1),
                    weights.dim(0));
            download(be, excitatory);
            download(bi, inhibitory);
        }
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        synchronized (lock) {
            ensureOpen();
            int n = count("probability", probability);
            cl_mem bp = upload(Slot.A, "probability", probability);
            cl_mem bs = scratch(Slot.B, n);
            session.launch("bernoulli_spikes", n, bp, bs, (int) seed, (int) (seed >>> 32), stream, (int) step,
                    (int) (step >>> 32), n);
            download(bs, spikes);
        }
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        synchronized (lock) {
            ensureOpen();
            int n = count("expNegLambda", expNegLambda);
            cl_mem bt = upload(Slot.A, "expNegLambda", expNegLambda);
            cl_mem bc = scratch(Slot.B, n);
            session.launch("poisson_counts", n, bt, bc, (int) seed, (int) (seed >>> 32), stream, (int) step,
                    (int) (step >>> 32), n);
            download(bc, counts);
        }
    }

    /** Releases every OpenCL object of this backend; closing twice is harmless. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        }
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] r = new Object[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
