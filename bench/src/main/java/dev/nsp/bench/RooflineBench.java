package dev.nsp.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The machine's roofline, measured the way the kernels run (Vector API, off-heap segments):
 * <ul>
 *   <li>memory bandwidth: copy (a = b, 2 x 64 MB moved) and triad (a = b + s c, 3 x 64 MB moved) over
 *       64 MB arrays, per thread; the 2-thread variants run one copy/triad per thread on its own arrays;</li>
 *   <li>FMA peak: 12 independent chains of {@code FloatVector.fma} in registers,
 *       {@value #FMA_ITERATIONS} iterations, {@code 2 * 12 * lanes * iterations} flops per call, on 1 and 2
 *       threads.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class RooflineBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final ByteOrder NO = ByteOrder.nativeOrder();
    /** Floats per array: 64 MB. */
    public static final int FLOATS = 16 << 20;
    /** Iterations of the FMA probe. */
    public static final int FMA_ITERATIONS = 1 << 16;

    /** Three 64 MB off-heap arrays per thread. */
    @State(Scope.Thread)
    public static class Arrays64 {
        Arena arena;
        MemorySegment a;
        MemorySegment b;
        MemorySegment c;

        @Setup(Level.Trial)
        public void setup() {
            arena = Arena.ofShared();
            a = arena.allocate((long) FLOATS * Float.BYTES, 64);
            b = arena.allocate((long) FLOATS * Float.BYTES, 64);
            c = arena.allocate((long) FLOATS * Float.BYTES, 64);
            for (long i = 0; i < FLOATS; i++) {
                b.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, 1f);
                c.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, 2f);
            }
            a.fill((byte) 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    static void copy(MemorySegment dst, MemorySegment src) {
        for (long off = 0; off < (long) FLOATS * Float.BYTES; off += S.vectorByteSize()) {
            FloatVector.fromMemorySegment(S, src, off, NO).intoMemorySegment(dst, off, NO);
        }
    }

    static void triad(MemorySegment a, MemorySegment b, MemorySegment c, float s) {
        for (long off = 0; off < (long) FLOATS * Float.BYTES; off += S.vectorByteSize()) {
            FloatVector.fromMemorySegment(S, c, off, NO).fma(s, 0f)
                    .add(FloatVector.fromMemorySegment(S, b, off, NO)).intoMemorySegment(a, off, NO);
        }
    }

    /** Copy: 128 MB moved per call (64 MB read, 64 MB written). */
    @Benchmark
    @Threads(1)
    public MemorySegment copy1Thread(Arrays64 m) {
        copy(m.a, m.b);
        return m.a;
    }

    /** Triad: 192 MB moved per call (two 64 MB arrays read, one written). */
    @Benchmark
    @Threads(1)
    public MemorySegment triad1Thread(Arrays64 m) {
        triad(m.a, m.b, m.c, 3f);
        return m.a;
    }

    /** Copy on both cores, each thread on its own arrays: 128 MB per call per thread. */
    @Benchmark
    @Threads(2)
    public MemorySegment copy2Threads(Arrays64 m) {
        copy(m.a, m.b);
        return m.a;
    }

    /** Triad on both cores, each thread on its own arrays: 192 MB per call per thread. */
    @Benchmark
    @Threads(2)
    public MemorySegment triad2Threads(Arrays64 m) {
        triad(m.a, m.b, m.c, 3f);
        return m.a;
    }

    /**
     * Fresh memory: a new 64 MB off-heap segment (which the JDK zeroes, so every page is touched for the first
     * time) freed again, per call. This is what a library that allocates a new output array per operation pays
     * for large arrays (PyTorch in eager mode), here with the operating system's default 4 KB pages.
     */
    @Benchmark
    @Threads(1)
    public long freshPages64MB() {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate((long) FLOATS * Float.BYTES, 64).address();
        }
    }

    /** 12 independent FMA chains: enough to cover 2 FMA pipes x 4+ cycles of latency. */
    static float fmaChains(float seed) {
        FloatVector a0 = FloatVector.broadcast(S, seed);
        FloatVector a1 = a0.add(1f);
        FloatVector a2 = a0.add(2f);
        FloatVector a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f);
        FloatVector a5 = a0.add(5f);
        FloatVector a6 = a0.add(6f);
        FloatVector a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f);
        FloatVector a9 = a0.add(9f);
        FloatVector a10 = a0.add(10f);
        FloatVector a11 = a0.add(11f);
        FloatVector m = FloatVector.broadcast(S, 0.999f);
        FloatVector c = FloatVector.broadcast(S, 0.001f);
        for (int i = 0; i < FMA_ITERATIONS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** State holding a seed so the chains cannot be folded away. */
    @State(Scope.Thread)
    public static class Seed {
        float seed = 1f;
    }

    /** FMA peak of one core: 2 * 12 * lanes * 65536 flops per call. */
    @Benchmark
    @Threads(1)
    public float fmaPeak1Thread(Seed s) {
        return fmaChains(s.seed);
    }

    /** FMA peak of two cores (per-thread time; the machine does twice the flops per call time). */
    @Benchmark
    @Threads(2)
    public float fmaPeak2Threads(Seed s) {
        return fmaChains(s.seed);
    }
}
