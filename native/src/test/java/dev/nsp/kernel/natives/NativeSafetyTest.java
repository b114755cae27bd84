package dev.nsp.kernel.natives;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.CheckedKernels;
import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory safety (a closed tensor never reaches C), the provider's contract, the thread-count property,
 * ISA selection and loading the library out of a jar.
 */
@SuppressWarnings("restricted")
class NativeSafetyTest {
    @BeforeAll
    static void library() {
        NativeHarness.requireLibrary();
    }

    /** Calls that each hand one closed tensor (input, output, weights, state, a view) to the backend. */
    private static void assertClosedTensorsAreRejected(Kernels k) {
        Tensor x = Tensor.of(new float[] {1, -2, 3, 4}, 4);
        Tensor s = Tensor.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 4);
        Tensor y = Tensor.zeros(4);
        Tensor img = Tensor.zeros(1, 1, 6, 6);
        Tensor w = Tensor.zeros(2, 1, 3, 3);
        Tensor out = Tensor.zeros(1, 2, 4, 4);
        Tensor big = Tensor.zeros(100_000);
        Tensor view = big.view(10, 4);
        try (LifState state = new LifState(4)) {
            LifPropagators c = LifPropagators.of(LifParameters.TABLE1, 1.0);
            List<Tensor> closed = List.of(x, y, w, out, big);
            for (Tensor t : closed) {
                t.close();
            }
            assertTrue(view.isClosed());
            assertRejected(() -> k.noisySoftplusForward(x, s, 0.3f, 1f, Tensor.zeros(4)));       // input closed
            assertRejected(() -> k.noisySoftplusForward(s, s.copy(), 0.3f, 1f, y));              // output closed
            assertRejected(() -> k.noisySoftplusForward(s, s.copy(), 0.3f, 1f, view));           // view of a closed tensor
            assertRejected(() -> k.reluForward(view, 1f, Tensor.zeros(4)));
            assertRejected(() -> k.noisySoftplusBackward(s, s.copy(), 0.3f, 1f, s.copy(), Tensor.zeros(4), y));
            assertRejected(() -> k.conv2dForward(img, w, Tensor.zeros(1, 2, 4, 4)));             // weights closed
            assertRejected(() -> k.conv2dForward(img, Tensor.zeros(2, 1, 3, 3), out));
            assertRejected(() -> k.bernoulliSpikes(1, 0, 0, s, y));
            state.v().close();
            assertRejected(() -> k.lifRun(c, state, 1, LifInputs.NONE, null, null));
        }
        s.close();
        img.close();
    }

    private static void assertRejected(Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertTrue(e.getMessage().contains("close"), e.getMessage());
    }

    @Test
    void closedTensorsAreRejectedThroughTheValidatedBackend() {
        try (Kernels k = Backends.create("native")) {
            assertEquals("native", k.name());
            assertInstanceOf(CheckedKernels.class, k);
            assertClosedTensorsAreRejected(k);
        }
    }

    @Test
    void closedTensorsAreRejectedByTheUnwrappedKernels() {
        try (Kernels checked = Backends.create("native")) {
            Kernels raw = ((CheckedKernels) checked).unwrap();
            assertInstanceOf(NativeKernels.class, raw);
            assertClosedTensorsAreRejected(raw);
        }
        try (Kernels raw = new NativeKernels(2)) {
            assertClosedTensorsAreRejected(raw);
        }
    }

    @Test
    void concurrentCallersGetTheSameResultsAsOneCaller() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(51);
        int n = 200_000;
        float[] x = NativeHarness.uniform(r, n, -3, 3);
        float[] sg = NativeHarness.uniform(r, n, 0, 2);
        float[] img = NativeHarness.uniform(r, 20 * 6 * 12 * 12, -1, 1);
        float[] w = NativeHarness.uniform(r, 12 * 6 * 5 * 5, -0.3, 0.3);
        try (Kernels k = new NativeKernels(2); Tensor xt = Tensor.of(x, n); Tensor st = Tensor.of(sg, n);
             Tensor it = Tensor.of(img, 20, 6, 12, 12); Tensor wt = Tensor.of(w, 12, 6, 5, 5)) {
            float[][] expected;
            try (Tensor y = Tensor.zeros(n); Tensor out = Tensor.zeros(20, 12, 8, 8)) {
                k.noisySoftplusForward(xt, st, 0.3f, 1f, y);
                k.conv2dForward(it, wt, out);
                expected = new float[][] {y.toArray(), out.toArray()};
            }
            // several Java threads share the one pool: some calls run on the pool, the others inline
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<float[][]>> results = new java.util.ArrayList<>();
                for (int t = 0; t < 12; t++) {
                    results.add(pool.submit(() -> {
                        try (Tensor y = Tensor.zeros(n); Tensor out = Tensor.zeros(20, 12, 8, 8)) {
                            for (int rep = 0; rep < 5; rep++) {
                                k.noisySoftplusForward(xt, st, 0.3f, 1f, y);
                                k.conv2dForward(it, wt, out);
                            }
                            return new float[][] {y.toArray(), out.toArray()};
                        }
                    }));
                }
                for (java.util.concurrent.Future<float[][]> f : results) {
                    float[][] got = f.get();
                    NativeHarness.assertBitIdentical("concurrent noisySoftplusForward", expected[0], got[0]);
                    NativeHarness.assertBitIdentical("concurrent conv2dForward", expected[1], got[1]);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void providerContract() {
        NativeProvider p = new NativeProvider();
        assertEquals("native", p.name());
        assertEquals(200, p.priority());
        KernelProvider.Availability a = p.probe();
        assertTrue(a.available() && a.automatic(), a.detail());
        assertTrue(a.detail().contains(NativeLib.variant()), a.detail());
        List<Backends.Probe> probes = Backends.probeAll();
        int nat = -1;
        int ref = -1;
        for (int i = 0; i < probes.size(); i++) {
            if (probes.get(i).name().equals("native")) {
                nat = i;
            } else if (probes.get(i).name().equals("reference")) {
                ref = i;
            }
        }
        assertTrue(nat >= 0 && ref > nat, "native is found and ranked before reference: " + probes);
        assertTrue(probes.get(nat).availability().available());
        try (Kernels k = p.create()) {
            assertInstanceOf(NativeKernels.class, k);
        }
    }

    @Test
    void forcedByTheSystemProperty() {
        String old = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "native");
        try {
            assertEquals("native", Backends.forcedName());
            assertEquals("native", Backends.get().name());
        } finally {
            if (old == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, old);
            }
        }
    }

    @Test
    void threadCountComesFromTheProperty() {
        String old = System.getProperty(NativeProvider.THREADS_PROPERTY);
        try {
            System.clearProperty(NativeProvider.THREADS_PROPERTY);
            assertEquals(Runtime.getRuntime().availableProcessors(), NativeProvider.threads());
            System.setProperty(NativeProvider.THREADS_PROPERTY, " 3 ");
            try (Kernels k = new NativeProvider().create()) {
                assertEquals(3, ((NativeKernels) k).threads());
            }
            for (String bad : new String[] {"0", "-2", "two", "1.5"}) {
                System.setProperty(NativeProvider.THREADS_PROPERTY, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, NativeProvider::threads);
                assertTrue(e.getMessage().startsWith("nsp.threads: "), e.getMessage());
                assertTrue(e.getMessage().contains(bad.trim()), e.getMessage());
                KernelProvider.Availability a = new NativeProvider().probe();
                assertTrue(!a.available() && a.detail().contains("nsp.threads"), a.detail());
            }
            assertThrows(IllegalArgumentException.class, () -> new NativeKernels(0));
        } finally {
            if (old == null) {
                System.clearProperty(NativeProvider.THREADS_PROPERTY);
            } else {
                System.setProperty(NativeProvider.THREADS_PROPERTY, old);
            }
        }
    }

    @Test
    void isaLevelsAreCappedAtWhatTheCpuRuns() {
        int max = NativeLib.maxLevel();
        try {
            assertTrue(max >= 0 && max <= 2);
            assertEquals(max, NativeLib.setLevel(99));
            assertEquals(List.of("base", "v3", "v4").get(max), NativeLib.variant());
            assertEquals(0, NativeLib.setLevel(-1));
            assertEquals("base", NativeLib.variant());
            assertTrue(!NativeLib.compiler().isBlank());
        } finally {
            NativeLib.setLevel(max);
        }
    }

    @Test
    void libraryLoadsWhenExtractedFromAJar() throws Throwable {
        Path dir = Files.createTempDirectory("nsp-jar-test");
        Path jar = dir.resolve("nsp-native-test.jar");
        String entry = NativeLib.resourceName().substring(1);
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os)) {
            out.putNextEntry(new JarEntry(entry));
            Files.copy(NativeLib.path(), out);
            out.closeEntry();
        }
        Path extracted = NativeLib.extract(URI.create("jar:" + jar.toUri() + "!/" + entry).toURL());
        try {
            assertArrayEquals(Files.readAllBytes(NativeLib.path()), Files.readAllBytes(extracted));
            try (Arena arena = Arena.ofConfined()) {
                SymbolLookup lookup = SymbolLookup.libraryLookup(extracted, arena);
                MethodHandle version = Linker.nativeLinker().downcallHandle(lookup.findOrThrow("nsp_abi_version"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                assertEquals(NativeLib.ABI_VERSION, (int) version.invokeExact());
            }
        } finally {
            Files.deleteIfExists(extracted);
            Files.deleteIfExists(jar);
            Files.deleteIfExists(dir);
        }
    }
}
