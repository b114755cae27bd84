package dev.nsp.snn;

import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConversionTest {

    static SavedModel model(Activation a) {
        Architecture arch = Architecture.paper();
        List<float[]> w = new ArrayList<>();
        for (var l : arch.layers()) {
            float[] v = new float[(int) l.weightCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i % 7 - 3) * 0.1f;
            }
            w.add(v);
        }
        return new SavedModel(arch, a, 1.0, TrainingInfo.of(1, 0.1, 50, 1, "reference"), w);
    }

    @Test
    void noisySoftplusWeightsAreNanoampsUnchanged() {
        SavedModel m = model(Activation.noisySoftplus(0.3, 201, 5));
        List<SpikingNetwork.Layer> layers = Conversion.toSpiking(m, null);
        assertEquals(5, layers.size());
        assertArrayEquals(m.weights(0), ((SpikingNetwork.Conv) layers.get(0)).weightsNa());
        assertEquals(0.25f, ((SpikingNetwork.Pool) layers.get(1)).weightNa());
        assertArrayEquals(m.weights(4), ((SpikingNetwork.Dense) layers.get(4)).weightsNa());
    }

    @Test
    void reluWeightsAreNormalisedLayerByLayer() {
        SavedModel m = model(Activation.relu(1));
        double[] scales = {1, 4, 99, 2, 99, 8};  // input, conv1, pool (ignored), conv2, pool, dense
        List<SpikingNetwork.Layer> layers = Conversion.toSpiking(m, scales);
        float[] c1 = ((SpikingNetwork.Conv) layers.get(0)).weightsNa();
        float[] c2 = ((SpikingNetwork.Conv) layers.get(2)).weightsNa();
        float[] d = ((SpikingNetwork.Dense) layers.get(4)).weightsNa();
        assertEquals(m.weights(0)[1] * 1 / 4.0, c1[1], 1e-7);
        assertEquals(m.weights(2)[1] * 4 / 2.0, c2[1], 1e-7);
        assertEquals(m.weights(4)[1] * 2 / 8.0, d[1], 1e-7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conversion.toSpiking(m, null));
        assertTrue(e.getMessage().startsWith("layerScales: null"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conversion.toSpiking(m, new double[] {1, 0, 1, 1, 1, 1}));
    }

    @Test
    void summaries() {
        float[] v = new float[2000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        v[1234] = 1e6f;
        assertEquals(1e6, Conversion.summarise(v, Conversion.Normalisation.MAX));
        assertEquals(1998, Conversion.summarise(v, Conversion.Normalisation.PERCENTILE_99_9));
        assertEquals(Float.MIN_NORMAL, Conversion.summarise(new float[3], Conversion.Normalisation.MAX));
    }
}
