/**
 * The LIF response library (SPEC sections 1 to 3): what rate a Table 1 neuron fires at for a given input
 * current, analytically and by simulation, and the calibration of Noisy Softplus to it.
 *
 * <ul>
 *   <li>{@link dev.nsp.response.ResponseFunctions}: the constant-current rate and the Siegert rate,
 *       evaluated stably (split by the signs of the bounds, erfcx and Dawson), 1e-9 relative or better.</li>
 *   <li>{@link dev.nsp.response.NoiseModel}: {@code white}, {@code gaussian-step} and {@code poisson}
 *       (optionally with the Fourcaud-Brunel colored-noise correction), which map (mu_I, sigma_I) to the
 *       membrane drive {@link dev.nsp.response.MembraneNoise}.</li>
 *   <li>{@link dev.nsp.response.PoissonInputs}: the source rates that give a target (mu, sigma) (paper eq. 4).</li>
 *   <li>{@link dev.nsp.response.ResponseSimulator}: grid points x trials as one batch on the LIF kernel,
 *       driven by a Gaussian step current or by Poisson populations.</li>
 *   <li>{@link dev.nsp.response.Calibration}: least-squares fit of {@code S f(x + b, sigma)} (k, S, optional b).</li>
 * </ul>
 *
 * <p>Units: nA, mV, ms at the API, rates in Hz. Convention: the mean current {@code muNa} of the response
 * functions and of the simulator is the <em>total</em> mean current, i_offset included; the calibration's
 * {@code x} excludes i_offset (the rate fitted is that at {@code x + i_offset}), as in the paper.
 */
package dev.nsp.response;
