package dev.nsp.kernel;

import dev.nsp.tensor.Tensor;

import java.util.Arrays;

/**
 * Validates every argument of every kernel call, then delegates: the one place where the SPI's
 * preconditions are enforced, identically for every backend. Exceptions name the parameter, the value
 * and the allowed range: {@link NullPointerException} for a missing tensor,
 * {@link IllegalStateException} for a closed one, {@link IllegalArgumentException} for the rest.
 * Element values (sigma {@code >= 0}) are checked by the kernels themselves, during their single pass; the
 * Poisson thresholds are checked here (a read pass, cheap next to Philox). Other
 * element data (inputs, weights, currents) follow IEEE arithmetic: NaN or infinity in gives NaN or infinity out.
 */
public final class CheckedKernels implements Kernels {
    private final Kernels delegate;

    /**
     * Wraps a backend.
     *
     * @param delegate the backend to guard
     */
    public CheckedKernels(Kernels delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** {@return the backend behind the checks} */
    public Kernels unwrap() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    // ---------------------------------------------------------------- checks

    static Tensor open(String name, Tensor t) {
        if (t == null) {
            throw new NullPointerException(name + ": tensor is required");
        }
        if (t.isClosed()) {
            throw new IllegalStateException(name + ": tensor " + Arrays.toString(t.shape()) + " used after close");
        }
        return t;
    }

    static Tensor openOrNull(String name, Tensor t) {
        return t == null ? null : open(name, t);
    }

    static void sameSize(String name, Tensor t, String refName, Tensor ref) {
        if (t != null && t.size() != ref.size()) {
            throw new IllegalArgumentException(name + ": size " + t.size() + " " + Arrays.toString(t.shape())
                    + " must equal " + refName + "'s size " + ref.size() + " " + Arrays.toString(ref.shape()));
        }
    }

    static void shape(String name, Tensor t, int... expected) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(expected));
        }
    }

    static void rank(String name, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(name + ": rank " + t.rank() + " " + Arrays.toString(t.shape())
                    + ", expected rank " + rank);
        }
    }

    static void positive(String name, float v) {
        if (!(v > 0) || Float.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite and > 0");
        }
    }

    static void finite(String name, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite");
        }
    }

    /** exp(-64) rounded to float: the smallest threshold {@link Philox#expNegLambda} gives. */
    private static final float MIN_EXP_NEG_LAMBDA = Philox.expNegLambda(Philox.MAX_LAMBDA);

    /**
     * Every element in [lo, hi] (NaN is outside). A read pass over the data: used only for the Poisson generator,
     * whose Philox rounds cost far more than the pass (a threshold below exp(-64), negative or NaN would make it
     * draw up to 2^18 uniforms per element for a meaningless count).
     */
    static void inRange(String name, Tensor t, float lo, float hi) {
        java.lang.foreign.MemorySegment seg = t.segment();
        long n = t.size();
        for (long i = 0; i < n; i++) {
            float v = seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
            if (!(v >= lo && v <= hi)) {
                throw new IllegalArgumentException(name + ": element " + i + " is " + v + ", must be in [" + lo + ", "
                        + hi + "]");
            }
        }
    }

    private static void noOverlap(String name, Tensor out, String inName, Tensor in) {
        if (out != null && in != null && out.segment().asOverlappingSlice(in.segment()).isPresent()) {
            throw new IllegalArgumentException(name + ": must not overlap " + inName);
        }
    }

    /** Input [N,C,H,W] and weights [O,C,KH,KW] with KH <= H, KW <= W; returns the output shape. */
    private static int[] convOut(String inName, Tensor in, Tensor w) {
        rank(inName, in, 4);
        rank("weights", w, 4);
        if (w.dim(1) != in.dim(1)) {
            throw new IllegalArgumentException("weights: " + w.dim(1) + " input channels " + Arrays.toString(w.shape())
                    + ", " + inName + " has " + in.dim(1) + " " + Arrays.toString(in.shape()));
        }
        if (w.dim(2) > in.dim(2) || w.dim(3) > in.dim(3)) {
            throw new IllegalArgumentException("weights: kernel " + w.dim(2) + "x" + w.dim(3) + " larger than "
                    + inName + " " + in.dim(2) + "x" + in.dim(3));
        }
        return new int[] {in.dim(0), w.dim(0), in.dim(2) - w.dim(2) + 1, in.dim(3) - w.dim(3) + 1};
    }

    private static int[] poolOut(String inName, Tensor in) {
        rank(inName, in, 4);
        if (in.dim(2) % 2 != 0 || in.dim(3) % 2 != 0) {
            throw new IllegalArgumentException(inName + ": height and width must be even for 2x2 pooling, shape "
                    + Arrays.toString(in.shape()));
        }
        return new int[] {in.dim(0), in.dim(1), in.dim(2) / 2, in.dim(3) / 2};
    }

    private static int[] denseOut(String inName, Tensor in, Tensor w) {
        rank(inName, in, 2);
        rank("weights", w, 2);
        if (w.dim(1) != in.dim(1)) {
            throw new IllegalArgumentException("weights: " + Arrays.toString(w.shape()) + " expects " + w.dim(1)
                    + " inputs, " + inName + " " + Arrays.toString(in.shape()) + " has " + in.dim(1));
        }
        return new int[] {in.dim(0), w.dim(0)};
    }

    // ---------------------------------------------------------------- activations

    private static void activation(Tensor x, String n1, Tensor t1, String n2, Tensor t2, String n3, Tensor t3) {
        open("x", x);
        for (Object[] p : new Object[][] {{n1, t1}, {n2, t2}, {n3, t3}}) {
            if (p[0] != null && p[1] != null) {
                sameSize((String) p[0], open((String) p[0], (Tensor) p[1]), "x", x);
            }
        }
    }

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        positive("k", k);
        finite("p", p);
        activation(x, "sigma", open("sigma", sigma), "y", open("y", y), null, null);
        noOverlap("y", y, "sigma", sigma);
        delegate.noisySoftplusForward(x, sigma, k, p, y);
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX,
                                      Tensor gradSigma) {
        positive("k", k);
        finite("p", p);
        activation(x, "sigma", open("sigma", sigma), "gradY", open("gradY", gradY), "gradX", open("gradX", gradX));
        if (gradSigma != null) {
            sameSize("gradSigma", open("gradSigma", gradSigma), "x", x);
            noOverlap("gradSigma", gradSigma, "gradX", gradX);
            noOverlap("gradSigma", gradSigma, "x", x);
            noOverlap("gradSigma", gradSigma, "gradY", gradY);
        }
        noOverlap("gradX", gradX, "sigma", sigma);
        noOverlap("gradX", gradX, "x", x);
        delegate.noisySoftplusBackward(x, sigma, k, p, gradY, gradX, gradSigma);
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        positive("scale", scale);
        finite("p", p);
        activation(x, "y", open("y", y), null, null, null, null);
        delegate.softplusForward(x, scale, p, y);
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        positive("scale", scale);
        finite("p", p);
        activation(x, "gradY", open("gradY", gradY), "gradX", open("gradX", gradX), null, null);
        noOverlap("gradX", gradX, "x", x);
        delegate.softplusBackward(x, scale, p, gradY, gradX);
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        finite("p", p);
        activation(x, "y", open("y", y), null, null, null, null);
        delegate.reluForward(x, p, y);
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        finite("p", p);
        activation(x, "gradY", open("gradY", gradY), "gradX", open("gradX", gradX), null, null);
        noOverlap("gradX", gradX, "x", x);
        delegate.reluBackward(x, p, gradY, gradX);
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        int[] out = convOut("input", open("input", input), open("weights", weights));
        shape("output", open("output", output), out);
        noOverlap("output", output, "input", input);
        delegate.conv2dForward(input, weights, output);
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        int[] out = convOut("gradInput", open("gradInput", gradInput), open("weights", weights));
        shape("gradOutput", open("gradOutput", gradOutput), out);
        noOverlap("gradInput", gradInput, "gradOutput", gradOutput);
        delegate.conv2dBackwardData(gradOutput, weights, gradInput);
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        int[] out = convOut("input", open("input", input), open("gradWeights", gradWeights));
        shape("gradOutput", open("gradOutput", gradOutput), out);
        noOverlap("gradWeights", gradWeights, "input", input);
        delegate.conv2dBackwardWeights(input, gradOutput, gradWeights);
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        int[] out = convOut("input", open("input", input), open("weights", weights));
        shape("mean", open("mean", mean), out);
        shape("sigma", open("sigma", sigma), out);
        noOverlap("sigma", sigma, "mean", mean);
        noOverlap("mean", mean, "input", input);
        noOverlap("sigma", sigma, "input", input);
        delegate.momentConv2dForward(input, weights, mean, sigma);
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        int[] out = convOut("input", open("input", input), open("weights", weights));
        shape("gradMean", open("gradMean", gradMean), out);
        if (gradSigma != null) {
            shape("sigma", open("sigma", sigma), out);
            shape("gradSigma", open("gradSigma", gradSigma), out);
        }
        shape("gradInput", openOrNull("gradInput", gradInput), input.shape());
        shape("gradWeights", openOrNull("gradWeights", gradWeights), weights.shape());
        noOverlap("gradInput", gradInput, "gradWeights", gradWeights);
        delegate.momentConv2dBackward(input, weights, sigma, gradMean, gradSigma, gradInput, gradWeights);
    }

    // ---------------------------------------------------------------- pooling

    private static void poolWeight(float weight) {
        finite("weight", weight);
        if (weight == 0) {
            throw new IllegalArgumentException("weight: 0, must be non-zero");
        }
    }

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        poolWeight(weight);
        shape("output", open("output", output), poolOut("input", open("input", input)));
        noOverlap("output", output, "input", input);
        delegate.pool2x2Forward(input, weight, output);
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        poolWeight(weight);
        shape("gradOutput", open("gradOutput", gradOutput), poolOut("gradInput", open("gradInput", gradInput)));
        noOverlap("gradInput", gradInput, "gradOutput", gradOutput);
        delegate.pool2x2Backward(gradOutput, weight, gradInput);
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        poolWeight(weight);
        int[] out = poolOut("input", open("input", input));
        shape("mean", open("mean", mean), out);
        shape("sigma", open("sigma", sigma), out);
        noOverlap("sigma", sigma, "mean", mean);
        delegate.momentPool2x2Forward(input, weight, mean, sigma);
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        poolWeight(weight);
        int[] out = poolOut("input", open("input", input));
        shape("gradMean", open("gradMean", gradMean), out);
        if (gradSigma != null) {
            shape("sigma", open("sigma", sigma), out);
            shape("gradSigma", open("gradSigma", gradSigma), out);
        }
        shape("gradInput", open("gradInput", gradInput), input.shape());
        noOverlap("gradInput", gradInput, "input", input);
        delegate.momentPool2x2Backward(input, weight, sigma, gradMean, gradSigma, gradInput);
    }

    // ---------------------------------------------------------------- dense

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        shape("output", open("output", output), denseOut("input", open("input", input), open("weights", weights)));
        noOverlap("output", output, "input", input);
        delegate.denseForward(input, weights, output);
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        int[] out = denseOut("gradInput", open("gradInput", gradInput), open("weights", weights));
        shape("gradOutput", open("gradOutput", gradOutput), out);
        noOverlap("gradInput", gradInput, "gradOutput", gradOutput);
        delegate.denseBackwardData(gradOutput, weights, gradInput);
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        int[] out = denseOut("input", open("input", input), open("gradWeights", gradWeights));
        shape("gradOutput", open("gradOutput", gradOutput), out);
        noOverlap("gradWeights", gradWeights, "input", input);
        delegate.denseBackwardWeights(input, gradOutput, gradWeights);
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        int[] out = denseOut("input", open("input", input), open("weights", weights));
        shape("mean", open("mean", mean), out);
        shape("sigma", open("sigma", sigma), out);
        noOverlap("sigma", sigma, "mean", mean);
        delegate.momentDenseForward(input, weights, mean, sigma);
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        int[] out = denseOut("input", open("input", input), open("weights", weights));
        shape("gradMean", open("gradMean", gradMean), out);
        if (gradSigma != null) {
            shape("sigma", open("sigma", sigma), out);
            shape("gradSigma", open("gradSigma", gradSigma), out);
        }
        shape("gradInput", openOrNull("gradInput", gradInput), input.shape());
        shape("gradWeights", openOrNull("gradWeights", gradWeights), weights.shape());
        delegate.momentDenseBackward(input, weights, sigma, gradMean, gradSigma, gradInput, gradWeights);
    }

    // ---------------------------------------------------------------- loss

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        rank("logits", open("logits", logits), 2);
        if (labels == null) {
            throw new NullPointerException("labels: array is required");
        }
        int n = logits.dim(0);
        int m = logits.dim(1);
        if (labels.length != n) {
            throw new IllegalArgumentException("labels: length " + labels.length + ", expected batch size " + n);
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= m) {
                throw new IllegalArgumentException("labels: element " + i + " is " + labels[i] + ", must be in [0, " + m + ")");
            }
        }
        shape("probabilities", open("probabilities", probabilities), n, m);
        shape("gradLogits", openOrNull("gradLogits", gradLogits), n, m);
        return delegate.softmaxCrossEntropy(logits, labels, probabilities, gradLogits);
    }

    // ---------------------------------------------------------------- spiking

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        if (c == null) {
            throw new NullPointerException("c: propagators are required");
        }
        if (state == null) {
            throw new NullPointerException("state: LIF state is required");
        }
        if (inputs == null) {
            throw new NullPointerException("inputs: use LifInputs.NONE for no input");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps: " + steps + ", must be >= 1");
        }
        int n = state.neurons();
        open("state.v", state.v());
        open("state.iExc", state.iExc());
        open("state.iInh", state.iInh());
        open("state.refractory", state.refractory());
        shape("inputs.biasNa", openOrNull("inputs.biasNa", inputs.biasNa()), n);
        shape("inputs.currentNa", openOrNull("inputs.currentNa", inputs.currentNa()), steps, n);
        shape("inputs.excitatoryNa", openOrNull("inputs.excitatoryNa", inputs.excitatoryNa()), steps, n);
        shape("inputs.inhibitoryNa", openOrNull("inputs.inhibitoryNa", inputs.inhibitoryNa()), steps, n);
        shape("spikes", openOrNull("spikes", spikes), steps, n);
        shape("spikeCounts", openOrNull("spikeCounts", spikeCounts), n);
        delegate.lifRun(c, state, steps, inputs, spikes, spikeCounts);
    }

    private static void synapticTargets(Tensor exc, Tensor inh, int[] out) {
        shape("excitatory", open("excitatory", exc), out);
        shape("inhibitory", open("inhibitory", inh), out);
        noOverlap("inhibitory", inh, "excitatory", exc);
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        synapticTargets(excitatory, inhibitory, convOut("spikes", open("spikes", spikes), open("weights", weights)));
        delegate.spikeConv2dAccumulate(spikes, weights, excitatory, inhibitory);
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        poolWeight(weight);
        synapticTargets(excitatory, inhibitory, poolOut("spikes", open("spikes", spikes)));
        delegate.spikePool2x2Accumulate(spikes, weight, excitatory, inhibitory);
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        synapticTargets(excitatory, inhibitory, denseOut("spikes", open("spikes", spikes), open("weights", weights)));
        delegate.spikeDenseAccumulate(spikes, weights, excitatory, inhibitory);
    }

    private static void counter(long step, Tensor t) {
        if (step < 0 || step > Philox.MAX_STEP) {
            throw new IllegalArgumentException("step: " + step + ", must be in [0, " + Philox.MAX_STEP + "]");
        }
        if (t.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor: " + t.size() + " elements, at most " + Integer.MAX_VALUE
                    + " can be keyed by a 32-bit index");
        }
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        counter(step, open("probability", probability));
        sameSize("spikes", open("spikes", spikes), "probability", probability);
        noOverlap("spikes", spikes, "probability", probability);
        // probabilities outside [0, 1] have a defined meaning (u < p: <= 0 or NaN never spikes, >= 1 always)
        delegate.bernoulliSpikes(seed, stream, step, probability, spikes);
    }

    @Override
    public void bernoulliSpikeRows(long seed, int firstStream, long step, Tensor probability, Tensor spikes) {
        counter(step, open("probability", probability));
        sameSize("spikes", open("spikes", spikes), "probability", probability);
        if (probability.shape().length < 2) {
            throw new IllegalArgumentException("probability: shape " + java.util.Arrays.toString(probability.shape())
                    + ", must have rank >= 2 ([rows, ...])");
        }
        delegate.bernoulliSpikeRows(seed, firstStream, step, probability, spikes);
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        counter(step, open("expNegLambda", expNegLambda));
        sameSize("counts", open("counts", counts), "expNegLambda", expNegLambda);
        noOverlap("counts", counts, "expNegLambda", expNegLambda);
        inRange("expNegLambda", expNegLambda, MIN_EXP_NEG_LAMBDA, 1f);
        delegate.poissonCounts(seed, stream, step, expNegLambda, counts);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
