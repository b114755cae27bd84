package dev.nsp.kernel;

import dev.nsp.neuron.LifParameters;

/**
 * The per-step constants of exact integration for a population of identical LIF neurons
 * (SPEC section 1; Rotter and Diesmann 1999, as NEST's {@code iaf_psc_exp}). Computed in double,
 * handed to kernels as floats. The membrane potential is held relative to v_rest: {@code y = V - v_rest}.
 *
 * <p>One step of length h, for a neuron that is not refractory:
 * <pre>
 *   y    := decayM * y + driveGain * (i_offset + bias + I_ext(t)) + psE * I_E + psI * I_I
 *   I_E  := decayE * I_E + (excitatory input arriving in this step)
 *   I_I  := decayI * I_I + (inhibitory input arriving in this step, negative)
 *   if y >= theta: spike, y := yReset, refractory := refractorySteps
 * </pre>
 * A refractory neuron keeps y, counts its refractory steps down, and its synaptic currents still
 * decay and receive input (NEST's order).
 *
 * @param dtMs the time step h, ms
 * @param decayM e^(-h/tau_m)
 * @param decayE e^(-h/tau_syn_E)
 * @param decayI e^(-h/tau_syn_I)
 * @param driveGain R_m (1 - e^(-h/tau_m)), mV/nA: the response of y to a current held constant over the step
 * @param psE P(tau_syn_E), mV/nA: the response of y to the excitatory current at the start of the step
 * @param psI P(tau_syn_I), mV/nA
 * @param offsetNa i_offset, nA
 * @param theta v_thresh - v_rest, mV
 * @param yReset v_reset - v_rest, mV
 * @param refractorySteps round(tau_refrac / h)
 */
public record LifPropagators(float dtMs, float decayM, float decayE, float decayI, float driveGain,
                             float psE, float psI, float offsetNa, float theta, float yReset,
                             int refractorySteps) {

    /** Validates the components: every float finite, dtMs and the decays in their ranges, refractorySteps >= 0. */
    public LifPropagators {
        if (!(dtMs > 0) || Float.isInfinite(dtMs)) {
            throw new IllegalArgumentException("dtMs: " + dtMs + ", must be finite and > 0");
        }
        decay("decayM", decayM);
        decay("decayE", decayE);
        decay("decayI", decayI);
        finite("driveGain", driveGain);
        finite("psE", psE);
        finite("psI", psI);
        finite("offsetNa", offsetNa);
        finite("theta", theta);
        finite("yReset", yReset);
        if (refractorySteps < 0) {
            throw new IllegalArgumentException("refractorySteps: " + refractorySteps + ", must be >= 0");
        }
    }

    private static void decay(String name, float v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be in [0, 1]");
        }
    }

    private static void finite(String name, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite");
        }
    }

    /**
     * {@return the propagators}
     *
     * @param p the neuron parameters
     * @param dtMs the time step, ms, in (0, min(tau_m, tau_syn)] and {@code <= tau_refrac} when tau_refrac > 0
     */
    public static LifPropagators of(LifParameters p, double dtMs) {
        java.util.Objects.requireNonNull(p, "p: neuron parameters are required");
        if (!(dtMs > 0) || !Double.isFinite(dtMs)) {
            throw new IllegalArgumentException("dtMs: " + dtMs + ", must be finite and > 0");
        }
        double minTau = Math.min(p.tauMMs(), Math.min(p.tauSynEMs(), p.tauSynIMs()));
        if (dtMs > minTau) {
            throw new IllegalArgumentException("dtMs: " + dtMs + ", must be <= the smallest time constant " + minTau + " ms");
        }
        if (p.tauRefracMs() > 0 && dtMs > p.tauRefracMs()) {
            throw new IllegalArgumentException("dtMs: " + dtMs + ", must be <= tauRefracMs = " + p.tauRefracMs()
                    + " (the refractory period is a whole number of steps)");
        }
        double h = dtMs;
        double em = Math.exp(-h / p.tauMMs());
        return new LifPropagators((float) h, (float) em,
                (float) Math.exp(-h / p.tauSynEMs()), (float) Math.exp(-h / p.tauSynIMs()),
                (float) (p.rmMohm() * -Math.expm1(-h / p.tauMMs())),
                (float) psp(p.cmNf(), p.tauMMs(), p.tauSynEMs(), h),
                (float) psp(p.cmNf(), p.tauMMs(), p.tauSynIMs(), h),
                (float) p.iOffsetNa(), (float) (p.vThreshMv() - p.vRestMv()), (float) (p.vResetMv() - p.vRestMv()),
                (int) Math.round(p.tauRefracMs() / h));
    }

    /**
     * P(tau_s) = tau_m tau_s (e^(-h/tau_m) - e^(-h/tau_s)) / (c_m (tau_m - tau_s)), the limit
     * h e^(-h/tau) / c_m when tau_s = tau_m; evaluated with expm1 to stay accurate when they are close.
     */
    static double psp(double cm, double tauM, double tauS, double h) {
        double d = 1.0 / tauS - 1.0 / tauM;
        if (Math.abs(d) * h < 1e-12) {
            return h * Math.exp(-h / tauM) / cm;
        }
        // e^(-h/tau_m) - e^(-h/tau_s) = e^(-h/tau_m) (1 - e^(-h d)) = -e^(-h/tau_m) expm1(-h d)
        return tauM * tauS * -Math.exp(-h / tauM) * Math.expm1(-h * d) / (cm * (tauM - tauS));
    }
}
