package dev.nsp.model;

/**
 * One layer of a feed-forward convolutional network without biases (SPEC section 4). Weight layouts
 * follow the kernel SPI: convolution weights {@code [out, in, kh, kw]}, dense weights {@code [out, in]}.
 * Pooling is 2x2 average pooling with stride 2 and has no trainable weights.
 */
public sealed interface Layer permits Layer.Conv, Layer.Pool2x2, Layer.Dense {

    /** {@return the shape of the weight tensor, empty for a layer without weights} */
    int[] weightShape();

    /** {@return the layer's token in the short architecture form, e.g. "6c5", "2s", "10"} */
    String token();

    /** The most weights one layer may have (one Java float array). */
    int MAX_WEIGHTS = Integer.MAX_VALUE - 8;

    /** {@return the number of weights, at most {@link #MAX_WEIGHTS} (checked on construction)} */
    default long weightCount() {
        int[] s = weightShape();
        return s.length == 0 ? 0 : product(s);
    }

    /**
     * @return the product of the dimensions (each {@code >= 1})
     * @throws IllegalArgumentException if it exceeds {@link #MAX_WEIGHTS}
     */
    private static long product(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;     // n <= 2^31 and d < 2^31: no overflow
            if (n > MAX_WEIGHTS) {
                throw new IllegalArgumentException("weight shape " + java.util.Arrays.toString(dims) + " has more than "
                        + MAX_WEIGHTS + " weights");
            }
        }
        return n;
    }

    /**
     * A valid, stride-1 convolution (cross-correlation), no bias.
     *
     * @param out output channels, {@code >= 1}
     * @param in input channels, {@code >= 1}
     * @param kh kernel height, {@code >= 1}
     * @param kw kernel width, {@code >= 1}
     */
    record Conv(int out, int in, int kh, int kw) implements Layer {
        /** Validates every size. */
        public Conv {
            positive("out", out);
            positive("in", in);
            positive("kh", kh);
            positive("kw", kw);
            product(new int[] {out, in, kh, kw});
        }

        @Override
        public int[] weightShape() {
            return new int[] {out, in, kh, kw};
        }

        @Override
        public String token() {
            return out + "c" + (kh == kw ? String.valueOf(kh) : kh + "x" + kw);
        }
    }

    /** 2x2 average pooling with stride 2 ("2s"); height and width of its input must be even. */
    record Pool2x2() implements Layer {
        @Override
        public int[] weightShape() {
            return new int[0];
        }

        @Override
        public String token() {
            return "2s";
        }
    }

    /**
     * A fully connected layer, no bias; its input is the previous layer's output flattened in
     * {@code [C, H, W]} order.
     *
     * @param out output units, {@code >= 1}
     * @param in input units, {@code >= 1}
     */
    record Dense(int out, int in) implements Layer {
        /** Validates every size. */
        public Dense {
            positive("out", out);
            positive("in", in);
            product(new int[] {out, in});
        }

        @Override
        public int[] weightShape() {
            return new int[] {out, in};
        }

        @Override
        public String token() {
            return String.valueOf(out);
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + ": " + v + ", must be >= 1");
        }
    }
}
