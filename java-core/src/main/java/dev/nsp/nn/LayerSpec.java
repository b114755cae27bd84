package dev.nsp.nn;

/**
 * One layer of an {@link Architecture}: a token of the spec string.
 */
public sealed interface LayerSpec permits LayerSpec.Conv, LayerSpec.Pool, LayerSpec.Dense {

    /** @return the token that describes this layer in a spec string, e.g. {@code 6c5}, {@code 2s}, {@code 10} */
    String token();

    /**
     * A convolution (valid padding, stride 1, no bias) with square kernels, token {@code <maps>c<kernel>}.
     *
     * @param maps output channels, {@code >= 1}
     * @param kernel kernel height and width, {@code >= 1}
     */
    record Conv(int maps, int kernel) implements LayerSpec {
        /** Validates the sizes. */
        public Conv {
            if (maps < 1 || maps > Architecture.MAX_UNITS) {
                throw new IllegalArgumentException("maps: " + maps + ", must be in [1, " + Architecture.MAX_UNITS + "]");
            }
            if (kernel < 1 || kernel > Architecture.MAX_SIZE) {
                throw new IllegalArgumentException("kernel: " + kernel + ", must be in [1, " + Architecture.MAX_SIZE + "]");
            }
        }

        @Override
        public String token() {
            return maps + "c" + kernel;
        }
    }

    /**
     * Non-overlapping 2x2 pooling (stride 2), token {@code 2s}.
     *
     * @param size the pooling size; only 2 is supported
     */
    record Pool(int size) implements LayerSpec {
        /** Validates the size. */
        public Pool {
            if (size != 2) {
                throw new IllegalArgumentException("size: " + size + ", only 2x2 pooling (2s) is supported");
            }
        }

        @Override
        public String token() {
            return size + "s";
        }
    }

    /**
     * The fully connected output layer (no bias) feeding the softmax, token {@code <outputs>}.
     *
     * @param outputs number of classes, {@code >= 2}
     */
    record Dense(int outputs) implements LayerSpec {
        /** Validates the size. */
        public Dense {
            if (outputs < 2 || outputs > Architecture.MAX_UNITS) {
                throw new IllegalArgumentException("outputs: " + outputs + ", must be in [2, " + Architecture.MAX_UNITS + "]");
            }
        }

        @Override
        public String token() {
            return Integer.toString(outputs);
        }
    }
}
