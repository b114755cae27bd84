package dev.nsp.api;

import dev.nsp.neuron.LifParameters;
import dev.nsp.response.Calibration;
import dev.nsp.response.CalibrationGrid;
import dev.nsp.response.NoisySoftplusFit;
import dev.nsp.response.PoissonPopulations;
import dev.nsp.response.ResponseFunctions;
import dev.nsp.response.ResponseSimulator;

import java.util.Objects;

/**
 * Response functions of the LIF neuron (paper eqs. 2 and 3) and the calibration of Noisy Softplus to them.
 * Units: currents in nA, rates in Hz. Accuracy: the Siegert rate is evaluated stably (split by the signs of
 * the integration bounds, with erfcx and Dawson's function, as NEST's {@code siegert_neuron}) to about 1e-11
 * relative; see {@code docs/response.md}.
 *
 * <p>Convention: the current of a rate function is the <em>total</em> current, i_offset included; the x of a
 * calibration excludes i_offset (the rate fitted is that at {@code x + i_offset}), as in the paper, so that
 * i_offset acts as the bias of the fitted activation.
 *
 * <p>Thread-safety: every method is stateless and thread-safe.
 */
public final class Responses {
    private Responses() {
    }

    /**
     * The firing rate for a constant current (paper eq. 2):
     * {@code 1 / (tau_ref + tau_m ln((R_m I - V_r) / (R_m I - theta)))} when {@code R_m I > theta}, else 0, with
     * {@code theta = v_thresh - v_rest} and {@code V_r = v_reset - v_rest}.
     *
     * @param neuron the neuron
     * @param currentNa the total current I, nA, i_offset included, finite
     * @return the rate, Hz
     * @throws NullPointerException if neuron is null
     * @throws IllegalArgumentException if the current is not finite
     */
    public static double constantCurrentRateHz(LifParameters neuron, double currentNa) {
        Objects.requireNonNull(neuron, "neuron");
        return ResponseFunctions.constantCurrentRateHz(neuron, currentNa);
    }

    /**
     * The firing rate for a noisy current, by the Siegert formula (paper eq. 3). It tends to
     * {@link #constantCurrentRateHz} as the noise vanishes; it is 0 where the threshold lies more than 6
     * sigma_V above the mean drive (NEST's cut-off).
     *
     * @param neuron the neuron
     * @param noise the kind of noise, which fixes sigma_V
     * @param meanNa the total mean current, nA, i_offset included, finite
     * @param sigma the current's standard deviation in nA ({@code >= 0}); for {@link Noise#white()} sigma_V in mV
     * @return the rate, Hz
     * @throws NullPointerException if neuron or noise is null
     * @throws IllegalArgumentException if meanNa is not finite or sigma is negative or not finite
     */
    public static double siegertRateHz(LifParameters neuron, Noise noise, double meanNa, double sigma) {
        Objects.requireNonNull(neuron, "neuron");
        Objects.requireNonNull(noise, "noise");
        return ResponseFunctions.siegertRateHz(neuron, noise.model(), meanNa, sigma);
    }

    /**
     * Fits {@code S f(x, sigma)} to given rates by nonlinear least squares (Levenberg-Marquardt): k and S
     * minimise {@code sum_i (S f(x_i, sigma_i) - rate_i)^2}.
     *
     * @param xNa the mean currents, nA, without i_offset, finite
     * @param sigmaNa the noise levels, nA, finite and {@code >= 0}, not all 0, same length
     * @param rateHz the rates, Hz, finite, same length; at least 2 points
     * @return the fit
     * @throws NullPointerException if an array is null
     * @throws IllegalArgumentException if the lengths differ, there are fewer than 2 points, or a value is out of
     *         range
     * @throws ArithmeticException if the fit does not converge
     */
    public static ResponseFit fit(double[] xNa, double[] sigmaNa, double[] rateHz) {
        Objects.requireNonNull(xNa, "xNa");
        Objects.requireNonNull(sigmaNa, "sigmaNa");
        Objects.requireNonNull(rateHz, "rateHz");
        return of(Calibration.fit(xNa, sigmaNa, rateHz, false));
    }

