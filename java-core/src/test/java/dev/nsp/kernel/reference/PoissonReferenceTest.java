package dev.nsp.kernel.reference;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.Philox;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Philox known answers and the statistics of the Bernoulli and Poisson generators. */
class PoissonReferenceTest {
    static Kernels k;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    @Test
    void philoxKnownAnswers() {
        // Random123's known-answer vectors for philox4x32-10
        int[] out = new int[4];
        Philox.block(0, 0, 0, 0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Philox.block(-1, -1, -1, -1, -1, -1, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
    }

    @Test
    void bernoulliRateWithinFiveStandardErrors() {
        int n = 200_000;
        double p = 0.2;
        try (Tensor prob = Tensor.zeros(n); Tensor spikes = Tensor.zeros(n)) {
            prob.fill((float) p);
            long total = 0;
            int steps = 5;
            for (int step = 0; step < steps; step++) {
                k.bernoulliSpikes(42, 0, step, prob, spikes);
                for (float v : spikes.toArray()) {
                    assertTrue(v == 0f || v == 1f);
                    total += (long) v;
                }
            }
            double draws = (double) n * steps;
            double se = Math.sqrt(p * (1 - p) / draws);
            assertEquals(p, total / draws, 5 * se);
        }
    }

    @Test
    void poissonMeanAndFanoFactor() {
        int n = 100_000;
        for (double lambda : new double[] {0.05, 1.0, 4.0, 20.0}) {
            try (Tensor t = Tensor.zeros(n); Tensor counts = Tensor.zeros(n)) {
                t.fill(Philox.expNegLambda(lambda));
                k.poissonCounts(7, 3, 11, t, counts);
                double sum = 0;
                double sq = 0;
                for (float c : counts.toArray()) {
                    assertEquals(Math.rint(c), c);
                    sum += c;
                    sq += (double) c * c;
                }
                double mean = sum / n;
                double var = sq / n - mean * mean;
                // the sample mean has standard error sqrt(lambda / n); the sample variance of a Poisson
                // has standard error about sqrt((lambda + 2 lambda^2) / n)
                assertEquals(lambda, mean, 5 * Math.sqrt(lambda / n), "mean, lambda = " + lambda);
                assertEquals(lambda, var, 5 * Math.sqrt((lambda + 2 * lambda * lambda) / n), "variance, lambda = " + lambda);
                assertEquals(1.0, var / mean, 0.05, "Fano factor, lambda = " + lambda);
            }
        }
    }

    @Test
    void identicalKeysGiveIdenticalStreamsAndOthersDiffer() {
        int n = 4099;
        try (Tensor prob = Tensor.zeros(n); Tensor a = Tensor.zeros(n); Tensor b = Tensor.zeros(n)) {
            prob.fill(0.5f);
            k.bernoulliSpikes(1, 2, 3, prob, a);
            k.bernoulliSpikes(1, 2, 3, prob, b);
            assertArrayEquals(a.toArray(), b.toArray());
            for (long[] key : new long[][] {{2, 2, 3}, {1, 3, 3}, {1, 2, 4}}) {
                k.bernoulliSpikes(key[0], (int) key[1], key[2], prob, b);
                assertFalse(java.util.Arrays.equals(a.toArray(), b.toArray()), "key " + java.util.Arrays.toString(key));
            }
        }
    }

    @Test
    void edgeProbabilities() {
        try (Tensor prob = Tensor.of(new float[] {0f, 1f, -1f, 2f, Float.NaN}, 5); Tensor s = Tensor.zeros(5)) {
            for (int step = 0; step < 100; step++) {
                k.bernoulliSpikes(9, 0, step, prob, s);
                assertArrayEquals(new float[] {0f, 1f, 0f, 1f, 0f}, s.toArray());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Philox.expNegLambda(-1));
        assertThrows(IllegalArgumentException.class, () -> Philox.expNegLambda(65));
    }
}
