package dev.nsp.response;

/**
 * A calibration of the parametric Noisy Softplus {@code rate = S f(x + b, sigma)},
 * {@code f(x, sigma) = k sigma log(1 + exp(x / (k sigma)))} (SPEC section 3), with the data it was fitted to.
 *
 * @param k the curve scale, dimensionless
 * @param sHzPerNa the rate scale S, Hz/nA
 * @param biasNa the fitted input shift b, nA (0 when not fitted)
 * @param rmsHz root-mean-square residual over the grid, Hz
 * @param xNa the grid's mean currents x, nA (without i_offset)
 * @param sigmaNa the grid's noise levels, nA
 * @param targetHz the rates fitted to, Hz
 * @param fittedHz the fitted rates {@code S f(x + b, sigma)}, Hz
 * @param iterations Levenberg-Marquardt steps tried
 */
public record NoisySoftplusFit(double k, double sHzPerNa, double biasNa, double rmsHz, double[] xNa, double[] sigmaNa,
                               double[] targetHz, double[] fittedHz, int iterations) {
    /** Copies the arrays. */
    public NoisySoftplusFit {
        xNa = xNa.clone();
        sigmaNa = sigmaNa.clone();
        targetHz = targetHz.clone();
        fittedHz = fittedHz.clone();
    }

    /**
     * {@return the activation scale p = S tau_s (tau_s in s) of the conversion, dimensionless per nA}
     *
     * @param tauSynMs the synaptic time constant, ms
     */
    public double p(double tauSynMs) {
        return sHzPerNa * tauSynMs / 1000.0;
    }

    /**
     * {@return the fitted rate {@code S f(x + b, sigma)}, Hz}
     *
     * @param xNa mean current x, nA (without i_offset)
     * @param sigmaNa noise, nA, {@code >= 0}
     */
    public double rateHz(double xNa, double sigmaNa) {
        return sHzPerNa * Calibration.noisySoftplus(xNa + biasNa, sigmaNa, k);
    }

    /** {@return a copy of the grid's mean currents, nA} */
    @Override
    public double[] xNa() {
        return xNa.clone();
    }

    /** {@return a copy of the grid's noise levels, nA} */
    @Override
    public double[] sigmaNa() {
        return sigmaNa.clone();
    }

    /** {@return a copy of the rates fitted to, Hz} */
    @Override
    public double[] targetHz() {
        return targetHz.clone();
    }

    /** {@return a copy of the fitted rates, Hz} */
    @Override
    public double[] fittedHz() {
        return fittedHz.clone();
    }

    @Override
    public String toString() {
        return String.format("NoisySoftplusFit[k=%.4f, S=%.2f Hz/nA, bias=%.4f nA, rms=%.3f Hz, %d points]",
                k, sHzPerNa, biasNa, rmsHz, xNa.length);
    }
}
