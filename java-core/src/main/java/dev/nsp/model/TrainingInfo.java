package dev.nsp.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a model was trained (for the record; loading does not depend on it).
 *
 * @param epochs training epochs run, {@code >= 0}
 * @param learningRate the SGD learning rate, finite and {@code >= 0}
 * @param batchSize the minibatch size, {@code >= 1}
 * @param seed the random seed
 * @param backend the kernel backend used, e.g. "vector" (may be empty)
 * @param notes free-form key/value pairs in insertion order (e.g. "sigma-gradient" = "full",
 *        "test-accuracy" = "0.9703"); copied, unmodifiable
 */
public record TrainingInfo(int epochs, double learningRate, int batchSize, long seed, String backend,
                           Map<String, String> notes) {

    /** Validates the ranges and copies the notes. */
    public TrainingInfo {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs: " + epochs + ", must be >= 0");
        }
        if (!Double.isFinite(learningRate) || learningRate < 0) {
            throw new IllegalArgumentException("learningRate: " + learningRate + ", must be finite and >= 0");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + ", must be >= 1");
        }
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(notes, "notes");
        Map<String, String> copy = new LinkedHashMap<>();
        notes.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "notes key"), Objects.requireNonNull(v, "notes[" + k + "]")));
        notes = Collections.unmodifiableMap(copy);
    }

    /**
     * {@return training info without notes}
     *
     * @param epochs the epochs trained
     * @param learningRate the learning rate
     * @param batchSize the batch size
     * @param seed the seed
     * @param backend the backend's name
     */
    public static TrainingInfo of(int epochs, double learningRate, int batchSize, long seed, String backend) {
        return new TrainingInfo(epochs, learningRate, batchSize, seed, backend, Map.of());
    }
}
