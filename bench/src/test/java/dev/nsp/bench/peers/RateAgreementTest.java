package dev.nsp.bench.peers;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateAgreementTest {

    /** Poisson counts by inversion, for simulated "simulators" whose only difference is noise. */
    private static int poisson(SplittableRandom r, double lambda) {
        double l = Math.exp(-lambda);
        int k = 0;
        double p = r.nextDouble();
        while (p > l) {
            k++;
            p *= r.nextDouble();
        }
        return k;
    }

    /** Mean and sample std of the rates (counts / 10 s) of n trials at each rate. */
    private static double[][] trials(SplittableRandom r, double[] rateHz, int n) {
        double[] mean = new double[rateHz.length];
        double[] std = new double[rateHz.length];
        for (int p = 0; p < rateHz.length; p++) {
            double s = 0;
            double s2 = 0;
            for (int t = 0; t < n; t++) {
                double v = poisson(r, rateHz[p] * 10) / 10.0;
                s += v;
                s2 += v * v;
            }
            mean[p] = s / n;
            std[p] = Math.sqrt(Math.max(0, (s2 - s * s / n) / (n - 1)));
        }
        return new double[][] {mean, std};
    }

    @Test
    void samePointRatesAgreeAndAShiftedOneDoesNot() {
        double[] rates = new double[36];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = i < 6 ? 0 : 3.0 * i;   // some silent points, up to 105 Hz
        }
        SplittableRandom r = new SplittableRandom(3);
        double[][] a = trials(r, rates, 100);
        double[][] b = trials(r, rates, 100);
        RateAgreement.Points same = RateAgreement.points(a[0], a[1], 100, b[0], b[1], 100);
        assertTrue(same.agree(), same.toString());
        assertTrue(same.meanZ2() > 0.3 && same.meanZ2() < 3, same.toString());
        // a model difference: 3 % more spikes at every point (e.g. one refractory step fewer at high rates)
        double[] shifted = rates.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] *= 1.03;
        }
        double[][] c = trials(r, shifted, 100);
        RateAgreement.Points diff = RateAgreement.points(a[0], a[1], 100, c[0], c[1], 100);
        assertFalse(diff.agree(), diff.toString());
        assertTrue(diff.worstPoint() >= 6, diff.toString());
    }

    @Test
    void silentPointsCountAsEqualOnlyWhenBothAreSilent() {
        double[] zero = {0, 0};
        RateAgreement.Points p = RateAgreement.points(zero, zero, 10, zero, zero, 10);
        assertTrue(p.agree());
        assertEquals(0, p.maxAbsZ());
        RateAgreement.Points q = RateAgreement.points(new double[] {0, 0.1}, zero, 10, zero, zero, 10);
        assertFalse(q.agree());
        assertEquals(1, q.worstPoint());
    }

    @Test
    void countsAgreeUnderNoiseAndDetectABiasedMap() {
        SplittableRandom r = new SplittableRandom(5);
        int groups = 12;
        int per = 500;
        double[] a = new double[groups * per];
        double[] b = new double[groups * per];
        double[] biased = new double[groups * per];
        for (int i = 0; i < a.length; i++) {
            double lambda = (i % 7) * 2.0;   // 0..12 spikes expected
            a[i] = poisson(r, lambda);
            b[i] = poisson(r, lambda);
            biased[i] = poisson(r, i / per == 4 ? lambda * 1.2 : lambda);   // one map fires 20 % more
        }
        RateAgreement.Counts same = RateAgreement.counts(a, b, groups);
        assertTrue(same.agree(), same.toString());
        assertTrue(same.dispersion() > 0.7 && same.dispersion() < 1.3, same.toString());
        RateAgreement.Counts diff = RateAgreement.counts(a, biased, groups);
        assertFalse(diff.agree(), diff.toString());
        assertEquals(4, diff.worstGroup());
    }

    @Test
    void exactComparisonCountsEqualNeurons() {
        RateAgreement.Exact e = RateAgreement.exact(new double[] {0, 17, 166}, new double[] {0, 17, 165});
        assertEquals(2, e.equal());
        assertEquals(1, e.maxDifference());
        assertFalse(e.agree());
        assertTrue(RateAgreement.exact(new double[] {3}, new double[] {3}).agree());
    }

    @Test
    void badInputIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RateAgreement.points(new double[1], new double[1], 1, new double[1], new double[1], 5));
        assertTrue(e.getMessage().contains("n1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RateAgreement.counts(new double[10], new double[10], 3));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RateAgreement.exact(new double[2], new double[3]));
        assertTrue(e.getMessage().contains("count1"), e.getMessage());
    }
}
