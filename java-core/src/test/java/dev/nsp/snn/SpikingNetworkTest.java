package dev.nsp.snn;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SpikingNetworkTest {
    static Kernels k;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    /** 1x8x8 input, conv 2@3x3 (one all-positive, one all-negative map), 2x2 pool, dense 18 -> 3. */
    static List<SpikingNetwork.Layer> layers() {
        float[] conv = new float[2 * 9];
        Arrays.fill(conv, 0, 9, 0.6f);
        Arrays.fill(conv, 9, 18, -0.6f);
        float[] dense = new float[3 * 18];
        for (int i = 0; i < 18; i++) {
            boolean firstMap = i < 9;
            dense[i] = firstMap ? 1.0f : 0f;          // output 0 listens to the excited map
            dense[18 + i] = firstMap ? 0f : 1.0f;     // output 1 listens to the silent map
            dense[36 + i] = firstMap ? -1.0f : 0f;    // output 2 is inhibited by the excited map
        }
        return List.of(new SpikingNetwork.Conv(conv, 2, 1, 3, 3), new SpikingNetwork.Pool(0.25f * 4),
                new SpikingNetwork.Dense(dense, 3, 18));
    }

    @Test
    void drivenOutputWinsAndRestIsSilent() {
        try (SpikingNetwork net = new SpikingNetwork(k, LifParameters.TABLE1, 1.0, new int[] {1, 8, 8}, layers(), 2)) {
            float[] rates = new float[128];
            Arrays.fill(rates, 0, 64, 200f);   // image 0: bright; image 1: dark
            SpikingNetwork.Result r = net.run(rates, 2, 300, 1, 0, null);
            float[] bright = r.cumulativeCounts()[299][0];
            float[] dark = r.cumulativeCounts()[299][1];
            assertTrue(bright[0] > 10, Arrays.toString(bright));
            assertEquals(0f, bright[1]);
            assertEquals(0f, bright[2]);
            assertArrayEquals(new float[3], dark, "i_offset alone (8 mV) stays below threshold");
            assertEquals(0, r.prediction(0, 299));
            assertEquals(0, r.layerSpikes()[3] - (long) (bright[0] + bright[1] + bright[2]));
            assertTrue(r.meanRateHz(1) > 0);
            // cumulative counts never decrease
            for (int m = 1; m < 300; m++) {
                assertTrue(r.cumulativeCounts()[m][0][0] >= r.cumulativeCounts()[m - 1][0][0]);
            }
        }
    }

    @Test
    void sameSeedSameSpikesWhateverTheBatchPosition() {
        float[] one = new float[64];
        Arrays.fill(one, 80f);
        float[] two = new float[128];
        System.arraycopy(one, 0, two, 64, 64);
        try (SpikingNetwork a = new SpikingNetwork(k, LifParameters.TABLE1, 0.1, new int[] {1, 8, 8}, layers(), 1);
             SpikingNetwork b = new SpikingNetwork(k, LifParameters.TABLE1, 0.1, new int[] {1, 8, 8}, layers(), 2)) {
            SpikingNetwork.Result ra = a.run(one, 1, 50, 9, 5, null);
            SpikingNetwork.Result rb = b.run(two, 2, 50, 9, 4, null);  // the same image is global index 5 here too
            assertArrayEquals(ra.cumulativeCounts()[49][0], rb.cumulativeCounts()[49][1]);
            SpikingNetwork.Result rc = a.run(one, 1, 50, 10, 5, null);
            assertTrue(ra.layerSpikes()[1] != rc.layerSpikes()[1] || ra.layerSpikes()[2] != rc.layerSpikes()[2],
                    "another seed gives other spikes");
        }
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class,
                () -> new SpikingNetwork(k, LifParameters.TABLE1, 0.3, new int[] {1, 8, 8}, layers(), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SpikingNetwork(k, LifParameters.TABLE1, 1, new int[] {2, 8, 8}, layers(), 1));
        assertTrue(e.getMessage().startsWith("layers: conv expects 1 input channels"), e.getMessage());
        try (SpikingNetwork net = new SpikingNetwork(k, LifParameters.TABLE1, 1.0, new int[] {1, 8, 8}, layers(), 1)) {
            assertThrows(IllegalArgumentException.class, () -> net.run(new float[64], 2, 10, 1, 0, null));
            assertThrows(IllegalArgumentException.class, () -> net.run(new float[64], 1, 10.5, 1, 0, null));
            float[] neg = new float[64];
            neg[3] = -1f;
            assertThrows(IllegalArgumentException.class, () -> net.run(neg, 1, 10, 1, 0, null));
        }
    }
}
