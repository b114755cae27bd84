package dev.nsp.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network's input shape and layers, checked to fit together: each convolution's {@code in} equals
 * the channels it receives and its kernel fits the image, each pooling layer receives an even height
 * and width, each dense layer's {@code in} equals the flattened size it receives, and the last layer
 * is dense (its {@code out} is the number of classes).
 *
 * <p>The short form (Liu &amp; Furber's notation) joins the layer tokens with '-': {@code Nc K} a
 * convolution with N output channels and a K x K kernel ({@code NcKHxKW} for a non-square one),
 * {@code 2s} a 2x2 average pooling, a plain number a dense layer with that many outputs. The paper's
 * net is {@link #PAPER} and the wider one {@link #WIDE}, both on 1 x 28 x 28 input.
 *
 * @param channels input channels (1 for MNIST)
 * @param rows input height in pixels
 * @param cols input width in pixels
 * @param layers the layers in order, at least one, the last one dense
 */
public record Architecture(int channels, int rows, int cols, List<Layer> layers) {
    /** The paper's network (SPEC section 4). */
    public static final String PAPER = "6c5-2s-12c5-2s-10";
    /** The wider network of Liu's thesis. */
    public static final String WIDE = "16c5-2s-64c5-2s-10";
    /** Most layers a network may have (a sanity bound for files). */
    public static final int MAX_LAYERS = 64;

    private static final Pattern CONV = Pattern.compile("(\\d{1,9})c(\\d{1,9})(?:x(\\d{1,9}))?");
    private static final Pattern POOL = Pattern.compile("(\\d{1,9})s");
    private static final Pattern DENSE = Pattern.compile("\\d{1,9}");

    /** Validates that the layers fit the input and each other. */
    public Architecture {
        if (channels < 1 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("input: [" + channels + ", " + rows + ", " + cols
                    + "], every dimension must be >= 1");
        }
        Objects.requireNonNull(layers, "layers");
        layers = List.copyOf(layers);
        if (layers.isEmpty() || layers.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("layers: " + layers.size() + " layers, must be in [1, " + MAX_LAYERS + "]");
        }
        if (!(layers.getLast() instanceof Layer.Dense)) {
            throw new IllegalArgumentException("layers: the last layer is " + layers.getLast().token()
                    + ", must be dense (the class outputs)");
        }
        walk(channels, rows, cols, layers, null);
    }

    /** {@return the paper's 6c5-2s-12c5-2s-10 network on 1 x 28 x 28 input} */
    public static Architecture paper() {
        return parse(PAPER, 1, 28, 28);
    }

    /** {@return the wide 16c5-2s-64c5-2s-10 network on 1 x 28 x 28 input} */
    public static Architecture wide() {
        return parse(WIDE, 1, 28, 28);
    }

    /**
     * Builds an architecture from its short form, deriving every layer's input size.
     *
     * @param spec e.g. "6c5-2s-12c5-2s-10"
     * @param channels input channels
     * @param rows input height
     * @param cols input width
     * @return the architecture
     * @throws IllegalArgumentException naming the bad token, or the layer that does not fit
     */
    public static Architecture parse(String spec, int channels, int rows, int cols) {
        Objects.requireNonNull(spec, "spec");
        if (channels < 1 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("input: [" + channels + ", " + rows + ", " + cols
                    + "], every dimension must be >= 1");
        }
        List<Layer> layers = new ArrayList<>();
        int c = channels;
        int h = rows;
        int w = cols;
        long flat = -1;     // set once a dense layer has been seen
        String[] tokens = spec.strip().split("-", -1);
        for (String t : tokens) {
            Matcher m;
            Layer layer;
            if ((m = CONV.matcher(t)).matches()) {
                if (flat >= 0) {
                    throw new IllegalArgumentException("spec: '" + spec + "': convolution '" + t + "' after a dense layer");
                }
                int kh = Integer.parseInt(m.group(2));
                int kw = m.group(3) == null ? kh : Integer.parseInt(m.group(3));
                layer = new Layer.Conv(Integer.parseInt(m.group(1)), c, kh, kw);
                c = ((Layer.Conv) layer).out();
                h = h - kh + 1;
                w = w - kw + 1;
                if (h < 1 || w < 1) {
                    throw new IllegalArgumentException("spec: '" + spec + "': kernel of '" + t + "' is larger than its "
                            + "input");
                }
            } else if ((m = POOL.matcher(t)).matches()) {
                if (!m.group(1).equals("2")) {
                    throw new IllegalArgumentException("spec: '" + spec + "': pooling '" + t + "' is not supported, only "
                            + "2s (2x2 average pooling)");
                }
                if (flat >= 0) {
                    throw new IllegalArgumentException("spec: '" + spec + "': pooling after a dense layer");
                }
                layer = new Layer.Pool2x2();
                h /= 2;
                w /= 2;
            } else if (DENSE.matcher(t).matches()) {
                long in = flat >= 0 ? flat : flatSize(c, h, w);
                if (in > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("spec: '" + spec + "': dense '" + t + "' has " + in + " inputs");
                }
                layer = new Layer.Dense(Integer.parseInt(t), (int) in);
                flat = ((Layer.Dense) layer).out();
            } else {
                throw new IllegalArgumentException("spec: '" + spec + "': bad token '" + t
                        + "', expected NcK (convolution), 2s (pooling) or N (dense)");
            }
            layers.add(layer);
        }
        return new Architecture(channels, rows, cols, layers);
    }

    /** {@return the short form, e.g. "6c5-2s-12c5-2s-10"} */
    public String spec() {
        StringBuilder sb = new StringBuilder();
        for (Layer l : layers) {
            sb.append(sb.isEmpty() ? "" : "-").append(l.token());
        }
        return sb.toString();
    }

    /** {@return the number of classes, the last layer's outputs} */
    public int classes() {
        return ((Layer.Dense) layers.getLast()).out();
    }

    /**
     * {@return the shape of the layer's input for one example: {@code [C, H, W]} or {@code [K]}}
     *
     * @param layer a layer index
     */
    public int[] inputShape(int layer) {
        checkLayer(layer);
        int[][] shapes = new int[layers.size() + 1][];
        walk(channels, rows, cols, layers, shapes);
        return shapes[layer].clone();
    }

    /**
     * {@return the shape of the layer's output for one example: {@code [C, H, W]} or {@code [M]}}
     *
     * @param layer a layer index
     */
    public int[] outputShape(int layer) {
        checkLayer(layer);
        int[][] shapes = new int[layers.size() + 1][];
        walk(channels, rows, cols, layers, shapes);
        return shapes[layer + 1].clone();
    }

    /** {@return the total number of weights} */
    public long weightCount() {
        long n = 0;
        for (Layer l : layers) {
            n += l.weightCount();
        }
        return n;
    }

    @Override
    public String toString() {
        return spec() + " on " + channels + "x" + rows + "x" + cols;
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= layers.size()) {
            throw new IndexOutOfBoundsException("layer: " + layer + " not in [0, " + layers.size() + ")");
        }
    }

    /** Checks that the layers chain; if shapes is non-null, stores the shape before each layer and the final one. */
    private static void walk(int channels, int rows, int cols, List<Layer> layers, int[][] shapes) {
        int c = channels;
        int h = rows;
        int w = cols;
        long flat = -1;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (shapes != null) {
                shapes[i] = flat >= 0 ? new int[] {(int) flat} : new int[] {c, h, w};
            }
            String where = "layers[" + i + "] " + l;
            switch (l) {
                case Layer.Conv conv -> {
                    if (flat >= 0) {
                        throw new IllegalArgumentException(where + ": a convolution cannot follow a dense layer");
                    }
                    if (conv.in() != c) {
                        throw new IllegalArgumentException(where + ": in = " + conv.in() + ", but it receives " + c
                                + " channels");
                    }
                    if (conv.kh() > h || conv.kw() > w) {
                        throw new IllegalArgumentException(where + ": kernel " + conv.kh() + "x" + conv.kw()
                                + " is larger than its input " + h + "x" + w);
                    }
                    c = conv.out();
                    h = h - conv.kh() + 1;
                    w = w - conv.kw() + 1;
                }
                case Layer.Pool2x2 p -> {
                    if (flat >= 0) {
                        throw new IllegalArgumentException(where + ": pooling cannot follow a dense layer");
                    }
                    if (h % 2 != 0 || w % 2 != 0) {
                        throw new IllegalArgumentException(where + ": its input " + h + "x" + w + " is not even");
                    }
                    h /= 2;
                    w /= 2;
                }
                case Layer.Dense d -> {
                    long in = flat >= 0 ? flat : flatSize(c, h, w);
                    if (d.in() != in) {
                        throw new IllegalArgumentException(where + ": in = " + d.in() + ", but it receives " + in
                                + " values" + (flat >= 0 ? "" : " (" + c + "x" + h + "x" + w + ")"));
                    }
                    flat = d.out();
                }
            }
        }
        if (shapes != null) {
            shapes[layers.size()] = new int[] {(int) flat};
        }
    }

    /** @return c * h * w, or Long.MAX_VALUE if that overflows */
    private static long flatSize(int c, int h, int w) {
        long ch = (long) c * h;     // < 2^62
        return Math.multiplyHigh(ch, w) != 0 || ch * w < 0 ? Long.MAX_VALUE : ch * w;
    }

    /** {@return a readable list of the layers with their weight shapes} */
    public String describe() {
        StringBuilder sb = new StringBuilder(toString());
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            sb.append("\n  ").append(i).append(": ").append(l.token()).append(" in ").append(Arrays.toString(inputShape(i)))
                    .append(" out ").append(Arrays.toString(outputShape(i)));
            if (l.weightCount() > 0) {
                sb.append(" weights ").append(Arrays.toString(l.weightShape()));
            }
        }
        return sb.toString();
    }
}
