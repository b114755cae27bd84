package dev.nsp.kernel.natives;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The kernel SPI on libnsp's C kernels (see {@code native/src/main/c}): every call hands the tensors'
 * off-heap segments straight to C, no copies. Numerics follow the reference backend; which kernels are
 * bit-identical to it and what tolerance the others keep is stated in {@code nsp_kernels.c} and tested by
 * NativeKernelsTest.
 *
 * <p>Memory safety: every tensor's segment is taken with {@link Tensor#segment()}, which throws
 * {@link IllegalStateException} for a closed tensor before anything reaches C, and the linker keeps the
 * segments' arenas alive for the duration of the call (closing one meanwhile fails in the closer). So C
 * never sees freed memory. Shapes are trusted here, as the SPI allows: {@link dev.nsp.kernel.Backends}
 * wraps this class in {@link dev.nsp.kernel.CheckedKernels}.
 *
 * <p>Threads: each call uses at most {@code threads} threads of libnsp's pool (fewer for small calls;
 * the calling thread always works, and never waits for a pool thread that has no CPU yet). Work is
 * split by output element, never within one element's sum, so no result depends on the thread count.
 */
final class NativeKernels implements Kernels {
    private final int maxThreads;

    /** @param threads the most threads one call may use, {@code >= 1} */
    NativeKernels(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + ", must be >= 1");
        }
        NativeLib.ensureLoaded();
        this.maxThreads = threads;
    }

    /** @return the most threads one call uses */
    int threads() {
        return dev.nsp.kernel.CallerThreads.cap(maxThreads);
    }

    @Override
    public String name() {
        return "native";
    }

    private static MemorySegment seg(Tensor t) {
        return t.segment();
    }

    private static MemorySegment segOrNull(Tensor t) {
        return t == null ? MemorySegment.NULL : t.segment();
    }

    private static MethodHandle pick(long n, MethodHandle normal, MethodHandle critical) {
        return n <= NativeLib.CRITICAL_MAX_ELEMENTS ? critical : normal;
    }

    private static void checkSigma(long bad, Tensor sigma) {
        if (bad >= 0) {
            throw new IllegalArgumentException("sigma: element " + bad + " is " + sigma.get(bad)
                    + ", must be >= 0 and not NaN");
        }
    }

    private static void checkStatus(int status, String kernel) {
        if (status != 0) {
            throw new OutOfMemoryError(kernel + ": the native kernel could not allocate its scratch memory");
        }
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        MemorySegment xs = seg(x), ss = seg(sigma), ys = seg(y);
        long n = x.size();
        long bad;
        try {
            bad = (long) pick(n, NativeLib.NS_FORWARD, NativeLib.NS_FORWARD_CRITICAL)
                    .invokeExact(xs, ss, k, p, ys, n, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkSigma(bad, sigma);
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX,
                                      Tensor gradSigma) {
        MemorySegment xs = seg(x), ss = seg(sigma), gy = seg(gradY), gx = seg(gradX), gs = segOrNull(gradSigma);
        long n = x.size();
        long bad;
        try {
            bad = (long) pick(n, NativeLib.NS_BACKWARD, NativeLib.NS_BACKWARD_CRITICAL)
                    .invokeExact(xs, ss, k, p, gy, gx, gs, n, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkSigma(bad, sigma);
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        MemorySegment xs = seg(x), ys = seg(y);
        long n = x.size();
        try {
            pick(n, NativeLib.SOFTPLUS_FORWARD, NativeLib.SOFTPLUS_FORWARD_CRITICAL)
                    .invokeExact(xs, scale, p, ys, n, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        MemorySegment xs = seg(x), gy = seg(gradY), gx = seg(gradX);
        long n = x.size();
        try {
            pick(n, NativeLib.SOFTPLUS_BACKWARD, NativeLib.SOFTPLUS_BACKWARD_CRITICAL)
                    .invokeExact(xs, scale, p, gy, gx, n, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        MemorySegment xs = seg(x), ys = seg(y);
        long n = x.size();
        try {
            pick(n, NativeLib.RELU_FORWARD, NativeLib.RELU_FORWARD_CRITICAL).invokeExact(xs, p, ys, n, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        MemorySegment xs = seg(x), gy = seg(gradY), gx = seg(gradX);
        long n = x.size();
        try {
            pick(n, NativeLib.RELU_BACKWARD, NativeLib.RELU_BACKWARD_CRITICAL).invokeExact(xs, p, gy, gx, n, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        MemorySegment a = seg(input), w = seg(weights), o = seg(output);
        int status;
        try {
            status = (int) NativeLib.CONV_FORWARD.invokeExact(a, w, o, input.dim(0), input.dim(1), input.dim(2),
                    input.dim(3), weights.dim(0), weights.dim(2), weights.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "conv2dForward");
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        MemorySegment g = seg(gradOutput), w = seg(weights), gi = seg(gradInput);
        int status;
        try {
            status = (int) NativeLib.CONV_BACKWARD_DATA.invokeExact(g, w, gi, gradInput.dim(0), gradInput.dim(1),
                    gradInput.dim(2), gradInput.dim(3), weights.dim(0), weights.dim(2), weights.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "conv2dBackwardData");
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        MemorySegment a = seg(input), g = seg(gradOutput), gw = seg(gradWeights);
        int status;
        try {
            status = (int) NativeLib.CONV_BACKWARD_WEIGHTS.invokeExact(a, g, gw, input.dim(0), input.dim(1),
                    input.dim(2), input.dim(3), gradWeights.dim(0), gradWeights.dim(2), gradWeights.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "conv2dBackwardWeights");
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        MemorySegment a = seg(input), w = seg(weights), m = seg(mean), s = seg(sigma);
        int status;
        try {
            status = (int) NativeLib.MOMENT_CONV_FORWARD.invokeExact(a, w, m, s, input.dim(0), input.dim(1),
                    input.dim(2), input.dim(3), weights.dim(0), weights.dim(2), weights.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "momentConv2dForward");
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        MemorySegment a = seg(input), w = seg(weights), gm = seg(gradMean), gs = segOrNull(gradSigma);
        MemorySegment s = gradSigma == null ? MemorySegment.NULL : seg(sigma);
        MemorySegment gi = segOrNull(gradInput), gw = segOrNull(gradWeights);
        int status;
        try {
            status = (int) NativeLib.MOMENT_CONV_BACKWARD.invokeExact(a, w, s, gm, gs, gi, gw, input.dim(0),
                    input.dim(1), input.dim(2), input.dim(3), weights.dim(0), weights.dim(2), weights.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "momentConv2dBackward");
    }

    // ---------------------------------------------------------------- pooling

    private static long planes(Tensor t) {
        return (long) t.dim(0) * t.dim(1);
    }

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        MemorySegment a = seg(input), o = seg(output);
        try {
            NativeLib.POOL_FORWARD.invokeExact(a, weight, o, planes(input), input.dim(2), input.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        MemorySegment g = seg(gradOutput), gi = seg(gradInput);
        try {
            NativeLib.POOL_BACKWARD.invokeExact(g, weight, gi, planes(gradInput), gradInput.dim(2), gradInput.dim(3),
                    threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        MemorySegment a = seg(input), m = seg(mean), s = seg(sigma);
        try {
            NativeLib.MOMENT_POOL_FORWARD.invokeExact(a, weight, m, s, planes(input), input.dim(2), input.dim(3),
                    threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        MemorySegment a = seg(input), gm = seg(gradMean), gs = segOrNull(gradSigma), gi = seg(gradInput);
        MemorySegment s = gradSigma == null ? MemorySegment.NULL : seg(sigma);
        try {
            NativeLib.MOMENT_POOL_BACKWARD.invokeExact(a, weight, s, gm, gs, gi, planes(input), input.dim(2),
                    input.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- dense

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        MemorySegment a = seg(input), w = seg(weights), o = seg(output);
        try {
            NativeLib.DENSE_FORWARD.invokeExact(a, w, o, input.dim(0), input.dim(1), weights.dim(0), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        MemorySegment g = seg(gradOutput), w = seg(weights), gi = seg(gradInput);
        try {
            NativeLib.DENSE_BACKWARD_DATA.invokeExact(g, w, gi, gradOutput.dim(0), weights.dim(1), weights.dim(0),
                    threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        MemorySegment a = seg(input), g = seg(gradOutput), gw = seg(gradWeights);
        try {
            NativeLib.DENSE_BACKWARD_WEIGHTS.invokeExact(a, g, gw, input.dim(0), input.dim(1), gradWeights.dim(0),
                    threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        MemorySegment a = seg(input), w = seg(weights), m = seg(mean), s = seg(sigma);
        int status;
        try {
            status = (int) NativeLib.MOMENT_DENSE_FORWARD.invokeExact(a, w, m, s, input.dim(0), input.dim(1),
                    weights.dim(0), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "momentDenseForward");
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        MemorySegment a = seg(input), w = seg(weights), gm = seg(gradMean), gs = segOrNull(gradSigma);
        MemorySegment s = gradSigma == null ? MemorySegment.NULL : seg(sigma);
        MemorySegment gi = segOrNull(gradInput), gw = segOrNull(gradWeights);
        int status;
        try {
            status = (int) NativeLib.MOMENT_DENSE_BACKWARD.invokeExact(a, w, s, gm, gs, gi, gw, input.dim(0),
                    input.dim(1), weights.dim(0), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "momentDenseBackward");
    }

    // ---------------------------------------------------------------- loss

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        MemorySegment z = seg(logits), pr = seg(probabilities), g = segOrNull(gradLogits);
        int n = logits.dim(0);
        double loss;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lab = arena.allocateFrom(ValueLayout.JAVA_INT, labels);
            loss = (double) NativeLib.SOFTMAX_CE.invokeExact(z, lab, pr, g, n, logits.dim(1));
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        return (float) (loss / n);
    }

    // ---------------------------------------------------------------- spiking

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        MemorySegment v = seg(state.v()), ie = seg(state.iExc()), ii = seg(state.iInh()), ref = seg(state.refractory());
        MemorySegment bias = segOrNull(inputs.biasNa()), cur = segOrNull(inputs.currentNa());
        MemorySegment exc = segOrNull(inputs.excitatoryNa()), inh = segOrNull(inputs.inhibitoryNa());
        MemorySegment sp = segOrNull(spikes), counts = segOrNull(spikeCounts);
        int status;
        try {
            status = (int) NativeLib.LIF_RUN.invokeExact(c.decayM(), c.decayE(), c.decayI(), c.driveGain(), c.psE(),
                    c.psI(), c.offsetNa(), c.theta(), c.yReset(), c.refractorySteps(), v, ie, ii, ref, bias, cur, exc,
                    inh, sp, counts, (long) state.neurons(), steps, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
        checkStatus(status, "lifRun");
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        MemorySegment s = seg(spikes), w = seg(weights), e = seg(excitatory), i = seg(inhibitory);
        try {
            NativeLib.SPIKE_CONV.invokeExact(s, w, e, i, spikes.dim(0), spikes.dim(1), spikes.dim(2), spikes.dim(3),
                    weights.dim(0), weights.dim(2), weights.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        MemorySegment s = seg(spikes), e = seg(excitatory), i = seg(inhibitory);
        try {
            NativeLib.SPIKE_POOL.invokeExact(s, weight, e, i, planes(spikes), spikes.dim(2), spikes.dim(3), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        MemorySegment s = seg(spikes), w = seg(weights), e = seg(excitatory), i = seg(inhibitory);
        try {
            NativeLib.SPIKE_DENSE.invokeExact(s, w, e, i, spikes.dim(0), spikes.dim(1), weights.dim(0), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        MemorySegment p = seg(probability), o = seg(spikes);
        try {
            NativeLib.BERNOULLI.invokeExact(seed, stream, step, p, o, probability.size(), probability.size(), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void bernoulliSpikeRows(long seed, int firstStream, long step, Tensor probability, Tensor spikes) {
        MemorySegment p = seg(probability), o = seg(spikes);
        long row = probability.size() / Math.max(1, probability.shape()[0]);
        try {
            NativeLib.BERNOULLI.invokeExact(seed, firstStream, step, p, o, probability.size(), row, threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        MemorySegment p = seg(expNegLambda), o = seg(counts);
        try {
            NativeLib.POISSON.invokeExact(seed, stream, step, p, o, expNegLambda.size(), threads());
        } catch (Throwable t) {
            throw NativeLib.rethrow(t);
        }
    }

    @Override
    public void close() {
        // the library and its thread pool stay for the life of the process (the pool's threads sleep when idle)
    }
}
