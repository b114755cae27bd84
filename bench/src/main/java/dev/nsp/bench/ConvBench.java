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
 * Convolution layers of the paper's networks at batch 50: {@code paper1} 1->6 @5x5 on 28x28,
 * {@code paper2} 6->12 @5x5 on 12x12, {@code wide1} 1->16 @5x5 on 28x28, {@code wide2} 16->64 @5x5 on
 * 12x12. One forward pass is {@code 2 N O OH OW C KH KW} flops; backward data and backward weights
 * count the same (the multiply-adds of the gradient, not the zeros of padding). {@link #trainStep} is
 * forward + backward data + backward weights: 3 times that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class ConvBench {
    @Param({"reference", "vector"})
    public String backend;

    @Param({"paper1", "paper2", "wide1", "wide2"})
    public String layer;

    private Kernels k;
    private Tensor input;
    private Tensor weights;
    private Tensor output;
    private Tensor gradOutput;
    private Tensor gradInput;
    private Tensor gradWeights;

    /** @return {N, C, H, W, O, KH, KW} of a layer name */
    public static int[] shape(String layer) {
        return switch (layer) {
            case "paper1" -> new int[] {50, 1, 28, 28, 6, 5, 5};
            case "paper2" -> new int[] {50, 6, 12, 12, 12, 5, 5};
            case "wide1" -> new int[] {50, 1, 28, 28, 16, 5, 5};
            case "wide2" -> new int[] {50, 16, 12, 12, 64, 5, 5};
            default -> throw new IllegalArgumentException("layer: '" + layer + "', expected paper1, paper2, wide1 or wide2");
        };
    }

    /** @return flops of one forward pass of the layer */
    public static double forwardFlops(String layer) {
        int[] s = shape(layer);
        int oh = s[2] - s[5] + 1;
        int ow = s[3] - s[6] + 1;
        return 2.0 * s[0] * s[4] * oh * ow * s[1] * s[5] * s[6];
    }

    @Setup(Level.Trial)
    public void setup() {
        k = BackendBench.open(backend);
        int[] s = shape(layer);
        int oh = s[2] - s[5] + 1;
        int ow = s[3] - s[6] + 1;
        Random r = new Random(42);
        input = BackendBench.normal(r, 1.0, s[0], s[1], s[2], s[3]);
        weights = BackendBench.normal(r, 0.2, s[4], s[1], s[5], s[6]);
        output = Tensor.zeros(s[0], s[4], oh, ow);
        gradOutput = BackendBench.normal(r, 1.0, s[0], s[4], oh, ow);
        gradInput = Tensor.zeros(s[0], s[1], s[2], s[3]);
        gradWeights = Tensor.zeros(s[4], s[1], s[5], s[6]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {input, weights, output, gradOutput, gradInput, gradWeights}) {
            t.close();
        }
        k.close();
    }

    @Benchmark
    public Tensor forward() {
        k.conv2dForward(input, weights, output);
        return output;
    }

    @Benchmark
    public Tensor backwardData() {
        k.conv2dBackwardData(gradOutput, weights, gradInput);
        return gradInput;
    }

    @Benchmark
    public Tensor backwardWeights() {
        k.conv2dBackwardWeights(input, gradOutput, gradWeights);
        return gradWeights;
    }

    /** Forward, backward data and backward weights of one training step. */
    @Benchmark
    public Tensor trainStep() {
        k.conv2dForward(input, weights, output);
        k.conv2dBackwardData(gradOutput, weights, gradInput);
        k.conv2dBackwardWeights(input, gradOutput, gradWeights);
        return gradWeights;
    }
}
