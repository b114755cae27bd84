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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Backs the Tensor storage decision (docs/design.md): Vector API loads and stores from an off-heap,
 * 64-byte aligned {@link MemorySegment} (what {@code Tensor} holds) against a heap {@code float[]}, for a
 * reduction (sum) and a streaming update (saxpy, y = a x + y), in cache (4K floats) and from memory
 * (16M floats), single-threaded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class SegmentVsArrayBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final ByteOrder NO = ByteOrder.nativeOrder();

    @Param({"4096", "16777216"})
    public int size;

    private float[] xa;
    private float[] ya;
    private Arena arena;
    private MemorySegment xs;
    private MemorySegment ys;

    @Setup(Level.Trial)
    public void setup() {
        xa = new float[size];
        ya = new float[size];
        arena = Arena.ofShared();
        xs = arena.allocate((long) size * Float.BYTES, 64);
        ys = arena.allocate((long) size * Float.BYTES, 64);
        for (int i = 0; i < size; i++) {
            xa[i] = (i % 17) * 0.25f;
            ya[i] = (i % 5) * 0.5f;
            xs.setAtIndex(ValueLayout.JAVA_FLOAT, i, xa[i]);
            ys.setAtIndex(ValueLayout.JAVA_FLOAT, i, ya[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float sumArray() {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        int i = 0;
        for (; i + 2 * S.length() <= size; i += 2 * S.length()) {
            acc0 = acc0.add(FloatVector.fromArray(S, xa, i));
            acc1 = acc1.add(FloatVector.fromArray(S, xa, i + S.length()));
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float sumSegment() {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        long bytes = (long) size * Float.BYTES;
        long step = S.vectorByteSize();
        for (long off = 0; off + 2 * step <= bytes; off += 2 * step) {
            acc0 = acc0.add(FloatVector.fromMemorySegment(S, xs, off, NO));
            acc1 = acc1.add(FloatVector.fromMemorySegment(S, xs, off + step, NO));
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float[] saxpyArray() {
        for (int i = 0; i < size; i += S.length()) {
            FloatVector.fromArray(S, xa, i).fma(1.0001f, 0f).add(FloatVector.fromArray(S, ya, i)).intoArray(ya, i);
        }
        return ya;
    }

    @Benchmark
    public MemorySegment saxpySegment() {
        long bytes = (long) size * Float.BYTES;
        for (long off = 0; off < bytes; off += S.vectorByteSize()) {
            FloatVector.fromMemorySegment(S, xs, off, NO).fma(1.0001f, 0f).add(FloatVector.fromMemorySegment(S, ys, off, NO))
                    .intoMemorySegment(ys, off, NO);
        }
        return ys;
    }
}
