package dev.nsp.response;

/**
 * The drive of a LIF neuron in Brunel's diffusion convention,
 * {@code tau_m dV/dt = -(V - v_rest) + muV + sigmaV sqrt(tau_m) xi(t)}, plus the shift that a
 * colored-noise correction applies to both integration bounds of the Siegert formula.
 *
 * @param muVMv mean drive mu_V = R_m mu_I, mV (relative to v_rest), finite
 * @param sigmaVMv noise amplitude sigma_V, mV, {@code >= 0} and finite
 * @param boundShift added to both bounds {@code (V_r - mu_V)/sigma_V} and {@code (theta - mu_V)/sigma_V},
 *                   dimensionless, finite (0: no correction)
 */
public record MembraneNoise(double muVMv, double sigmaVMv, double boundShift) {
    /** Validates the components. */
    public MembraneNoise {
        if (!Double.isFinite(muVMv)) {
            throw new IllegalArgumentException("muVMv: " + muVMv + ", must be finite");
        }
        if (!(sigmaVMv >= 0) || Double.isInfinite(sigmaVMv)) {
            throw new IllegalArgumentException("sigmaVMv: " + sigmaVMv + ", must be finite and >= 0");
        }
        if (!Double.isFinite(boundShift)) {
            throw new IllegalArgumentException("boundShift: " + boundShift + ", must be finite");
        }
    }
}
