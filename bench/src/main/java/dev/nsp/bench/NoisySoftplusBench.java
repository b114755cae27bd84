package dev.nsp.bench;

import dev.nsp.kernel.Kernels;
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
 * Noisy Softplus forward and backward (with the sigma gradient) at an in-cache size (16K elements:
 * 192 KB of operands for the forward) and a memory-bound one (16M: 192 MB). The forward's bandwidth
 * roofline counts x and sigma read plus y written, 12 bytes per element.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class NoisySoftplusBench {
    @Param({"reference", "vector"})
    public String backend;

    @Param({"16384", "16777216"})
    public int size;

    private Kernels k;
    private Tensor x;
    private Tensor sigma;
    private Tensor y;
    private Tensor gradY;
    private Tensor gradX;
    private Tensor gradSigma;

    @Setup(Level.Trial)
    public void setup() {
        k = BackendBench.open(backend);
        Random r = new Random(42);
        x = BackendBench.normal(r, 1.0, size);
        sigma = BackendBench.uniform(r, 0.05, 2.0, size);
        y = dev.nsp.tensor.Tensor.zeros(size);
        gradY = BackendBench.normal(r, 1.0, size);
        gradX = dev.nsp.tensor.Tensor.zeros(size);
        gradSigma = dev.nsp.tensor.Tensor.zeros(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, sigma, y, gradY, gradX, gradSigma}) {
            t.close();
        }
        k.close();
    }

    /** y = p f(x, sigma). */
    @Benchmark
    public Tensor forward() {
        k.noisySoftplusForward(x, sigma, 0.3f, 1.005f, y);
        return y;
    }

    /** gradX and gradSigma. */
    @Benchmark
    public Tensor backward() {
        k.noisySoftplusBackward(x, sigma, 0.3f, 1.005f, gradY, gradX, gradSigma);
        return gradX;
    }

    /** Forward then backward: what a training step does with one activation (compare with autograd). */
    @Benchmark
    public Tensor forwardBackward() {
        k.noisySoftplusForward(x, sigma, 0.3f, 1.005f, y);
        k.noisySoftplusBackward(x, sigma, 0.3f, 1.005f, gradY, gradX, gradSigma);
        return gradX;
    }
}
