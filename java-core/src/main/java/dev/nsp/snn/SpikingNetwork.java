package dev.nsp.snn;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A feed-forward spiking network of identical LIF neurons (SPEC section 5), simulated for a whole batch
 * of inputs at once on the kernel SPI. Every step: Poisson (Bernoulli per step) input spikes from the
 * counter-based generator, then for each layer the event-driven synaptic input of the previous layer's
 * spikes of this step (delivered at the end of the step, so it acts from the next step on: a one-step
 * synaptic delay) and one LIF step. Output spike counts are recorded at every millisecond.
 *
 * <p>Reproducibility: the input spikes of image {@code first + b} are keyed by (seed, pixel index within the
 * image, stream = first + b, step), so the same seed gives the same input spikes for an image whatever
 * the batch size or position; the simulation is then deterministic for a given backend and thread count.
 *
 * <p>Not thread-safe: one network simulates one batch at a time.
 */
public final class SpikingNetwork implements AutoCloseable {

    /** A layer of the network: its neurons and the synapses from the previous layer. */
    public sealed interface Layer permits Conv, Pool, Dense {
    }

    /**
     * A convolution layer: valid, stride 1.
     *
     * @param weightsNa synaptic weights, nA, [outChannels, inChannels, kh, kw] row-major
     * @param outChannels output channels
     * @param inChannels input channels
     * @param kh kernel height
     * @param kw kernel width
     */
    public record Conv(float[] weightsNa, int outChannels, int inChannels, int kh, int kw) implements Layer {
        /** Validates the sizes (each {@code >= 1}) and the weights (their count, all finite). */
        public Conv {
            long n = (long) atLeastOne("outChannels", outChannels) * atLeastOne("inChannels", inChannels)
                    * atLeastOne("kh", kh) * atLeastOne("kw", kw);
            if (weightsNa.length != n) {
                throw new IllegalArgumentException("weightsNa: length " + weightsNa.length + ", expected "
                        + outChannels + "*" + inChannels + "*" + kh + "*" + kw);
            }
            finiteWeights(weightsNa);
        }
    }

    /**
     * A 2x2 pooling layer, stride 2.
     *
     * @param weightNa the weight of each of the four synapses of a 2x2 pooling neuron, nA
     */
    public record Pool(float weightNa) implements Layer {
        /** Validates the weight: finite and not 0. */
        public Pool {
            if (!Float.isFinite(weightNa) || weightNa == 0) {
                throw new IllegalArgumentException("weightNa: " + weightNa + ", must be finite and non-zero");
            }
        }
    }

    /**
     * A dense layer.
     *
     * @param weightsNa synaptic weights, nA, [outputs, inputs] row-major
     * @param outputs output neurons
     * @param inputs input neurons
     */
    public record Dense(float[] weightsNa, int outputs, int inputs) implements Layer {
        /** Validates the sizes (each {@code >= 1}) and the weights (their count, all finite). */
        public Dense {
            if (weightsNa.length != (long) atLeastOne("outputs", outputs) * atLeastOne("inputs", inputs)) {
                throw new IllegalArgumentException("weightsNa: length " + weightsNa.length + ", expected " + outputs + "*" + inputs);
            }
            finiteWeights(weightsNa);
        }
    }

