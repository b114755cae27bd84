package dev.nsp.neuron;

/**
 * Parameters of a current-based leaky integrate-and-fire neuron with exponential synapses
 * (PyNN {@code IF_curr_exp}; SPEC section 1). Units: nF, ms, mV, nA.
 *
 * @param cmNf membrane capacitance, nF, {@code > 0}
 * @param tauMMs membrane time constant, ms, {@code > 0}
 * @param tauRefracMs absolute refractory period, ms, {@code >= 0}
 * @param tauSynEMs excitatory synaptic time constant, ms, {@code > 0}
 * @param tauSynIMs inhibitory synaptic time constant, ms, {@code > 0}
 * @param vRestMv resting potential, mV
 * @param vResetMv reset potential, mV, {@code < vThreshMv}
 * @param vThreshMv threshold, mV, {@code > vRestMv}
 * @param iOffsetNa constant offset current, nA
 */
public record LifParameters(double cmNf, double tauMMs, double tauRefracMs, double tauSynEMs,
                            double tauSynIMs, double vRestMv, double vResetMv, double vThreshMv,
                            double iOffsetNa) {

    /** The paper's Table 1 neuron, with PyNN's default v_reset = -65 mV. */
    public static final LifParameters TABLE1 =
            new LifParameters(0.25, 20.0, 1.0, 5.0, 5.0, -65.0, -65.0, -50.0, 0.1);

    /** Validates every field; see the component docs for the ranges. */
    public LifParameters {
        positive("cmNf", cmNf);
        positive("tauMMs", tauMMs);
        finite("tauRefracMs", tauRefracMs);
        if (tauRefracMs < 0) {
            throw new IllegalArgumentException("tauRefracMs: " + tauRefracMs + ", must be >= 0");
        }
        positive("tauSynEMs", tauSynEMs);
        positive("tauSynIMs", tauSynIMs);
        finite("vRestMv", vRestMv);
        finite("vResetMv", vResetMv);
        finite("vThreshMv", vThreshMv);
        finite("iOffsetNa", iOffsetNa);
        if (!(vThreshMv > vResetMv)) {
            throw new IllegalArgumentException("vThreshMv: " + vThreshMv + ", must be > vResetMv = " + vResetMv);
        }
        if (!(vThreshMv > vRestMv)) {
            throw new IllegalArgumentException("vThreshMv: " + vThreshMv + ", must be > vRestMv = " + vRestMv);
        }
    }

    /** {@return membrane resistance R_m = tau_m / c_m, in MOhm} */
    public double rmMohm() {
        return tauMMs / cmNf;
    }

    /**
     * {@return a copy with both synaptic time constants set to {@code tauSynMs}}
     *
     * @param tauSynMs the synaptic time constant, ms, {@code > 0}
     * @throws IllegalArgumentException if tauSynMs is out of range
     */
    public LifParameters withTauSyn(double tauSynMs) {
        return new LifParameters(cmNf, tauMMs, tauRefracMs, tauSynMs, tauSynMs, vRestMv, vResetMv, vThreshMv, iOffsetNa);
    }

    /**
     * {@return a copy with another offset current}
     *
     * @param iOffsetNa the offset current, nA, finite
     * @throws IllegalArgumentException if iOffsetNa is not finite
     */
    public LifParameters withIOffset(double iOffsetNa) {
        return new LifParameters(cmNf, tauMMs, tauRefracMs, tauSynEMs, tauSynIMs, vRestMv, vResetMv, vThreshMv, iOffsetNa);
    }

    private static void positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite and > 0");
        }
    }

    private static void finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite");
        }
    }
}
