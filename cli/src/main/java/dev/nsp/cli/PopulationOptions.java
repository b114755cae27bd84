package dev.nsp.cli;

import dev.nsp.response.PoissonPopulations;
import picocli.CommandLine.Option;

/**
 * The Poisson input populations of a simulation, {@code --n-exc --w-exc --n-inh --w-inh}; unset values
 * are Liu's set-up ({@link PoissonPopulations#LIU}: 500 + 500 sources of 0.05 nA).
 */
final class PopulationOptions {
    @Option(names = "--n-exc", paramLabel = "N", description = "Excitatory Poisson sources (default 500, Liu's set-up).")
    Integer nExc;

    @Option(names = "--w-exc", paramLabel = "NA", description = "Excitatory weight, nA (default 0.05).")
    Double wExc;

    @Option(names = "--n-inh", paramLabel = "N", description = "Inhibitory Poisson sources (default 500).")
    Integer nInh;

    @Option(names = "--w-inh", paramLabel = "NA",
            description = "Inhibitory weight magnitude, nA, > 0: an inhibitory spike subtracts it (default 0.05).")
    Double wInh;

    /** @return whether any of the options was given */
    boolean given() {
        return nExc != null || wExc != null || nInh != null || wInh != null;
    }

    /** @return the populations, checked, errors naming the option */
    PoissonPopulations populations() {
        PoissonPopulations d = PoissonPopulations.LIU;
        int ne = nExc == null ? d.nExc() : nExc;
        int ni = nInh == null ? d.nInh() : nInh;
        double we = wExc == null ? d.wExcNa() : wExc;
        double wi = wInh == null ? d.wInhNa() : wInh;
        if (ne < 1) {
            throw new IllegalArgumentException("--n-exc: " + ne + ", must be >= 1");
        }
        if (ni < 1) {
            throw new IllegalArgumentException("--n-inh: " + ni + ", must be >= 1");
        }
        if (!(we > 0) || Double.isInfinite(we)) {
            throw new IllegalArgumentException("--w-exc: " + we + " nA, must be finite and > 0");
        }
        if (!(wi > 0) || Double.isInfinite(wi)) {
            throw new IllegalArgumentException("--w-inh: " + wi + " nA, must be finite and > 0");
        }
        return new PoissonPopulations(we, ne, wi, ni);
    }
}