    private static int atLeastOne(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + ": " + v + ", must be >= 1");
        }
        return v;
    }

    private static void finiteWeights(float[] w) {
        for (int i = 0; i < w.length; i++) {
            if (!Float.isFinite(w[i])) {
                throw new IllegalArgumentException("weightsNa: element " + i + " is " + w[i] + ", must be finite");
            }
        }
    }

    /** Receives progress: the number of steps done out of the total. */
    public interface Progress {
        /**
         * Called as the simulation advances.
         *
         * @param done steps simulated so far
         * @param total steps in the run
         */
        void step(long done, long total);
    }

    /**
     * What a run produced.
     *
     * @param images the number of images simulated
     * @param outputs the number of output neurons
     * @param milliseconds the number of whole milliseconds recorded
     * @param cumulativeCounts output spike counts up to the end of each millisecond: [ms][image][output]
     * @param layerSpikes the total number of spikes of each layer (index 0 is the input)
     * @param layerNeurons neurons per image of each layer (index 0 is the input)
     * @param synapticEvents the number of synaptic events delivered: each layer's spikes times the fan-out of an
     *        interior neuron (the input's spikes counted by their expectation)
     * @param durationMs the simulated time per image, ms
     */
    public record Result(int images, int outputs, int milliseconds, float[][][] cumulativeCounts, long[] layerSpikes,
                         int[] layerNeurons, long synapticEvents, double durationMs) {
        /**
         * The predicted class of an image at a time: the output neuron with the most spikes so far, ties
         * broken by the lowest index (so an image with no output spikes yet is class 0).
         *
         * @param image the image's index in the run
         * @param ms the time, the end of millisecond {@code ms} (0-based)
         * @return the predicted class
         */
        public int prediction(int image, int ms) {
            float[] c = cumulativeCounts[ms][image];
            int best = 0;
            for (int i = 1; i < c.length; i++) {
                if (c[i] > c[best]) {
                    best = i;
                }
            }
            return best;
        }

        /**
         * {@return the mean firing rate of a layer, Hz}
         *
         * @param layer the layer's index
         */
        public double meanRateHz(int layer) {
            return layerSpikes[layer] / ((double) layerNeurons[layer] * images * durationMs / 1000.0);
        }
    }

    private final Kernels kernels;
    private final LifPropagators prop;
    private final int batch;
    private final int[] inputShape;
    private final List<Layer> layers;
    private final List<LayerState> states = new ArrayList<>();
    private final Tensor inputProbability;
    private final Tensor inputSpikes;
    private final int outputs;

    private static final class LayerState implements AutoCloseable {
        final Layer layer;
        final int[] shape;            // [B, C, H, W] or [B, M]
        final Tensor weights;         // null for pooling
        final Tensor exc;
        final Tensor inh;
        final Tensor spikes;
        final Tensor counts;
        final LifState lif;
        final int fanOut;             // synapses per spike into THIS layer from the previous one
        final int neuronsPerImage;

        LayerState(Layer layer, int[] shape, Tensor weights, int fanOut) {
            this.layer = layer;
            this.shape = shape;
            this.weights = weights;
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            this.neuronsPerImage = n / shape[0];
            this.exc = Tensor.zeros(shape);
            this.inh = Tensor.zeros(shape);
            this.spikes = Tensor.zeros(shape);
            this.counts = Tensor.zeros(n);
            this.lif = new LifState(n);
            this.fanOut = fanOut;
        }

        @Override
        public void close() {
            if (weights != null) {
                weights.close();
            }
            exc.close();
            inh.close();
            spikes.close();
            counts.close();
            lif.close();
        }
    }

    /**
     * Builds the network and allocates its state for {@code batch} images.
     *
     * @param kernels the backend
     * @param neuron the neuron of every layer
     * @param dtMs the time step, ms (1 and 0.1 are typical)
     * @param inputShape [C, H, W] of an input image
     * @param layers the layers, first to last
     * @param batch the number of images simulated together, {@code >= 1}
     */
    public SpikingNetwork(Kernels kernels, LifParameters neuron, double dtMs, int[] inputShape, List<Layer> layers, int batch) {
        java.util.Objects.requireNonNull(kernels, "kernels: a backend is required");
        java.util.Objects.requireNonNull(neuron, "neuron: parameters are required");
        java.util.Objects.requireNonNull(inputShape, "inputShape: [C, H, W] is required");
        java.util.Objects.requireNonNull(layers, "layers: a list is required");
        if (batch < 1) {
            throw new IllegalArgumentException("batch: " + batch + ", must be >= 1");
        }
        if (inputShape.length != 3 || inputShape[0] < 1 || inputShape[1] < 1 || inputShape[2] < 1) {
            throw new IllegalArgumentException("inputShape: " + Arrays.toString(inputShape) + ", expected [C, H, W], each >= 1");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: at least one layer is required");
        }
        double stepsPerMs = 1.0 / dtMs;
        if (!(dtMs > 0) || Math.abs(stepsPerMs - Math.rint(stepsPerMs)) > 1e-9) {
            throw new IllegalArgumentException("dtMs: " + dtMs + ", must divide 1 ms into a whole number of steps");
        }
        this.kernels = kernels;
        this.prop = LifPropagators.of(neuron, dtMs);
        this.batch = batch;
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        int[] shape = {batch, inputShape[0], inputShape[1], inputShape[2]};
        this.inputProbability = Tensor.zeros(shape);
        this.inputSpikes = Tensor.zeros(shape);
        try {
            for (Layer l : layers) {
                LayerState s = switch (l) {
                    case Conv c -> {
                        if (shape.length != 4 || shape[1] != c.inChannels()) {
                            throw new IllegalArgumentException("layers: conv expects " + c.inChannels()
                                    + " input channels, previous layer gives " + Arrays.toString(shape));
                        }
                        if (c.kh() > shape[2] || c.kw() > shape[3]) {
                            throw new IllegalArgumentException("layers: conv kernel " + c.kh() + "x" + c.kw()
                                    + " is larger than its input " + Arrays.toString(shape));
                        }
                        int[] out = {batch, c.outChannels(), shape[2] - c.kh() + 1, shape[3] - c.kw() + 1};
                        yield new LayerState(l, out, Tensor.of(c.weightsNa(), c.outChannels(), c.inChannels(), c.kh(), c.kw()),
                                c.outChannels() * c.kh() * c.kw());
                    }
                    case Pool p -> {
                        if (shape.length != 4 || shape[2] % 2 != 0 || shape[3] % 2 != 0) {
                            throw new IllegalArgumentException("layers: 2x2 pooling needs an even-sized map, previous layer gives "
                                    + Arrays.toString(shape));
                        }
                        yield new LayerState(l, new int[] {batch, shape[1], shape[2] / 2, shape[3] / 2}, null, 1);
                    }
                    case Dense d -> {
                        int in = 1;
                        for (int i = 1; i < shape.length; i++) {
                            in *= shape[i];
                        }
                        if (in != d.inputs()) {
                            throw new IllegalArgumentException("layers: dense expects " + d.inputs() + " inputs, previous layer gives "
                                    + in + " " + Arrays.toString(shape));
                        }
                        yield new LayerState(l, new int[] {batch, d.outputs()}, Tensor.of(d.weightsNa(), d.outputs(), d.inputs()),
                                d.outputs());
                    }
                };
                states.add(s);
                shape = s.shape;
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.outputs = states.getLast().neuronsPerImage;
    }

    /**
     * The spike counts of one layer's neurons in the last run, image-major ([image][neuron of the layer]).
     *
     * @param layer the layer, from 0 (the first layer after the input)
     * @return a copy of the counts of the whole batch
     */
    public float[] layerCounts(int layer) {
        if (layer < 0 || layer >= states.size()) {
            throw new IllegalArgumentException("layer: " + layer + ", must be in [0, " + states.size() + ")");
        }
        return states.get(layer).counts.toArray();
    }

    /** {@return the number of output neurons} */
    public int outputs() {
        return outputs;
    }

    /**
     * Simulates {@code images} inputs (at most the batch size) for {@code durationMs}, from rest.
     *
     * @param ratesHz input firing rates, Hz, {@code images * C * H * W} values (image-major)
     * @param images the number of images in this batch, in [1, batch]
     * @param durationMs the simulated time, ms, a whole number of ms {@code >= 1}
     * @param seed the seed of the input spikes
     * @param firstImage the global index of the first image (keys its input spikes)
     * @param progress receives progress, or null
     * @return the output counts per millisecond and the layer statistics
     */
    public Result run(float[] ratesHz, int images, double durationMs, long seed, int firstImage, Progress progress) {
        if (images < 1 || images > batch) {
            throw new IllegalArgumentException("images: " + images + ", must be in [1, " + batch + "]");
        }
        java.util.Objects.requireNonNull(ratesHz, "ratesHz: rates are required");
        if (firstImage < 0 || firstImage > Integer.MAX_VALUE - images) {
            throw new IllegalArgumentException("firstImage: " + firstImage + ", must be in [0, " + (Integer.MAX_VALUE - images)
                    + "] (it keys the input spikes of images firstImage .. firstImage + images - 1)");
        }
        int perImage = inputShape[0] * inputShape[1] * inputShape[2];
        if (ratesHz.length != images * perImage) {
            throw new IllegalArgumentException("ratesHz: length " + ratesHz.length + ", expected " + images + "*" + perImage);
        }
        if (!(durationMs >= 1) || Math.abs(durationMs - Math.rint(durationMs)) > 1e-9) {
            throw new IllegalArgumentException("durationMs: " + durationMs + ", must be a whole number of ms >= 1");
        }
        int stepsPerMs = (int) Math.round(1.0 / prop.dtMs());
        int ms = (int) Math.round(durationMs);
        long totalSteps = (long) ms * stepsPerMs;
        float[] prob = new float[batch * perImage];
        for (int i = 0; i < ratesHz.length; i++) {
            float r = ratesHz[i];
            prob[i] = (float) (r * prop.dtMs() / 1000.0);
            if (!(r >= 0) || !(prob[i] <= 1)) {
                throw new IllegalArgumentException("ratesHz: element " + i + " is " + r + ", must be in [0, "
                        + 1000.0 / prop.dtMs() + "] Hz (at most one spike per step of " + prop.dtMs() + " ms)");
            }
        }
        inputProbability.copyFrom(prob);
        for (LayerState s : states) {
            s.lif.reset();
            s.counts.fill(0f);
        }
        LayerState out = states.getLast();
        float[][][] cumulative = new float[ms][images][outputs];
        long[] layerSpikes = new long[states.size() + 1];
        long events = 0;
        // the rows of the real images: one draw per step for all of them, image b keyed by stream firstImage + b
        int[] rowsShape = {images, inputShape[0], inputShape[1], inputShape[2]};
        Tensor imageProb = inputProbability.view(0, rowsShape);
        Tensor imageSpikes = inputSpikes.view(0, rowsShape);
        if (images < batch) {
            inputSpikes.fill(0f);
        }
        long step = 0;
        for (int m = 0; m < ms; m++) {
            for (int k = 0; k < stepsPerMs; k++, step++) {
                kernels.bernoulliSpikeRows(seed, firstImage, step, imageProb, imageSpikes);
                Tensor prev = inputSpikes;
                for (LayerState s : states) {
                    s.exc.fill(0f);
                    s.inh.fill(0f);
                    switch (s.layer) {
                        case Conv c -> kernels.spikeConv2dAccumulate(prev, s.weights, s.exc, s.inh);
                        case Pool p -> kernels.spikePool2x2Accumulate(prev, p.weightNa(), s.exc, s.inh);
                        case Dense d -> kernels.spikeDenseAccumulate(prev.reshape(batch, d.inputs()), s.weights, s.exc, s.inh);
                    }
                    int n = s.lif.neurons();
                    kernels.lifRun(prop, s.lif, 1,
                            new LifInputs(null, null, s.exc.reshape(1, n), s.inh.reshape(1, n)),
                            s.spikes.reshape(1, n), s.counts);
                    prev = s.spikes;
                }
                if (progress != null) {
                    progress.step(step + 1, totalSteps);
                }
            }
            // straight from the tensor's memory: no copy of the whole layer per millisecond
            MemorySegment c = out.counts.segment();
            for (int b = 0; b < images; b++) {
                MemorySegment.copy(c, ValueLayout.JAVA_FLOAT, (long) b * outputs * Float.BYTES, cumulative[m][b], 0, outputs);
            }
        }
        // statistics over the real images of the batch; the input's spikes are their expectation (rates x time)
        double inputSpikes = 0;
        for (int i = 0; i < ratesHz.length; i++) {
            inputSpikes += ratesHz[i] * durationMs / 1000.0;
        }
        layerSpikes[0] = Math.round(inputSpikes);
        int[] neurons = new int[states.size() + 1];
        neurons[0] = perImage;
        long prevSpikes = layerSpikes[0];
        for (int l = 0; l < states.size(); l++) {
            LayerState s = states.get(l);
            float[] c = s.counts.toArray();
            long sum = 0;
            for (int i = 0; i < images * s.neuronsPerImage; i++) {
                sum += (long) c[i];
            }
            layerSpikes[l + 1] = sum;
            neurons[l + 1] = s.neuronsPerImage;
            events += prevSpikes * s.fanOut;
            prevSpikes = sum;
        }
        return new Result(images, outputs, ms, cumulative, layerSpikes, neurons, events, durationMs);
    }

    @Override
    public void close() {
        for (LayerState s : states) {
            s.close();
        }
        inputProbability.close();
        inputSpikes.close();
    }
}
