package dev.nsp.nn;

/**
 * The activation of a {@link Network} and the neuron parameters behind it (SPEC sections 3 and 4).
 *
 * <p>In the parametric form a unit's firing rate is {@code lambda = S f(x, sigma)} (Hz) and the activation
 * it passes on is {@code a = lambda tau_s = p f(x, sigma)} with {@code p = S tau_s}. The scale p multiplies
 * the output of all three activations (for relu and softplus it is just a constant gain). Input pixels
 * become {@code a = pixel / 255 * K * tau_s} with K the maximum input rate, for every activation, so that
 * the same encoding feeds the spiking network after conversion.
 *
 * @param kind the activation
 * @param k the Noisy Softplus curve scale (dimensionless), {@code > 0}; 0.30 for the Table 1 neuron at
 *          tau_s = 5 ms
 * @param rateGainHzPerNa S, Hz per nA, {@code > 0}; 201 for the Table 1 neuron at tau_s = 5 ms
 * @param tauSynS the synaptic time constant tau_s in seconds, {@code > 0}
 * @param sigma0Na the fixed noise level of {@code softplus} units (nA), {@code > 0}; the softplus scale is
 *                 {@code k sigma0}. Ignored by the other activations.
 * @param maxInputRateHz K: the rate of a white (255) pixel in Hz, {@code > 0}
 */
public record ActivationParams(Activation kind, double k, double rateGainHzPerNa, double tauSynS, double sigma0Na,
                               double maxInputRateHz) {
    /** Calibrated k for the Table 1 neuron with tau_s = 5 ms (SPEC section 3). */
    public static final double DEFAULT_K = 0.30;
    /** Calibrated S (Hz/nA) for the Table 1 neuron with tau_s = 5 ms. */
    public static final double DEFAULT_RATE_GAIN_HZ_PER_NA = 201.0;
    /** tau_syn of Table 1, in seconds. */
    public static final double DEFAULT_TAU_SYN_S = 0.005;
    /**
     * Default noise level of {@code softplus} units, nA: the order of the sigma that Noisy Softplus units see
     * in the trained paper network (see the package documentation), so that softplus is the Noisy Softplus
     * curve frozen at a typical noise level.
     */
    public static final double DEFAULT_SIGMA0_NA = 1.0;
    /** K: the input rate of a white pixel (Hz). */
    public static final double DEFAULT_MAX_INPUT_RATE_HZ = 200.0;

    /** Validates every parameter. */
    public ActivationParams {
        if (kind == null) {
            throw new NullPointerException("kind: activation is required");
        }
        positive("k", k);
        positive("rateGainHzPerNa", rateGainHzPerNa);
        positive("tauSynS", tauSynS);
        positive("sigma0Na", sigma0Na);
        positive("maxInputRateHz", maxInputRateHz);
        double p = rateGainHzPerNa * tauSynS;
        if (!(p <= Float.MAX_VALUE) || (float) p == 0f) {
            throw new IllegalArgumentException("rateGainHzPerNa * tauSynS: " + p + " must fit a positive float");
        }
        if ((float) (k * sigma0Na) == 0f || !(k * sigma0Na <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException("k * sigma0Na: " + k * sigma0Na + " must fit a positive float");
        }
    }

    /**
     * @param kind the activation
     * @return the defaults: k = 0.30, S = 201 Hz/nA, tau_s = 5 ms (p = 1.005), sigma0 = 1 nA, K = 200 Hz
     */
    public static ActivationParams defaults(Activation kind) {
        return new ActivationParams(kind, DEFAULT_K, DEFAULT_RATE_GAIN_HZ_PER_NA, DEFAULT_TAU_SYN_S, DEFAULT_SIGMA0_NA,
                DEFAULT_MAX_INPUT_RATE_HZ);
    }

    /** @return a copy with another activation */
    public ActivationParams withKind(Activation newKind) {
        return new ActivationParams(newKind, k, rateGainHzPerNa, tauSynS, sigma0Na, maxInputRateHz);
    }

    /** @return p = S tau_s, the output scale of every unit (dimensionless: activation per nA of f) */
    public double p() {
        return rateGainHzPerNa * tauSynS;
    }

    /** @return the softplus scale {@code k sigma0} (nA) */
    public double softplusScale() {
        return k * sigma0Na;
    }

    /**
     * @return the weight of the pooling units in the ANN: 1/(4p) for noisy-softplus (the unit then passes its
     *         inputs' mean rate on), 1/4 (plain average pooling) for relu and softplus
     */
    public double poolWeight() {
        return kind == Activation.NOISY_SOFTPLUS ? 1.0 / (4.0 * p()) : 0.25;
    }

    /** @return the input activation of a pixel of value 1 (of 255): {@code K tau_s / 255} */
    public double inputPerPixelValue() {
        return maxInputRateHz * tauSynS / 255.0;
    }

    private static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite and > 0");
        }
    }
}
