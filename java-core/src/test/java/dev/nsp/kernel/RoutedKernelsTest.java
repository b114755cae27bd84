package dev.nsp.kernel;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class RoutedKernelsTest {
    static final Set<String> SPIKING = Set.of("lifRun", "spikeConv2dAccumulate", "spikePool2x2Accumulate",
            "spikeDenseAccumulate", "bernoulliSpikes", "bernoulliSpikeRows", "poissonCounts");

    /** A Kernels that records the names of the methods called on it. */
    static Kernels recorder(List<String> calls) {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, m, args) -> {
                    calls.add(m.getName());
                    return m.getReturnType() == float.class ? 0f : m.getReturnType() == String.class ? "r" : null;
                });
    }

    @Test
    void spikingKernelsGoToTheSecondBackendAndTheRestToTheFirst() throws Exception {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        RoutedKernels k = new RoutedKernels(recorder(first), recorder(second));
        for (Method m : Kernels.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getName().equals("close") || m.getName().equals("name")) {
                continue;
            }
            Object[] args = new Object[m.getParameterCount()];
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < args.length; i++) {
                if (types[i] == float.class) {
                    args[i] = 0f;
                } else if (types[i] == int.class) {
                    args[i] = 0;
                } else if (types[i] == long.class) {
                    args[i] = 0L;
                }
            }
            m.invoke(k, args);
            List<String> expected = SPIKING.contains(m.getName()) ? second : first;
            assertEquals(m.getName(), expected.getLast(), m.getName() + " routed to the wrong backend");
        }
        assertTrue(second.containsAll(SPIKING));
        assertTrue(first.stream().noneMatch(SPIKING::contains));
        k.close();
        assertEquals("close", first.getLast());
        assertEquals("close", second.getLast());
    }
}
