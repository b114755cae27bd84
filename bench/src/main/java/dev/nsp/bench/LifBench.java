package dev.nsp.bench;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The batched LIF loop: 1M Table 1 neurons (dt = 1 ms) for 100 steps per call, driven by a constant
 * bias current per neuron (about half of them fire), spike counts accumulated: 1e8 neuron-updates per
 * call. The state is not reset between calls (neurons keep firing regularly).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class LifBench {
    /** Neurons. */
    public static final int NEURONS = 1 << 20;
    /** Steps per call. */
    public static final int STEPS = 100;

    @Param({"reference", "vector"})
    public String backend;

    private Kernels k;
    private LifPropagators c;
    private LifState state;
    private Tensor bias;
    private Tensor counts;

    @Setup(Level.Trial)
    public void setup() {
        k = BackendBench.open(backend);
        c = LifPropagators.of(LifParameters.TABLE1, 1.0);
        state = new LifState(NEURONS);
        bias = BackendBench.uniform(new Random(42), 0.0, 0.5, NEURONS);
        counts = Tensor.zeros(NEURONS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        state.close();
        bias.close();
        counts.close();
        k.close();
    }

    @Benchmark
    public Tensor run100Steps() {
        k.lifRun(c, state, STEPS, LifInputs.bias(bias), null, counts);
        return counts;
    }
}
