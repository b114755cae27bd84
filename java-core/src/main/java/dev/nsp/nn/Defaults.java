package dev.nsp.nn;

import dev.nsp.model.Activation;

/**
 * The paper's parameters (SPEC sections 3 and 4) as defaults for training.
 */
public final class Defaults {
    /** Calibrated Noisy Softplus curve scale for the Table 1 neuron with tau_s = 5 ms. */
    public static final double K = 0.30;
    /** Calibrated rate scale S, Hz per nA, for the Table 1 neuron with tau_s = 5 ms. */
    public static final double S_HZ_PER_NA = 201.0;
    /** tau_syn of Table 1, ms. */
    public static final double TAU_SYN_MS = 5.0;
    /**
     * Fixed noise level of {@code softplus} units, nA: between the median noise levels that the Noisy Softplus
     * units of the trained paper network see in its two convolutions (0.19 nA and 1.4 nA on MNIST test
     * images), so that softplus is the Noisy Softplus curve frozen at a typical noise level.
     */
    public static final double SOFTPLUS_SIGMA_NA = 1.0;
    /** K: the Poisson rate of a full-ink pixel, Hz. */
    public static final double MAX_INPUT_RATE_HZ = 200.0;
    /** The activation of a full-ink pixel, {@code K tau_s} = 200 Hz x 5 ms = 1. */
    public static final double INPUT_SCALE = MAX_INPUT_RATE_HZ * TAU_SYN_MS / 1000.0;

    private Defaults() {
    }

    /** {@return {@code p = S tau_s} = 1.005} */
    public static double p() {
        return S_HZ_PER_NA * TAU_SYN_MS / 1000.0;
    }

    /**
     * The default parameters of an activation: k = 0.30, S = 201 Hz/nA, tau_s = 5 ms, so p = 1.005 for every
     * kind (for relu and softplus p is just a gain); softplus sigma = 1 nA.
     *
     * @param kind the activation
     * @return its parameters
     */
    public static Activation activation(Activation.Kind kind) {
        return switch (kind) {
            case NOISY_SOFTPLUS -> Activation.noisySoftplus(K, S_HZ_PER_NA, TAU_SYN_MS);
            case SOFTPLUS -> new Activation(kind, K, S_HZ_PER_NA, TAU_SYN_MS, p(), SOFTPLUS_SIGMA_NA);
            case RELU -> new Activation(kind, 0, S_HZ_PER_NA, TAU_SYN_MS, p(), 0);
        };
    }
}
