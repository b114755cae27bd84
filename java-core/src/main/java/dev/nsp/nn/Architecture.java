package dev.nsp.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network architecture described by a spec string such as {@code 6c5-2s-12c5-2s-10} (the paper's net):
 * tokens separated by {@code -}, each one of
 * <ul>
 *   <li>{@code <maps>c<kernel>}: a convolution with {@code maps} output channels and {@code kernel x kernel}
 *       kernels (valid padding, stride 1, no bias), followed by the activation;</li>
 *   <li>{@code 2s}: 2x2 pooling with stride 2 (the spatial size must be even there);</li>
 *   <li>{@code <outputs>}: the fully connected output layer (no bias) that feeds the softmax; it must be
 *       the last token and appear exactly once.</li>
 * </ul>
 * The input is {@code channels x height x width} (1 x 28 x 28 for MNIST by default). Hidden dense layers
 * are not supported. Immutable.
 */
public final class Architecture {
    /** The paper's network (SPEC section 4). */
    public static final String PAPER = "6c5-2s-12c5-2s-10";
    /** The wider network of Liu's thesis. */
    public static final String WIDE = "16c5-2s-64c5-2s-10";
    /** Largest number of maps or outputs of one layer. */
    static final int MAX_UNITS = 1 << 16;
    /** Largest input side or kernel side. */
    static final int MAX_SIZE = 1 << 12;

    private static final Pattern CONV = Pattern.compile("(\\d{1,9})c(\\d{1,9})");
    private static final Pattern POOL = Pattern.compile("(\\d{1,9})s");
    private static final Pattern DENSE = Pattern.compile("\\d{1,9}");

    private final List<LayerSpec> layers;
    private final int[] inputShape;
    private final List<int[]> outputShapes;

    private Architecture(List<LayerSpec> layers, int[] inputShape, List<int[]> outputShapes) {
        this.layers = List.copyOf(layers);
        this.inputShape = inputShape;
        this.outputShapes = outputShapes;
    }

    /**
     * Parses a spec for 1 x 28 x 28 inputs (MNIST).
     *
     * @param spec e.g. {@code 6c5-2s-12c5-2s-10}
     * @return the architecture
     * @throws IllegalArgumentException naming the offending token and why it is wrong
     */
    public static Architecture parse(String spec) {
        return parse(spec, 1, 28, 28);
    }

    /**
     * Parses a spec for inputs of the given shape.
     *
     * @param spec e.g. {@code 6c5-2s-12c5-2s-10}
     * @param channels input channels, {@code >= 1}
     * @param height input height in pixels, {@code >= 1}
     * @param width input width in pixels, {@code >= 1}
     * @return the architecture
     * @throws IllegalArgumentException naming the offending token and why it is wrong
     */
    public static Architecture parse(String spec, int channels, int height, int width) {
        checkRange("channels", channels, 1, MAX_UNITS);
        checkRange("height", height, 1, MAX_SIZE);
        checkRange("width", width, 1, MAX_SIZE);
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("spec: empty; expected e.g. " + PAPER);
        }
        String[] tokens = spec.trim().toLowerCase(Locale.ROOT).split("-", -1);
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i].trim();
            String where = "spec: token " + (i + 1) + " '" + t + "' of '" + spec + "'";
            try {
                layers.add(token(t, where));
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith("spec:")) {
                    throw e;
                }
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return of(layers, channels, height, width, spec);
    }

    /**
     * An architecture from layers.
     *
     * @param layers the layers; the last one, and only it, must be {@link LayerSpec.Dense}
     * @param channels input channels
     * @param height input height
     * @param width input width
     * @return the architecture
     */
    public static Architecture of(List<LayerSpec> layers, int channels, int height, int width) {
        checkRange("channels", channels, 1, MAX_UNITS);
        checkRange("height", height, 1, MAX_SIZE);
        checkRange("width", width, 1, MAX_SIZE);
        return of(layers, channels, height, width, null);
    }

    private static LayerSpec token(String t, String where) {
        Matcher m;
        if ((m = CONV.matcher(t)).matches()) {
            return new LayerSpec.Conv(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        if ((m = POOL.matcher(t)).matches()) {
            return new LayerSpec.Pool(Integer.parseInt(m.group(1)));
        }
        if (DENSE.matcher(t).matches()) {
            return new LayerSpec.Dense(Integer.parseInt(t));
        }
        throw new IllegalArgumentException(where + " is not a layer; expected <maps>c<kernel> (e.g. 6c5), 2s,"
                + " or the number of outputs as the last token (e.g. 10)");
    }

    private static Architecture of(List<LayerSpec> layers, int channels, int height, int width, String spec) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("layers: at least the output layer is required");
        }
        String name = spec == null ? "layers" : "spec '" + spec + "'";
        int c = channels;
        int h = height;
        int w = width;
        List<int[]> shapes = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String where = name + ", layer " + (i + 1) + " (" + (l == null ? "null" : l.token()) + ")";
            boolean last = i == layers.size() - 1;
            switch (l) {
                case null -> throw new NullPointerException(where + ": layer is required");
                case LayerSpec.Conv conv -> {
                    if (conv.kernel() > h || conv.kernel() > w) {
                        throw new IllegalArgumentException(where + ": kernel " + conv.kernel() + "x" + conv.kernel()
                                + " is larger than its input " + h + "x" + w);
                    }
                    c = conv.maps();
                    h = h - conv.kernel() + 1;
                    w = w - conv.kernel() + 1;
                    shapes.add(new int[] {c, h, w});
                }
                case LayerSpec.Pool pool -> {
                    if (h % 2 != 0 || w % 2 != 0) {
                        throw new IllegalArgumentException(where + ": 2x2 pooling needs an even input size, got "
                                + h + "x" + w);
                    }
                    h /= 2;
                    w /= 2;
                    shapes.add(new int[] {c, h, w});
                }
                case LayerSpec.Dense dense -> {
                    if (!last) {
                        throw new IllegalArgumentException(where + ": the dense output layer must be the last layer"
                                + " (hidden dense layers are not supported)");
                    }
                    shapes.add(new int[] {dense.outputs()});
                }
            }
            if (last && !(l instanceof LayerSpec.Dense)) {
                throw new IllegalArgumentException(where + ": the last layer must be the dense output layer,"
                        + " e.g. '-10' for 10 classes");
            }
        }
        return new Architecture(layers, new int[] {channels, height, width}, shapes);
    }

    private static void checkRange(String name, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(name + ": " + v + ", must be in [" + lo + ", " + hi + "]");
        }
    }

    /** @return the layers, in order; the last is {@link LayerSpec.Dense} */
    public List<LayerSpec> layers() {
        return layers;
    }

    /** @return the input shape {@code [channels, height, width]} (per image) */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /**
     * @param layer index in {@code [0, layers().size())}
     * @return that layer's output shape per image: {@code [channels, height, width]} or {@code [outputs]}
     */
    public int[] outputShape(int layer) {
        return outputShapes.get(layer).clone();
    }

    /**
     * @param layer index in {@code [0, layers().size())}
     * @return that layer's input shape per image
     */
    public int[] inputShape(int layer) {
        return layer == 0 ? inputShape() : outputShape(layer - 1);
    }

    /** @return the number of classes (outputs of the last layer) */
    public int outputs() {
        return ((LayerSpec.Dense) layers.getLast()).outputs();
    }

    /** @return the canonical spec string, e.g. {@code 6c5-2s-12c5-2s-10} */
    public String spec() {
        StringBuilder sb = new StringBuilder();
        for (LayerSpec l : layers) {
            if (!sb.isEmpty()) {
                sb.append('-');
            }
            sb.append(l.token());
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture a && a.layers.equals(layers) && Arrays.equals(a.inputShape, inputShape);
    }

    @Override
    public int hashCode() {
        return 31 * layers.hashCode() + Arrays.hashCode(inputShape);
    }

    @Override
    public String toString() {
        return spec() + " on " + inputShape[0] + "x" + inputShape[1] + "x" + inputShape[2];
    }
}
