package dev.nsp.snn;

import dev.nsp.data.Dataset;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.Layer;
import dev.nsp.model.SavedModel;
import dev.nsp.nn.Network;
import dev.nsp.nn.Workspace;
import dev.nsp.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Converts a trained model to a spiking network of Table 1 neurons (SPEC section 5).
 *
 * <ul>
 *   <li>{@code noisy-softplus}: the trained weights are the synaptic weights in nA, unchanged: an
 *       activation is a rate times tau_s, so a weighted sum of activations is the mean synaptic current
 *       (SPEC eq. 4) and the unit's output already is the LIF neuron's rate scaled by tau_s.</li>
 *   <li>{@code relu} and {@code softplus}: data-based normalisation (Diehl et al. 2015): with lambda_l
 *       the largest (or the 99.9th percentile) activation of weighted layer l over training images and
 *       lambda_0 = the largest input activation, weights become
 *       {@code W_l lambda_{l-1} / lambda_l}, so every layer's activations stay within [0, 1], i.e. rates up to
 *       1 / tau_s = 200 Hz; the normalised weights are then used as nA as for Noisy Softplus.
 *       Pooling layers average and do not change the scale.</li>
 *   <li>Pooling neurons get four synapses of 1/4 nA each.</li>
 * </ul>
 */
public final class Conversion {
    /** The weight of each pooling synapse, nA (SPEC section 5). */
    public static final float POOL_WEIGHT_NA = 0.25f;

    private Conversion() {
    }

    /** How the activations of a layer are summarised for normalisation. */
    public enum Normalisation {
        /** The largest activation. */
        MAX,
        /** The 99.9th percentile (Rueckauer et al. 2017): robust to outliers. */
        PERCENTILE_99_9
    }

    /**
     * The spiking layers of a model.
     *
     * @param model the trained model
     * @param layerScales for relu/softplus models, lambda_l for every layer (pooling entries are ignored)
     *        and lambda_0 for the input at index 0, so {@code layers + 1} values, each {@code > 0}; ignored
     *        (may be null) for noisy-softplus models
     * @return the layers for {@link SpikingNetwork}
     */
    public static List<SpikingNetwork.Layer> toSpiking(SavedModel model, double[] layerScales) {
        Architecture arch = model.architecture();
        List<Layer> layers = arch.layers();
        boolean normalise = model.activation().kind() != Activation.Kind.NOISY_SOFTPLUS;
        if (normalise) {
            if (layerScales == null || layerScales.length != layers.size() + 1) {
                throw new IllegalArgumentException("layerScales: " + (layerScales == null ? "null" : layerScales.length + " values")
                        + ", a " + model.activation().kind().id() + " model needs " + (layers.size() + 1));
            }
            for (int i = 0; i < layerScales.length; i++) {
                if (!(layerScales[i] > 0) || Double.isInfinite(layerScales[i])) {
                    throw new IllegalArgumentException("layerScales[" + i + "]: " + layerScales[i] + ", must be finite and > 0");
                }
            }
        }
        List<SpikingNetwork.Layer> out = new ArrayList<>();
        double previousScale = normalise ? layerScales[0] : 1;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            float[] w = model.weights(i);
            double factor = 1;
            if (normalise && !(l instanceof Layer.Pool2x2)) {
                factor = previousScale / layerScales[i + 1];
                previousScale = layerScales[i + 1];
            }
            switch (l) {
                case Layer.Conv c -> out.add(new SpikingNetwork.Conv(scaled(w, factor), c.out(), c.in(), c.kh(), c.kw()));
                case Layer.Pool2x2 p -> out.add(new SpikingNetwork.Pool(POOL_WEIGHT_NA));
                case Layer.Dense d -> out.add(new SpikingNetwork.Dense(scaled(w, factor), d.out(), d.in()));
            }
        }
        return out;
    }

    private static float[] scaled(float[] w, double factor) {
        float[] r = w.clone();
        if (factor != 1) {
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (r[i] * factor);
            }
        }
        return r;
    }

    /**
     * Summarises a sample of activations.
     *
     * @param values activations of one layer over many images (not modified)
     * @param how max or 99.9th percentile
     * @return the summary, at least the smallest positive float (a silent layer keeps its weights)
     */
    public static double summarise(float[] values, Normalisation how) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values: empty, activations are required");
        }
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                throw new IllegalArgumentException("values: element " + i + " is NaN, activations must be numbers");
            }
        }
        double v;
        if (how == Normalisation.MAX) {
            float m = Float.NEGATIVE_INFINITY;
            for (float x : values) {
                m = Math.max(m, x);
            }
            v = m;
        } else {
            float[] s = values.clone();
            Arrays.sort(s);
            int idx = (int) Math.ceil(0.999 * s.length) - 1;
            v = s[Math.max(0, Math.min(s.length - 1, idx))];
        }
        return Math.max(v, Float.MIN_NORMAL);
    }

    /**
     * The activation scales lambda of a network for {@link #toSpiking}: the input's and every weighted
     * layer's outputs (after the activation; the logits for the output layer) summarised over the first
     * {@code images} images of {@code data}.
     *
     * @param network the trained network
     * @param data images (normally the training set)
     * @param images how many images to use, {@code >= 1}
     * @param how max or 99.9th percentile
     * @return {@code layers + 1} scales; pooling entries repeat the previous layer's scale (unused)
     */
    public static double[] layerScales(Network network, Dataset data, int images, Normalisation how) {
        int n = Math.min(images, data.count());
        if (n < 1) {
            throw new IllegalArgumentException("images: " + images + ", must be >= 1 and the data set non-empty");
        }
        List<Layer> layers = network.architecture().layers();
        int batch = Math.min(100, n);
        float[][] samples = new float[layers.size() + 1][];
        int[] filled = new int[layers.size() + 1];
        try (Workspace ws = network.newWorkspace(batch)) {
            int[] idx = new int[batch];
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                for (int b = 0; b < batch; b++) {
                    idx[b] = from + Math.min(b, count - 1);
                }
                data.fillBatch(idx, 0, (float) network.inputScale(), ws.input());
                network.infer(ws);
                collect(samples, filled, 0, ws.input(), count, n);
                for (int l = 0; l < layers.size(); l++) {
                    collect(samples, filled, l + 1, ws.output(l), count, n);
                }
            }
        }
        double[] scales = new double[layers.size() + 1];
        for (int l = 0; l <= layers.size(); l++) {
            scales[l] = summarise(Arrays.copyOf(samples[l], filled[l]), how);
        }
        return scales;
    }

    private static void collect(float[][] samples, int[] filled, int slot, Tensor t, int count, int total) {
        int per = (int) (t.size() / t.dim(0));
        if (samples[slot] == null) {
            samples[slot] = new float[per * total];
        }
        float[] all = t.toArray();
        System.arraycopy(all, 0, samples[slot], filled[slot], per * count);
        filled[slot] += per * count;
    }
}
