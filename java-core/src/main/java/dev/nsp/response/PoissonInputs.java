package dev.nsp.response;

/**
 * Solves paper eq. 4 for the rates of two Poisson populations (SPEC section 2):
 * <pre>
 *   mu      = tau_s (n_e w_e l_e - n_i w_i l_i)
 *   sigma^2 = tau_s / 2 (n_e w_e^2 l_e + n_i w_i^2 l_i)
 * </pre>
 * with l in 1/ms internally (Hz at the API). With {@code A = n_e w_e l_e} and {@code B = n_i w_i l_i} (nA/ms)
 * this is linear: {@code A - B = mu / tau_s}, {@code w_e A + w_i B = 2 sigma^2 / tau_s}, so
 * {@code A = (2 sigma^2 + w_i mu) / (tau_s (w_e + w_i))} and {@code B = (2 sigma^2 - w_e mu) / (tau_s (w_e + w_i))}.
 * A target is reachable iff both are {@code >= 0}, i.e. {@code 2 sigma^2 >= w_e mu} and
 * {@code 2 sigma^2 >= -w_i mu}: a population of weight w alone that makes a mean mu has variance w |mu| / 2,
 * the least variance that mean can come with.
 */
public final class PoissonInputs {
    private PoissonInputs() {
    }

    /**
     * The rate of every source of each population.
     *
     * @param excitatoryHz rate of each excitatory source, Hz
     * @param inhibitoryHz rate of each inhibitory source, Hz
     */
    public record Rates(double excitatoryHz, double inhibitoryHz) {
    }

    /**
     * {@return the per-source rates, Hz}
     *
     * @param muNa target mean synaptic current, nA (what the populations must supply: i_offset is not part of it)
     * @param sigmaNa target standard deviation, nA, {@code >= 0}
     * @param tauSynMs synaptic time constant, ms, {@code > 0}
     * @param pops the populations
     * @throws IllegalArgumentException if an argument is out of range or the target needs a negative rate
     */
    public static Rates solve(double muNa, double sigmaNa, double tauSynMs, PoissonPopulations pops) {
        if (!Double.isFinite(muNa)) {
            throw new IllegalArgumentException("muNa: " + muNa + ", must be finite");
        }
        if (!(sigmaNa >= 0) || Double.isInfinite(sigmaNa)) {
            throw new IllegalArgumentException("sigmaNa: " + sigmaNa + ", must be finite and >= 0");
        }
        if (!(tauSynMs > 0) || Double.isInfinite(tauSynMs)) {
            throw new IllegalArgumentException("tauSynMs: " + tauSynMs + ", must be finite and > 0");
        }
        double we = pops.wExcNa();
        double wi = pops.wInhNa();
        double twoVar = 2 * sigmaNa * sigmaNa;
        double a = (twoVar + wi * muNa) / (tauSynMs * (we + wi));
        double b = (twoVar - we * muNa) / (tauSynMs * (we + wi));
        // exactly on the boundary the subtraction may leave a rounding-sized negative: call that 0
        double roundoff = 1e-12 * (twoVar + Math.abs(muNa) * Math.max(we, wi)) / (tauSynMs * (we + wi));
        if (b < 0 && b >= -roundoff) {
            b = 0;
        }
        if (a < 0 && a >= -roundoff) {
            a = 0;
        }
        if (b < 0) {
            throw new IllegalArgumentException(String.format(
                    "unreachable target: muNa = %s with sigmaNa = %s needs a negative inhibitory rate; excitatory input"
                            + " of weight wExcNa = %s alone makes sigma >= sqrt(wExcNa * muNa / 2) = %s nA",
                    muNa, sigmaNa, we, Math.sqrt(we * muNa / 2)));
        }
        if (a < 0) {
            throw new IllegalArgumentException(String.format(
                    "unreachable target: muNa = %s with sigmaNa = %s needs a negative excitatory rate; inhibitory input"
                            + " of weight wInhNa = %s alone makes sigma >= sqrt(wInhNa * |muNa| / 2) = %s nA",
                    muNa, sigmaNa, wi, Math.sqrt(-wi * muNa / 2)));
        }
        return new Rates(1000.0 * a / (pops.nExc() * we), 1000.0 * b / (pops.nInh() * wi));
    }
}
