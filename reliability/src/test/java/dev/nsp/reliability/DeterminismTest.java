package dev.nsp.reliability;

import dev.nsp.data.Dataset;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import dev.nsp.neuron.LifParameters;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.snn.Conversion;
import dev.nsp.snn.SpikingNetwork;
import dev.nsp.train.TrainOptions;
import dev.nsp.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Same seed, same backend, same thread count: bit-identical trained weights and bit-identical spikes. Across
 * backends the spiking simulation is bit-identical too (its kernels, the LIF loop, event-driven input and Philox, are
 * exact on every backend), while training is not (see docs/reliability.md, "What differs across backends").
 */
class DeterminismTest {
    static final Architecture ARCH = Architecture.parse("4c5-2s-10", 1, 12, 12);
    static final Dataset DATA = images(200, 5);

    static List<String> backends() {
        return BackendsUnderTest.names();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void trainingTwiceGivesTheSameWeights(String name) {
        try (Kernels k = BackendsUnderTest.open(name)) {
            List<float[]> a = train(k, 42);
            List<float[]> b = train(k, 42);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), name + ": layer " + i + " weights differ between two runs");
            }
            List<float[]> c = train(k, 43);
            boolean differs = false;
            for (int i = 0; i < a.size(); i++) {
                differs |= !java.util.Arrays.equals(a.get(i), c.get(i));
            }
            assertEquals(true, differs, name + ": another seed gave the same weights");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void simulatingTwiceGivesTheSameSpikes(String name) {
        List<SpikingNetwork.Layer> layers = snnLayers();
        try (Kernels k = BackendsUnderTest.open(name)) {
            int[][] a = simulate(k, layers, 7);
            int[][] b = simulate(k, layers, 7);
            for (int l = 0; l < a.length; l++) {
                assertArrayEquals(a[l], b[l], name + ": layer " + l + " spike counts differ between two runs");
            }
        }
    }

    /** The spiking kernels are exact on every backend, so whole simulations agree bit for bit across backends. */
    @Test
    void spikesAreIdenticalAcrossBackends() {
        List<SpikingNetwork.Layer> layers = snnLayers();
        int[][] ref;
        try (Kernels k = BackendsUnderTest.open("reference")) {
            ref = simulate(k, layers, 11);
        }
        long spikes = 0;
        for (int[] l : ref) {
            for (int v : l) {
                spikes += v;
            }
        }
        assertEquals(true, spikes > 1000, "the test network should spike: " + spikes);
        for (String name : BackendsUnderTest.names()) {
            if (name.equals("reference")) {
                continue;
            }
            Kernels k;
            try {
                k = BackendsUnderTest.open(name);
            } catch (org.opentest4j.TestAbortedException skipped) {
                continue;
            }
            try (k) {
                int[][] got = simulate(k, layers, 11);
                for (int l = 0; l < ref.length; l++) {
                    assertArrayEquals(ref[l], got[l], name + ": layer " + l + " spikes differ from the reference");
                }
            }
        }
    }

    static List<float[]> train(Kernels k, long seed) {
        try (Network net = Network.initialize(ARCH, Activation.noisySoftplus(0.3, 201, 5), 1.0, seed, k)) {
            Trainer.train(net, DATA, null, TrainOptions.defaults().withEpochs(2).withBatchSize(20).withSeed(seed)
                    .withSigmaGrad(SigmaGrad.FULL), null);
            return net.weights();
        }
    }

    static List<SpikingNetwork.Layer> snnLayers() {
        try (Kernels k = BackendsUnderTest.open("reference");
             Network net = Network.initialize(ARCH, Activation.noisySoftplus(0.3, 201, 5), 1.0, 3, k)) {
            SavedModel m = net.toModel(TrainingInfo.of(0, 0.1, 1, 3, "reference"));
            return Conversion.toSpiking(m, null);
        }
    }

    /** @return the spike counts of every layer, for 4 images x 200 ms */
    static int[][] simulate(Kernels k, List<SpikingNetwork.Layer> layers, long seed) {
        try (SpikingNetwork net = new SpikingNetwork(k, LifParameters.TABLE1, 1.0, new int[] {1, 12, 12}, layers, 4)) {
            float[] rates = new float[4 * 144];
            byte[] px = DATA.pixels();
            for (int i = 0; i < rates.length; i++) {
                rates[i] = (px[i] & 0xff) / 255f * 200f;
            }
            net.run(rates, 4, 200, seed, 0, null);
            int[][] out = new int[layers.size()][];
            for (int l = 0; l < layers.size(); l++) {
                float[] c = net.layerCounts(l);
                out[l] = new int[c.length];
                for (int i = 0; i < c.length; i++) {
                    out[l][i] = (int) c[i];
                }
            }
            return out;
        }
    }

    /** Random 12x12 images, bright blobs on a dark background, labels 0..9 from the blob position. */
    static Dataset images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 144];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            labels[i] = (byte) label;
            int cy = 1 + label / 5 * 6 + r.nextInt(4);
            int cx = 1 + label % 5 * 2;
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 12; x++) {
                    boolean on = Math.abs(y - cy) <= 1 && Math.abs(x - cx) <= 1;
                    px[i * 144 + y * 12 + x] = (byte) (on ? 200 + r.nextInt(56) : r.nextInt(30));
                }
            }
        }
        return new Dataset("blobs", n, 12, 12, px, labels);
    }
}
