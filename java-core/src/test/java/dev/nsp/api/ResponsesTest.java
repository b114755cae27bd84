package dev.nsp.api;

import dev.nsp.neuron.LifParameters;
import dev.nsp.response.CalibrationGrid;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.ResponseFunctions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ResponsesTest {
    private static final LifParameters N = LifParameters.TABLE1;

    @Test
    void constantCurrentRateIsPaperEquation2() {
        // R_m I = 80 MOhm * 0.4 nA = 32 mV, theta = 15 mV, V_r = 0: 1 / (1 ms + 20 ms ln(32 / 17))
        double expected = 1000.0 / (1 + 20 * Math.log(32.0 / 17.0));
        assertEquals(expected, Responses.constantCurrentRateHz(N, 0.4), 1e-9);
        assertEquals(0.0, Responses.constantCurrentRateHz(N, 0.15), "below threshold: R_m I = 12 mV");
        assertThrows(IllegalArgumentException.class, () -> Responses.constantCurrentRateHz(N, Double.NaN));
        assertThrows(NullPointerException.class, () -> Responses.constantCurrentRateHz(null, 0.4));
    }

    @Test
    void siegertRateIsTheResponseLibrarys() {
        for (double mu : new double[] {0.1, 0.2, 0.4}) {
            for (double sigma : new double[] {0.1, 0.5, 1.0}) {
                assertEquals(ResponseFunctions.siegertRateHz(N, new NoiseModel.Poisson(5, true), mu, sigma),
                        Responses.siegertRateHz(N, Noise.poisson(5, true), mu, sigma), 0);
                assertEquals(ResponseFunctions.siegertRateHz(N, new NoiseModel.GaussianStep(0.1), mu, sigma),
                        Responses.siegertRateHz(N, Noise.gaussianStep(0.1), mu, sigma), 0);
            }
        }
        // vanishing noise: the constant-current rate (1e-6 mV of noise against 17 mV of headroom)
        assertEquals(Responses.constantCurrentRateHz(N, 0.4), Responses.siegertRateHz(N, Noise.white(), 0.4, 1e-6),
                1e-3);
        assertThrows(IllegalArgumentException.class, () -> Responses.siegertRateHz(N, Noise.white(), 0.4, -1));
        assertThrows(NullPointerException.class, () -> Responses.siegertRateHz(N, null, 0.4, 1));
    }

    @Test
    void fitRecoversKnownParameters() {
        CalibrationGrid g = CalibrationGrid.liu();
        double[] x = g.xNa();
        double[] s = g.sigmaNa();
        double[] rates = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            rates[i] = 201 * 0.3 * s[i] * Math.log1p(Math.exp(x[i] / (0.3 * s[i])));
        }
        ResponseFit f = Responses.fit(x, s, rates);
        assertEquals(0.3, f.k(), 1e-9);
        assertEquals(201, f.sHzPerNa(), 1e-7);
        assertEquals(36, f.points());
        assertEquals(0, f.rmsHz(), 1e-6);
        assertEquals(1.005, f.p(5), 1e-9);
        assertEquals(rates[7], f.rateHz(x[7], s[7]), 1e-6);
        try (Backend ref = Backend.named("reference")) {
            NoisySoftplus a = f.activation(5, ref);
            assertEquals(f.k(), a.k());
            assertEquals(f.p(5), a.p());
            assertEquals(f.p(5) / f.sHzPerNa() * f.rateHz(0.2, 0.5), a.value(0.2, 0.5), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> Responses.fit(x, s, new double[3]));
        assertThrows(NullPointerException.class, () -> Responses.fit(x, null, rates));
    }

    /** Values measured by CalibrationTest on the same grid: k = 0.338, S = 208.0 (5 ms, corrected Siegert). */
    @Test
    void siegertCalibrationOnLiusGrid() {
        ResponseFit f = Responses.calibrateSiegert(N, Noise.poisson(5, true));
        assertEquals(0.338, f.k(), 0.001);
        assertEquals(208.0, f.sHzPerNa(), 0.1);
        assertEquals(36, f.points());
        ResponseFit custom = Responses.calibrateSiegert(N, Noise.poisson(5, true),
                CalibrationGrid.liu().xNa(), CalibrationGrid.liu().sigmaNa());
        assertEquals(f, custom);
    }

    /**
     * Liu's full protocol (10 s x 10 trials, fixed seed): deterministic, and the same on every backend (the LIF
     * and Poisson kernels are bit-identical to the reference); measured k = 0.2983, S = 201.22 Hz/nA (paper:
     * 0.30, 201). About 1.5 s on the reference backend.
     */
    @Test
    void simulatedCalibrationReproducesThePaper() {
        try (Backend ref = Backend.named("reference")) {
            ResponseFit f = Responses.calibrateSimulated(N, ref);
            assertEquals(0.2983, f.k(), 0.0001);
            assertEquals(201.22, f.sHzPerNa(), 0.01);
            assertEquals(36, f.points());
        }
        assertThrows(IllegalArgumentException.class, () -> Responses.calibrateSimulated(
                new LifParameters(0.25, 20, 1, 5, 3, -65, -65, -50, 0.1), Backend.automatic()));
    }

    @Test
    void responseFitChecksItsComponents() {
        assertThrows(IllegalArgumentException.class, () -> new ResponseFit(0, 201, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ResponseFit(0.3, Double.NaN, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ResponseFit(0.3, 201, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ResponseFit(0.3, 201, 0, 0));
        ResponseFit f = new ResponseFit(0.3, 201, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> f.rateHz(0, -1));
        assertThrows(IllegalArgumentException.class, () -> f.rateHz(Double.NaN, 1));
    }

    @Test
    void noiseKinds() {
        assertEquals("white", Noise.white().name());
        assertEquals("gaussian-step", Noise.gaussianStep(0.1).name());
        assertEquals("poisson", Noise.poisson(5, false).name());
        assertEquals(Noise.poisson(5, true), Noise.poisson(5, true));
        assertEquals(Noise.poisson(5, true).hashCode(), Noise.poisson(5, true).hashCode());
        assertNotEquals(Noise.poisson(5, true), Noise.poisson(5, false));
        assertThrows(IllegalArgumentException.class, () -> Noise.gaussianStep(0));
        assertThrows(IllegalArgumentException.class, () -> Noise.poisson(-5, false));
        assertTrue(Noise.white().toString().contains("White"));
    }
}
