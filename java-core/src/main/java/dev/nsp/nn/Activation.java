package dev.nsp.nn;

import java.util.Locale;

/**
 * The activation function of the hidden units of a {@link Network} (SPEC section 4).
 *
 * <ul>
 *   <li>{@link #RELU}: {@code a = p max(x, 0)}.</li>
 *   <li>{@link #SOFTPLUS}: Noisy Softplus with a fixed noise level sigma0,
 *       {@code a = p k sigma0 log(1 + exp(x / (k sigma0)))}.</li>
 *   <li>{@link #NOISY_SOFTPLUS}: the parametric Noisy Softplus unit, {@code a = p f(x, sigma)} where every
 *       unit computes the mean {@code x = sum w a} and the noise {@code sigma = sqrt(sum w^2 |a| / 2)} of its
 *       input current (nA).</li>
 * </ul>
 *
 * For {@code relu} and {@code softplus} the 2x2 pooling layers are plain average pooling (weight 1/4) with
 * no activation; for {@code noisy-softplus} they are Noisy Softplus units with the fixed weight 1/(4p).
 */
public enum Activation {
    /** Rectified linear units. */
    RELU("relu"),
    /** Softplus with a fixed noise level. */
    SOFTPLUS("softplus"),
    /** Noisy Softplus with the noise level computed from the input (parametric form). */
    NOISY_SOFTPLUS("noisy-softplus");

    private final String id;

    Activation(String id) {
        this.id = id;
    }

    /** @return the name used on the command line and in model files: relu, softplus or noisy-softplus */
    public String id() {
        return id;
    }

    /**
     * @param name relu, softplus or noisy-softplus (case-insensitive; '_' is accepted for '-')
     * @return the activation
     * @throws IllegalArgumentException naming the allowed values
     */
    public static Activation parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Activation a : values()) {
                if (a.id.equals(n)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("activation: '" + name + "' is unknown; allowed: relu, softplus, noisy-softplus");
    }

    @Override
    public String toString() {
        return id;
    }
}
