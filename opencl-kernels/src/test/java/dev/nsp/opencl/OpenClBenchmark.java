package dev.nsp.opencl;

import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.opencl.BufferCache.Slot;
import dev.nsp.tensor.Tensor;
import org.jocl.cl_mem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmarks of the OpenCL backend that separate the three costs of a GPU-style backend: building the
 * program (once per context), host-device transfers (at the edges of every SPI call) and compute (kernels on
 * device-resident data). Each workload has an {@code ...Call} benchmark (the SPI call: transfers + compute) and
 * a {@code ...Resident} one (the same kernel launches on data already on the device, then clFinish).
 *
 * <p>Not a test (surefire skips it). Run, after {@code mvn -pl java-core,opencl-kernels -am test-compile}:
 * <pre>
 *   mvn -q -pl opencl-kernels dependency:build-classpath -Dmdep.outputFile=cp.txt
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dnsp.opencl.device=cpu \
 *     -cp opencl-kernels/target/test-classes:opencl-kernels/target/classes:$(cat opencl-kernels/cp.txt) \
 *     org.openjdk.jmh.Main OpenClBenchmark
 * </pre>
 * Set POCL_KERNEL_CACHE=0 to measure PoCL's cold compile in {@link #buildFromSource}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OpenClBenchmark {

    /** Noisy Softplus forward on 16M elements (x, sigma in; y out: 3 x 64 MiB). */
    @State(Scope.Benchmark)
    public static class NoisySoftplus {
        static final int N = 1 << 24;
        OpenClKernels k;
        Tensor x;
        Tensor sigma;
        Tensor y;
        cl_mem bx;
        cl_mem bs;
        cl_mem by;
        cl_mem flag;

        @Setup(Level.Trial)
        public void setUp() {
            k = OpenClProvider.create("");
            Random r = new Random(1);
            x = Tensor.zeros(N);
            sigma = Tensor.zeros(N);
            y = Tensor.zeros(N);
            for (int i = 0; i < N; i++) {
                x.set(i, (r.nextFloat() - 0.5f) * 8);
                sigma.set(i, r.nextFloat());
            }
            ClSession s = k.session();
            bx = s.buffers().get(Slot.A, 4L * N);
            bs = s.buffers().get(Slot.B, 4L * N);
            by = s.buffers().get(Slot.C, 4L * N);
            flag = s.buffers().get(Slot.FLAG, 4);
            s.write(bx, x.segment(), 4L * N);
            s.write(bs, sigma.segment(), 4L * N);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            k.close();
            x.close();
            sigma.close();
            y.close();
        }
    }

    @Benchmark
    public void nsForward16MCall(NoisySoftplus b) {
        b.k.noisySoftplusForward(b.x, b.sigma, 0.3f, 1.005f, b.y);
    }

    @Benchmark
    public void nsForward16MResident(NoisySoftplus b) {
        ClSession s = b.k.session();
        s.launch("ns_forward", NoisySoftplus.N, b.bx, b.bs, 0.3f, 1.005f, b.by, b.flag, NoisySoftplus.N);
        s.finish();
    }

    /** The transfers of one nsForward16MCall alone: two 64 MiB writes and one 64 MiB read. */
    @Benchmark
    public void nsForward16MTransfersOnly(NoisySoftplus b) {
        ClSession s = b.k.session();
        s.write(b.bx, b.x.segment(), 4L * NoisySoftplus.N);
        s.write(b.bs, b.sigma.segment(), 4L * NoisySoftplus.N);
        s.read(b.by, b.y.segment(), 4L * NoisySoftplus.N);
    }

    /** Forward convolutions of the paper's network, batch 50: layer 1 (1 -> 6 @ 5x5 on 28x28), layer 2 (6 -> 12 on 12x12). */
    @State(Scope.Benchmark)
    public static class Conv {
        @Param({"1", "2"})
        int layer;
        OpenClKernels k;
        Tensor in;
        Tensor w;
        Tensor out;
        cl_mem bi;
        cl_mem bw;
        cl_mem bo;
        int[] dims;

        @Setup(Level.Trial)
        public void setUp() {
            k = OpenClProvider.create("");
            dims = layer == 1 ? new int[] {50, 1, 28, 28, 6, 5, 5} : new int[] {50, 6, 12, 12, 12, 5, 5};
            Random r = new Random(2);
            in = OpenClTestSupport.uniform(r, 0f, 1f, dims[0], dims[1], dims[2], dims[3]);
            w = OpenClTestSupport.uniform(r, -0.5f, 0.5f, dims[4], dims[1], dims[5], dims[6]);
            out = Tensor.zeros(dims[0], dims[4], dims[2] - dims[5] + 1, dims[3] - dims[6] + 1);
            ClSession s = k.session();
            bi = s.buffers().get(Slot.A, 4 * in.size());
            bw = s.buffers().get(Slot.B, 4 * w.size());
            bo = s.buffers().get(Slot.C, 4 * out.size());
            s.write(bi, in.segment(), 4 * in.size());
            s.write(bw, w.segment(), 4 * w.size());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            k.close();
            in.close();
            w.close();
            out.close();
        }
    }

    @Benchmark
    public void convForwardCall(Conv b) {
        b.k.conv2dForward(b.in, b.w, b.out);
    }

    @Benchmark
    public void convForwardResident(Conv b) {
        ClSession s = b.k.session();
        int[] d = b.dims;
        s.launch("conv_forward", b.out.size(), b.bi, b.bw, b.bo, b.bo, 0, d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
        s.finish();
    }

    /** 1M Table 1 neurons, 100 steps of 1 ms, a constant bias current per neuron, spike counts out. */
    @State(Scope.Benchmark)
    public static class Lif {
        static final int N = 1 << 20;
        static final int STEPS = 100;
        OpenClKernels k;
        LifPropagators c;
        LifState state;
        Tensor bias;
        Tensor counts;
        cl_mem[] mems;

        @Setup(Level.Trial)
        public void setUp() {
            k = OpenClProvider.create("");
            c = LifPropagators.of(LifParameters.TABLE1, 1.0);
            state = new LifState(N);
            bias = OpenClTestSupport.uniform(new Random(3), 0f, 0.5f, N);
            counts = Tensor.zeros(N);
            k.lifRun(c, state, STEPS, LifInputs.bias(bias), null, counts);   // puts everything on the device
            BufferCache bc = k.session().buffers();
            mems = new cl_mem[] {bc.get(Slot.A, 4L * N), bc.get(Slot.B, 4L * N), bc.get(Slot.C, 4L * N),
                bc.get(Slot.D, 4L * N), bc.get(Slot.E, 4L * N), bc.get(Slot.J, 4L * N), bc.get(Slot.DUMMY, 4)};
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            k.close();
            state.close();
            bias.close();
            counts.close();
        }
    }

    @Benchmark
    public void lif1Mx100Call(Lif b) {
        b.k.lifRun(b.c, b.state, Lif.STEPS, LifInputs.bias(b.bias), null, b.counts);
    }

    @Benchmark
    public void lif1Mx100Resident(Lif b) {
        ClSession s = b.k.session();
        LifPropagators c = b.c;
        cl_mem[] m = b.mems;
        s.launch("lif_run", Lif.N, m[0], m[1], m[2], m[3], m[4], m[6], m[6], m[6], m[6], m[5],
                c.decayM(), c.driveGain(), c.psE(), c.psI(), c.decayE(), c.decayI(), c.offsetNa(), c.theta(),
                c.yReset(), c.refractorySteps(), Lif.N, Lif.STEPS, 1 | 32);
        s.finish();
    }

    /** A new context with nsp's program compiled from source (PoCL's disk cache applies unless POCL_KERNEL_CACHE=0). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public void buildFromSource() {
        ClSession.clearBinaryCache();
        ClSession.open(OpenClProvider.chosenDevice(), "").close();
    }

    /** A new context with nsp's program from the cached device binary: what every context after the first costs. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 2)
    @Measurement(iterations = 10)
    public void buildFromBinary() {
        ClSession.open(OpenClProvider.chosenDevice(), "").close();
    }
}
