package dev.nsp.response;

/**
 * The explicit Poisson input of one neuron: {@code nExc} independent excitatory sources firing at
 * {@code rateExcHz} each, of synaptic weight {@code wExcNa}, and {@code nInh} inhibitory sources at
 * {@code rateInhHz} of weight magnitude {@code wInhNa} (an inhibitory spike subtracts it from I_I). Unlike
 * {@link PoissonPopulations} a population may be empty (n = 0, rate = 0 or w = 0).
 *
 * <p>By paper eq. 4 (rates in 1/ms) the synaptic current has mean
 * {@code tau_s (n_e w_e l_e - n_i w_i l_i)} and variance {@code tau_s / 2 (n_e w_e^2 l_e + n_i w_i^2 l_i)}
 * ({@link #meanNa}, {@link #sigmaNa}); i_offset is not part of them.
 *
 * @param nExc number of excitatory sources, {@code >= 0}
 * @param rateExcHz rate of each excitatory source, Hz, finite and {@code >= 0}
 * @param wExcNa excitatory weight, nA, finite and {@code >= 0}
 * @param nInh number of inhibitory sources, {@code >= 0}
 * @param rateInhHz rate of each inhibitory source, Hz, finite and {@code >= 0}
 * @param wInhNa inhibitory weight magnitude, nA, finite and {@code >= 0}
 */
public record PoissonDrive(int nExc, double rateExcHz, double wExcNa, int nInh, double rateInhHz, double wInhNa) {
    /** Validates the components. */
    public PoissonDrive {
        count("nExc", nExc);
        count("nInh", nInh);
        nonNegative("rateExcHz", rateExcHz);
        nonNegative("wExcNa", wExcNa);
        nonNegative("rateInhHz", rateInhHz);
        nonNegative("wInhNa", wInhNa);
    }

    /**
     * The drive that {@link PoissonInputs#solve} finds for a target.
     *
     * @param muNa target mean synaptic current, nA (i_offset not included)
     * @param sigmaNa target standard deviation, nA, {@code >= 0}
     * @param tauSynMs synaptic time constant, ms
     * @param pops the populations
     * @return the drive
     */
    public static PoissonDrive solve(double muNa, double sigmaNa, double tauSynMs, PoissonPopulations pops) {
        PoissonInputs.Rates r = PoissonInputs.solve(muNa, sigmaNa, tauSynMs, pops);
        return new PoissonDrive(pops.nExc(), r.excitatoryHz(), pops.wExcNa(), pops.nInh(), r.inhibitoryHz(), pops.wInhNa());
    }

    /**
     * {@return the mean synaptic current of eq. 4, nA (without i_offset)}
     *
     * @param tauSynMs synaptic time constant, ms
     */
    public double meanNa(double tauSynMs) {
        return tauSynMs * (nExc * wExcNa * rateExcHz - nInh * wInhNa * rateInhHz) / 1000.0;
    }

    /**
     * {@return the standard deviation of the synaptic current of eq. 4, nA}
     *
     * @param tauSynMs synaptic time constant, ms
     */
    public double sigmaNa(double tauSynMs) {
        return Math.sqrt(0.5 * tauSynMs * (nExc * wExcNa * wExcNa * rateExcHz + nInh * wInhNa * wInhNa * rateInhHz) / 1000.0);
    }

    private static void count(String name, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + ": " + n + ", must be >= 0");
        }
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite and >= 0");
        }
    }
}