    /**
     * Calibrates Noisy Softplus to the Siegert rates of a neuron on Liu's grid: x from -0.5 to 0.6 nA in steps
     * of 0.1 nA times sigma = 0.2, 0.5 and 1.0 nA (36 points). For the paper's neuron and Poisson noise with
     * tau_syn = 5 ms and the colored-noise correction this gives k = 0.34, S = 208 Hz/nA (the simulated
     * calibration, {@link #calibrateSimulated}, gives the paper's 0.30 and 201).
     *
     * @param neuron the neuron
     * @param noise the kind of noise ({@link Noise#poisson} for a converted network)
     * @return the fit
     * @throws NullPointerException if neuron or noise is null
     * @throws ArithmeticException if the fit does not converge
     */
    public static ResponseFit calibrateSiegert(LifParameters neuron, Noise noise) {
        Objects.requireNonNull(neuron, "neuron");
        Objects.requireNonNull(noise, "noise");
        return of(Calibration.fitSiegert(neuron, noise.model(), CalibrationGrid.liu(), false));
    }

    /**
     * Calibrates Noisy Softplus to the Siegert rates of a neuron on a grid of your choice.
     *
     * @param neuron the neuron
     * @param noise the kind of noise
     * @param xNa the mean currents, nA, without i_offset, finite
     * @param sigmaNa the noise levels, nA, finite and {@code >= 0}, not all 0, same length; at least 2 points
     * @return the fit
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the grid is invalid
     * @throws ArithmeticException if the fit does not converge
     */
    public static ResponseFit calibrateSiegert(LifParameters neuron, Noise noise, double[] xNa, double[] sigmaNa) {
        Objects.requireNonNull(neuron, "neuron");
        Objects.requireNonNull(noise, "noise");
        Objects.requireNonNull(xNa, "xNa");
        Objects.requireNonNull(sigmaNa, "sigmaNa");
        return of(Calibration.fitSiegert(neuron, noise.model(), new CalibrationGrid(xNa, sigmaNa), false));
    }

    /**
     * Calibrates Noisy Softplus the way the paper did, numerically: neurons driven by 500 excitatory and 500
     * inhibitory Poisson sources of 0.05 nA each, with the source rates set (paper eq. 4) to give each point of
     * Liu's grid (see {@link #calibrateSiegert(LifParameters, Noise)}), simulated for 10 s, 10 trials, dt = 1
     * ms, on the given backend; then k and S fitted to the mean rates. For the paper's neuron
     * ({@link LifParameters#TABLE1}, tau_syn = 5 ms) this gives k = 0.30, S = 201 Hz/nA. Deterministic (fixed
     * seed, and the same on every backend); 3.6 million neuron updates, 1.5 to 3.5 s here.
     *
     * @param neuron the neuron; its excitatory and inhibitory time constants must be equal
     * @param backend where the simulation runs
     * @return the fit
     * @throws NullPointerException if neuron or backend is null
     * @throws IllegalArgumentException if the neuron's two synaptic time constants differ, or a grid point needs
     *         negative source rates for this neuron
     * @throws ArithmeticException if the fit does not converge
     */
    public static ResponseFit calibrateSimulated(LifParameters neuron, Backend backend) {
        Objects.requireNonNull(neuron, "neuron");
        Objects.requireNonNull(backend, "backend");
        ResponseSimulator simulator = new ResponseSimulator(neuron, ResponseSimulator.Config.LIU, backend.kernels());
        return of(Calibration.fitSimulated(simulator, PoissonPopulations.LIU, CalibrationGrid.liu(), false));
    }

    private static ResponseFit of(NoisySoftplusFit f) {
        return new ResponseFit(f.k(), f.sHzPerNa(), f.rmsHz(), f.xNa().length);
    }
}
