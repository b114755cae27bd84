package dev.nsp.reliability;

import dev.nsp.data.Dataset;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.TrainingInfo;
import dev.nsp.neuron.LifParameters;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.snn.Conversion;
import dev.nsp.snn.SpikingNetwork;
import dev.nsp.tensor.Tensor;
import dev.nsp.train.TrainOptions;
import dev.nsp.train.Trainer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soak: training steps and spiking simulations, each building and closing its own networks and tensors, run in a loop
 * on the default backend for {@code -Dnsp.soak.seconds} (default {@value #DEFAULT_SECONDS} s in the build; minutes
 * on demand). Memory is sampled every iteration after a GC: the off-heap bytes of open tensors
 * ({@link Tensor#liveBytes()}) must return to their starting value after every iteration, and after a warm-up the
 * heap used after GC and the process's resident set (which includes native scratch memory of the C kernels and the
 * OpenCL runtime) must stay flat within the stated tolerances. The numbers are printed and go to
 * docs/reliability.md.
 */
class SoakTest {
    static final int DEFAULT_SECONDS = 40;
    /** Heap growth allowed from the first post-warm-up sample to the last: class loading and JIT metadata settle. */
    static final long HEAP_TOLERANCE = 16L << 20;
    /**
     * Growth allowed of the native part of the resident set (resident set less the JVM's committed heap and non-heap):
     * malloc arenas settle; a leak of native scratch memory per kernel call (hundreds of thousands of calls here)
     * would exceed it.
     */
    static final long NATIVE_TOLERANCE = 32L << 20;

    @Test
    void memoryStaysFlat() throws Exception {
        long seconds = seconds();
        Kernels k = Backends.get();
        Dataset data = DeterminismTest.images(120, 9);
        long tensors0 = Tensor.liveCount();
        long bytes0 = Tensor.liveBytes();
        List<long[]> samples = new ArrayList<>();     // {ms, heapAfterGc, rss, tensorBytes, iterations, native}
        long t0 = System.nanoTime();
        long deadline = t0 + seconds * 1_000_000_000L;
        long warmupEnd = t0 + Math.min(10, seconds / 4) * 1_000_000_000L;
        int iterations = 0;
        long spikes = 0;
        while (System.nanoTime() < deadline) {
            spikes += iteration(k, data, iterations);
            iterations++;
            assertEquals(bytes0, Tensor.liveBytes(), "tensor bytes leaked in iteration " + iterations);
            assertEquals(tensors0, Tensor.liveCount(), "tensors leaked in iteration " + iterations);
            if (System.nanoTime() >= warmupEnd && (samples.isEmpty()
                    || System.nanoTime() - t0 - samples.getLast()[0] * 1_000_000 >= Math.max(1, seconds / 10) * 1_000_000_000L)) {
                samples.add(sample(t0, iterations));
            }
        }
        samples.add(sample(t0, iterations));
        StringBuilder table = new StringBuilder("nsp soak: backend " + k.name() + ", " + iterations + " iterations ("
                + iterations + " training epochs of 120 images, " + iterations + " simulations of 4 images x 100 ms, "
                + spikes + " spikes) in " + samples.getLast()[0] / 1000.0 + " s\n"
                + "  time_s  heap_after_gc_MB  rss_MB  native_MB  tensor_bytes  iterations\n");
        for (long[] s : samples) {
            table.append(String.format("  %6.1f  %16.1f  %6.1f  %9.1f  %12d  %10d%n", s[0] / 1000.0, s[1] / 1048576.0,
                    s[2] / 1048576.0, s[5] / 1048576.0, s[3], s[4]));
        }
        System.out.print(table);
        long[] first = samples.getFirst();
        long[] last = samples.getLast();
        assertTrue(last[1] - first[1] <= HEAP_TOLERANCE, "heap grew by " + (last[1] - first[1]) + " bytes\n" + table);
        if (first[5] >= 0) {
            assertTrue(last[5] - first[5] <= NATIVE_TOLERANCE, "native memory grew by " + (last[5] - first[5]) + " bytes\n" + table);
        }
    }

    /** One training epoch and one simulation, every object created and closed inside. @return the spikes */
    private static long iteration(Kernels k, Dataset data, int i) {
        try (Network net = Network.initialize(DeterminismTest.ARCH, Activation.noisySoftplus(0.3, 201, 5), 1.0, i, k)) {
            Trainer.train(net, data, null, TrainOptions.defaults().withEpochs(1).withBatchSize(20).withSeed(i)
                    .withSigmaGrad(i % 2 == 0 ? SigmaGrad.NONE : SigmaGrad.FULL), null);
            List<SpikingNetwork.Layer> layers = Conversion.toSpiking(net.toModel(TrainingInfo.of(1, 0.3, 20, i, k.name())), null);
            try (SpikingNetwork snn = new SpikingNetwork(k, LifParameters.TABLE1, 1.0, new int[] {1, 12, 12}, layers, 4)) {
                float[] rates = new float[4 * 144];
                byte[] px = data.pixels();
                for (int j = 0; j < rates.length; j++) {
                    rates[j] = (px[(i % 30) * 4 * 144 + j] & 0xff) / 255f * 200f;
                }
                SpikingNetwork.Result r = snn.run(rates, 4, 100, i, 0, null);
                long n = 0;
                for (long s : r.layerSpikes()) {
                    n += s;
                }
                return n;
            }
        }
    }

    /**
     * @return {ms since start, heap used after GC, resident set, open tensor bytes, iterations, native}: native is the
     *         memory malloc has handed out and not got back (glibc's mallinfo2: in-use chunks plus mmapped blocks):
     *         off-heap tensors, the C kernels' scratch memory, the OpenCL runtime's and the JVM's own allocations
     */
    private static long[] sample(long t0, int iterations) {
        long heap = heapAfterGc();
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        long rss = rss();
        long nat = mallocInUse();
        return new long[] {(System.nanoTime() - t0) / 1_000_000, heap, rss, Tensor.liveBytes(), iterations, nat};
    }

    private static long seconds() {
        String s = System.getProperty("nsp.soak.seconds", "");
        return s.isBlank() || s.startsWith("${") ? DEFAULT_SECONDS : Long.parseLong(s.trim());
    }

    private static long heapAfterGc() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return m.getHeapMemoryUsage().getUsed();
    }

    private static final java.lang.foreign.StructLayout MALLINFO = java.lang.foreign.MemoryLayout.structLayout(
            java.lang.foreign.ValueLayout.JAVA_LONG.withName("arena"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("ordblks"),
            java.lang.foreign.ValueLayout.JAVA_LONG.withName("smblks"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("hblks"),
            java.lang.foreign.ValueLayout.JAVA_LONG.withName("hblkhd"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("usmblks"),
            java.lang.foreign.ValueLayout.JAVA_LONG.withName("fsmblks"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("uordblks"),
            java.lang.foreign.ValueLayout.JAVA_LONG.withName("fordblks"), java.lang.foreign.ValueLayout.JAVA_LONG.withName("keepcost"));

    private static final java.lang.invoke.MethodHandle MALLINFO2 = mallinfo2();

    private static java.lang.invoke.MethodHandle mallinfo2() {
        try {
            java.lang.foreign.Linker l = java.lang.foreign.Linker.nativeLinker();
            return l.defaultLookup().find("mallinfo2").map(a -> l.downcallHandle(a,
                    java.lang.foreign.FunctionDescriptor.of(MALLINFO))).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** @return bytes malloc has handed out (uordblks + hblkhd of mallinfo2), or -1 where glibc lacks mallinfo2 */
    private static long mallocInUse() {
        if (MALLINFO2 == null) {
            return -1;
        }
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment info = (java.lang.foreign.MemorySegment) MALLINFO2.invokeExact(
                    (java.lang.foreign.SegmentAllocator) a);
            return info.get(java.lang.foreign.ValueLayout.JAVA_LONG, 7 * 8) + info.get(java.lang.foreign.ValueLayout.JAVA_LONG, 4 * 8);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** @return the resident set size from /proc/self/status, bytes, or 0 where there is none */
    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
