package dev.nsp.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A trained network as stored by {@link ModelFile}: plain data that training and conversion code
 * turn into their own network classes.
 *
 * <p>{@code weights.get(i)} belongs to {@code architecture.layers().get(i)}: the layer's weights in
 * row-major order of {@link Layer#weightShape()} ({@code [out, in, kh, kw]} or {@code [out, in]}), and
 * an empty array for a pooling layer. Weights are in nA for a noisy-softplus net (SPEC section 5).
 * The arrays are copied on construction and by {@link #weights()}, so a SavedModel never changes.
 *
 * @param architecture the layers
 * @param activation the activation function and its parameters
 * @param inputScale the activation of a full-ink pixel, {@code K tau_s} (1.0 for K = 200 Hz, tau_s = 5 ms)
 * @param training how the model was trained
 * @param weights one array per layer, see above; every value finite
 */
public record SavedModel(Architecture architecture, Activation activation, double inputScale, TrainingInfo training,
                         List<float[]> weights) {

    /** Validates the weight counts against the architecture and copies the arrays. */
    public SavedModel {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(weights, "weights");
        if (!Double.isFinite(inputScale) || !(inputScale > 0)) {
            throw new IllegalArgumentException("inputScale: " + inputScale + ", must be finite and > 0");
        }
        List<Layer> layers = architecture.layers();
        if (weights.size() != layers.size()) {
            throw new IllegalArgumentException("weights: " + weights.size() + " arrays for " + layers.size()
                    + " layers (" + architecture.spec() + "); give an empty array for a pooling layer");
        }
        List<float[]> copy = new ArrayList<>(weights.size());
        for (int i = 0; i < layers.size(); i++) {
            float[] w = Objects.requireNonNull(weights.get(i), "weights[" + i + "]");
            Layer l = layers.get(i);
            if (w.length != l.weightCount()) {
                throw new IllegalArgumentException("weights[" + i + "]: length " + w.length + ", layer " + l.token()
                        + " needs " + l.weightCount() + " " + Arrays.toString(l.weightShape()));
            }
            for (int j = 0; j < w.length; j++) {
                if (!Float.isFinite(w[j])) {
                    throw new IllegalArgumentException("weights[" + i + "][" + j + "]: " + w[j] + ", must be finite");
                }
            }
            copy.add(w.clone());
        }
        weights = List.copyOf(copy);
    }

    /** {@return a copy of every layer's weights (empty arrays for pooling layers)} */
    @Override
    public List<float[]> weights() {
        List<float[]> out = new ArrayList<>(weights.size());
        for (float[] w : weights) {
            out.add(w.clone());
        }
        return out;
    }

    /**
     * {@return a copy of that layer's weights}
     *
     * @param layer a layer index
     */
    public float[] weights(int layer) {
        return weights.get(layer).clone();
    }

    /** Equal when every component and every weight (bit for bit) is equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SavedModel m)) {
            return false;
        }
        if (!architecture.equals(m.architecture) || !activation.equals(m.activation)
                || Double.compare(inputScale, m.inputScale) != 0 || !training.equals(m.training)) {
            return false;
        }
        for (int i = 0; i < weights.size(); i++) {
            if (!Arrays.equals(weights.get(i), m.weights.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(architecture, activation, inputScale, training);
        for (float[] w : weights) {
            h = 31 * h + Arrays.hashCode(w);
        }
        return h;
    }

    @Override
    public String toString() {
        return "SavedModel[" + architecture + ", " + activation.kind().id() + ", " + architecture.weightCount()
                + " weights, " + training.epochs() + " epochs]";
    }
}
