package dev.nsp.reliability;

import dev.nsp.kernel.CheckedKernels;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tensor used after close is an {@link IllegalStateException} in every backend, for every kernel of the SPI:
 * through the validating wrapper that {@link dev.nsp.kernel.Backends} hands out, and from the raw backend behind it
 * (which takes every tensor's memory through {@link Tensor#segment()}, so nothing reaches native code or a device).
 * Closing a backend twice is harmless.
 */
class UseAfterCloseTest {

    static List<String> backends() {
        return BackendsUnderTest.names();
    }

    /** Every kernel, called with one closed tensor (named in the key) and otherwise valid arguments. */
    private static Map<String, BiConsumer<Kernels, Tensor[]>> calls() {
        LifPropagators c = LifPropagators.of(LifParameters.TABLE1, 1.0);
        Map<String, BiConsumer<Kernels, Tensor[]>> m = new LinkedHashMap<>();
        // closed tensors: t[0] [2,1,4,4], t[1] [4], t[2] [2,16], t[3] [2,3,2,2], t[4] [2,1,2,2]; each call passes one
        // in a role the kernel always reads or writes (an unused argument is not a use)
        m.put("noisySoftplusForward", (k, t) -> k.noisySoftplusForward(t[1], open(4), 0.3f, 1f, open(4)));
        m.put("noisySoftplusBackward", (k, t) -> k.noisySoftplusBackward(open(4), t[1], 0.3f, 1f, open(4), open(4), null));
        m.put("softplusForward", (k, t) -> k.softplusForward(open(4), 0.3f, 1f, t[1]));
        m.put("softplusBackward", (k, t) -> k.softplusBackward(open(4), 0.3f, 1f, t[1], open(4)));
        m.put("reluForward", (k, t) -> k.reluForward(t[1], 1f, open(4)));
        m.put("reluBackward", (k, t) -> k.reluBackward(open(4), 1f, open(4), t[1]));
        m.put("conv2dForward", (k, t) -> k.conv2dForward(t[0], open(3, 1, 3, 3), open(2, 3, 2, 2)));
        m.put("conv2dBackwardData", (k, t) -> k.conv2dBackwardData(open(2, 3, 2, 2), open(3, 1, 3, 3), t[0]));
        m.put("conv2dBackwardWeights", (k, t) -> k.conv2dBackwardWeights(t[0], open(2, 3, 2, 2), open(3, 1, 3, 3)));
        m.put("momentConv2dForward", (k, t) -> k.momentConv2dForward(t[0], open(3, 1, 3, 3), open(2, 3, 2, 2), open(2, 3, 2, 2)));
        m.put("momentConv2dBackward", (k, t) -> k.momentConv2dBackward(open(2, 1, 4, 4), open(3, 1, 3, 3), open(2, 3, 2, 2),
                t[3], null, open(2, 1, 4, 4), null));
        m.put("pool2x2Forward", (k, t) -> k.pool2x2Forward(t[0], 0.25f, open(2, 1, 2, 2)));
        m.put("pool2x2Backward", (k, t) -> k.pool2x2Backward(open(2, 1, 2, 2), 0.25f, t[0]));
        m.put("momentPool2x2Forward", (k, t) -> k.momentPool2x2Forward(t[0], 0.25f, open(2, 1, 2, 2), open(2, 1, 2, 2)));
        m.put("momentPool2x2Backward", (k, t) -> k.momentPool2x2Backward(open(2, 1, 4, 4), 0.25f, open(2, 1, 2, 2), t[4],
                null, open(2, 1, 4, 4)));
        m.put("denseForward", (k, t) -> k.denseForward(t[2], open(3, 16), open(2, 3)));
        m.put("denseBackwardData", (k, t) -> k.denseBackwardData(open(2, 3), open(3, 16), t[2]));
        m.put("denseBackwardWeights", (k, t) -> k.denseBackwardWeights(t[2], open(2, 3), open(3, 16)));
        m.put("momentDenseForward", (k, t) -> k.momentDenseForward(t[2], open(3, 16), open(2, 3), open(2, 3)));
        m.put("momentDenseBackward", (k, t) -> k.momentDenseBackward(t[2], open(3, 16), open(2, 3), open(2, 3), null,
                null, open(3, 16)));
        m.put("softmaxCrossEntropy", (k, t) -> k.softmaxCrossEntropy(t[2], new int[] {0, 1}, open(2, 16), null));
        m.put("lifRun", (k, t) -> {
            LifState s = new LifState(4);
            try {
                k.lifRun(c, s, 1, LifInputs.bias(t[1]), null, null);
            } finally {
                s.close();
            }
        });
        m.put("spikeConv2dAccumulate", (k, t) -> k.spikeConv2dAccumulate(t[0], open(3, 1, 3, 3), open(2, 3, 2, 2), open(2, 3, 2, 2)));
        m.put("spikePool2x2Accumulate", (k, t) -> k.spikePool2x2Accumulate(t[0], 0.25f, open(2, 1, 2, 2), open(2, 1, 2, 2)));
        m.put("spikeDenseAccumulate", (k, t) -> k.spikeDenseAccumulate(t[2], open(3, 16), open(2, 3), open(2, 3)));
        m.put("bernoulliSpikes", (k, t) -> k.bernoulliSpikes(1, 0, 0, open(4), t[1]));
        m.put("bernoulliSpikeRows", (k, t) -> k.bernoulliSpikeRows(1, 0, 0, t[0], open(2, 1, 4, 4)));
        m.put("poissonCounts", (k, t) -> k.poissonCounts(1, 0, 0, t[1], open(4)));
        return m;
    }

    /** Open tensors made for a call; leaked on purpose into a list closed after the test. */
    private static final java.util.List<Tensor> MADE = new java.util.ArrayList<>();

    private static Tensor open(int... shape) {
        Tensor t = Tensor.zeros(shape);
        t.fill(0.5f);
        MADE.add(t);
        return t;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void closedTensorIsAnExceptionInEveryKernel(String name) {
        Kernels k = BackendsUnderTest.open(name);
        Kernels raw = ((CheckedKernels) k).unwrap();
        Tensor[] closed = {Tensor.zeros(2, 1, 4, 4), Tensor.zeros(4), Tensor.zeros(2, 16), Tensor.zeros(2, 3, 2, 2),
                Tensor.zeros(2, 1, 2, 2)};
        for (Tensor t : closed) {
            t.close();
        }
        int checked = 0;
        try {
            for (var e : calls().entrySet()) {
                for (Kernels target : new Kernels[] {k, raw}) {
                    String what = name + " " + (target == k ? "validated" : "raw") + " " + e.getKey();
                    IllegalStateException x = assertThrows(IllegalStateException.class, () -> e.getValue().accept(target, closed), what);
                    assertTrue(x.getMessage().contains("after close"), what + ": " + x.getMessage());
                    checked++;
                }
            }
        } finally {
            for (Tensor t : MADE) {
                t.close();
            }
            MADE.clear();
            k.close();
            k.close();              // closing twice is harmless
            raw.close();
        }
        System.out.println("nsp use-after-close: " + name + ": " + checked + " kernel calls with a closed tensor rejected");
    }
}
