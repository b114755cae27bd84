package dev.nsp.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.nsp.bench.ConvBench;
import dev.nsp.kernel.Backends;
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
 * PyTorch's convolution (oneDNN on this CPU build) on nsp's {@code ConvBench} layers and inputs (same generator
 * and seed): {@link #forward} is {@code conv2d(input, weight)} without bias; {@link #trainStep} is the forward and
 * autograd's backward from the given output gradient into both the input and the weight gradient, the work of
 * nsp's {@code ConvBench.trainStep} (forward + backward data + backward weights). The leaves are re-made each call
 * (as with {@code zero_grad(set_to_none=True)}), so no gradient is accumulated. The set-up checks all three
 * results against nsp's reference backend and records the outcome ({@link Torch#check}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class TorchConvBench {
    @Param({"paper1", "paper2", "wide1", "wide2"})
    public String layer;

    private Engine engine;
    private NDManager m;
    private NDArray input;
    private NDArray weights;
    private NDArray gradOutput;

    @Setup(Level.Trial)
    public void setup() {
        engine = Torch.engine();
        m = Torch.manager();
        int[] s = ConvBench.shape(layer);
        int oh = s[2] - s[5] + 1;
        int ow = s[3] - s[6] + 1;
        Random r = new Random(42);   // the order of ConvBench.setup: input, weights, gradOutput
        float[] in = Torch.normal(r, 1.0, s[0] * s[1] * s[2] * s[3]);
        float[] w = Torch.normal(r, 0.2, s[4] * s[1] * s[5] * s[6]);
        float[] go = Torch.normal(r, 1.0, s[0] * s[4] * oh * ow);
        input = Torch.array(m, in, s[0], s[1], s[2], s[3]);
        weights = Torch.array(m, w, s[4], s[1], s[5], s[6]);
        gradOutput = Torch.array(m, go, s[0], s[4], oh, ow);
        System.out.println("PyTorch " + engine.getVersion() + ", intra-op threads " + Torch.threads());
        check(s, in, w, go);
    }

    private void check(int[] s, float[] in, float[] w, float[] go) {
        int oh = s[2] - s[5] + 1;
        int ow = s[3] - s[6] + 1;
        float[] out;
        float[] gin;
        float[] gw;
        try (Kernels ref = Backends.create("reference"); Tensor ti = Tensor.of(in, s[0], s[1], s[2], s[3]);
             Tensor tw = Tensor.of(w, s[4], s[1], s[5], s[6]); Tensor tgo = Tensor.of(go, s[0], s[4], oh, ow);
             Tensor to = Tensor.zeros(s[0], s[4], oh, ow); Tensor tgi = Tensor.zeros(s[0], s[1], s[2], s[3]);
             Tensor tgw = Tensor.zeros(s[4], s[1], s[5], s[6])) {
            ref.conv2dForward(ti, tw, to);
            ref.conv2dBackwardData(tgo, tw, tgi);
            ref.conv2dBackwardWeights(ti, tgo, tgw);
            out = to.toArray();
            gin = tgi.toArray();
            gw = tgw.toArray();
        }
        try (NDScope scope = new NDScope()) {
            // float32 sums of up to C*25 (forward) or N*OH*OW = 28,800 (weights) terms against double references
            Torch.check("conv " + layer + " forward", out, forward(input, weights).toFloatArray(), 1e-4);
            NDArray[] g = trainStep(input, weights, gradOutput);
            Torch.check("conv " + layer + " backward data", gin, g[0].toFloatArray(), 1e-4);
            Torch.check("conv " + layer + " backward weights", gw, g[1].toFloatArray(), 1e-3);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        m.close();
    }

    static NDArray forward(NDArray input, NDArray weights) {
        return Conv2d.conv2d(input, weights).singletonOrThrow();
    }

    /** @return the input and weight gradients */
    NDArray[] trainStep(NDArray input, NDArray weights, NDArray gradOutput) {
        NDArray il = input.stopGradient();
        NDArray wl = weights.stopGradient();
        il.setRequiresGradient(true);
        wl.setRequiresGradient(true);
        try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray out = forward(il, wl);
            JniUtils.backward((PtNDArray) out, (PtNDArray) gradOutput, false, false);
        }
        return new NDArray[] {il.getGradient(), wl.getGradient()};
    }

    @Benchmark
    public void forward() {
        try (NDScope scope = new NDScope()) {
            forward(input, weights);
        }
    }

    /** Forward, backward data and backward weights. */
    @Benchmark
    public void trainStep() {
        try (NDScope scope = new NDScope()) {
            trainStep(input, weights, gradOutput);
        }
    }
}
