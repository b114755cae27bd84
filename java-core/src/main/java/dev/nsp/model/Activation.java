package dev.nsp.model;

import java.util.Locale;
import java.util.Objects;

/**
 * The activation function a network was trained with and its parameters (SPEC sections 3 and 4).
 * Every parameter is stored for every kind; those a kind does not use are 0.
 *
 * <ul>
 *   <li>{@code relu}: {@code a = p max(x, 0)}; uses p.</li>
 *   <li>{@code softplus} (fixed noise): {@code a = p k sigma log(1 + exp(x / (k sigma)))} with
 *       sigma = {@code softplusSigma}; uses k, softplusSigma, p.</li>
 *   <li>{@code noisy-softplus}: {@code a = p f(x, sigma)} with sigma computed per unit from its inputs;
 *       uses k and p. S and tau_s record where p came from ({@code p = S tau_s}, tau_s in s); they are
 *       0 when unknown.</li>
 * </ul>
 *
 * @param kind the function
 * @param k the curve scale of (Noisy) Softplus, {@code > 0} where used (0.30 for tau_s = 5 ms)
 * @param sHzPerNa S, the rate scale in Hz per nA, {@code >= 0} (201 for the Table 1 neuron)
 * @param tauSynMs tau_s in ms, {@code >= 0} (5 in the paper)
 * @param p the output scale, {@code > 0} (1.005 = 201 Hz/nA x 5 ms)
 * @param softplusSigma the fixed noise level of {@code softplus}, {@code > 0} there, else 0
 */
public record Activation(Kind kind, double k, double sHzPerNa, double tauSynMs, double p, double softplusSigma) {

    /** The activation functions. */
    public enum Kind {
        /** Rectified linear. */
        RELU("relu"),
        /** Softplus with a fixed noise level. */
        SOFTPLUS("softplus"),
        /** Noisy Softplus with per-unit noise. */
        NOISY_SOFTPLUS("noisy-softplus");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** {@return the name used in files and on the command line} */
        public String id() {
            return id;
        }

        /**
         * {@return the kind}
         *
         * @param id relu, softplus or noisy-softplus (case-insensitive)
         */
        public static Kind parse(String id) {
            String s = id.strip().toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.id.equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("activation: '" + id + "', expected relu, softplus or noisy-softplus");
        }
    }

    /** Validates the parameters the kind uses; all must be finite. */
    public Activation {
        Objects.requireNonNull(kind, "kind");
        finite("k", k);
        finite("sHzPerNa", sHzPerNa);
        finite("tauSynMs", tauSynMs);
        finite("p", p);
        finite("softplusSigma", softplusSigma);
        if (!(p > 0)) {
            throw new IllegalArgumentException("p: " + p + ", must be > 0");
        }
        if (sHzPerNa < 0) {
            throw new IllegalArgumentException("sHzPerNa: " + sHzPerNa + ", must be >= 0");
        }
        if (tauSynMs < 0) {
            throw new IllegalArgumentException("tauSynMs: " + tauSynMs + ", must be >= 0");
        }
        if (kind != Kind.RELU && !(k > 0)) {
            throw new IllegalArgumentException("k: " + k + ", must be > 0 for " + kind.id());
        }
        if (kind == Kind.SOFTPLUS && !(softplusSigma > 0)) {
            throw new IllegalArgumentException("softplusSigma: " + softplusSigma + ", must be > 0 for softplus");
        }
    }

    /**
     * {@return {@code relu} with output scale p}
     *
     * @param p the output scale
     */
    public static Activation relu(double p) {
        return new Activation(Kind.RELU, 0, 0, 0, p, 0);
    }

    /**
     * {@return {@code softplus} with fixed noise sigma and output scale p}
     *
     * @param k the curve scale
     * @param sigma the fixed noise level, {@code > 0}
     * @param p the output scale
     */
    public static Activation softplus(double k, double sigma, double p) {
        return new Activation(Kind.SOFTPLUS, k, 0, 0, p, sigma);
    }

    /**
     * {@return {@code noisy-softplus} with {@code p = S tau_s / 1000}}
     *
     * @param k the curve scale
     * @param sHzPerNa S in Hz/nA
     * @param tauSynMs tau_s in ms
     */
    public static Activation noisySoftplus(double k, double sHzPerNa, double tauSynMs) {
        return new Activation(Kind.NOISY_SOFTPLUS, k, sHzPerNa, tauSynMs, sHzPerNa * tauSynMs / 1000.0, 0);
    }

    private static void finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite");
        }
    }
}
