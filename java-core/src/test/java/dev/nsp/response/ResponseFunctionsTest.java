package dev.nsp.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nsp.math.BigMath;
import dev.nsp.math.SpecialFunctions;
import dev.nsp.neuron.LifParameters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The response functions against references computed here: the constant-current formula written out, and
 * the Siegert integral as the difference of its primitive's two power series in {@link BigMath}
 * (40 spare digits, independent of erfcx, Dawson and the quadrature).
 */
class ResponseFunctionsTest {
    static final LifParameters P = LifParameters.TABLE1;

    /** The reference rate: 1 / (tau_ref + tau_m sqrt(pi) I) with I in high precision. */
    static double referenceRateHz(LifParameters p, MembraneNoise m) {
        double theta = p.vThreshMv() - p.vRestMv();
        double vr = p.vResetMv() - p.vRestMv();
        double b = (theta - m.muVMv()) / m.sigmaVMv() + m.boundShift();
        double a = (vr - m.muVMv()) / m.sigmaVMv() + m.boundShift();
        double integral = BigMath.siegertIntegral(a, b);
        return 1000.0 / (p.tauRefracMs() + p.tauMMs() * Math.sqrt(Math.PI) * integral);
    }

    @Test
    void constantCurrentFormula() {
        // R_m = 80 MOhm, theta = 15 mV, V_r = 0: rate = 1 / (1 ms + 20 ms ln(80 I / (80 I - 15)))
        for (double i : new double[] {0.19, 0.2, 0.3, 0.5, 1.0, 2.0, 10.0}) {
            double want = 1000.0 / (1.0 + 20.0 * Math.log(80 * i / (80 * i - 15)));
            assertEquals(want, ResponseFunctions.constantCurrentRateHz(P, i), 1e-12 * want, "I = " + i);
        }
        assertEquals(0.0, ResponseFunctions.constantCurrentRateHz(P, 0.1875));   // R I = theta exactly
        assertEquals(0.0, ResponseFunctions.constantCurrentRateHz(P, 0.1));
        assertEquals(0.0, ResponseFunctions.constantCurrentRateHz(P, -3));
        // just above the rheobase the rate is tiny and continuous with 0
        assertTrue(ResponseFunctions.constantCurrentRateHz(P, 0.1875 * (1 + 1e-12)) < 2.0);
        // towards 1 / tau_ref for huge currents
        assertEquals(1000.0, ResponseFunctions.constantCurrentRateHz(P, 1e9), 1e-3);
        assertThrows(IllegalArgumentException.class, () -> ResponseFunctions.constantCurrentRateHz(P, Double.NaN));
    }

    @Test
    void siegertIntegralMatchesSeriesReference() {
        double[][] bounds = {
            {-20, -19.5}, {-20, -3}, {-19.9, 0}, {-5, -1e-6}, {-1.5, -0.2}, // both negative
            {-20, 0.3}, {-3, 2.5}, {-0.5, 0.5}, {-1e-3, 6.7}, {-12, 7.5},   // mixed
            {0, 1}, {1e-9, 6.0}, {2, 2.1}, {3.9, 7.9}, {0.25, 4.75}, {5.5, 5.500001}, // both non-negative
        };
        double worst = 0;
        for (double[] ab : bounds) {
            double got = ResponseFunctions.siegertIntegral(ab[0], ab[1]);
            double want = BigMath.siegertIntegral(ab[0], ab[1]);
            double rel = Math.abs(got - want) / want;
            worst = Math.max(worst, rel);
            assertTrue(rel < 1e-11, "I(" + ab[0] + ", " + ab[1] + ") = " + got + ", want " + want + ", rel " + rel);
        }
        System.out.printf("siegertIntegral: max rel error %.3g%n", worst);
        assertEquals(0.0, ResponseFunctions.siegertIntegral(1.5, 1.5));
        assertThrows(IllegalArgumentException.class, () -> ResponseFunctions.siegertIntegral(2, 1));
        assertThrows(IllegalArgumentException.class, () -> ResponseFunctions.siegertIntegral(Double.NEGATIVE_INFINITY, 1));
    }

