package dev.nsp.nn;

import dev.nsp.model.Architecture;
import dev.nsp.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Every tensor one batch of a {@link Network} needs: the input, each layer's outputs, intermediate values
 * and gradients, the probabilities and the weight gradients. Allocated once per batch size
 * ({@link Network#newWorkspace}) and reused for every batch, so the training loop allocates nothing.
 *
 * <p>Not thread-safe: one workspace per thread. Close it to free its off-heap memory.
 */
public final class Workspace implements AutoCloseable {
    private final Network owner;
    private final int batchSize;
    private final Tensor input;
    private final Tensor[] inputs;      // per layer: its input (views for the dense layer)
    private final Tensor[] gradInputs;  // per layer: d loss / d its input, null for layer 0
    private final LayerBuffers[] buffers;
    private final Tensor probabilities;
    private final int[] labels;
    private final List<Tensor> owned = new ArrayList<>();

    Workspace(Network owner, int batchSize, NetworkLayer[] layers, Architecture arch) {
        this.owner = owner;
        this.batchSize = batchSize;
        this.inputs = new Tensor[layers.length];
        this.gradInputs = new Tensor[layers.length];
        this.buffers = new LayerBuffers[layers.length];
        this.labels = new int[batchSize];
        boolean ok = false;
        try {
            this.input = own(Tensor.zeros(withBatch(batchSize, arch.inputShape(0))));
            Tensor prevOut = input;
            Tensor prevGrad = null;
            for (int i = 0; i < layers.length; i++) {
                LayerBuffers b = layers[i].allocate(withBatch(batchSize, arch.outputShape(i)));
                buffers[i] = b;
                for (Tensor t : new Tensor[] {b.out(), b.pre(), b.sigma(), b.gradOut(), b.gradPre(), b.gradSigma(),
                        b.gradWeights()}) {
                    if (t != null) {
                        own(t);
                    }
                }
                if (layers[i] instanceof DenseLayer && prevOut.rank() != 2) {
                    int features = (int) (prevOut.size() / batchSize);
                    inputs[i] = prevOut.reshape(batchSize, features);
                    gradInputs[i] = prevGrad == null ? null : prevGrad.reshape(batchSize, features);
                } else {
                    inputs[i] = prevOut;
                    gradInputs[i] = prevGrad;
                }
                prevOut = b.out();
                prevGrad = b.gradOut();
            }
            this.probabilities = own(Tensor.zeros(batchSize, arch.classes()));
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    static int[] withBatch(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** {@return the number of images per batch} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return the network this workspace belongs to} */
    public Network network() {
        return owner;
    }

    /**
     * {@return the input batch [N, C, H, W] (live): write the encoded images here, activations {@code a = pixel/255 * inputScale} ({@link Network#inputScale()})}
     */
    public Tensor input() {
        return input;
    }

    /** {@return the labels of the batch (live array of length N): write them before computing a loss} */
    public int[] labels() {
        return labels;
    }

    /** {@return the logits [N, classes] (live), valid after a forward pass} */
    public Tensor logits() {
        return buffers[buffers.length - 1].out();
    }

    /** {@return the softmax probabilities [N, classes] (live), valid after {@link Network#loss}} */
    public Tensor probabilities() {
        return probabilities;
    }

    /**
     * {@return that layer's output [N, ...] (live), valid after a forward pass}
     *
     * @param layer a layer index
     */
    public Tensor output(int layer) {
        return buffers[layer].out();
    }

    /**
     * {@return that layer's mean input current x [N, ...] (live), or null where the layer has none (plain pooling, the output layer)}
     *
     * @param layer a layer index
     */
    public Tensor mean(int layer) {
        return buffers[layer].pre();
    }

    /**
     * {@return that layer's input noise sigma [N, ...] (live, noisy-softplus only), or null}
     *
     * @param layer a layer index
     */
    public Tensor sigma(int layer) {
        return buffers[layer].sigma();
    }

    /**
     * {@return d loss / d weights of that layer, summed over the batch (live), valid after {@link Network#lossAndGradients}; null for pooling}
     *
     * @param layer a layer index
     */
    public Tensor weightGradient(int layer) {
        return buffers[layer].gradWeights();
    }

    Tensor layerInput(int layer) {
        return inputs[layer];
    }

    Tensor layerGradInput(int layer) {
        return gradInputs[layer];
    }

    LayerBuffers buffers(int layer) {
        return buffers[layer];
    }

    /** Frees every tensor. Closing twice is harmless. */
    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
    }
}
