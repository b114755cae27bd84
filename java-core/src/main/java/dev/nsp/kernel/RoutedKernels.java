package dev.nsp.kernel;

import dev.nsp.tensor.Tensor;

/**
 * Two backends as one: the spiking kernels (the LIF loop, event-driven synaptic input, the random
 * generators) run on {@code spiking}, everything else on {@code primary}. {@link Backends} builds one
 * in automatic selection when measurements show the other backend clearly faster for that family
 * (docs/benchmarks.md): the native C kernels simulate the spiking paper network about 5x faster than the
 * Vector API kernels, which win the convolutions. Both backends are bit-identical to the reference on
 * the spiking kernels, so routing changes no result.
 */
final class RoutedKernels implements Kernels {
    private final Kernels primary;
    private final Kernels spiking;

    RoutedKernels(Kernels primary, Kernels spiking) {
        this.primary = primary;
        this.spiking = spiking;
    }

    @Override
    public String name() {
        return primary.name() + "+" + spiking.name();
    }

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        primary.noisySoftplusForward(x, sigma, k, p, y);
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX, Tensor gradSigma) {
        primary.noisySoftplusBackward(x, sigma, k, p, gradY, gradX, gradSigma);
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        primary.softplusForward(x, scale, p, y);
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        primary.softplusBackward(x, scale, p, gradY, gradX);
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        primary.reluForward(x, p, y);
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        primary.reluBackward(x, p, gradY, gradX);
    }

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        primary.conv2dForward(input, weights, output);
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        primary.conv2dBackwardData(gradOutput, weights, gradInput);
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        primary.conv2dBackwardWeights(input, gradOutput, gradWeights);
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        primary.momentConv2dForward(input, weights, mean, sigma);
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        primary.momentConv2dBackward(input, weights, sigma, gradMean, gradSigma, gradInput, gradWeights);
    }

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        primary.pool2x2Forward(input, weight, output);
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        primary.pool2x2Backward(gradOutput, weight, gradInput);
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        primary.momentPool2x2Forward(input, weight, mean, sigma);
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        primary.momentPool2x2Backward(input, weight, sigma, gradMean, gradSigma, gradInput);
    }

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        primary.denseForward(input, weights, output);
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        primary.denseBackwardData(gradOutput, weights, gradInput);
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        primary.denseBackwardWeights(input, gradOutput, gradWeights);
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        primary.momentDenseForward(input, weights, mean, sigma);
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        primary.momentDenseBackward(input, weights, sigma, gradMean, gradSigma, gradInput, gradWeights);
    }

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        return primary.softmaxCrossEntropy(logits, labels, probabilities, gradLogits);
    }

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        spiking.lifRun(c, state, steps, inputs, spikes, spikeCounts);
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        spiking.spikeConv2dAccumulate(spikes, weights, excitatory, inhibitory);
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        spiking.spikePool2x2Accumulate(spikes, weight, excitatory, inhibitory);
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        spiking.spikeDenseAccumulate(spikes, weights, excitatory, inhibitory);
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        spiking.bernoulliSpikes(seed, stream, step, probability, spikes);
    }

    @Override
    public void bernoulliSpikeRows(long seed, int firstStream, long step, Tensor probability, Tensor spikes) {
        spiking.bernoulliSpikeRows(seed, firstStream, step, probability, spikes);
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        spiking.poissonCounts(seed, stream, step, expNegLambda, counts);
    }

    @Override
    public void close() {
        try {
            primary.close();
        } finally {
            spiking.close();
        }
    }
}
