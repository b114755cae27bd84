package dev.nsp.response;

/**
 * Two populations of independent Poisson spike sources that drive one neuron: n_exc excitatory sources
 * with synaptic weight w_exc and n_inh inhibitory ones with weight w_inh (both given as positive
 * magnitudes, nA; an inhibitory spike subtracts w_inh from I_I). Every source of a population fires at the
 * same rate.
 *
 * @param wExcNa excitatory weight, nA, {@code > 0}
 * @param nExc number of excitatory sources, {@code >= 1}
 * @param wInhNa inhibitory weight magnitude, nA, {@code > 0}
 * @param nInh number of inhibitory sources, {@code >= 1}
 */
public record PoissonPopulations(double wExcNa, int nExc, double wInhNa, int nInh) {
    /**
     * Liu's set-up for the paper's Fig. 2 (ICONIP 2016 code): 500 excitatory and 500 inhibitory sources,
     * 0.05 nA each.
     */
    public static final PoissonPopulations LIU = new PoissonPopulations(0.05, 500, 0.05, 500);

    /** Validates the components. */
    public PoissonPopulations {
        if (!(wExcNa > 0) || Double.isInfinite(wExcNa)) {
            throw new IllegalArgumentException("wExcNa: " + wExcNa + ", must be finite and > 0");
        }
        if (!(wInhNa > 0) || Double.isInfinite(wInhNa)) {
            throw new IllegalArgumentException("wInhNa: " + wInhNa + ", must be finite and > 0");
        }
        if (nExc < 1) {
            throw new IllegalArgumentException("nExc: " + nExc + ", must be >= 1");
        }
        if (nInh < 1) {
            throw new IllegalArgumentException("nInh: " + nInh + ", must be >= 1");
        }
    }
}
