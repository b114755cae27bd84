package dev.nsp.kernel;

import dev.nsp.tensor.Tensor;

import java.util.function.Supplier;

/**
 * A device backend with a CPU backend behind it ({@code -Dnsp.opencl.fallback=cpu}): calls go to the primary until
 * it throws a {@link BackendFailureException}; then one warning is logged, the primary is closed (its device objects
 * released) and this call and every later one run on the fallback, created then. A failed call is repeated on the
 * fallback only if it wrote none of the caller's tensors ({@link BackendFailureException#outputsUntouched()});
 * otherwise (an in-place kernel such as the LIF loop whose copy-back failed half way) it is rethrown, since repeating
 * it would apply the update twice. Argument errors are not failures: they propagate unchanged.
 */
final class FallbackKernels implements Kernels {
    private static final System.Logger LOG = System.getLogger("dev.nsp.kernel");

    private final Kernels primary;
    private final Supplier<Kernels> fallbackFactory;
    private volatile Kernels fallback;

    FallbackKernels(Kernels primary, Supplier<Kernels> fallbackFactory) {
        this.primary = primary;
        this.fallbackFactory = fallbackFactory;
    }

    /** @return the backend that calls go to now */
    Kernels active() {
        Kernels f = fallback;
        return f != null ? f : primary;
    }

    @Override
    public String name() {
        return active().name();
    }

    private interface Call {
        void run(Kernels k);
    }

    private void run(String kernel, Call c) {
        Kernels f = fallback;
        if (f != null) {
            c.run(f);
            return;
        }
        try {
            c.run(primary);
        } catch (BackendFailureException e) {
            Kernels fb = switchOver(kernel, e);
            if (!e.outputsUntouched()) {
                throw new BackendFailureException(e.backend(), kernel + " failed after writing part of its outputs, so it"
                        + " is not repeated; later calls run on " + fb.name() + " (" + e.getMessage() + ")", false, e);
            }
            c.run(fb);
        } catch (IllegalStateException e) {
            Kernels fb = fallback;
            if (fb == null) {
                throw e;
            }
            c.run(fb);      // another thread switched over and closed the primary while this call waited for it
        }
    }

    private synchronized Kernels switchOver(String kernel, BackendFailureException e) {
        if (fallback == null) {
            Kernels fb = fallbackFactory.get();
            LOG.log(System.Logger.Level.WARNING, "nsp: " + e.getMessage() + " (in " + kernel + "); "
                    + Backends.FALLBACK_PROPERTY + "=cpu: this and all later calls run on " + fb.name());
            fallback = fb;
            try {
                primary.close();
            } catch (RuntimeException closeFailure) {
                LOG.log(System.Logger.Level.DEBUG, "nsp: closing the failed backend: " + closeFailure);
            }
        }
        return fallback;
    }

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        run("noisySoftplusForward", b -> b.noisySoftplusForward(x, sigma, k, p, y));
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX, Tensor gradSigma) {
        run("noisySoftplusBackward", b -> b.noisySoftplusBackward(x, sigma, k, p, gradY, gradX, gradSigma));
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        run("softplusForward", b -> b.softplusForward(x, scale, p, y));
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        run("softplusBackward", b -> b.softplusBackward(x, scale, p, gradY, gradX));
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        run("reluForward", b -> b.reluForward(x, p, y));
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        run("reluBackward", b -> b.reluBackward(x, p, gradY, gradX));
    }

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        run("conv2dForward", b -> b.conv2dForward(input, weights, output));
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        run("conv2dBackwardData", b -> b.conv2dBackwardData(gradOutput, weights, gradInput));
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        run("conv2dBackwardWeights", b -> b.conv2dBackwardWeights(input, gradOutput, gradWeights));
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        run("momentConv2dForward", b -> b.momentConv2dForward(input, weights, mean, sigma));
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        run("momentConv2dBackward", b -> b.momentConv2dBackward(input, weights, sigma, gradMean, gradSigma, gradInput, gradWeights));
    }

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        run("pool2x2Forward", b -> b.pool2x2Forward(input, weight, output));
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        run("pool2x2Backward", b -> b.pool2x2Backward(gradOutput, weight, gradInput));
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        run("momentPool2x2Forward", b -> b.momentPool2x2Forward(input, weight, mean, sigma));
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        run("momentPool2x2Backward", b -> b.momentPool2x2Backward(input, weight, sigma, gradMean, gradSigma, gradInput));
    }

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        run("denseForward", b -> b.denseForward(input, weights, output));
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        run("denseBackwardData", b -> b.denseBackwardData(gradOutput, weights, gradInput));
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        run("denseBackwardWeights", b -> b.denseBackwardWeights(input, gradOutput, gradWeights));
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        run("momentDenseForward", b -> b.momentDenseForward(input, weights, mean, sigma));
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        run("momentDenseBackward", b -> b.momentDenseBackward(input, weights, sigma, gradMean, gradSigma, gradInput, gradWeights));
    }

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        float[] loss = new float[1];
        run("softmaxCrossEntropy", b -> loss[0] = b.softmaxCrossEntropy(logits, labels, probabilities, gradLogits));
        return loss[0];
    }

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        run("lifRun", b -> b.lifRun(c, state, steps, inputs, spikes, spikeCounts));
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        run("spikeConv2dAccumulate", b -> b.spikeConv2dAccumulate(spikes, weights, excitatory, inhibitory));
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        run("spikePool2x2Accumulate", b -> b.spikePool2x2Accumulate(spikes, weight, excitatory, inhibitory));
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        run("spikeDenseAccumulate", b -> b.spikeDenseAccumulate(spikes, weights, excitatory, inhibitory));
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        run("bernoulliSpikes", b -> b.bernoulliSpikes(seed, stream, step, probability, spikes));
    }

    @Override
    public void bernoulliSpikeRows(long seed, int firstStream, long step, Tensor probability, Tensor spikes) {
        run("bernoulliSpikeRows", b -> b.bernoulliSpikeRows(seed, firstStream, step, probability, spikes));
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        run("poissonCounts", b -> b.poissonCounts(seed, stream, step, expNegLambda, counts));
    }

    @Override
    public void close() {
        try {
            primary.close();
        } finally {
            Kernels f = fallback;
            if (f != null) {
                f.close();
            }
        }
    }
}
