package dev.nsp.api;

import dev.nsp.response.NoiseModel;

import java.util.Objects;

/**
 * What kind of noise a current of mean mu (nA) and standard deviation sigma is: it fixes how much the
 * membrane potential fluctuates, sigma_V, in the Siegert formula ({@link Responses#siegertRateHz}). In every
 * kind the mean drive is {@code mu_V = R_m mu}, mu being the total mean current (i_offset included).
 *
 * <ul>
 *   <li>{@link #white()}: sigma is given at the membrane, as sigma_V in mV;</li>
 *   <li>{@link #gaussianStep(double)}: a Gaussian current of standard deviation sigma (nA) redrawn every
 *       Delta ms (PyNN's {@code NoisyCurrentSource}): {@code sigma_V = R_m sigma sqrt(Delta / tau_m)};</li>
 *   <li>{@link #poisson(double, boolean)}: exponential synapses fed by Poisson spike trains (paper eq. 4),
 *       sigma in nA: {@code sigma_V = R_m sigma sqrt(2 tau_syn / tau_m)}, optionally with the Fourcaud-Brunel
 *       colored-noise correction.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class Noise {
    private final NoiseModel model;

    private Noise(NoiseModel model) {
        this.model = model;
    }

    /** {@return white noise given at the membrane: the sigma of a rate call is sigma_V in mV} */
    public static Noise white() {
        return new Noise(new NoiseModel.White());
    }

    /**
     * {@return a Gaussian step current; the sigma of a rate call is its standard deviation in nA}
     *
     * @param deltaMs the redraw interval Delta, ms, {@code > 0} and finite (valid for Delta much shorter than
     *                tau_m)
     * @throws IllegalArgumentException if deltaMs is out of range
     */
    public static Noise gaussianStep(double deltaMs) {
        return new Noise(new NoiseModel.GaussianStep(deltaMs));
    }

    /**
     * {@return Poisson-driven exponential synapses; the sigma of a rate call is the synaptic current's standard deviation in nA}
     *
     * @param tauSynMs the synaptic time constant tau_syn, ms, {@code > 0} and finite
     * @param coloredNoiseCorrection whether to shift both Siegert bounds by {@code (alpha/2) sqrt(tau_syn/tau_m)}
     *                               (Fourcaud and Brunel 2002), the first-order correction for synaptic filtering
     * @throws IllegalArgumentException if tauSynMs is out of range
     */
    public static Noise poisson(double tauSynMs, boolean coloredNoiseCorrection) {
        return new Noise(new NoiseModel.Poisson(tauSynMs, coloredNoiseCorrection));
    }

    /** {@return {@code white}, {@code gaussian-step} or {@code poisson}} */
    public String name() {
        return model.name();
    }

    /** @return the model behind it */
    NoiseModel model() {
        return model;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Noise n && n.model.equals(model);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(model);
    }

    @Override
    public String toString() {
        return "Noise[" + model + "]";
    }
}
