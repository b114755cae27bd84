package dev.nsp.opencl;

import dev.nsp.kernel.BackendFailureException;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.jocl.CLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenCL failures during a run, injected with {@link FaultInjection} at every kind of call: each makes the operation
 * fail cleanly (a clear exception, the caller's tensors untouched where the failure came before the copy-back, no
 * leaked OpenCL objects, the backend still usable), and with {@code nsp.opencl.fallback=cpu} the run continues on
 * the CPU backend with exactly one warning and the CPU backend's results. Counts in docs/reliability.md.
 */
class FaultInjectionTest {
    private static final Logger KERNEL_LOG = Logger.getLogger("dev.nsp.kernel");
    private final List<LogRecord> warnings = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private long live0;

    @BeforeEach
    void setUp() {
        OpenClTestSupport.requireOpenCl();
        KERNEL_LOG.addHandler(handler);
        live0 = ClSession.liveObjects();
    }

    @AfterEach
    void tearDown() {
        System.clearProperty(FaultInjection.PROPERTY);
        System.clearProperty(Backends.FALLBACK_PROPERTY);
        KERNEL_LOG.removeHandler(handler);
        assertEquals(live0, ClSession.liveObjects(), "OpenCL objects leaked");
    }

    private static void inject(String spec) {
        System.setProperty(FaultInjection.PROPERTY, spec);
    }

    @Test
    void buildFailureIsCleanAndNamesTheLog() {
        inject("build");
        ProgramBuildException e = assertThrows(ProgramBuildException.class, () -> OpenClProvider.create(""));
        assertTrue(e.buildLog().contains("injected build failure"), e.buildLog());
        assertThrows(ProgramBuildException.class, () -> Backends.create("opencl"));
    }

    @Test
    void everyCreationStepCanFailWithoutLeaks() {
        int steps = 3 + KernelSources.KERNELS.size();     // context, queue, program, one kernel each
        for (int n = 1; n <= steps; n++) {
            inject("create@" + n);
            CLException e = assertThrows(CLException.class, () -> OpenClProvider.create(""), "create@" + n);
            assertTrue(e.getMessage().contains("injected"), e.getMessage());
            assertEquals(live0, ClSession.liveObjects(), "OpenCL objects leaked after create@" + n);
        }
        System.clearProperty(FaultInjection.PROPERTY);
        try (OpenClKernels k = OpenClProvider.create("")) {
            assertEquals("opencl", k.name());
        }
    }

