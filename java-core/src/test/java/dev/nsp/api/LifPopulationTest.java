package dev.nsp.api;

import dev.nsp.neuron.LifParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LifPopulationTest {
    private static final Backend REFERENCE = Backend.named("reference");
    /** The paper's neuron without the offset current, so that it rests at v_rest. */
    private static final LifParameters QUIET = LifParameters.TABLE1.withIOffset(0);

    @AfterAll
    static void close() {
        REFERENCE.close();
    }

    /**
     * A spike of weight w delivered before step 1 enters I_E at the end of step 1; from then on the membrane
     * follows the exact PSP of an exponential current, {@code y(t) = w/c_m tau_m tau_s/(tau_m - tau_s)
     * (e^(-t/tau_m) - e^(-t/tau_s))}, t measured from the end of step 1. Exact integration matches it up to
     * the float state: tolerance 1e-5 of the peak (about 6 mV).
     */
    @Test
    void aSpikeGivesTheExactPostsynapticPotential() {
        double dt = 0.1;
        try (LifPopulation pop = LifPopulation.create(2, QUIET, dt, REFERENCE)) {
            pop.addSpike(0, 0.5);
            pop.addSpike(1, -0.25);
            pop.addSpike(1, -0.25);      // inputs to one neuron add up
            pop.step();
            assertArrayEquals(new double[] {-65, -65}, pop.membranePotentialsMv(), 0, "input moves V from the next step");
            double a = 0.5 / QUIET.cmNf() * QUIET.tauMMs() * QUIET.tauSynEMs() / (QUIET.tauMMs() - QUIET.tauSynEMs());
            double peak = 0;
            for (int m = 2; m <= 400; m++) {
                pop.step();
                double t = (m - 1) * dt;
                double y = a * (Math.exp(-t / QUIET.tauMMs()) - Math.exp(-t / QUIET.tauSynEMs()));
                double[] v = pop.membranePotentialsMv();
                assertEquals(QUIET.vRestMv() + y, v[0], 1e-5 * 6.3, "excitatory, step " + m);
                assertEquals(QUIET.vRestMv() - y, v[1], 1e-5 * 6.3, "inhibitory, step " + m);
                peak = Math.max(peak, y);
            }
            assertTrue(peak > 6 && peak < 6.5, "peak " + peak);
            assertEquals(0, pop.spikedNeurons().length);
            assertEquals(40.0, pop.timeMs(), 1e-9);
            assertEquals(400, pop.stepCount());
        }
    }

    /**
     * A constant current: the simulated interval is the analytic one (paper eq. 2) rounded up to a whole step
     * of 0.1 ms (docs/design.md); 10 s count a whole number of intervals, and the first spike comes one
     * refractory period early (the neuron starts at rest, not refractory), so the rate lies within one spike per
     * 10 s of {@code [1000 / (ISI + dt), analytic]}.
     */
    @Test
    void aConstantCurrentFiresAtTheAnalyticRate() {
        double[] currents = {0.05, 0.2, 0.3, 0.5};
        float[] c = new float[currents.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) currents[i];
        }
        try (LifPopulation pop = LifPopulation.create(c.length, LifParameters.TABLE1, 0.1, REFERENCE)) {
            pop.setCurrents(c);
            pop.run(100_000);
            double[] rates = pop.ratesHz();
            assertEquals(10_000, pop.countedTimeMs(), 1e-6);
            for (int i = 0; i < c.length; i++) {
                double expected = Responses.constantCurrentRateHz(LifParameters.TABLE1, c[i] + 0.1);
                if (expected == 0) {
                    assertEquals(0, rates[i], "neuron " + i + " stays below threshold");
                } else {
                    double lowest = 1000.0 / (1000.0 / expected + 0.1) - 0.1;
                    assertTrue(rates[i] <= expected + 0.1 && rates[i] >= lowest,
                            "neuron " + i + ": " + rates[i] + " Hz, analytic " + expected);
                }
            }
            assertTrue(rates[3] > rates[2] && rates[2] > rates[1], java.util.Arrays.toString(rates));
        }
    }

    @Test
    void runIsTheSameAsSteppingAndTheBackendsAgree() {
        Random r = new Random(5);
        float[] currents = new float[37];
        float[] weights = new float[37];
        for (int i = 0; i < currents.length; i++) {
            currents[i] = (float) (r.nextDouble() * 0.6);
            weights[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Backend vector = Backend.list().stream().anyMatch(i -> i.name().equals("vector") && i.available())
                ? Backend.named("vector") : null;
        try (LifPopulation a = LifPopulation.create(37, LifParameters.TABLE1, 1.0, REFERENCE);
             LifPopulation b = LifPopulation.create(37, LifParameters.TABLE1, 1.0, REFERENCE);
             LifPopulation c = LifPopulation.create(37, LifParameters.TABLE1, 1.0, vector == null ? REFERENCE : vector)) {
            for (LifPopulation p : new LifPopulation[] {a, b, c}) {
                p.setCurrents(currents);
                p.addSpikes(weights);
            }
            a.run(777);
            for (int i = 0; i < 777; i++) {
                b.step();
            }
            c.run(777);
            for (LifPopulation p : new LifPopulation[] {b, c}) {
                assertArrayEquals(a.spikeCounts(), p.spikeCounts());
                assertArrayEquals(a.membranePotentialsMv(), p.membranePotentialsMv(), 0);
                assertArrayEquals(a.spikedNeurons(), p.spikedNeurons());
            }
            long total = 0;
            for (long n : a.spikeCounts()) {
                total += n;
            }
            assertTrue(total > 100, "the neurons fire: " + total);
            for (int i = 0; i < 37; i++) {
                assertEquals(java.util.Arrays.binarySearch(a.spikedNeurons(), i) >= 0, a.spiked(i));
            }
        } finally {
            if (vector != null) {
                vector.close();
            }
        }
    }

    /**
     * Counts beyond 2^24, where a float count would stop growing: no refractory period and a strong current
     * make the neuron fire every step.
     */
    @Test
    void countsStayExactBeyondFloatPrecision() {
        LifParameters noRefractory = new LifParameters(0.25, 20, 0, 5, 5, -65, -65, -50, 0.1);
        long steps = (1L << 24) + 11;
        try (LifPopulation pop = LifPopulation.create(1, noRefractory, 1.0)) {
            pop.fillCurrent(100);
            pop.run(steps);
            assertEquals(steps, pop.spikeCounts()[0]);
            assertEquals(1000.0, pop.ratesHz()[0], 1e-9);
            assertTrue(pop.spiked(0));
        }
    }

    @Test
    void resetAndClearCounts() {
        try (LifPopulation pop = LifPopulation.create(3, LifParameters.TABLE1, 1.0, REFERENCE)) {
            pop.fillCurrent(0.5);
            pop.setCurrent(2, 0);
            pop.run(200);
            long[] first = pop.spikeCounts();
            assertTrue(first[0] > 0 && first[2] == 0, java.util.Arrays.toString(first));
            pop.clearCounts();
            assertArrayEquals(new long[3], pop.spikeCounts());
            assertArrayEquals(new double[3], pop.ratesHz());
            assertEquals(200, pop.stepCount(), "clearing counts keeps the time");
            pop.reset();
            assertEquals(0, pop.stepCount());
            assertArrayEquals(new double[] {-65, -65, -65}, pop.membranePotentialsMv(), 0);
            pop.run(200);
            assertArrayEquals(first, pop.spikeCounts(), "after a reset, the same drive gives the same spikes");
        }
    }

    @Test
    void badArgumentsAndUseAfterClose() {
        assertThrows(IllegalArgumentException.class, () -> LifPopulation.create(0, QUIET, 0.1, REFERENCE));
        assertThrows(NullPointerException.class, () -> LifPopulation.create(1, null, 0.1, REFERENCE));
        assertThrows(NullPointerException.class, () -> LifPopulation.create(1, QUIET, 0.1, null));
        IllegalArgumentException dt = assertThrows(IllegalArgumentException.class,
                () -> LifPopulation.create(1, QUIET, 2, REFERENCE));
        assertTrue(dt.getMessage().startsWith("dtMs: 2.0"), dt.getMessage());
        LifPopulation pop = LifPopulation.create(2, QUIET, 0.1, REFERENCE);
        IndexOutOfBoundsException idx = assertThrows(IndexOutOfBoundsException.class, () -> pop.addSpike(2, 1));
        assertEquals("neuron: 2 not in [0, 2)", idx.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> pop.setCurrent(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> pop.addSpike(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> pop.fillCurrent(Double.POSITIVE_INFINITY));
        IllegalArgumentException len = assertThrows(IllegalArgumentException.class, () -> pop.setCurrents(new float[3]));
        assertTrue(len.getMessage().startsWith("currentNa: length 3"), len.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> pop.addSpikes(new float[] {0, Float.NaN}));
        assertTrue(nan.getMessage().startsWith("weightsNa[1]: NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pop.run(0));
        pop.close();
        pop.close();
        assertThrows(IllegalStateException.class, pop::step);
        assertThrows(IllegalStateException.class, pop::spikeCounts);
        assertTrue(pop.toString().contains("closed"));
    }
}
