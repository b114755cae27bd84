package dev.nsp.response;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Measures the response of single LIF neurons (SPEC section 1) by simulation on the batched LIF kernel
 * ({@link Kernels#lifRun}): all grid points times all trials run as one population, neuron index
 * {@code point * trials + trial}, in chunks of {@link Config#chunkSteps()} steps to bound memory. Every
 * neuron starts at rest; its rate is its spike count over the whole run divided by the duration.
 *
 * <p><b>What mu means.</b> In every method {@code muNa} is the <em>total</em> mean current, i_offset
 * included (as in the Siegert formula): the kernel adds i_offset itself, so the simulation supplies
 * {@code mu - i_offset} (as a bias current, or as the mean of the Poisson input).
 *
 * <p><b>Random numbers.</b> All draws come from {@link Philox} keyed by the seed, the neuron index, a stream
 * and a counter, so results do not depend on the backend, chunking or threads: the Gaussian noise uses
 * stream {@value #STREAM_GAUSSIAN}, the excitatory and inhibitory Poisson counts streams
 * {@value #STREAM_EXCITATORY} and {@value #STREAM_INHIBITORY} (plus 2 per extra sub-stream when a
 * population's expected count per step exceeds {@link Philox#MAX_LAMBDA} and is split into equal parts).
 */
public final class ResponseSimulator {
    /** Philox stream of the Gaussian noise current. */
    public static final int STREAM_GAUSSIAN = 1;
    /** Philox stream of the excitatory Poisson counts. */
    public static final int STREAM_EXCITATORY = 2;
    /** Philox stream of the inhibitory Poisson counts. */
    public static final int STREAM_INHIBITORY = 3;

    private final LifParameters params;
    private final Config config;
    private final Kernels kernels;
    private final LongConsumer progress;

    /**
     * The simulation set-up.
     *
     * @param durationMs simulated time per trial, ms, a whole number of steps
     * @param dtMs time step, ms (0.1 and 1 are both fine; see {@link LifPropagators#of})
     * @param trials independent trials per grid point, {@code >= 1}
     * @param seed the Philox seed
     * @param chunkSteps steps per kernel call, {@code >= 1} (memory: 4 bytes x chunkSteps x neurons per input tensor)
     */
    public record Config(double durationMs, double dtMs, int trials, long seed, int chunkSteps) {
        /** The paper's protocol, 10 s and 10 trials, at dt = 0.1 ms; seed 1, 1000 steps per call. */
        public static final Config DEFAULT = new Config(10_000, 0.1, 10, 1, 1000);
        /** Liu's own set-up (PyNN on NEST, ICONIP 2016 code): 10 s, 10 trials, dt = 1 ms; seed 1. */
        public static final Config LIU = new Config(10_000, 1.0, 10, 1, 1000);

        /** Validates the components. */
        public Config {
            if (!(durationMs > 0) || Double.isInfinite(durationMs)) {
                throw new IllegalArgumentException("durationMs: " + durationMs + ", must be finite and > 0");
            }
            if (!(dtMs > 0) || Double.isInfinite(dtMs)) {
                throw new IllegalArgumentException("dtMs: " + dtMs + ", must be finite and > 0");
            }
            if (trials < 1) {
                throw new IllegalArgumentException("trials: " + trials + ", must be >= 1");
            }
            if (chunkSteps < 1) {
                throw new IllegalArgumentException("chunkSteps: " + chunkSteps + ", must be >= 1");
            }
            wholeSteps("durationMs", durationMs, dtMs);
        }

        /** {@return the number of steps, durationMs / dtMs} */
        public long steps() {
            return wholeSteps("durationMs", durationMs, dtMs);
        }

        /**
         * {@return a copy with another duration}
         *
         * @param ms the duration, ms
         */
        public Config withDuration(double ms) {
            return new Config(ms, dtMs, trials, seed, chunkSteps);
        }

        /**
         * {@return a copy with another time step}
         *
         * @param ms the time step, ms
         */
        public Config withDt(double ms) {
            return new Config(durationMs, ms, trials, seed, chunkSteps);
        }

        /**
         * {@return a copy with another number of trials}
         *
         * @param n the trials per point
         */
        public Config withTrials(int n) {
            return new Config(durationMs, dtMs, n, seed, chunkSteps);
        }

        /**
         * {@return a copy with another seed}
         *
         * @param s the seed
         */
        public Config withSeed(long s) {
            return new Config(durationMs, dtMs, trials, s, chunkSteps);
        }
    }

    /**
     * Creates a simulator.
     *
     * @param params the neuron
     * @param config the set-up
     * @param kernels the backend to run on (not closed by this class)
     */
    public ResponseSimulator(LifParameters params, Config config, Kernels kernels) {
        this(params, config, kernels, steps -> { });
    }

    private ResponseSimulator(LifParameters params, Config config, Kernels kernels, LongConsumer progress) {
        this.params = params;
        this.config = config;
        this.kernels = kernels;
        this.progress = progress;
        LifPropagators.of(params, config.dtMs());   // validates dt against the neuron now
    }

    /**
     * A simulator that reports its progress: after each chunk of a run ({@link #noisyCurrent},
     * {@link #poisson}, {@link #poissonSources}) it calls {@code stepsDone} with the number of time steps
     * simulated so far in that run, from 1 to {@link Config#steps()} (all points and trials advance together).
     * The listener runs on the simulating thread and must be quick.
     *
     * @param stepsDone the listener
     * @return a copy of this simulator with the listener
     */
    public ResponseSimulator withProgress(LongConsumer stepsDone) {
        if (stepsDone == null) {
            throw new IllegalArgumentException("stepsDone: null");
        }
        return new ResponseSimulator(params, config, kernels, stepsDone);
    }

    /** {@return the neuron} */
    public LifParameters params() {
        return params;
    }

    /** {@return the set-up} */
    public Config config() {
        return config;
    }

    /**
     * On the process-wide default backend ({@link Backends#get()}).
     *
     * @param params the neuron
     * @param config the set-up
     */
    public ResponseSimulator(LifParameters params, Config config) {
        this(params, config, Backends.get());
    }

    /**
     * Neurons driven by a Gaussian current redrawn every Delta and held in between (PyNN
     * {@code NoisyCurrentSource}): during redraw interval j the current of neuron n is
     * {@code mu - i_offset + sigma g(n, j)} on top of i_offset, g a standard normal. Gaussians come in
     * Box-Muller pairs from one Philox block keyed by (seed, n, {@value #STREAM_GAUSSIAN}, j / 2): a 53-bit
     * uniform u1 in (0, 1] from words 0 and 1, a 53-bit u2 in [0, 1) from words 2 and 3, then
     * {@code g = sqrt(-2 ln u1) cos(2 pi u2)} for even j and {@code sin} for odd j. Sigma = 0 gives a
     * constant current.
     *
     * @param muNa total mean current per point, nA (i_offset included)
     * @param sigmaNa noise standard deviation per point, nA, {@code >= 0}
     * @param deltaMs redraw interval, ms, a whole number (>= 1) of time steps
     * @return the rates per point
     */
    public SimulatedRates noisyCurrent(double[] muNa, double[] sigmaNa, double deltaMs) {
        checkPoints(muNa, sigmaNa);
        long stepsPerDraw = wholeSteps("deltaMs", deltaMs, config.dtMs());
        int points = muNa.length;
        int trials = config.trials();
        int n = Math.multiplyExact(points, trials);
        float[] bias = new float[n];
        float[] sigmaOf = new float[n];
        boolean noisy = false;
        for (int i = 0; i < n; i++) {
            bias[i] = (float) (muNa[i / trials] - params.iOffsetNa());
            sigmaOf[i] = (float) sigmaNa[i / trials];
            noisy |= sigmaOf[i] > 0;
        }
        LifPropagators c = LifPropagators.of(params, config.dtMs());
        long steps = config.steps();
        int chunk = (int) Math.min(config.chunkSteps(), steps);
        float[] counts;
        try (LifState state = new LifState(n); Tensor biasT = Tensor.of(bias, n); Tensor spikeCounts = Tensor.zeros(n);
             Tensor current = noisy ? Tensor.zeros(chunk, n) : null) {
            float[] buffer = noisy ? new float[chunk * n] : null;
            float[][] rows = {new float[n], new float[n]};   // the current of draws 2q and 2q + 1
            long pairDrawn = -1;
            int[] words = new int[4];
            double[] pair = new double[2];
            for (long start = 0; start < steps; start += chunk) {
                int t = (int) Math.min(chunk, steps - start);
                Tensor cur = null;
                if (noisy) {
                    for (int s = 0; s < t; s++) {
                        long j = (start + s) / stepsPerDraw;
                        if ((j >>> 1) != pairDrawn) {
                            pairDrawn = j >>> 1;
                            for (int i = 0; i < n; i++) {
                                if (sigmaOf[i] == 0) {
                                    rows[0][i] = 0f;
                                    rows[1][i] = 0f;
                                } else {
                                    gaussianPair(config.seed(), i, pairDrawn, words, pair);
                                    rows[0][i] = (float) (sigmaOf[i] * pair[0]);
                                    rows[1][i] = (float) (sigmaOf[i] * pair[1]);
                                }
                            }
                        }
                        System.arraycopy(rows[(int) (j & 1)], 0, buffer, s * n, n);
                    }
                    cur = t == chunk ? current : current.view(0, t, n);
                    if (t == chunk) {
                        cur.copyFrom(buffer);
                    } else {
                        cur.copyFrom(Arrays.copyOf(buffer, t * n));
                    }
                }
                kernels.lifRun(c, state, t, new LifInputs(biasT, cur, null, null), null, spikeCounts);
                progress.accept(start + t);
            }
            counts = spikeCounts.toArray();
        }
        return statistics(counts, points);
    }

    /**
     * Neurons driven by an excitatory and an inhibitory population of Poisson sources through the
     * neuron's exponential synapses; the per-source rates solve paper eq. 4 ({@link PoissonInputs}) for the
     * synaptic mean {@code mu - i_offset} and sigma. Each step, each population's merged spike count is
     * drawn by {@link Kernels#poissonCounts} (expected count {@code n l dt}) and enters I_E (times w_exc) or
     * I_I (times -w_inh) at the end of the step. Needs tau_syn_E = tau_syn_I.
     *
     * @param muNa total mean current per point, nA (i_offset included)
     * @param sigmaNa standard deviation of the synaptic current per point, nA, {@code >= 0}
     * @param pops the input populations
     * @return the rates per point
     * @throws IllegalArgumentException if a target is unreachable (see {@link PoissonInputs#solve})
     */
    public SimulatedRates poisson(double[] muNa, double[] sigmaNa, PoissonPopulations pops) {
        checkPoints(muNa, sigmaNa);
        checkOneTauSyn();
        PoissonDrive[] drives = new PoissonDrive[muNa.length];
        for (int p = 0; p < muNa.length; p++) {
            try {
                drives[p] = PoissonDrive.solve(muNa[p] - params.iOffsetNa(), sigmaNa[p], params.tauSynEMs(), pops);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("point " + p + " (muNa = " + muNa[p] + " total, i.e. "
                        + (muNa[p] - params.iOffsetNa()) + " synaptic, sigmaNa = " + sigmaNa[p] + "): " + e.getMessage(), e);
            }
        }
        return poissonSources(drives);
    }

    /**
     * Neurons driven by explicitly given Poisson populations, one {@link PoissonDrive} per grid point (what
     * {@link #poisson} does after solving eq. 4 for the rates; same random streams, so
     * {@code poisson(mu, sigma, pops)} and {@code poissonSources(PoissonDrive.solve(..))} draw the same spikes).
     * The neuron's i_offset is added on top of the synaptic input. Each step, each population's merged spike
     * count is drawn by {@link Kernels#poissonCounts} (expected count {@code n l dt}) and enters I_E (times
     * w_exc) or I_I (times -w_inh) at the end of the step. Each synapse type decays with the neuron's own
     * tau_syn_E or tau_syn_I (they may differ here).
     *
     * @param drives the input of each point, at least one
     * @return the rates per point
     */
    public SimulatedRates poissonSources(PoissonDrive... drives) {
        if (drives.length == 0) {
            throw new IllegalArgumentException("drives: none given, need >= 1 point");
        }
        int points = drives.length;
        int trials = config.trials();
        int n = Math.multiplyExact(points, trials);
        double dt = config.dtMs();
        double[] lambdaE = new double[n];
        double[] lambdaI = new double[n];
        float[] we = new float[n];
        float[] wi = new float[n];
        double maxE = 0;
        double maxI = 0;
        for (int p = 0; p < points; p++) {
            PoissonDrive d = drives[p];
            if (d == null) {
                throw new IllegalArgumentException("drives[" + p + "]: null");
            }
            for (int tr = 0; tr < trials; tr++) {
                int i = p * trials + tr;
                lambdaE[i] = d.nExc() * d.rateExcHz() / 1000.0 * dt;
                lambdaI[i] = d.nInh() * d.rateInhHz() / 1000.0 * dt;
                we[i] = (float) d.wExcNa();
                wi[i] = (float) -d.wInhNa();
            }
            maxE = Math.max(maxE, lambdaE[p * trials]);
            maxI = Math.max(maxI, lambdaI[p * trials]);
        }
        if (!(maxE < Integer.MAX_VALUE * Philox.MAX_LAMBDA) || !(maxI < Integer.MAX_VALUE * Philox.MAX_LAMBDA)) {
            throw new IllegalArgumentException("drives: expected spike count per step " + Math.max(maxE, maxI)
                    + " is too large for dt = " + dt + " ms");
        }
        int partsE = Math.max(1, (int) Math.ceil(maxE / Philox.MAX_LAMBDA));
        int partsI = Math.max(1, (int) Math.ceil(maxI / Philox.MAX_LAMBDA));
        float[] expE = new float[n];
        float[] expI = new float[n];
        for (int i = 0; i < n; i++) {
            expE[i] = Philox.expNegLambda(lambdaE[i] / partsE);
            expI[i] = Philox.expNegLambda(lambdaI[i] / partsI);
        }
        LifPropagators c = LifPropagators.of(params, dt);
        long steps = config.steps();
        int chunk = (int) Math.min(config.chunkSteps(), steps);
        float[] counts;
        try (LifState state = new LifState(n); Tensor spikeCounts = Tensor.zeros(n);
             Tensor expET = Tensor.of(expE, n); Tensor expIT = Tensor.of(expI, n); Tensor draw = Tensor.zeros(n);
             Tensor exc = Tensor.zeros(chunk, n); Tensor inh = Tensor.zeros(chunk, n)) {
            float[] excBuf = new float[chunk * n];
            float[] inhBuf = new float[chunk * n];
            for (long start = 0; start < steps; start += chunk) {
                int t = (int) Math.min(chunk, steps - start);
                for (int s = 0; s < t; s++) {
                    long step = start + s;
                    fillCounts(expET, partsE, STREAM_EXCITATORY, step, draw, excBuf, s * n, we);
                    fillCounts(expIT, partsI, STREAM_INHIBITORY, step, draw, inhBuf, s * n, wi);
                }
                Tensor e = t == chunk ? exc : exc.view(0, t, n);
                Tensor h = t == chunk ? inh : inh.view(0, t, n);
                e.copyFrom(t == chunk ? excBuf : Arrays.copyOf(excBuf, t * n));
                h.copyFrom(t == chunk ? inhBuf : Arrays.copyOf(inhBuf, t * n));
                kernels.lifRun(c, state, t, new LifInputs(null, null, e, h), null, spikeCounts);
                progress.accept(start + t);
            }
            counts = spikeCounts.toArray();
        }
        return statistics(counts, points);
    }

    private void checkOneTauSyn() {
        if (params.tauSynEMs() != params.tauSynIMs()) {
            throw new IllegalArgumentException("params: tauSynEMs = " + params.tauSynEMs() + " and tauSynIMs = "
                    + params.tauSynIMs() + " differ; Poisson drive needs one tau_syn");
        }
    }

    /** Sums the counts of the sub-streams of one population for one step, times each neuron's weight, into buf[offset..]. */
    private void fillCounts(Tensor expNeg, int parts, int stream, long step, Tensor draw, float[] buf, int offset,
                            float[] weight) {
        int n = draw.dim(0);
        Arrays.fill(buf, offset, offset + n, 0f);
        for (int part = 0; part < parts; part++) {
            kernels.poissonCounts(config.seed(), stream + 2 * part, step, expNeg, draw);
            float[] d = draw.toArray();
            for (int i = 0; i < n; i++) {
                buf[offset + i] += d[i];
            }
        }
        for (int i = 0; i < n; i++) {
            buf[offset + i] *= weight[i];
        }
    }

    /**
     * One standard normal of the noise current (see {@link #noisyCurrent}).
     *
     * @param seed the seed
     * @param neuron the neuron index
     * @param draw the redraw index j
     * @return g(neuron, j)
     */
    static double gaussian(long seed, int neuron, long draw) {
        double[] pair = new double[2];
        gaussianPair(seed, neuron, draw >>> 1, new int[4], pair);
        return pair[(int) (draw & 1)];
    }

    /** The Box-Muller pair (g(neuron, 2q), g(neuron, 2q + 1)) into out; words is scratch. */
    static void gaussianPair(long seed, int neuron, long q, int[] words, double[] out) {
        Philox.draw(seed, neuron, STREAM_GAUSSIAN, q, 0, words);
        long a = ((words[0] & 0xFFFFFFFFL) << 21) | ((words[1] & 0xFFFFFFFFL) >>> 11);
        long b = ((words[2] & 0xFFFFFFFFL) << 21) | ((words[3] & 0xFFFFFFFFL) >>> 11);
        double u1 = (a + 1) * 0x1p-53;
        double u2 = b * 0x1p-53;
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double angle = 2.0 * Math.PI * u2;
        out[0] = r * Math.cos(angle);
        out[1] = r * Math.sin(angle);
    }

    private SimulatedRates statistics(float[] counts, int points) {
        int trials = config.trials();
        double seconds = config.durationMs() / 1000.0;
        double[] mean = new double[points];
        double[] std = new double[points];
        for (int p = 0; p < points; p++) {
            double sum = 0;
            for (int t = 0; t < trials; t++) {
                sum += counts[p * trials + t] / seconds;
            }
            double m = sum / trials;
            double ss = 0;
            for (int t = 0; t < trials; t++) {
                double d = counts[p * trials + t] / seconds - m;
                ss += d * d;
            }
            mean[p] = m;
            std[p] = trials > 1 ? Math.sqrt(ss / (trials - 1)) : 0;
        }
        return new SimulatedRates(mean, std, trials, config.durationMs());
    }

    private static void checkPoints(double[] muNa, double[] sigmaNa) {
        if (muNa.length != sigmaNa.length || muNa.length == 0) {
            throw new IllegalArgumentException("muNa, sigmaNa: lengths " + muNa.length + " and " + sigmaNa.length
                    + ", must be equal and >= 1");
        }
        for (int i = 0; i < muNa.length; i++) {
            if (!Double.isFinite(muNa[i])) {
                throw new IllegalArgumentException("muNa[" + i + "]: " + muNa[i] + ", must be finite");
            }
            if (!(sigmaNa[i] >= 0) || Double.isInfinite(sigmaNa[i])) {
                throw new IllegalArgumentException("sigmaNa[" + i + "]: " + sigmaNa[i] + ", must be finite and >= 0");
            }
        }
    }

    /** round(duration / dt) when that is a whole number of steps (to 1e-9 relative), else an exception. */
    static long wholeSteps(String name, double durationMs, double dtMs) {
        double ratio = durationMs / dtMs;
        long steps = Math.round(ratio);
        if (steps < 1 || Math.abs(ratio - steps) > 1e-9 * Math.max(1, ratio)) {
            throw new IllegalArgumentException(name + ": " + durationMs + " ms, must be a whole number (>= 1) of steps of "
                    + dtMs + " ms");
        }
        return steps;
    }
}
