package dev.nsp.bench;

import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.nn.Defaults;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.nn.Workspace;
import dev.nsp.tensor.Tensor;
import dev.nsp.train.Sgd;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One training step of the paper's network (6c5-2s-12c5-2s-10, no biases) at batch 50, as the trainer runs
 * it: forward pass, softmax cross-entropy, backward pass (sigma treated as a constant, Liu's default) and the
 * plain SGD update (learning rate 0.3), on a fixed synthetic batch ({@link SyntheticBatch}). The weights
 * start from {@link Network#initialize} with seed 1 and keep training on the same batch across calls.
 * {@code activation} is {@code noisy-softplus} (every conv and pooling unit computes both moments) or
 * {@code relu} (plain convolutions, average pooling).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class TrainStepBench {
    /** Learning rate of the step (the trainer's default). */
    public static final float LEARNING_RATE = 0.3f;
    /** Seed of the initial weights. */
    public static final long WEIGHT_SEED = 1;
    /** Seed of the synthetic batch. */
    public static final long DATA_SEED = 7;

    @Param({"reference", "vector"})
    public String backend;

    @Param({"noisy-softplus", "relu"})
    public String activation;

    private Kernels k;
    private Network net;
    private Workspace ws;
    private List<Tensor> weights;
    private List<Tensor> gradients;

    @Setup(Level.Trial)
    public void setup() {
        k = BackendBench.open(backend);
        Activation a = Defaults.activation(Activation.Kind.parse(activation));
        net = Network.initialize(Architecture.paper(), a, Defaults.INPUT_SCALE, WEIGHT_SEED, k);
        ws = net.newWorkspace(SyntheticBatch.BATCH);
        ws.input().copyFrom(SyntheticBatch.images(SyntheticBatch.BATCH, Defaults.INPUT_SCALE, DATA_SEED));
        System.arraycopy(SyntheticBatch.labels(SyntheticBatch.BATCH, DATA_SEED), 0, ws.labels(), 0, SyntheticBatch.BATCH);
        weights = net.weightTensors();
        gradients = net.gradients(ws);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ws.close();
        net.close();
        k.close();
    }

    /** @return the loss of the batch before the update */
    @Benchmark
    public float step() {
        float loss = net.lossAndGradients(ws, SigmaGrad.NONE);
        Sgd.step(weights, gradients, LEARNING_RATE);
        return loss;
    }
}
