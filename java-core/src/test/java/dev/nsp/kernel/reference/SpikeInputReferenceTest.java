package dev.nsp.kernel.reference;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Event-driven synaptic input equals the dense products with the weights split by sign. */
class SpikeInputReferenceTest {
    static Kernels k;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    static Tensor spikes(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.size(); i++) {
            double u = r.nextDouble();
            t.set(i, u < 0.2 ? 1f : u < 0.25 ? 2f : 0f);
        }
        return t;
    }

    static Tensor weights(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) r.nextDouble(-1, 1));
        }
        return t;
    }

    static Tensor part(Tensor w, boolean positive) {
        Tensor t = w.copy();
        for (long i = 0; i < t.size(); i++) {
            float v = t.get(i);
            t.set(i, positive == (v > 0) ? v : 0f);
        }
        return t;
    }

    @Test
    void convolutionInput() {
        SplittableRandom r = new SplittableRandom(11);
        try (Tensor s = spikes(r, 2, 3, 9, 8); Tensor w = weights(r, 4, 3, 5, 5); Tensor exc = Tensor.zeros(2, 4, 5, 4);
             Tensor inh = Tensor.zeros(2, 4, 5, 4); Tensor wp = part(w, true); Tensor wn = part(w, false);
             Tensor ep = Tensor.zeros(2, 4, 5, 4); Tensor en = Tensor.zeros(2, 4, 5, 4)) {
            exc.fill(0.5f);
            k.spikeConv2dAccumulate(s, w, exc, inh);
            k.conv2dForward(s, wp, ep);
            k.conv2dForward(s, wn, en);
            for (long i = 0; i < exc.size(); i++) {
                assertEquals(0.5f + ep.get(i), exc.get(i), 1e-5, "excitatory " + i);
                assertEquals(en.get(i), inh.get(i), 1e-5, "inhibitory " + i);
                assertTrue(inh.get(i) <= 0);
            }
        }
    }

    @Test
    void poolingAndDenseInput() {
        SplittableRandom r = new SplittableRandom(12);
        try (Tensor s = spikes(r, 2, 3, 4, 6); Tensor exc = Tensor.zeros(2, 3, 2, 3); Tensor inh = Tensor.zeros(2, 3, 2, 3);
             Tensor ref = Tensor.zeros(2, 3, 2, 3)) {
            k.spikePool2x2Accumulate(s, 0.25f, exc, inh);
            k.pool2x2Forward(s, 0.25f, ref);
            assertArrayEquals(ref.toArray(), exc.toArray(), 1e-6f);
            assertArrayEquals(new float[(int) inh.size()], inh.toArray());
        }
        try (Tensor s = spikes(r, 3, 17); Tensor w = weights(r, 5, 17); Tensor exc = Tensor.zeros(3, 5);
             Tensor inh = Tensor.zeros(3, 5); Tensor wp = part(w, true); Tensor wn = part(w, false);
             Tensor ep = Tensor.zeros(3, 5); Tensor en = Tensor.zeros(3, 5)) {
            k.spikeDenseAccumulate(s, w, exc, inh);
            k.denseForward(s, wp, ep);
            k.denseForward(s, wn, en);
            assertArrayEquals(ep.toArray(), exc.toArray(), 1e-5f);
            assertArrayEquals(en.toArray(), inh.toArray(), 1e-5f);
        }
    }
}