    /** Out of device memory, a failed launch: the call fails, writes nothing, and the next call works. */
    @Test
    void callFailuresBeforeTheCopyBackLeaveOutputsUntouchedAndTheBackendUsable() {
        for (String spec : new String[] {"alloc@1", "alloc@3", "enqueue@1"}) {
            inject(spec);
            try (Kernels k = Backends.create("opencl"); Kernels ref = Backends.create("reference");
                 Tensor x = data(1021, 1); Tensor s = data(1021, 2); Tensor y = Tensor.zeros(1021); Tensor e = Tensor.zeros(1021)) {
                y.fill(7f);
                BackendFailureException f = assertThrows(BackendFailureException.class,
                        () -> k.noisySoftplusForward(x, s, 0.3f, 1f, y), spec);
                assertTrue(f.outputsUntouched(), spec);
                assertTrue(f.getMessage().startsWith("opencl backend failed: ")
                        && f.getMessage().contains(spec.startsWith("alloc") ? "CL_MEM_OBJECT_ALLOCATION_FAILURE" : "CL_OUT_OF_RESOURCES"),
                        f.getMessage());
                for (float v : y.toArray()) {
                    assertEquals(7f, v, spec + ": output written by a failed call");
                }
                k.noisySoftplusForward(x, s, 0.3f, 1f, y);          // the fault is spent: the backend works again
                ref.noisySoftplusForward(x, s, 0.3f, 1f, e);
                float[] a = y.toArray();
                float[] b = e.toArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 1e-5 * Math.abs(b[i]) + 1e-30, spec + " element " + i);
                }
            }
        }
    }

    /** The LIF loop updates its state in place: a failed launch must leave the state exactly as it was. */
    @Test
    void failedLifLaunchLeavesTheStateUnchanged() {
        inject("enqueue@1");
        LifPropagators c = LifPropagators.of(LifParameters.TABLE1, 1.0);
        try (Kernels k = Backends.create("opencl"); LifState st = new LifState(100); Tensor bias = data(100, 3)) {
            st.v().fill(3f);
            assertThrows(BackendFailureException.class, () -> k.lifRun(c, st, 10, LifInputs.bias(bias), null, null));
            for (float v : st.v().toArray()) {
                assertEquals(3f, v);
            }
            k.lifRun(c, st, 10, LifInputs.bias(bias), null, null);
            assertNotEquals(3f, st.v().get(0));
        }
    }

    @Test
    void failureDuringTheCopyBackSaysOutputsMayBeWritten() {
        inject("read@1");
        try (Kernels k = Backends.create("opencl"); Tensor x = data(64, 1); Tensor y = Tensor.zeros(64)) {
            BackendFailureException f = assertThrows(BackendFailureException.class, () -> k.reluForward(x, 1f, y));
            assertFalse(f.outputsUntouched());
        }
    }

    @Test
    void fallbackToCpuWarnsOnceAndGivesTheCpuResults() {
        System.setProperty(Backends.FALLBACK_PROPERTY, "cpu");
        inject("alloc@2");
        try (Kernels k = Backends.create("opencl"); Tensor x = data(4099, 3); Tensor s = data(4099, 4);
             Tensor y = Tensor.zeros(4099); Tensor y2 = Tensor.zeros(4099); Tensor e = Tensor.zeros(4099)) {
            assertEquals("opencl", k.name());
            k.noisySoftplusForward(x, s, 0.3f, 1f, y);     // alloc 1 and 2: the second fails, the call repeats on the CPU
            assertEquals(live0, ClSession.liveObjects(), "the failed OpenCL backend was not released");
            String cpu = k.name();
            assertNotEquals("opencl", cpu);
            for (int i = 0; i < 5; i++) {
                k.noisySoftplusForward(x, s, 0.3f, 1f, y2);
            }
            try (Kernels direct = Backends.create(cpu)) {
                direct.noisySoftplusForward(x, s, 0.3f, 1f, e);
            }
            assertArrayEquals(e.toArray(), y.toArray(), "the repeated call differs from the CPU backend");
            assertArrayEquals(e.toArray(), y2.toArray());
            assertEquals(1, warnings.size(), "warnings: " + warnings.size());
            assertTrue(warnings.getFirst().getMessage().contains("nsp.opencl.fallback=cpu"), warnings.getFirst().getMessage());
            k.close();
            k.close();      // closing twice is harmless
        }
    }

    @Test
    void fallbackDoesNotRepeatACallThatWroteOutputs() {
        System.setProperty(Backends.FALLBACK_PROPERTY, "cpu");
        inject("read@1");
        try (Kernels k = Backends.create("opencl"); Tensor x = data(64, 1); Tensor y = Tensor.zeros(64)) {
            BackendFailureException f = assertThrows(BackendFailureException.class, () -> k.reluForward(x, 1f, y));
            assertTrue(f.getMessage().contains("not repeated"), f.getMessage());
            k.reluForward(x, 1f, y);       // later calls run on the CPU backend
            assertNotEquals("opencl", k.name());
            assertEquals(1, warnings.size());
        }
    }

    @Test
    void fallbackWhenTheProgramDoesNotBuild() {
        System.setProperty(Backends.FALLBACK_PROPERTY, "cpu");
        inject("build");
        try (Kernels k = Backends.create("opencl"); Tensor x = data(16, 1); Tensor y = Tensor.zeros(16)) {
            assertNotEquals("opencl", k.name());
            k.reluForward(x, 1f, y);
            assertEquals(1, warnings.size());
            assertTrue(warnings.getFirst().getMessage().contains("failed to start"), warnings.getFirst().getMessage());
        }
    }

    @Test
    void badFaultSpecIsRejected() {
        for (String bad : new String[] {"alloc", "alloc@0", "enqueue@x", "build@2", "melt@1"}) {
            assertThrows(IllegalArgumentException.class, () -> FaultInjection.parse(bad), bad);
        }
        System.setProperty(Backends.FALLBACK_PROPERTY, "gpu");
        assertThrows(IllegalArgumentException.class, Backends::fallbackToCpu);
    }

    @Test
    void closingTwiceIsHarmless() {
        OpenClKernels k = OpenClProvider.create("");
        k.close();
        k.close();
        try (Tensor x = Tensor.zeros(1); Tensor y = Tensor.zeros(1)) {
            assertThrows(IllegalStateException.class, () -> k.reluForward(x, 1f, y));
        }
    }

    private static Tensor data(int n, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(n);
        for (int i = 0; i < n; i++) {
            t.set(i, (float) (r.nextGaussian() * 2));
        }
        if (seed % 2 == 0) {
            for (int i = 0; i < n; i++) {
                t.set(i, Math.abs(t.get(i)));
            }
        }
        return t;
    }
}
