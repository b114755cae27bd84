package dev.nsp.api;

import dev.nsp.response.Calibration;

/**
 * A calibration of Noisy Softplus to a LIF neuron: the rate of the neuron at input (x, sigma) is modelled as
 * {@code S f(x, sigma)} Hz, {@code f(x, sigma) = k sigma log(1 + exp(x / (k sigma)))}, x the mean current
 * without i_offset (nA). Made by {@link Responses}.
 *
 * @param k the curve scale, dimensionless, {@code > 0}
 * @param sHzPerNa the rate scale S, Hz/nA
 * @param rmsHz the root-mean-square residual of the fit, Hz, {@code >= 0}
 * @param points the number of (x, sigma) points fitted, {@code >= 1}
 */
public record ResponseFit(double k, double sHzPerNa, double rmsHz, int points) {
    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if k is not finite and {@code > 0}, S is not finite, rmsHz is negative or
     *         not finite, or points is below 1
     */
    public ResponseFit {
        if (!(k > 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("k: " + k + ", must be finite and > 0");
        }
        if (!Double.isFinite(sHzPerNa)) {
            throw new IllegalArgumentException("sHzPerNa: " + sHzPerNa + ", must be finite");
        }
        if (!(rmsHz >= 0) || Double.isInfinite(rmsHz)) {
            throw new IllegalArgumentException("rmsHz: " + rmsHz + ", must be finite and >= 0");
        }
        if (points < 1) {
            throw new IllegalArgumentException("points: " + points + ", must be >= 1");
        }
    }

    /**
     * {@return the activation scale {@code p = S tau_syn} (tau_syn in s) of a converted network, per nA}
     *
     * @param tauSynMs the synaptic time constant of the spiking network, ms
     */
    public double p(double tauSynMs) {
        return sHzPerNa * tauSynMs / 1000.0;
    }

    /**
     * {@return the modelled firing rate {@code S f(x, sigma)}, Hz}
     *
     * @param xNa the mean input current, nA, without i_offset
     * @param sigmaNa the noise, nA, {@code >= 0}
     * @throws IllegalArgumentException if xNa is NaN or sigmaNa is negative or NaN
     */
    public double rateHz(double xNa, double sigmaNa) {
        if (Double.isNaN(xNa)) {
            throw new IllegalArgumentException("xNa: NaN");
        }
        if (!(sigmaNa >= 0)) {
            throw new IllegalArgumentException("sigmaNa: " + sigmaNa + ", must be >= 0 and not NaN");
        }
        return sHzPerNa * Calibration.noisySoftplus(xNa, sigmaNa, k);
    }

    /**
     * The activation a network trained for conversion uses: {@code NoisySoftplus.of(k, p(tauSynMs), backend)}.
     *
     * @param tauSynMs the synaptic time constant, ms
     * @param backend where it runs
     * @return the activation
     * @throws NullPointerException if backend is null
     * @throws IllegalArgumentException if p is not finite as a float
     */
    public NoisySoftplus activation(double tauSynMs, Backend backend) {
        return NoisySoftplus.of(k, p(tauSynMs), backend);
    }
}
