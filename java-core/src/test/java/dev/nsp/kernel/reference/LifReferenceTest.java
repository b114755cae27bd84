package dev.nsp.kernel.reference;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The reference LIF loop: exact integration and the constant-current rate (SPEC sections 1 and 2). */
class LifReferenceTest {
    static Kernels k;
    static final LifParameters P = LifParameters.TABLE1;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    /** SPEC eq. 2, in Hz, for a total current I (nA). */
    static double analyticRateHz(double totalNa) {
        double rm = P.rmMohm();
        double theta = P.vThreshMv() - P.vRestMv();
        double vr = P.vResetMv() - P.vRestMv();
        if (rm * totalNa <= theta) {
            return 0;
        }
        return 1000.0 / (P.tauRefracMs() + P.tauMMs() * Math.log((rm * totalNa - vr) / (rm * totalNa - theta)));
    }

    @Test
    void constantCurrentRateMatchesTheAnalyticFormula() {
        // 10 s at dt = 0.1 ms. The rate is measured from the mean inter-spike interval (first to last
        // spike), which removes the +-1 spike quantisation of a count; the threshold crossing is detected
        // at the end of its step, so the ISI is biased by at most dt (<= 0.1 / 13.8 ms = 0.7 % at 72 Hz,
        // about dt/2 on average): 0.5 % holds for these rates.
        double[] totals = {0.2, 0.25, 0.3, 0.4};
        int n = totals.length;
        double dt = 0.1;
        int steps = 100_000;
        LifPropagators c = LifPropagators.of(P, dt);
        float[] bias = new float[n];
        for (int i = 0; i < n; i++) {
            bias[i] = (float) (totals[i] - P.iOffsetNa());
        }
        try (LifState s = new LifState(n); Tensor b = Tensor.of(bias, n); Tensor spikes = Tensor.zeros(steps, n);
             Tensor counts = Tensor.zeros(n)) {
            k.lifRun(c, s, steps, LifInputs.bias(b), spikes, counts);
            float[] sp = spikes.toArray();
            for (int i = 0; i < n; i++) {
                int first = -1;
                int last = -1;
                int count = 0;
                for (int t = 0; t < steps; t++) {
                    if (sp[t * n + i] != 0) {
                        if (first < 0) {
                            first = t;
                        }
                        last = t;
                        count++;
                    }
                }
                assertEquals(count, counts.get(i), "counts agree with the spike raster");
                double rate = 1000.0 * (count - 1) / ((last - first) * dt);
                double expected = analyticRateHz(totals[i]);
                assertEquals(expected, rate, 0.005 * expected, "I = " + totals[i] + " nA");
            }
        }
    }

    @Test
    void subthresholdCurrentNeverFires() {
        // R I = 80 * 0.18 = 14.4 mV < theta = 15 mV
        LifPropagators c = LifPropagators.of(P, 1.0);
        try (LifState s = new LifState(1); Tensor b = Tensor.of(new float[] {0.08f}, 1); Tensor counts = Tensor.zeros(1)) {
            k.lifRun(c, s, 5000, LifInputs.bias(b), null, counts);
            assertEquals(0f, counts.get(0));
            assertEquals(14.4, s.v().get(0), 1e-3, "settles at R I");
        }
    }

    /** Integrates the ODEs of SPEC section 1 with RK4 at a tiny step: an independent check of exact integration. */
    static double[] rk4(double y, double ie, double ii, double current, double h) {
        int n = 20000;
        double dt = h / n;
        double[] s = {y, ie, ii};
        for (int i = 0; i < n; i++) {
            double[] k1 = deriv(s, current);
            double[] k2 = deriv(add(s, k1, dt / 2), current);
            double[] k3 = deriv(add(s, k2, dt / 2), current);
            double[] k4 = deriv(add(s, k3, dt), current);
            for (int j = 0; j < 3; j++) {
                s[j] += dt / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
            }
        }
        return s;
    }

    static double[] deriv(double[] s, double current) {
        return new double[] {
            -s[0] / P.tauMMs() + (s[1] + s[2] + current) / P.cmNf(),
            -s[1] / P.tauSynEMs(),
            -s[2] / P.tauSynIMs()};
    }

    static double[] add(double[] s, double[] d, double f) {
        return new double[] {s[0] + f * d[0], s[1] + f * d[1], s[2] + f * d[2]};
    }

    @Test
    void oneStepIsExactIntegration() {
        for (double dt : new double[] {0.1, 1.0}) {
            LifPropagators c = LifPropagators.of(P, dt);
            try (LifState s = new LifState(1); Tensor b = Tensor.of(new float[] {0.05f}, 1)) {
                s.v().set(0, 5f);
                s.iExc().set(0, 0.5f);
                s.iInh().set(0, -0.2f);
                k.lifRun(c, s, 1, LifInputs.bias(b), null, null);
                double[] expected = rk4(5, 0.5, -0.2, 0.05 + P.iOffsetNa(), dt);
                // float state: |y| ~ 10 mV rounds to 1e-6; the propagators are floats (6e-8 relative)
                assertEquals(expected[0], s.v().get(0), 2e-5, "y after dt = " + dt);
                assertEquals(expected[1], s.iExc().get(0), 1e-6);
                assertEquals(expected[2], s.iInh().get(0), 1e-6);
            }
        }
    }

    @Test
    void synapticInputArrivesAtTheEndOfTheStepAndRefractoryHoldsTheReset() {
        LifPropagators c = LifPropagators.of(P, 1.0);
        assertEquals(1, c.refractorySteps());
        try (LifState s = new LifState(1); Tensor exc = Tensor.of(new float[] {2f, 0f, 0f}, 3, 1);
             Tensor inh = Tensor.of(new float[] {0f, -1f, 0f}, 3, 1); Tensor spikes = Tensor.zeros(3, 1)) {
            // step 0: input arrives after the voltage update, so y only sees i_offset
            k.lifRun(c, s, 1, new LifInputs(null, null, exc.view(0, 1, 1), inh.view(0, 1, 1)), spikes.view(0, 1, 1), null);
            assertEquals(c.driveGain() * P.iOffsetNa(), s.v().get(0), 1e-6);
            assertEquals(2f, s.iExc().get(0), 0f);
            // force a spike and check the refractory clamp
            s.v().set(0, 20f);
            s.refractory().set(0, 0f);
            k.lifRun(c, s, 1, new LifInputs(null, null, exc.view(1, 1, 1), inh.view(1, 1, 1)), spikes.view(1, 1, 1), null);
            assertEquals(1f, spikes.get(1));
            assertEquals(0f, s.v().get(0), 0f, "reset to v_reset - v_rest = 0");
            assertEquals(1f, s.refractory().get(0));
            assertEquals(2f * c.decayE(), s.iExc().get(0), 1e-6);
            assertEquals(-1f, s.iInh().get(0), 0f);
            k.lifRun(c, s, 1, new LifInputs(null, null, exc.view(2, 1, 1), inh.view(2, 1, 1)), spikes.view(2, 1, 1), null);
            assertEquals(0f, s.v().get(0), 0f, "held at reset while refractory");
            assertEquals(0f, s.refractory().get(0));
        }
    }
}
