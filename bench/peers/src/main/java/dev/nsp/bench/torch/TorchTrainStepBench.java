package dev.nsp.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import dev.nsp.bench.SyntheticBatch;
import dev.nsp.bench.TrainStepBench;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation.Kind;
import dev.nsp.model.Architecture;
import dev.nsp.nn.Defaults;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.nn.Workspace;
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
 * One training step of the paper's network in PyTorch, the same network, weights, batch, loss and update as
 * nsp's {@link TrainStepBench}: 6c5-2s-12c5-2s-10 without biases at batch 50, softmax cross-entropy (mean over
 * the batch), autograd, plain SGD with learning rate 0.3.
 *
 * <p>{@code noisy-softplus}: every conv unit computes {@code x = conv(a, W)} and
 * {@code sigma = sqrt(conv(|a|, W^2/2))}, every pooling unit {@code x = (1/(4p)) sum a} and
 * {@code sigma = sqrt((1/(4p))^2/2 sum |a|)}, then {@code a_out = p s softplus(x / s)} with {@code s = k sigma};
 * sigma is computed outside the autograd graph (a constant in back-propagation, nsp's default). Where sigma is 0
 * nsp computes ReLU; here s is clamped to 1e-30, which gives the same values (softplus is linear above 20) and
 * the same gradients. {@code relu}: {@code p max(conv(a, W), 0)} and 2x2 average pooling.
 *
 * <p>The weight leaves are re-made from the parameters each step (as with
 * {@code zero_grad(set_to_none=True)}); the update {@code W -= lr grad} runs in place outside the graph. The set-up
 * compares the first loss and weight gradients with nsp's (reference backend, same weights and batch) and records
 * the outcome ({@link Torch#check}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class TorchTrainStepBench {
    /** The smallest k sigma used, where nsp's sigma = 0 means ReLU. */
    static final float MIN_SCALE = 1e-30f;

    @Param({"noisy-softplus", "relu"})
    public String activation;

    private Engine engine;
    private NDManager m;
    private boolean noisy;
    private float k;
    private float p;
    private float poolWeight;
    private NDArray input;
    private NDArray oneHot;
    private NDArray[] params;

    @Setup(Level.Trial)
    public void setup() {
        engine = Torch.engine();
        m = Torch.manager();
        Kind kind = Kind.parse(activation);
        dev.nsp.model.Activation a = Defaults.activation(kind);
        noisy = kind == Kind.NOISY_SOFTPLUS;
        k = (float) a.k();
        p = (float) a.p();
        float[] images = SyntheticBatch.images(SyntheticBatch.BATCH, Defaults.INPUT_SCALE, TrainStepBench.DATA_SEED);
        int[] labels = SyntheticBatch.labels(SyntheticBatch.BATCH, TrainStepBench.DATA_SEED);
        float nspLoss;
        List<float[]> w;
        float[][] nspGrads = new float[3][];
        try (Kernels ref = Backends.create("reference");
             Network net = Network.initialize(Architecture.paper(), a, Defaults.INPUT_SCALE, TrainStepBench.WEIGHT_SEED, ref);
             Workspace ws = net.newWorkspace(SyntheticBatch.BATCH)) {
            poolWeight = net.poolWeight();
            w = net.weights();
            ws.input().copyFrom(images);
            System.arraycopy(labels, 0, ws.labels(), 0, labels.length);
            nspLoss = net.lossAndGradients(ws, SigmaGrad.NONE);
            List<dev.nsp.tensor.Tensor> g = net.gradients(ws);
            for (int i = 0; i < 3; i++) {
                nspGrads[i] = g.get(i).toArray();
            }
        }
        input = Torch.array(m, images, SyntheticBatch.BATCH, 1, SyntheticBatch.SIDE, SyntheticBatch.SIDE);
        float[] hot = new float[SyntheticBatch.BATCH * 10];
        for (int i = 0; i < labels.length; i++) {
            hot[i * 10 + labels[i]] = 1f;
        }
        oneHot = Torch.array(m, hot, SyntheticBatch.BATCH, 10);
        params = new NDArray[] {Torch.array(m, w.get(0), 6, 1, 5, 5), Torch.array(m, w.get(2), 12, 6, 5, 5),
            Torch.array(m, w.get(4), 10, 192)};
        System.out.println("PyTorch " + engine.getVersion() + ", intra-op threads " + Torch.threads());
        try (NDScope scope = new NDScope()) {
            float[][] grads = new float[3][];
            float torchLoss = stepOnce(grads);
            // float32 network (PyTorch) against nsp's double-accumulating reference
            Torch.record("train " + activation + " first loss", Math.abs(torchLoss - nspLoss) / Math.max(1, Math.abs(nspLoss)),
                    1e-4);
            for (int i = 0; i < 3; i++) {
                Torch.check("train " + activation + " first gradient of weight layer " + (i + 1), nspGrads[i], grads[i], 1e-3);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        m.close();
    }

    private NDArray units(NDArray x, NDArray sigma) {
        if (!noisy) {
            return Activation.relu(x).mul(p);
        }
        NDArray s = sigma.mul(k).maximum(MIN_SCALE);
        return Activation.softPlus(x.div(s)).mul(s).mul(p);
    }

    private NDArray conv(NDArray a, NDArray wLeaf, NDArray w) {
        NDArray x = Conv2d.conv2d(a, wLeaf).singletonOrThrow();
        NDArray sigma = null;
        if (noisy) {
            sigma = Conv2d.conv2d(a.stopGradient().abs(), w.square().muli(0.5f)).singletonOrThrow().sqrt();
        }
        return units(x, sigma);
    }

    private NDArray pool(NDArray a) {
        Shape two = new Shape(2, 2);
        NDArray avg = Pool.avgPool2d(a, two, two, new Shape(0, 0), false, true);
        if (!noisy) {
            return avg;
        }
        NDArray x = avg.mul(4 * poolWeight);
        NDArray sigma = Pool.avgPool2d(a.stopGradient().abs(), two, two, new Shape(0, 0), false, true)
                .muli(4 * poolWeight * poolWeight / 2).sqrt();
        return units(x, sigma);
    }

    /**
     * One step.
     *
     * @param gradients null, or an array of 3 that receives the weight gradients
     * @return the loss before the update when gradients is given, else 0 (reading it would copy)
     */
    private float stepOnce(float[][] gradients) {
        NDArray[] leaves = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            leaves[i] = params[i].stopGradient();
            leaves[i].setRequiresGradient(true);
        }
        NDArray loss;
        try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray a = conv(input, leaves[0], params[0]);
            a = pool(a);
            a = conv(a, leaves[1], params[1]);
            a = pool(a);
            NDArray logits = a.reshape(SyntheticBatch.BATCH, 192).matMul(leaves[2].transpose());
            loss = logits.logSoftmax(1).mul(oneHot).sum().neg().div(SyntheticBatch.BATCH);
            gc.backward(loss);
        }
        for (int i = 0; i < params.length; i++) {
            NDArray g = leaves[i].getGradient();
            if (gradients != null) {
                gradients[i] = g.toFloatArray();
            }
            params[i].subi(g.muli(TrainStepBench.LEARNING_RATE));
        }
        return gradients == null ? 0f : loss.getFloat();
    }

    /** Forward, loss, backward and SGD update. */
    @Benchmark
    public void step() {
        try (NDScope scope = new NDScope()) {
            stepOnce(null);
        }
    }
}
