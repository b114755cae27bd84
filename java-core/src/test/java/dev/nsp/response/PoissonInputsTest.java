package dev.nsp.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoissonInputsTest {

    /** Paper eq. 4 forward: (mu, sigma) in nA from the per-source rates in Hz. */
    static double[] moments(PoissonInputs.Rates r, double tauMs, PoissonPopulations p) {
        double le = r.excitatoryHz() / 1000;
        double li = r.inhibitoryHz() / 1000;
        double mu = tauMs * (p.nExc() * p.wExcNa() * le - p.nInh() * p.wInhNa() * li);
        double var = 0.5 * tauMs * (p.nExc() * p.wExcNa() * p.wExcNa() * le + p.nInh() * p.wInhNa() * p.wInhNa() * li);
        return new double[] {mu, Math.sqrt(var)};
    }

    @Test
    void solutionReproducesTheMoments() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            PoissonPopulations p = new PoissonPopulations(0.01 + r.nextDouble(), 1 + r.nextInt(1000),
                    0.01 + r.nextDouble(), 1 + r.nextInt(1000));
            double tau = 0.5 + 10 * r.nextDouble();
            double sigma = 0.05 + 2 * r.nextDouble();
            // a mean the populations can reach: |mu| below 2 sigma^2 / w of the opposing side
            double mu = (2 * r.nextDouble() - 1) * 2 * sigma * sigma / Math.max(p.wExcNa(), p.wInhNa());
            PoissonInputs.Rates rates = PoissonInputs.solve(mu, sigma, tau, p);
            assertTrue(rates.excitatoryHz() >= 0 && rates.inhibitoryHz() >= 0, rates.toString());
            double[] m = moments(rates, tau, p);
            assertEquals(mu, m[0], 1e-12 * (Math.abs(mu) + sigma));
            assertEquals(sigma, m[1], 1e-12 * sigma);
        }
    }

    @Test
    void liuSetUp() {
        // 500 + 500 sources of 0.05 nA, tau 5 ms: sum of population rates 2 sigma^2 / (w^2 tau), difference mu / (w tau)
        PoissonInputs.Rates r = PoissonInputs.solve(0.3, 0.5, 5, PoissonPopulations.LIU);
        double sum = 2 * 0.25 / (0.0025 * 5);     // 1/ms, both populations together
        double diff = 0.3 / (0.05 * 5);
        assertEquals((sum + diff) / 2 / 500 * 1000, r.excitatoryHz(), 1e-9);
        assertEquals((sum - diff) / 2 / 500 * 1000, r.inhibitoryHz(), 1e-9);
    }

    @Test
    void boundaryAndUnreachableTargets() {
        PoissonPopulations p = new PoissonPopulations(0.1, 10, 0.2, 20);
        // 2 sigma^2 = w_e mu exactly: no inhibition needed
        PoissonInputs.Rates edge = PoissonInputs.solve(0.5, Math.sqrt(0.1 * 0.5 / 2), 5, p);
        assertEquals(0.0, edge.inhibitoryHz());
        assertEquals(0.5 / (5 * 0.1 * 10) * 1000, edge.excitatoryHz(), 1e-9);
        // 2 sigma^2 = -w_i mu: no excitation
        PoissonInputs.Rates edgeI = PoissonInputs.solve(-0.5, Math.sqrt(0.2 * 0.5 / 2), 5, p);
        assertEquals(0.0, edgeI.excitatoryHz());
        // zero target: zero rates
        assertEquals(new PoissonInputs.Rates(0, 0), PoissonInputs.solve(0, 0, 5, p));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoissonInputs.solve(1.0, 0.1, 5, p));
        assertTrue(e.getMessage().contains("muNa = 1.0") && e.getMessage().contains("sigmaNa = 0.1")
                && e.getMessage().contains("wExcNa"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PoissonInputs.solve(-1.0, 0.1, 5, p));
        assertTrue(e.getMessage().contains("wInhNa"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoissonInputs.solve(0.1, -1, 5, p));
        assertThrows(IllegalArgumentException.class, () -> PoissonInputs.solve(0.1, 1, 0, p));
        assertThrows(IllegalArgumentException.class, () -> PoissonInputs.solve(Double.NaN, 1, 5, p));
        assertThrows(IllegalArgumentException.class, () -> new PoissonPopulations(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoissonPopulations(1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PoissonPopulations(1, 1, -1, 1));
    }
}
