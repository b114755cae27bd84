package dev.nsp.nn;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A convolutional network of Noisy Softplus (or relu, or softplus) units without biases, as in the paper:
 * e.g. {@code 6c5-2s-12c5-2s-10} (see {@link Architecture}), with a softmax over the logits of the dense
 * output layer.
 *
 * <p>Per unit (SPEC section 4, {@link ActivationParams}): a convolution unit computes {@code x = W * a} and,
 * for noisy-softplus, {@code sigma = sqrt(W^2/2 * |a|)}, then {@code a_out = p f(x, sigma)}. Pooling units
 * of noisy-softplus networks are Noisy Softplus units with the fixed weight 1/(4p); in relu and softplus
 * networks pooling is plain average pooling with no activation. The dense layer's output are the logits.
 *
 * <p>All heavy work goes through the {@link Kernels} SPI, so the network runs on whichever backend it was
 * given. The weights live in off-heap tensors owned by the network; per-batch tensors live in a
 * {@link Workspace}. Not thread-safe. Close it to free the weights (the kernels are not closed).
 */
public final class Network implements AutoCloseable {
    private final Architecture architecture;
    private final ActivationParams activation;
    private final Kernels kernels;
    private final Layer[] layers;

    private Network(Architecture architecture, ActivationParams activation, Kernels kernels, List<float[]> weights) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.activation = Objects.requireNonNull(activation, "activation");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        List<LayerSpec> specs = architecture.layers();
        this.layers = new Layer[specs.size()];
        Units units = new Units(activation);
        int w = 0;
        boolean ok = false;
        try {
            for (int i = 0; i < specs.size(); i++) {
                int[] in = architecture.inputShape(i);
                switch (specs.get(i)) {
                    case LayerSpec.Conv c -> layers[i] = new ConvLayer(c,
                            tensor(i, weights.get(w++), c.maps(), in[0], c.kernel(), c.kernel()), units);
                    case LayerSpec.Pool p -> layers[i] = new PoolLayer(p, units, (float) activation.poolWeight());
                    case LayerSpec.Dense d -> layers[i] = new DenseLayer(d,
                            tensor(i, weights.get(w++), d.outputs(), product(in)));
                }
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private static Tensor tensor(int layer, float[] values, int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (values == null) {
            throw new NullPointerException("weights: layer " + layer + " needs " + n + " weights, got null");
        }
        if (values.length != n) {
            throw new IllegalArgumentException("weights: layer " + layer + " needs " + n + " weights "
                    + Arrays.toString(shape) + ", got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("weights: layer " + layer + " element " + i + " is " + values[i]
                        + ", must be finite");
            }
        }
        return Tensor.of(values, shape);
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * A network with random weights on the default backend ({@link Backends#get()}).
     *
     * @see #initialize(Architecture, ActivationParams, long, Kernels)
     */
    public static Network initialize(Architecture architecture, ActivationParams activation, long seed) {
        return initialize(architecture, activation, seed, Backends.get());
    }

    /**
     * A network with random weights: every weight of a layer with fan-in n (inputs per unit) is drawn
     * uniformly from {@code [-b, b]}, {@code b = sqrt(6 / n)} (He et al. 2015: variance 2/n), from a
     * {@link SplittableRandom} seeded with {@code seed}, layer by layer in row-major order. The same seed
     * gives the same weights on every backend.
     *
     * @param architecture the layers
     * @param activation the activation and its parameters
     * @param seed the random seed
     * @param kernels the backend that will run the network
     * @return a network the caller closes
     */
    public static Network initialize(Architecture architecture, ActivationParams activation, long seed,
                                     Kernels kernels) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> weights = new ArrayList<>();
        List<LayerSpec> specs = architecture.layers();
        for (int i = 0; i < specs.size(); i++) {
            int[] in = architecture.inputShape(i);
            int fanIn;
            int count;
            switch (specs.get(i)) {
                case LayerSpec.Conv c -> {
                    fanIn = in[0] * c.kernel() * c.kernel();
                    count = c.maps() * fanIn;
                }
                case LayerSpec.Dense d -> {
                    fanIn = product(in);
                    count = d.outputs() * fanIn;
                }
                case LayerSpec.Pool p -> {
                    continue;
                }
            }
            double bound = Math.sqrt(6.0 / fanIn);
            float[] w = new float[count];
            for (int j = 0; j < count; j++) {
                w[j] = (float) ((2 * rng.nextDouble() - 1) * bound);
            }
            weights.add(w);
        }
        return new Network(architecture, activation, kernels, weights);
    }

    /**
     * A network with given weights, e.g. a saved model.
     *
     * @param architecture the layers
     * @param activation the activation and its parameters
     * @param weights one row-major array per convolution and dense layer, in layer order (pooling layers have
     *                none), with the sizes {@link LayerParameters#weightShape()} gives; copied; finite
     * @param kernels the backend that will run the network
     * @return a network the caller closes
     * @throws IllegalArgumentException if a count or size does not match, or a weight is not finite
     */
    public static Network fromWeights(Architecture architecture, ActivationParams activation, List<float[]> weights,
                                      Kernels kernels) {
        Objects.requireNonNull(weights, "weights");
        long expected = architecture.layers().stream().filter(l -> !(l instanceof LayerSpec.Pool)).count();
        if (weights.size() != expected) {
            throw new IllegalArgumentException("weights: " + weights.size() + " arrays, architecture "
                    + architecture.spec() + " has " + expected + " layers with weights");
        }
        return new Network(architecture, activation, kernels, weights);
    }

    /** @return the architecture */
    public Architecture architecture() {
        return architecture;
    }

    /** @return the activation and its parameters */
    public ActivationParams activation() {
        return activation;
    }

    /** @return the backend the network runs on */
    public Kernels kernels() {
        return kernels;
    }

    /** @return the number of layers */
    public int layerCount() {
        return layers.length;
    }

    /**
     * Allocates the per-batch tensors for batches of {@code batchSize} images.
     *
     * @param batchSize images per batch, {@code >= 1}
     * @return a workspace the caller closes
     */
    public Workspace newWorkspace(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + ", must be >= 1");
        }
        return new Workspace(this, batchSize, layers, architecture);
    }

    private void check(Workspace ws) {
        if (ws.network() != this) {
            throw new IllegalArgumentException("ws: workspace belongs to another network");
        }
    }

    /**
     * Forward pass: from {@code ws.input()} to {@code ws.logits()}.
     *
     * @param ws a workspace of this network
     */
    public void infer(Workspace ws) {
        check(ws);
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(kernels, ws.layerInput(i), ws.buffers(i));
        }
    }

