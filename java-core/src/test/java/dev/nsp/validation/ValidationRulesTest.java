package dev.nsp.validation;

import dev.nsp.data.Dataset;
import dev.nsp.data.Idx;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import dev.nsp.neuron.LifParameters;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.response.Calibration;
import dev.nsp.response.CalibrationGrid;
import dev.nsp.response.MembraneNoise;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.PoissonPopulations;
import dev.nsp.response.ResponseFunctions;
import dev.nsp.response.ResponseSimulator;
import dev.nsp.snn.Conversion;
import dev.nsp.snn.SnnEvaluation;
import dev.nsp.snn.SpikingNetwork;
import dev.nsp.tensor.Tensor;
import dev.nsp.train.LrSchedule;
import dev.nsp.train.TrainOptions;
import dev.nsp.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per validation rule of every public entry point (docs/reliability.md, "Argument validation"): each case
 * calls the entry point with one bad argument and checks the exception's type and that its message starts with the
 * parameter's name and the value (and, where the message has one, names the allowed range).
 */
class ValidationRulesTest {
    private static Kernels k;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() throws Exception {
        for (AutoCloseable c : OPEN) {
            c.close();
        }
        k.close();
    }

    private static Tensor t(int... shape) {
        Tensor x = Tensor.zeros(shape);
        OPEN.add(x);
        return x;
    }

    private static Tensor filled(float v, int... shape) {
        Tensor x = t(shape);
        x.fill(v);
        return x;
    }

    private record Rule(Class<? extends Throwable> type, String messageStart, Executable call) {
    }

