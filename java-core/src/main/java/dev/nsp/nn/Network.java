package dev.nsp.nn;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.Layer;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import dev.nsp.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A trainable feed-forward network of Noisy Softplus (or relu, or softplus) units without biases, as in the
 * paper: e.g. {@code 6c5-2s-12c5-2s-10} ({@link Architecture}), with a softmax over the logits of the dense
 * output layer.
 *
 * <p>Per unit (SPEC section 4): a convolution (or hidden dense) unit computes {@code x = W * a} and, for
 * noisy-softplus, {@code sigma = sqrt(W^2/2 * |a|)}, then {@code a_out = p f(x, sigma)}; softplus units
 * compute {@code p k s log(1 + exp(x / (k s)))} with the fixed s = softplusSigma, relu units
 * {@code p max(x, 0)}. Pooling units of noisy-softplus networks are Noisy Softplus units with the fixed
 * weight 1/(4p) ({@link #poolWeight()}); in relu and softplus networks pooling is plain average pooling
 * with no activation. The dense output layer's outputs are the logits. Input pixels are encoded as
 * {@code a = pixel/255 * inputScale}.
 *
 * <p>All heavy work goes through the {@link Kernels} SPI, so the network runs on whichever backend it was
 * given. The weights live in off-heap tensors owned by the network; per-batch tensors live in a
 * {@link Workspace}. Not thread-safe. Close it to free the weights (the kernels are not closed).
 */
public final class Network implements AutoCloseable {
    private final Architecture architecture;
    private final Activation activation;
    private final double inputScale;
    private final Kernels kernels;
    private final NetworkLayer[] layers;
    private final float poolWeight;

    /** @param weights one array per layer, empty for pooling layers */
    private Network(Architecture architecture, Activation activation, double inputScale, Kernels kernels,
                    List<float[]> weights) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.activation = Objects.requireNonNull(activation, "activation");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        if (!(inputScale > 0) || !Double.isFinite(inputScale)) {
            throw new IllegalArgumentException("inputScale: " + inputScale + ", must be finite and > 0");
        }
        this.inputScale = inputScale;
        Units units = new Units(activation);
        this.poolWeight = (float) (activation.kind() == Activation.Kind.NOISY_SOFTPLUS ? 1 / (4 * activation.p()) : 0.25);
        if (!(poolWeight > 0) || Float.isInfinite(poolWeight)) {
            throw new IllegalArgumentException("activation: p = " + activation.p() + " gives no usable pooling weight");
        }
        List<Layer> specs = architecture.layers();
        if (weights.size() != specs.size()) {
            throw new IllegalArgumentException("weights: " + weights.size() + " arrays for " + specs.size()
                    + " layers (" + architecture.spec() + "); give an empty array for a pooling layer");
        }
        this.layers = new NetworkLayer[specs.size()];
        boolean ok = false;
        try {
            for (int i = 0; i < specs.size(); i++) {
                Layer l = specs.get(i);
                boolean last = i == specs.size() - 1;
                layers[i] = switch (l) {
                    case Layer.Conv c -> new ConvLayer(c, tensor(i, weights.get(i), l.weightShape()), units);
                    case Layer.Pool2x2 p -> {
                        if (weights.get(i) == null || weights.get(i).length != 0) {
                            throw new IllegalArgumentException("weights: layer " + i + " (2s) has no weights, give an "
                                    + "empty array");
                        }
                        yield new PoolLayer(units, poolWeight);
                    }
                    case Layer.Dense d -> new DenseLayer(d, tensor(i, weights.get(i), l.weightShape()),
                            last ? null : units);
                };
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private static Tensor tensor(int layer, float[] values, int[] shape) {
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

    /**
     * A network with random weights on the default backend ({@link Backends#get()}).
     *
     * @param architecture the layers
     * @param activation the hidden units' activation
     * @param inputScale the largest input value, for the initialisation's scale
     * @param seed the seed of the random weights
     * @return the network, which the caller closes
     * @see #initialize(Architecture, Activation, double, long, Kernels)
     */
    public static Network initialize(Architecture architecture, Activation activation, double inputScale, long seed) {
        return initialize(architecture, activation, inputScale, seed, Backends.get());
    }

    /**
     * A network with random weights: every weight of a layer with fan-in n (inputs per unit) is drawn
     * uniformly from {@code [-b, b]}, {@code b = sqrt(6 / n)} (variance 2/n, He et al. 2015), from one
     * {@link SplittableRandom} seeded with {@code seed}, layer by layer in row-major order. The same seed
     * gives the same weights on every backend.
     *
     * @param architecture the layers
     * @param activation the activation and its parameters ({@link Defaults#activation})
     * @param inputScale the activation of a full-ink pixel, {@code K tau_s} ({@link Defaults#INPUT_SCALE})
     * @param seed the random seed
     * @param kernels the backend that will run the network
     * @return a network the caller closes
     */
    public static Network initialize(Architecture architecture, Activation activation, double inputScale, long seed,
                                     Kernels kernels) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> weights = new ArrayList<>();
        for (Layer l : architecture.layers()) {
            int[] shape = l.weightShape();
            float[] w = new float[(int) l.weightCount()];
            if (w.length > 0) {
                int fanIn = w.length / shape[0];
                double bound = Math.sqrt(6.0 / fanIn);
                for (int j = 0; j < w.length; j++) {
                    w[j] = (float) ((2 * rng.nextDouble() - 1) * bound);
                }
            }
            weights.add(w);
        }
        return new Network(architecture, activation, inputScale, kernels, weights);
    }

    /**
     * A network with the weights of a saved model.
     *
     * @param model the model (its weights are copied)
     * @param kernels the backend that will run the network
     * @return a network the caller closes
     * @throws IllegalArgumentException if the activation's parameters do not fit the kernels' float arguments
     */
    public static Network fromModel(SavedModel model, Kernels kernels) {
        return new Network(model.architecture(), model.activation(), model.inputScale(), kernels, model.weights());
    }

    /**
     * The network as a saved model (for {@link dev.nsp.model.ModelFile} and the conversion to a spiking
     * network).
     *
     * @param training how it was trained
     * @return a snapshot of the current weights
     */
    public SavedModel toModel(TrainingInfo training) {
        return new SavedModel(architecture, activation, inputScale, training, weights());
    }

    /** {@return the architecture} */
    public Architecture architecture() {
        return architecture;
    }

    /** {@return the activation and its parameters} */
    public Activation activation() {
        return activation;
    }

    /** {@return the activation of a full-ink pixel ({@code K tau_s}): inputs are {@code pixel / 255 * inputScale}} */
    public double inputScale() {
        return inputScale;
    }

    /** {@return the weight of every pooling synapse in this ANN: 1/(4p) for noisy-softplus, else 1/4} */
    public float poolWeight() {
        return poolWeight;
    }

    /** {@return the backend the network runs on} */
    public Kernels kernels() {
        return kernels;
    }

    /** {@return the number of layers} */
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
     * ({@link #gradients(Workspace)}).
     *
     * @param ws a workspace of this network, with input and labels filled in
     * @param mode how the noise level sigma is treated (irrelevant unless the activation is noisy-softplus)
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
     * The live weight tensors of the layers that have weights, in layer order, aligned with
     * {@link #gradients(Workspace)}. For optimisers: change them only between batches.
     *
     * @return the weight tensors
     */
    public List<Tensor> weightTensors() {
        List<Tensor> out = new ArrayList<>();
        for (NetworkLayer l : layers) {
            if (l.weights() != null) {
                out.add(l.weights());
            }
        }
        return out;
    }

    /**
     * {@return the live weight gradients of {@code ws} (valid after {@link #lossAndGradients}), aligned with {@link #weightTensors()}}
     *
     * @param ws a workspace of this network
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
     * {@return a copy of every layer's weights in the layout of {@link SavedModel#weights()}: one row-major array per layer, empty for pooling layers}
     */
    public List<float[]> weights() {
        List<float[]> out = new ArrayList<>();
        for (NetworkLayer l : layers) {
            out.add(l.weights() == null ? new float[0] : l.weights().toArray());
        }
        return out;
    }

    /** Frees the weights. Closing twice is harmless. */
    @Override
    public void close() {
        for (NetworkLayer l : layers) {
            if (l != null && l.weights() != null) {
                l.weights().close();
            }
        }
    }

    @Override
    public String toString() {
        return "Network " + architecture + ", " + activation.kind().id() + " on " + kernels.name();
    }
}
