package dev.nsp.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nsp.neuron.LifParameters;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    static final LifParameters P = LifParameters.TABLE1;

    static double[] synthetic(CalibrationGrid g, double k, double s, double b) {
        double[] x = g.xNa();
        double[] sg = g.sigmaNa();
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = s * Calibration.noisySoftplus(x[i] + b, sg[i], k);
        }
        return y;
    }

    @Test
    void recoversKnownParametersFromExactData() {
        CalibrationGrid g = CalibrationGrid.regular(-1, 1.5, 26, 0.0, 1.0, 6);   // includes sigma = 0 points
        for (double[] truth : new double[][] {{0.30, 201, 0}, {0.17, 208.76, 0}, {0.5, 50, 0}}) {
            NoisySoftplusFit f = Calibration.fit(g.xNa(), g.sigmaNa(), synthetic(g, truth[0], truth[1], 0), false);
            assertEquals(truth[0], f.k(), 1e-9 * truth[0]);
            assertEquals(truth[1], f.sHzPerNa(), 1e-9 * truth[1]);
            assertEquals(0.0, f.biasNa());
            assertTrue(f.rmsHz() < 1e-8, "rms " + f.rmsHz());
        }
        NoisySoftplusFit fb = Calibration.fit(g.xNa(), g.sigmaNa(), synthetic(g, 0.3, 201, 0.07), true);
        assertEquals(0.3, fb.k(), 1e-9);
        assertEquals(201, fb.sHzPerNa(), 1e-7);
        assertEquals(0.07, fb.biasNa(), 1e-10);
        assertEquals(201 * Calibration.noisySoftplus(0.2 + 0.07, 0.4, 0.3), fb.rateHz(0.2, 0.4), 1e-9);
        assertEquals(1.005, new NoisySoftplusFit(0.3, 201, 0, 0, new double[0], new double[0], new double[0],
                new double[0], 0).p(5), 1e-15);
    }

    @Test
    void noisySoftplusFormula() {
        assertEquals(0.3 * 0.5 * Math.log(1 + Math.exp(0.2 / 0.15)), Calibration.noisySoftplus(0.2, 0.5, 0.3), 1e-15);
        assertEquals(0.7, Calibration.noisySoftplus(0.7, 0, 0.3));
        assertEquals(0.0, Calibration.noisySoftplus(-0.7, 0, 0.3));
        assertEquals(1e4, Calibration.noisySoftplus(1e4, 1e-3, 0.3), 0);             // no overflow
        assertTrue(Calibration.noisySoftplus(-1e4, 1e-3, 0.3) >= 0);
    }

    /**
     * The Siegert-based calibration on Liu's grid (Fourcaud-Brunel-corrected poisson model, tau_syn 5 ms)
     * lands within |k - 0.30| <= 0.05 and |S - 201| <= 10 Hz/nA of the paper's values; measured: k = 0.338,
     * S = 208.0. The paper's values come from simulations at dt = 1 ms, which {@link ResponseSimulatorTest}
     * reproduces; the residual difference is the corrected Siegert formula's error at tau_s / tau_m = 0.25.
     */
    @Test
    void siegertCalibrationNearThePaper() {
        NoisySoftplusFit f5 = Calibration.fitSiegert(P, NoiseModel.Poisson.of(P, true), CalibrationGrid.liu(), false);
        NoisySoftplusFit f1 = Calibration.fitSiegert(P.withTauSyn(1), new NoiseModel.Poisson(1, true), CalibrationGrid.liu(), false);
        NoisySoftplusFit u5 = Calibration.fitSiegert(P, NoiseModel.Poisson.of(P, false), CalibrationGrid.liu(), false);
        NoisySoftplusFit u1 = Calibration.fitSiegert(P.withTauSyn(1), new NoiseModel.Poisson(1, false), CalibrationGrid.liu(), false);
        System.out.println("Siegert fits on Liu's grid: tau 5 corrected " + f5 + "; tau 1 corrected " + f1
                + "; tau 5 uncorrected " + u5 + "; tau 1 uncorrected " + u1);
        assertEquals(0.30, f5.k(), 0.05);
        assertEquals(201, f5.sHzPerNa(), 10);
        // a shorter synapse means less effective noise per sigma_I: a smaller k (paper: 0.17 to 0.19 at 1 ms)
        assertTrue(f1.k() < f5.k() && f1.k() > 0.15 && f1.k() < 0.23, "tau 1: " + f1);
        // without the colored-noise correction the model overstates the noise: a much larger k
        assertTrue(u5.k() > 1.4 * f5.k(), u5.toString());
        assertEquals(36, f5.xNa().length);
        assertEquals(f5.rmsHz(), rms(f5.fittedHz(), f5.targetHz()), 1e-12);
    }

    static double rms(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    @Test
    void badInput() {
        double[] x = {0, 1};
        assertThrows(IllegalArgumentException.class, () -> Calibration.fit(x, new double[] {0, 0}, new double[] {0, 1}, false));
        assertThrows(IllegalArgumentException.class, () -> Calibration.fit(x, new double[] {1, 1}, new double[] {0}, false));
        assertThrows(IllegalArgumentException.class, () -> Calibration.fit(x, new double[] {1, 1}, new double[] {0, Double.NaN}, false));
        assertThrows(IllegalArgumentException.class, () -> Calibration.fit(x, new double[] {1, 1}, new double[] {0, 1}, true));
        assertThrows(IllegalArgumentException.class, () -> Calibration.fit(x, new double[] {1, -1}, new double[] {0, 1}, false));
        assertThrows(IllegalArgumentException.class, () -> CalibrationGrid.regular(1, 0, 3, 0, 1, 2));
    }
}
