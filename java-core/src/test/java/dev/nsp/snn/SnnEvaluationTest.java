package dev.nsp.snn;

import dev.nsp.data.Dataset;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SnnEvaluationTest {

    /** Class 0: the left half of an 8x8 image is white; class 1: the right half. */
    static Dataset halves(int n) {
        byte[] px = new byte[n * 64];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 2);
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    boolean left = c < 4;
                    px[i * 64 + r * 8 + c] = (byte) ((left == (i % 2 == 0)) ? 255 : 0);
                }
            }
        }
        return new Dataset("halves", n, 8, 8, px, labels);
    }

    @Test
    void classifiesASeparableSetAndReportsStatistics() {
        float[] w = new float[2 * 64];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) {
                w[r * 8 + c] = c < 4 ? 0.08f : -0.08f;
                w[64 + r * 8 + c] = c < 4 ? -0.08f : 0.08f;
            }
        }
        try (Kernels k = Backends.create("reference")) {
            SnnEvaluation.Report r = SnnEvaluation.run(k, List.of(new SpikingNetwork.Dense(w, 2, 64)), halves(6),
                    new SnnEvaluation.Options(200, 1, 3, 6, 4, 200), null);
            assertEquals(6, r.images());
            assertEquals(1.0, r.accuracy(), "a separable set is classified correctly after 200 ms");
            assertEquals(0.5, r.accuracyAt(0), "before any output spike every image counts as class 0");
            assertTrue(r.meanRateHz(1) > 10, "the winning neurons fire");
            assertEquals(6L * 2 * 200, r.neuronUpdates());
            assertTrue(r.synapticEvents() > 0);
            // input spikes are counted by their expectation: 32 pixels x 200 Hz x 0.2 s per image
            assertEquals(6 * 32 * 200 * 0.2, r.layerSpikes()[0], 1);
        }
    }

    /**
     * Parallel workers (one batch each, kernels capped to their thread) give exactly the outcome of one worker:
     * every image's input is keyed by its global index and the state is reset per batch.
     */
    @Test
    void workersDoNotChangeTheOutcome() {
        float[] w = new float[2 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((i * 37) % 11 - 5) * 0.03f;
        }
        List<SpikingNetwork.Layer> net = List.of(new SpikingNetwork.Dense(w, 2, 64));
        SnnEvaluation.Options o = new SnnEvaluation.Options(100, 1, 5, 23, 4, 200); // 6 batches, the last one short
        String before = System.getProperty(SnnEvaluation.WORKERS_PROPERTY);
        try (Kernels k = Backends.create("vector")) {
            System.setProperty(SnnEvaluation.WORKERS_PROPERTY, "1");
            SnnEvaluation.Report one = SnnEvaluation.run(k, net, halves(23), o, null);
            System.setProperty(SnnEvaluation.WORKERS_PROPERTY, "3");
            SnnEvaluation.Report three = SnnEvaluation.run(k, net, halves(23), o, null);
            assertArrayEquals(one.correctAtMs(), three.correctAtMs());
            assertArrayEquals(one.layerSpikes(), three.layerSpikes());
            assertEquals(one.synapticEvents(), three.synapticEvents());
            assertEquals(one.neuronUpdates(), three.neuronUpdates());
            System.setProperty(SnnEvaluation.WORKERS_PROPERTY, "0");
            assertThrows(IllegalArgumentException.class, () -> SnnEvaluation.run(k, net, halves(23), o, null));
        } finally {
            if (before == null) {
                System.clearProperty(SnnEvaluation.WORKERS_PROPERTY);
            } else {
                System.setProperty(SnnEvaluation.WORKERS_PROPERTY, before);
            }
        }
    }
}