    /**
     * Forward pass and the softmax cross-entropy loss against {@code ws.labels()}; fills
     * {@code ws.probabilities()}.
     *
     * @param ws a workspace of this network
     * @return the mean loss over the batch (nats)
     */
    public float loss(Workspace ws) {
        infer(ws);
        return kernels.softmaxCrossEntropy(ws.logits(), ws.labels(), ws.probabilities(), null);
    }

    /**
     * Forward and backward pass: the mean loss over the batch and its gradient with respect to every weight
     * ({@link Workspace#weightGradient}).
     *
     * @param ws a workspace of this network, with input and labels filled in
     * @param mode how the noise level sigma is treated (ignored unless the activation is noisy-softplus)
     * @return the mean loss over the batch (nats)
     */
    public float lossAndGradients(Workspace ws, SigmaGrad mode) {
        Objects.requireNonNull(mode, "mode");
        infer(ws);
        LayerBuffers top = ws.buffers(layers.length - 1);
        float loss = kernels.softmaxCrossEntropy(ws.logits(), ws.labels(), ws.probabilities(), top.gradOut());
        for (int i = layers.length - 1; i >= 0; i--) {
            layers[i].backward(kernels, ws.layerInput(i), ws.buffers(i), ws.layerGradInput(i), mode);
        }
        return loss;
    }

    /**
     * The live weight tensors, one per convolution and dense layer in layer order, aligned with
     * {@link #gradients(Workspace)}. For optimisers: change them only between batches.
     *
     * @return the weight tensors
     */
    public List<Tensor> weightTensors() {
        List<Tensor> out = new ArrayList<>();
        for (Layer l : layers) {
            if (l.weights() != null) {
                out.add(l.weights());
            }
        }
        return out;
    }

    /**
     * @param ws a workspace of this network
     * @return the live weight gradient tensors of {@code ws}, aligned with {@link #weightTensors()}
     */
    public List<Tensor> gradients(Workspace ws) {
        check(ws);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i].weights() != null) {
                out.add(ws.weightGradient(i));
            }
        }
        return out;
    }

    /**
     * @return a copy of every convolution and dense layer's weights, in layer order: the argument
     *         {@link #fromWeights} takes
     */
    public List<float[]> weights() {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : weightTensors()) {
            out.add(t.toArray());
        }
        return out;
    }

    /** @return per layer, its shapes, a copy of its weights and its activation flags (for saving and conversion) */
    public List<LayerParameters> parameters() {
        List<LayerParameters> out = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            Tensor w = l.weights();
            float poolWeight = l instanceof PoolLayer p ? p.weight() : Float.NaN;
            out.add(new LayerParameters(i, l.spec(), architecture.inputShape(i), architecture.outputShape(i),
                    w == null ? null : w.shape(), w == null ? null : w.toArray(), poolWeight, l.activated()));
        }
        return out;
    }

    /** Frees the weights. Closing twice is harmless. */
    @Override
    public void close() {
        for (Layer l : layers) {
            if (l != null && l.weights() != null) {
                l.weights().close();
            }
        }
    }

    @Override
    public String toString() {
        return "Network " + architecture + ", " + activation.kind() + " on " + kernels.name();
    }
}
