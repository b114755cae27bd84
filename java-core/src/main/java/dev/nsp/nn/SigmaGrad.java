package dev.nsp.nn;

import java.util.Locale;

/**
 * How back-propagation treats the noise level sigma of Noisy Softplus units (SPEC section 4).
 */
public enum SigmaGrad {
    /**
     * sigma is a constant (Liu's code): the gradient flows only through the mean {@code x = W a} and
     * {@code df/dx}.
     */
    NONE("none"),
    /**
     * The full gradient: additionally through {@code df/dsigma} and the variance path
     * {@code sigma = sqrt(W^2/2 * |a|)} into both the weights and the inputs.
     */
    FULL("full");

    private final String id;

    SigmaGrad(String id) {
        this.id = id;
    }

    /** {@return none or full} */
    public String id() {
        return id;
    }

    /**
     * {@return the mode}
     *
     * @param name none or full (case-insensitive)
     * @throws IllegalArgumentException naming the allowed values
     */
    public static SigmaGrad parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (SigmaGrad s : values()) {
                if (s.id.equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("sigma-grad: '" + name + "' is unknown; allowed: none, full");
    }

    @Override
    public String toString() {
        return id;
    }
}
