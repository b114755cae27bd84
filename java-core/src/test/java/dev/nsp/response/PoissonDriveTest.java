package dev.nsp.response;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Explicit Poisson drives ({@link ResponseSimulator#poissonSources}) and the progress listener. */
class PoissonDriveTest {
    static final LifParameters P = LifParameters.TABLE1;
    static final Kernels K = Backends.get();
    static final ResponseSimulator.Config SHORT = new ResponseSimulator.Config(300, 0.1, 3, 42, 77);

    /** Eq. 4 forward (meanNa, sigmaNa) inverts PoissonInputs.solve to rounding (1e-12 relative). */
    @Test
    void momentsInvertTheSolver() {
        PoissonPopulations[] pops = {PoissonPopulations.LIU, new PoissonPopulations(0.1, 100, 0.03, 300)};
        for (PoissonPopulations pop : pops) {
            for (double tau : new double[] {1, 5}) {
                for (double[] target : new double[][] {{0.3, 0.5}, {-0.2, 0.4}, {0, 0.2}, {0.6, 1.0}}) {
                    PoissonDrive d = PoissonDrive.solve(target[0], target[1], tau, pop);
                    assertEquals(target[0], d.meanNa(tau), 1e-12 * (1 + Math.abs(target[0])));
                    assertEquals(target[1], d.sigmaNa(tau), 1e-12 * target[1]);
                }
            }
        }
        PoissonDrive excOnly = new PoissonDrive(10, 100, 0.2, 0, 0, 0);
        // mu = 5 ms * 10 * 0.2 nA * 0.1 /ms = 1 nA; sigma^2 = 2.5 ms * 10 * 0.04 nA^2 * 0.1 /ms = 0.1 nA^2
        assertEquals(1.0, excOnly.meanNa(5), 1e-12);
        assertEquals(Math.sqrt(0.1), excOnly.sigmaNa(5), 1e-12);
    }

    /** Solving the rates and passing them explicitly draws exactly the same spikes as {@link ResponseSimulator#poisson}. */
    @Test
    void explicitDrivesReproduceTheSolvedOnes() {
        double[] mu = {0.2, 0.35, 0.6};
        double[] sigma = {0.5, 0.3, 1.0};
        ResponseSimulator sim = new ResponseSimulator(P, SHORT, K);
        SimulatedRates solved = sim.poisson(mu, sigma, PoissonPopulations.LIU);
        PoissonDrive[] drives = new PoissonDrive[mu.length];
        for (int i = 0; i < mu.length; i++) {
            drives[i] = PoissonDrive.solve(mu[i] - P.iOffsetNa(), sigma[i], P.tauSynEMs(), PoissonPopulations.LIU);
        }
        SimulatedRates explicit = sim.poissonSources(drives);
        assertArrayEquals(solved.meanHz(), explicit.meanHz(), 0);
        assertArrayEquals(solved.stdHz(), explicit.stdHz(), 0);
        assertTrue(solved.meanHz()[2] > 0, "the neurons fire");
    }

    /**
     * Each point uses its own weights: a point whose weights are 0 gets no synaptic input whatever the rates,
     * and sits at i_offset = 0.1 nA, R_m i_offset = 8 mV below theta = 15 mV: exactly 0 Hz, in either position.
     */
    @Test
    void weightsArePerPoint() {
        PoissonDrive strong = new PoissonDrive(100, 100, 0.2, 0, 0, 0);   // mu = 10 nA synaptic: fires fast
        PoissonDrive silent = new PoissonDrive(100, 100, 0, 100, 100, 0);
        ResponseSimulator sim = new ResponseSimulator(P, SHORT, K);
        SimulatedRates a = sim.poissonSources(strong, silent);
        SimulatedRates b = sim.poissonSources(silent, strong);
        assertTrue(a.meanHz()[0] > 100 && b.meanHz()[1] > 100, "strong drive fires");
        assertEquals(0, a.meanHz()[1]);
        assertEquals(0, b.meanHz()[0]);
        assertThrows(IllegalArgumentException.class, () -> sim.poissonSources());
        assertThrows(IllegalArgumentException.class, () -> new PoissonDrive(-1, 1, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PoissonDrive(1, Double.NaN, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PoissonDrive(1, 1, 1, 0, 0, -0.1));
    }

    /** The listener sees every chunk, increasing to the run's step count; results are unchanged by it. */
    @Test
    void progressReportsEveryChunk() {
        List<Long> seen = new ArrayList<>();
        ResponseSimulator plain = new ResponseSimulator(P, SHORT, K);
        ResponseSimulator sim = plain.withProgress(seen::add);
        double[] mu = {0.3};
        double[] sigma = {0.4};
        SimulatedRates r = sim.noisyCurrent(mu, sigma, 0.1);
        long steps = SHORT.steps();
        assertEquals((steps + 76) / 77, seen.size());
        assertEquals(steps, seen.get(seen.size() - 1));
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1));
        }
        assertArrayEquals(plain.noisyCurrent(mu, sigma, 0.1).meanHz(), r.meanHz(), 0);
        seen.clear();
        sim.poisson(mu, sigma, PoissonPopulations.LIU);
        assertEquals(steps, seen.get(seen.size() - 1));
        assertThrows(IllegalArgumentException.class, () -> plain.withProgress(null));
    }
}