    /** Drives over the working range of every noise model whose bounds stay within [-20, 8]. */
    static List<MembraneNoise> drives() {
        List<MembraneNoise> out = new ArrayList<>();
        List<NoiseModel> models = List.of(new NoiseModel.White(), new NoiseModel.GaussianStep(0.1),
                new NoiseModel.GaussianStep(1.0), new NoiseModel.Poisson(5, false), new NoiseModel.Poisson(5, true),
                new NoiseModel.Poisson(1, true));
        for (NoiseModel model : models) {
            boolean white = model instanceof NoiseModel.White;
            for (double mu = -0.4; mu <= 1.6; mu += 0.25) {
                for (double s : white ? new double[] {1, 4, 10, 30} : new double[] {0.05, 0.2, 0.5, 1.0}) {
                    MembraneNoise m = model.membrane(P, mu, s);
                    double theta = 15;
                    double a = (0 - m.muVMv()) / m.sigmaVMv() + m.boundShift();
                    if (theta - m.muVMv() <= 6 * m.sigmaVMv() && a >= -20) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void siegertRateWithinOneBillionthOfReference() {
        double worst = 0;
        List<MembraneNoise> ds = drives();
        assertTrue(ds.size() > 100, "enough drives: " + ds.size());
        for (MembraneNoise m : ds) {
            double got = ResponseFunctions.siegertRateHz(P, m);
            double want = referenceRateHz(P, m);
            double rel = Math.abs(got - want) / want;
            worst = Math.max(worst, rel);
            assertTrue(rel <= 1e-9, m + ": " + got + " Hz, want " + want + ", rel " + rel);
        }
        System.out.printf("siegertRateHz: %d drives, max rel error %.3g%n", ds.size(), worst);
    }

    @Test
    void siegertTendsToConstantCurrentAsSigmaVanishes() {
        for (double mu : new double[] {0.2, 0.3, 0.6, 1.5}) {
            double constant = ResponseFunctions.constantCurrentRateHz(P, mu);
            double previous = Double.POSITIVE_INFINITY;
            for (double sigmaV : new double[] {1, 0.1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-9, 1e-15, 1e-100, 1e-310}) {
                double r = ResponseFunctions.siegertRateHz(P, new MembraneNoise(P.rmMohm() * mu, sigmaV, 0));
                double rel = Math.abs(r - constant) / constant;
                // the leading correction is of order sigma_V^2 / (mu_V - theta)^2
                assertTrue(rel <= Math.max(previous, 1e-14), "mu " + mu + " sigmaV " + sigmaV + ": " + rel);
                previous = rel;
                if (sigmaV <= 1e-4) {
                    assertTrue(rel < 1e-9, "mu " + mu + " sigmaV " + sigmaV + ": rel " + rel);
                }
            }
            // also through the noise models: sigma_I -> 0 with the bound shift, which moves both bounds by
            // shift * sigma_V in mV, so the approach is first order in sigma: 1e-12 nA gives ~1e-11 relative
            double r = ResponseFunctions.siegertRateHz(P, new NoiseModel.Poisson(5, true), mu, 1e-12);
            assertEquals(constant, r, 1e-9 * constant);
            assertEquals(constant, ResponseFunctions.siegertRateHz(P, new NoiseModel.Poisson(5, true), mu, 0), 0);
        }
        // at the rheobase (mu_V = theta) the limit is 0, approached only logarithmically: there
        // I = int_0^(15/sigma) erfcx >= ln(15/sigma + 1)/sqrt(pi) (erfcx(v) >= 1/(sqrt(pi)(v + 1))), so
        // rate < 1000 / (tau_m ln(15/sigma)) Hz
        double previous = Double.POSITIVE_INFINITY;
        for (double sigmaV : new double[] {1e-2, 1e-6, 1e-20, 1e-100, 1e-300}) {
            double r = ResponseFunctions.siegertRateHz(P, new MembraneNoise(15, sigmaV, 0));
            assertTrue(r < previous && r < 1000 / (20 * Math.log(15 / sigmaV)), sigmaV + ": " + r);
            previous = r;
        }
        // below the rheobase it is 0 (beyond the 6 sigma cut-off)
        assertEquals(0.0, ResponseFunctions.siegertRateHz(P, new MembraneNoise(14.9, 1e-3, 0)));
    }

    @Test
    void cutOffAtSixSigmaIsHarmless() {
        // just inside the cut-off the rate is negligible, just outside it is exactly 0
        double sigma = 2.0;
        double inside = ResponseFunctions.siegertRateHz(P, new MembraneNoise(15 - 6 * sigma * (1 - 1e-9), sigma, 0));
        double outside = ResponseFunctions.siegertRateHz(P, new MembraneNoise(15 - 6 * sigma * (1 + 1e-9), sigma, 0));
        assertTrue(inside > 0 && inside < 1e-10, "rate at the cut-off: " + inside);
        assertEquals(0.0, outside);
    }

    @Test
    void noiseModelsMapCurrentToMembrane() {
        double rm = 80;
        MembraneNoise w = new NoiseModel.White().membrane(P, 0.5, 3);
        assertEquals(new MembraneNoise(rm * 0.5, 3, 0), w);
        MembraneNoise g = new NoiseModel.GaussianStep(0.1).membrane(P, 0.5, 0.2);
        assertEquals(rm * 0.2 * Math.sqrt(0.1 / 20), g.sigmaVMv(), 1e-13);
        MembraneNoise p = new NoiseModel.Poisson(5, false).membrane(P, 0.5, 0.2);
        assertEquals(rm * 0.2 * Math.sqrt(2 * 5.0 / 20), p.sigmaVMv(), 1e-13);
        assertEquals(0.0, p.boundShift());
        MembraneNoise pc = new NoiseModel.Poisson(5, true).membrane(P, 0.5, 0.2);
        assertEquals(2.0652531522312172 / 2 * Math.sqrt(5.0 / 20), pc.boundShift(), 1e-15);
        // alpha = sqrt(2) |zeta(1/2)|, zeta(1/2) = -1.4603545088095868
        assertEquals(Math.sqrt(2) * 1.4603545088095868, NoiseModel.ALPHA, 1e-15);
        assertEquals(new NoiseModel.Poisson(5, true), NoiseModel.Poisson.of(P, true));
        assertThrows(IllegalArgumentException.class,
                () -> NoiseModel.Poisson.of(new LifParameters(0.25, 20, 1, 5, 3, -65, -65, -50, 0.1), true));
        assertThrows(IllegalArgumentException.class, () -> new NoiseModel.GaussianStep(0));
        assertThrows(IllegalArgumentException.class, () -> new NoiseModel.Poisson(-1, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResponseFunctions.siegertRateHz(P, new NoiseModel.White(), 0.5, -1));
        assertTrue(e.getMessage().contains("sigma"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ResponseFunctions.siegertRateHz(P, new NoiseModel.White(), Double.NaN, 1));
        // the mean includes i_offset: the same total current gives the same rate whatever i_offset is
        LifParameters noOffset = P.withIOffset(0);
        assertEquals(ResponseFunctions.siegertRateHz(P, new NoiseModel.Poisson(5, true), 0.4, 0.3),
                ResponseFunctions.siegertRateHz(noOffset, new NoiseModel.Poisson(5, true), 0.4, 0.3));
    }

    @Test
    void siegertIsMonotoneInTheMean() {
        NoiseModel m = new NoiseModel.Poisson(5, true);
        double previous = 0;
        for (double mu = -1; mu <= 3; mu += 0.01) {
            double r = ResponseFunctions.siegertRateHz(P, m, mu, 0.3);
            assertTrue(r >= previous, "mu " + mu);
            assertTrue(r < 1000.0 / P.tauRefracMs());
            previous = r;
        }
        assertTrue(Math.abs(SpecialFunctions.SQRT_PI - Math.sqrt(Math.PI)) < 1e-15);
    }
}