    private static Arguments rule(String name, Class<? extends Throwable> type, String messageStart, Executable call) {
        return Arguments.of(name, new Rule(type, messageStart, call));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void rejects(String name, Rule r) {
        Throwable e = assertThrows(r.type(), r.call(), name);
        assertTrue(e.getMessage() != null && e.getMessage().startsWith(r.messageStart()),
                name + ": message '" + e.getMessage() + "' should start with '" + r.messageStart() + "'");
    }

    static Stream<Arguments> rules() {
        List<Arguments> r = new ArrayList<>();
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        LifParameters n = LifParameters.TABLE1;

        // ---------------------------------------------------------------- Tensor
        r.add(rule("Tensor: dimension < 1", iae, "shape: dimension 1 is 0, must be >= 1", () -> Tensor.zeros(2, 0)));
        r.add(rule("Tensor: no dimension", iae, "shape: at least one dimension", () -> Tensor.zeros()));
        r.add(rule("Tensor: data length vs shape", iae, "data: length 3 does not match shape [2, 2]",
                () -> Tensor.of(new float[3], 2, 2)));
        r.add(rule("Tensor: index range", IndexOutOfBoundsException.class, "index: 4 not in [0, 4)", () -> t(4).get(4)));
        r.add(rule("Tensor: view range", IndexOutOfBoundsException.class, "view: offset 3 + size 2",
                () -> t(4).view(3, 2)));
        r.add(rule("Tensor: reshape size", iae, "shape: [3] has size 3", () -> t(4).reshape(3)));
        r.add(rule("Tensor: use after close", IllegalStateException.class, "tensor [2] used after close", () -> {
            Tensor x = Tensor.zeros(2);
            x.close();
            x.get(0);
        }));
        r.add(rule("Tensor: copyFrom length", iae, "data: length 2 != tensor size 4", () -> t(4).copyFrom(new float[2])));

        // ---------------------------------------------------------------- kernels (CheckedKernels, any backend)
        r.add(rule("kernels: k <= 0", iae, "k: 0.0, must be finite and > 0",
                () -> k.noisySoftplusForward(t(4), t(4), 0f, 1f, t(4))));
        r.add(rule("kernels: k NaN", iae, "k: NaN", () -> k.noisySoftplusForward(t(4), t(4), Float.NaN, 1f, t(4))));
        r.add(rule("kernels: p infinite", iae, "p: Infinity, must be finite",
                () -> k.noisySoftplusForward(t(4), t(4), 0.3f, Float.POSITIVE_INFINITY, t(4))));
        r.add(rule("kernels: sigma element < 0", iae, "sigma: element 0 is -1.0, must be >= 0",
                () -> k.noisySoftplusForward(t(4), filled(-1f, 4), 0.3f, 1f, t(4))));
        r.add(rule("kernels: sigma element NaN", iae, "sigma: element 0 is NaN",
                () -> k.noisySoftplusBackward(t(4), filled(Float.NaN, 4), 0.3f, 1f, t(4), t(4), null)));
        r.add(rule("kernels: softplus scale <= 0", iae, "scale: -1.0, must be finite and > 0",
                () -> k.softplusForward(t(4), -1f, 1f, t(4))));
        r.add(rule("kernels: output size", iae, "y: size 3 [3] must equal x's size 4",
                () -> k.reluForward(t(4), 1f, t(3))));
        r.add(rule("kernels: missing tensor", NullPointerException.class, "sigma: tensor is required",
                () -> k.noisySoftplusForward(t(4), null, 0.3f, 1f, t(4))));
        r.add(rule("kernels: closed tensor", IllegalStateException.class, "x: tensor [4] used after close", () -> {
            Tensor x = Tensor.zeros(4);
            x.close();
            k.reluForward(x, 1f, t(4));
        }));
        r.add(rule("kernels: output overlaps input", iae, "gradX: must not overlap x", () -> {
            Tensor x = t(4);
            k.reluBackward(x, 1f, t(4), x);
        }));
        r.add(rule("kernels: conv channels", iae, "weights: 2 input channels",
                () -> k.conv2dForward(t(1, 3, 8, 8), t(4, 2, 3, 3), t(1, 4, 6, 6))));
        r.add(rule("kernels: conv kernel larger than input", iae, "weights: kernel 9x9 larger than input 8x8",
                () -> k.conv2dForward(t(1, 1, 8, 8), t(1, 1, 9, 9), t(1, 1, 1, 1))));
        r.add(rule("kernels: conv output shape", iae, "output: shape [1, 4, 5, 5], expected [1, 4, 6, 6]",
                () -> k.conv2dForward(t(1, 1, 8, 8), t(4, 1, 3, 3), t(1, 4, 5, 5))));
        r.add(rule("kernels: conv rank", iae, "input: rank 2", () -> k.conv2dForward(t(8, 8), t(4, 1, 3, 3), t(1, 4, 6, 6))));
        r.add(rule("kernels: pooling odd size", iae, "input: height and width must be even",
                () -> k.pool2x2Forward(t(1, 1, 5, 4), 0.25f, t(1, 1, 2, 2))));
        r.add(rule("kernels: pooling weight 0", iae, "weight: 0, must be non-zero",
                () -> k.pool2x2Forward(t(1, 1, 4, 4), 0f, t(1, 1, 2, 2))));
        r.add(rule("kernels: dense inputs", iae, "weights: [10, 7] expects 7 inputs",
                () -> k.denseForward(t(3, 8), t(10, 7), t(3, 10))));
        r.add(rule("kernels: label range", iae, "labels: element 1 is 10, must be in [0, 10)",
                () -> k.softmaxCrossEntropy(t(2, 10), new int[] {0, 10}, t(2, 10), null)));
        r.add(rule("kernels: label count", iae, "labels: length 1, expected batch size 2",
                () -> k.softmaxCrossEntropy(t(2, 10), new int[] {0}, t(2, 10), null)));
        LifPropagators c = LifPropagators.of(n, 1.0);
        r.add(rule("kernels: LIF steps < 1", iae, "steps: 0, must be >= 1", () -> {
            LifState s = new LifState(3);
            OPEN.add(s);
            k.lifRun(c, s, 0, LifInputs.NONE, null, null);
        }));
        r.add(rule("kernels: LIF input shape", iae, "inputs.currentNa: shape [2, 3], expected [1, 3]", () -> {
            LifState s = new LifState(3);
            OPEN.add(s);
            k.lifRun(c, s, 1, new LifInputs(null, t(2, 3), null, null), null, null);
        }));
        r.add(rule("kernels: LIF state closed", IllegalStateException.class, "state.refractory: tensor [3] used after close",
                () -> {
                    LifState s = new LifState(3);
                    OPEN.add(s);
                    s.refractory().close();
                    k.lifRun(c, s, 1, LifInputs.NONE, null, null);
                }));
        r.add(rule("kernels: random step < 0", iae, "step: -1, must be in [0, ",
                () -> k.bernoulliSpikes(1, 0, -1, t(4), t(4))));
        r.add(rule("kernels: random output overlaps input", iae, "spikes: must not overlap probability", () -> {
            Tensor p = t(4);
            k.bernoulliSpikes(1, 0, 0, p, p);
        }));
        r.add(rule("kernels: Poisson threshold below exp(-64)", iae, "expNegLambda: element 0 is 0.0, must be in [",
                () -> k.poissonCounts(1, 0, 0, t(4), t(4))));

        // ---------------------------------------------------------------- neuron, propagators
        r.add(rule("LifParameters: cm <= 0", iae, "cmNf: 0.0, must be finite and > 0",
                () -> new LifParameters(0, 20, 1, 5, 5, -65, -65, -50, 0.1)));
        r.add(rule("LifParameters: tau_m NaN", iae, "tauMMs: NaN", () -> new LifParameters(0.25, Double.NaN, 1, 5, 5, -65, -65, -50, 0.1)));
        r.add(rule("LifParameters: tau_refrac < 0", iae, "tauRefracMs: -1.0, must be >= 0",
                () -> new LifParameters(0.25, 20, -1, 5, 5, -65, -65, -50, 0.1)));
        r.add(rule("LifParameters: tau_syn <= 0", iae, "tauSynEMs: 0.0", () -> new LifParameters(0.25, 20, 1, 0, 5, -65, -65, -50, 0.1)));
        r.add(rule("LifParameters: v_thresh <= v_reset", iae, "vThreshMv: -70.0, must be > vResetMv = -65.0",
                () -> new LifParameters(0.25, 20, 1, 5, 5, -75, -65, -70, 0.1)));
        r.add(rule("LifParameters: i_offset infinite", iae, "iOffsetNa: Infinity, must be finite",
                () -> new LifParameters(0.25, 20, 1, 5, 5, -65, -65, -50, Double.POSITIVE_INFINITY)));
        r.add(rule("LifPropagators: dt <= 0", iae, "dtMs: 0.0, must be finite and > 0", () -> LifPropagators.of(n, 0)));
        r.add(rule("LifPropagators: dt NaN", iae, "dtMs: NaN", () -> LifPropagators.of(n, Double.NaN)));
        r.add(rule("LifPropagators: dt > tau_refrac", iae, "dtMs: 2.0, must be <= tauRefracMs = 1.0",
                () -> LifPropagators.of(n, 2)));
        r.add(rule("LifPropagators: dt > smallest tau", iae, "dtMs: 6.0, must be <= the smallest time constant 5.0",
                () -> LifPropagators.of(n.withIOffset(0.1), 6)));
        r.add(rule("LifPropagators: decay outside [0, 1]", iae, "decayM: 1.5, must be in [0, 1]",
                () -> new LifPropagators(1f, 1.5f, 0.8f, 0.8f, 1f, 1f, -1f, 0.1f, 15f, 0f, 1)));
        r.add(rule("LifPropagators: refractory steps < 0", iae, "refractorySteps: -1, must be >= 0",
                () -> new LifPropagators(1f, 0.9f, 0.8f, 0.8f, 1f, 1f, -1f, 0.1f, 15f, 0f, -1)));

        // ---------------------------------------------------------------- response functions, calibration
        r.add(rule("response: current NaN", iae, "iTotalNa: NaN, must be finite",
                () -> ResponseFunctions.constantCurrentRateHz(n, Double.NaN)));
        r.add(rule("response: sigma < 0", iae, "sigma: -0.1, must be finite and >= 0",
                () -> ResponseFunctions.siegertRateHz(n, new NoiseModel.White(), 0.2, -0.1)));
        r.add(rule("response: mu infinite", iae, "muNa: Infinity, must be finite",
                () -> ResponseFunctions.siegertRateHz(n, new NoiseModel.Poisson(5, false), Double.POSITIVE_INFINITY, 0.1)));
        r.add(rule("response: redraw interval <= 0", iae, "deltaMs: 0.0, must be finite and > 0", () -> new NoiseModel.GaussianStep(0)));
        r.add(rule("response: tau_syn <= 0", iae, "tauSynMs: -5.0, must be finite and > 0", () -> new NoiseModel.Poisson(-5, true)));
        r.add(rule("response: sigma_V NaN", iae, "sigmaVMv: NaN", () -> new MembraneNoise(1, Double.NaN, 0)));
        r.add(rule("response: Siegert bounds reversed", iae, "bounds: [1.0, 0.0], must be finite with a <= b",
                () -> ResponseFunctions.siegertIntegral(1, 0)));
        r.add(rule("calibration: empty grid", iae, "xNa, sigmaNa: lengths 0 and 0, must be equal and >= 1",
                () -> new CalibrationGrid(new double[0], new double[0])));
        r.add(rule("calibration: grid sigma < 0", iae, "sigmaNa[1]: -1.0, must be finite and >= 0",
                () -> new CalibrationGrid(new double[] {0, 0}, new double[] {1, -1})));
        r.add(rule("calibration: rate NaN", iae, "rateHz[0]: NaN, must be finite",
                () -> Calibration.fit(new double[] {0, 1, 2}, new double[] {1, 1, 1}, new double[] {Double.NaN, 1, 2}, false)));
        r.add(rule("calibration: no noise", iae, "sigmaNa: all 0", () -> Calibration.fit(new double[] {0, 1, 2},
                new double[] {0, 0, 0}, new double[] {0, 1, 2}, false)));
        r.add(rule("calibration: too few points", iae, "grid: 2 points, need at least 3",
                () -> Calibration.fit(new double[] {0, 1}, new double[] {1, 1}, new double[] {0, 1}, true)));
        r.add(rule("calibration: Noisy Softplus sigma < 0", iae, "sigmaNa: -0.5, must be finite and >= 0",
                () -> Calibration.noisySoftplus(0.1, -0.5, 0.3)));
        r.add(rule("calibration: Noisy Softplus k <= 0", iae, "k: 0.0, must be finite and > 0",
                () -> Calibration.noisySoftplus(0.1, 0.5, 0)));
        r.add(rule("calibration: Noisy Softplus x NaN", iae, "xNa: NaN", () -> Calibration.noisySoftplus(Double.NaN, 0.5, 0.3)));
        r.add(rule("simulator: duration not whole steps", iae, "durationMs: 10.05 ms, must be a whole number",
                () -> new ResponseSimulator.Config(10.05, 0.1, 1, 1, 100)));
        r.add(rule("simulator: trials < 1", iae, "trials: 0, must be >= 1", () -> new ResponseSimulator.Config(100, 1, 0, 1, 100)));
        r.add(rule("simulator: dt > tau_refrac", iae, "dtMs: 2.0, must be <= tauRefracMs",
                () -> new ResponseSimulator(n, new ResponseSimulator.Config(100, 2, 1, 1, 100), k)));
        r.add(rule("simulator: empty grid", iae, "muNa, sigmaNa: lengths 0 and 0",
                () -> new ResponseSimulator(n, new ResponseSimulator.Config(10, 1, 1, 1, 10), k)
                        .noisyCurrent(new double[0], new double[0], 1)));
        r.add(rule("Poisson populations: weight <= 0", iae, "wExcNa: 0.0, must be finite and > 0",
                () -> new PoissonPopulations(0, 500, 0.05, 500)));

        // ---------------------------------------------------------------- spiking networks, conversion
        float[] w9 = new float[9];
        List<SpikingNetwork.Layer> dense = List.of(new SpikingNetwork.Dense(new float[2 * 16], 2, 16));
        r.add(rule("SNN: batch < 1", iae, "batch: 0, must be >= 1",
                () -> new SpikingNetwork(k, n, 1, new int[] {1, 4, 4}, dense, 0)));
        r.add(rule("SNN: no layers", iae, "layers: at least one layer", () -> new SpikingNetwork(k, n, 1, new int[] {1, 4, 4}, List.of(), 1)));
        r.add(rule("SNN: dt does not divide 1 ms", iae, "dtMs: 0.3, must divide 1 ms",
                () -> new SpikingNetwork(k, n, 0.3, new int[] {1, 4, 4}, dense, 1)));
        r.add(rule("SNN: input shape", iae, "inputShape: [1, 0, 4], expected [C, H, W], each >= 1",
                () -> new SpikingNetwork(k, n, 1, new int[] {1, 0, 4}, dense, 1)));
        r.add(rule("SNN: conv kernel larger than input", iae, "layers: conv kernel 3x3 is larger than its input",
                () -> new SpikingNetwork(k, n, 1, new int[] {1, 2, 2}, List.of(new SpikingNetwork.Conv(w9, 1, 1, 3, 3)), 1)));
        r.add(rule("SNN: conv size < 1", iae, "kh: 0, must be >= 1", () -> new SpikingNetwork.Conv(new float[0], 1, 1, 0, 3)));
        r.add(rule("SNN: weight NaN", iae, "weightsNa: element 2 is NaN, must be finite",
                () -> new SpikingNetwork.Dense(new float[] {0, 0, Float.NaN, 0}, 2, 2)));
        r.add(rule("SNN: pooling weight 0", iae, "weightNa: 0.0, must be finite and non-zero", () -> new SpikingNetwork.Pool(0f)));
        r.add(rule("SNN: rate above one spike per step", iae, "ratesHz: element 0 is 2000.0, must be in [0, 1000.0] Hz",
                () -> {
                    SpikingNetwork s = new SpikingNetwork(k, n, 1, new int[] {1, 4, 4}, dense, 1);
                    OPEN.add(s);
                    float[] rates = new float[16];
                    rates[0] = 2000;
                    s.run(rates, 1, 10, 1, 0, null);
                }));
        r.add(rule("SNN: images > batch", iae, "images: 2, must be in [1, 1]", () -> {
            SpikingNetwork s = new SpikingNetwork(k, n, 1, new int[] {1, 4, 4}, dense, 1);
            OPEN.add(s);
            s.run(new float[32], 2, 10, 1, 0, null);
        }));
        r.add(rule("SNN: first image < 0", iae, "firstImage: -1, must be in [0, ", () -> {
            SpikingNetwork s = new SpikingNetwork(k, n, 1, new int[] {1, 4, 4}, dense, 1);
            OPEN.add(s);
            s.run(new float[16], 1, 10, 1, -1, null);
        }));
        r.add(rule("SNN: duration not whole ms", iae, "durationMs: 2.5, must be a whole number of ms >= 1", () -> {
            SpikingNetwork s = new SpikingNetwork(k, n, 1, new int[] {1, 4, 4}, dense, 1);
            OPEN.add(s);
            s.run(new float[16], 1, 2.5, 1, 0, null);
        }));
        r.add(rule("SNN evaluation: rate above one spike per step", iae, "maxRateHz: 2000.0",
                () -> new SnnEvaluation.Options(100, 1, 1, 10, 10, 2000)));
        r.add(rule("SNN evaluation: empty data set", iae, "data: ", () -> SnnEvaluation.run(k, dense,
                new Dataset("empty", 0, 4, 4, new byte[0], new byte[0]), new SnnEvaluation.Options(10, 1, 1, 10, 10, 200), null)));
        r.add(rule("conversion: empty activations", iae, "values: empty", () -> Conversion.summarise(new float[0], Conversion.Normalisation.MAX)));
        r.add(rule("conversion: NaN activation", iae, "values: element 1 is NaN",
                () -> Conversion.summarise(new float[] {1, Float.NaN}, Conversion.Normalisation.MAX)));
        r.add(rule("conversion: layer scale <= 0", iae, "layerScales[0]: 0.0, must be finite and > 0",
                () -> Conversion.toSpiking(tinyModel(Activation.relu(1)), new double[] {0, 1, 1, 1})));

        // ---------------------------------------------------------------- training, networks, models
        r.add(rule("TrainOptions: epochs < 1", iae, "epochs: 0, must be >= 1", () -> TrainOptions.defaults().withEpochs(0)));
        r.add(rule("TrainOptions: batch < 1", iae, "batchSize: 0, must be >= 1", () -> TrainOptions.defaults().withBatchSize(0)));
        r.add(rule("TrainOptions: learning rate NaN", iae, "learningRate: NaN, must be finite and > 0",
                () -> TrainOptions.defaults().withLearningRate(Double.NaN)));
        r.add(rule("TrainOptions: learning rate <= 0", iae, "learningRate: -0.1", () -> TrainOptions.defaults().withLearningRate(-0.1)));
        r.add(rule("TrainOptions: sigma-gradient mode null", NullPointerException.class, "sigmaGrad: none or full is required",
                () -> TrainOptions.defaults().withSigmaGrad(null)));
        r.add(rule("TrainOptions: evaluation batch < 1", iae, "evalBatchSize: 0", () -> TrainOptions.defaults().withEvalBatchSize(0)));
        r.add(rule("TrainOptions: schedule null", NullPointerException.class, "schedule: constant or cosine is required",
                () -> TrainOptions.defaults().withSchedule(null)));
        r.add(rule("TrainOptions: shift < 0", iae, "maxShift: -1, must be in [0, 8]", () -> TrainOptions.defaults().withMaxShift(-1)));
        r.add(rule("TrainOptions: shift > 8", iae, "maxShift: 9, must be in [0, 8]", () -> TrainOptions.defaults().withMaxShift(9)));
        r.add(rule("LrSchedule: unknown name", iae, "lr-schedule: 'step' is unknown; allowed: constant, cosine",
                () -> LrSchedule.parse("step")));
        r.add(rule("LrSchedule: step out of range", iae, "step: 10, must be in [0, 10)", () -> LrSchedule.COSINE.rate(0.1, 10, 10)));
        r.add(rule("LrSchedule: steps < 1", iae, "steps: 0, must be >= 1", () -> LrSchedule.CONSTANT.rate(0.1, 0, 0)));
        r.add(rule("Trainer: empty training set", iae, "trainSet: ", () -> {
            Network net = tinyNetwork();
            Trainer.train(net, new Dataset("empty", 0, 6, 6, new byte[0], new byte[0]), null,
                    TrainOptions.defaults().withEpochs(1).withBatchSize(1), null);
        }));
        r.add(rule("Trainer: fewer images than a batch", iae, "trainSet: 2 images, fewer than one batch of 5", () -> {
            Network net = tinyNetwork();
            Trainer.train(net, new Dataset("two", 2, 6, 6, new byte[72], new byte[2]), null,
                    TrainOptions.defaults().withEpochs(1).withBatchSize(5), null);
        }));
        r.add(rule("Trainer: evaluation batch < 1", iae, "batchSize: 0, must be >= 1",
                () -> Trainer.evaluate(tinyNetwork(), new Dataset("one", 1, 6, 6, new byte[36], new byte[1]), 0)));
        r.add(rule("Network: workspace batch < 1", iae, "batchSize: 0, must be >= 1", () -> tinyNetwork().newWorkspace(0)));
        r.add(rule("Network: input scale <= 0", iae, "inputScale: 0.0, must be finite and > 0",
                () -> Network.initialize(Architecture.parse("2c3-2s-4", 1, 6, 6), Activation.relu(1), 0, 1, k)));
        r.add(rule("Activation: p <= 0", iae, "p: 0.0, must be > 0", () -> Activation.relu(0)));
        r.add(rule("Activation: softplus sigma <= 0", iae, "softplusSigma: 0.0, must be > 0 for softplus",
                () -> Activation.softplus(0.3, 0, 1)));
        r.add(rule("Architecture: bad token", iae, "spec: 'x9': bad token", () -> Architecture.parse("x9", 1, 6, 6)));
        r.add(rule("Architecture: kernel larger than input", iae, "spec: '2c9-4': kernel of '2c9' is larger",
                () -> Architecture.parse("2c9-4", 1, 6, 6)));
        r.add(rule("SavedModel: weight NaN", iae, "weights[0][0]: NaN, must be finite", () -> {
            SavedModel m = tinyModel();
            List<float[]> w = new ArrayList<>(m.weights());
            float[] bad = w.get(0).clone();
            bad[0] = Float.NaN;
            w.set(0, bad);
            new SavedModel(m.architecture(), m.activation(), 1.0, m.training(), w);
        }));
        r.add(rule("TrainingInfo: batch < 1", iae, "batchSize: 0, must be >= 1", () -> new TrainingInfo(1, 0.1, 0, 1, "x", Map.of())));

        // ---------------------------------------------------------------- data
        r.add(rule("Dataset: label out of range", iae, "labels: item 0 has label 10",
                () -> new Dataset("d", 1, 2, 2, new byte[4], new byte[] {10})));
        r.add(rule("Dataset: pixel count", iae, "pixels: length 3 != count * rows * cols = 4",
                () -> new Dataset("d", 1, 2, 2, new byte[3], new byte[1])));
        r.add(rule("Dataset: count < 0", iae, "count: -1, must be >= 0", () -> new Dataset("d", -1, 2, 2, new byte[0], new byte[0])));
        r.add(rule("Dataset: input scale rate <= 0", iae, "maxRateHz: 0.0, must be finite and > 0", () -> Dataset.inputScale(0, 5)));
        r.add(rule("Dataset: batch tensor shape", iae, "out: shape [1, 1, 3, 3], expected [B, 1, 2, 2]",
                () -> new Dataset("d", 1, 2, 2, new byte[4], new byte[1]).fillBatch(new int[] {0}, 0, 1f, t(1, 1, 3, 3))));
        r.add(rule("Dataset: batch index out of range", IndexOutOfBoundsException.class, "indices[0]: 5 not in [0, 1)",
                () -> new Dataset("d", 1, 2, 2, new byte[4], new byte[1]).fillBatch(new int[] {5}, 0, 1f, t(1, 1, 2, 2))));
        r.add(rule("IDX: classes out of range", iae, "classes: 0 not in [1, 256]", () -> Idx.readLabels(Path.of("x"), 0)));
        return r.stream();
    }

    private static SavedModel tinyModel() {
        return tinyModel(Activation.noisySoftplus(0.3, 201, 5));
    }

    private static SavedModel tinyModel(Activation act) {
        Architecture a = Architecture.parse("2c3-2s-4", 1, 6, 6);
        List<float[]> w = new ArrayList<>();
        for (var l : a.layers()) {
            w.add(new float[(int) l.weightCount()]);
        }
        return new SavedModel(a, act, 1.0, TrainingInfo.of(1, 0.3, 50, 1, "reference"), w);
    }

    private static Network tinyNetwork() {
        Network net = Network.initialize(Architecture.parse("2c3-2s-4", 1, 6, 6), Activation.relu(1), 1.0, 1, k);
        OPEN.add(net);
        return net;
    }
}
