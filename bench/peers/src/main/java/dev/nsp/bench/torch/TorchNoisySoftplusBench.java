package dev.nsp.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
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

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Noisy Softplus in PyTorch, composed from its ops as a PyTorch user writes it, on the inputs of nsp's
 * {@code NoisySoftplusBench} (same generator and seed, same sizes, k = 0.3, p = 1.005):
 * <ul>
 *   <li>{@link #forward}: {@code s = k sigma; y = p s softplus(x / s)} (torch's softplus, beta 1, i.e. softplus
 *       with beta = 1/(k sigma) per element), three allocating ops and two in place;</li>
 *   <li>{@link #backward}: the closed form nsp's backward computes, {@code gradX = gradY p logistic(z)},
 *       {@code gradSigma = gradY p k (softplus(z) - z logistic(z))}, in place where the op allows;</li>
 *   <li>{@link #forwardBackward}: the forward, then autograd's backward from gradY into fresh x and sigma
 *       gradients (the leaves are re-made each call, as with {@code zero_grad(set_to_none=True)}).</li>
 * </ul>
 * The set-up checks the first 4096 results of each against nsp's reference backend and records the outcome
 * ({@link Torch#check}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class TorchNoisySoftplusBench {
    static final float K = 0.3f;
    static final float P = 1.005f;

    @Param({"16384", "16777216"})
    public int size;

    private Engine engine;
    private NDManager m;
    private NDArray x;
    private NDArray sigma;
    private NDArray gradY;

    @Setup(Level.Trial)
    public void setup() {
        engine = Torch.engine();
        m = Torch.manager();
        Random r = new Random(42);   // the order of NoisySoftplusBench.setup: x, sigma, gradY
        float[] xs = Torch.normal(r, 1.0, size);
        float[] ss = Torch.uniform(r, 0.05, 2.0, size);
        float[] gs = Torch.normal(r, 1.0, size);
        x = Torch.array(m, xs, size);
        sigma = Torch.array(m, ss, size);
        gradY = Torch.array(m, gs, size);
        System.out.println("PyTorch " + engine.getVersion() + ", intra-op threads " + Torch.threads());
        check(Arrays.copyOf(xs, 4096), Arrays.copyOf(ss, 4096), Arrays.copyOf(gs, 4096));
    }

    /** Compares PyTorch's three computations with nsp's reference on a prefix of the inputs. */
    private void check(float[] xs, float[] ss, float[] gs) {
        int n = xs.length;
        float[] y;
        float[] gx;
        float[] gsig;
        try (Kernels ref = Backends.create("reference"); Tensor tx = Tensor.of(xs, n); Tensor ts = Tensor.of(ss, n);
             Tensor tg = Tensor.of(gs, n); Tensor ty = Tensor.zeros(n); Tensor tgx = Tensor.zeros(n);
             Tensor tgs = Tensor.zeros(n)) {
            ref.noisySoftplusForward(tx, ts, K, P, ty);
            ref.noisySoftplusBackward(tx, ts, K, P, tg, tgx, tgs);
            y = ty.toArray();
            gx = tgx.toArray();
            gsig = tgs.toArray();
        }
        try (NDManager c = Torch.manager()) {
            NDArray cx = Torch.array(c, xs, n);
            NDArray cs = Torch.array(c, ss, n);
            NDArray cg = Torch.array(c, gs, n);
            // float32 composition vs the double reference: a few ulps of the largest intermediate
            Torch.check("noisy-softplus " + size + " forward", y, forward(cx, cs).toFloatArray(), 1e-5);
            NDArray[] b = backward(cx, cs, cg);
            Torch.check("noisy-softplus " + size + " backward gradX", gx, b[0].toFloatArray(), 1e-5);
            Torch.check("noisy-softplus " + size + " backward gradSigma", gsig, b[1].toFloatArray(), 1e-4);
            NDArray[] a = autograd(cx, cs, cg);
            Torch.check("noisy-softplus " + size + " autograd gradX", gx, a[0].toFloatArray(), 1e-5);
            Torch.check("noisy-softplus " + size + " autograd gradSigma", gsig, a[1].toFloatArray(), 1e-4);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        m.close();
    }

    static NDArray forward(NDArray x, NDArray sigma) {
        NDArray s = sigma.mul(K);
        return Activation.softPlus(x.div(s)).muli(s).muli(P);
    }

    static NDArray[] backward(NDArray x, NDArray sigma, NDArray gradY) {
        NDArray z = x.div(sigma.mul(K));
        NDArray logistic = Activation.sigmoid(z);
        NDArray gradX = logistic.mul(gradY).muli(P);
        NDArray gradSigma = Activation.softPlus(z).subi(z.muli(logistic)).muli(gradY).muli(P * K);
        return new NDArray[] {gradX, gradSigma};
    }

    /** Forward and autograd backward on fresh leaves that share x's and sigma's storage; returns their gradients. */
    NDArray[] autograd(NDArray x, NDArray sigma, NDArray gradY) {
        NDArray xl = x.stopGradient();
        NDArray sl = sigma.stopGradient();
        xl.setRequiresGradient(true);
        sl.setRequiresGradient(true);
        try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray s = sl.mul(K);
            NDArray y = Activation.softPlus(xl.div(s)).mul(s).mul(P);
            JniUtils.backward((PtNDArray) y, (PtNDArray) gradY, false, false);
        }
        return new NDArray[] {xl.getGradient(), sl.getGradient()};
    }

    @Benchmark
    public void forward() {
        try (NDScope scope = new NDScope()) {
            forward(x, sigma);
        }
    }

    @Benchmark
    public void backward() {
        try (NDScope scope = new NDScope()) {
            backward(x, sigma, gradY);
        }
    }

    @Benchmark
    public void forwardBackward() {
        try (NDScope scope = new NDScope()) {
            autograd(x, sigma, gradY);
        }
    }
}
