package dev.nsp.bench.peers;

import dev.nsp.data.CacheDirectory;
import dev.nsp.data.Dataset;
import dev.nsp.data.DatasetFiles;
import dev.nsp.data.MnistFiles;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.kernel.vector.VectorProvider;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.neuron.LifParameters;
import dev.nsp.nn.Defaults;
import dev.nsp.nn.Network;
import dev.nsp.response.CalibrationGrid;
import dev.nsp.response.PoissonDrive;
import dev.nsp.response.PoissonPopulations;
import dev.nsp.response.ResponseSimulator;
import dev.nsp.response.SimulatedRates;
import dev.nsp.snn.SpikingNetwork;
import dev.nsp.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The nsp side of the Brian2 comparison (bench/peers/brian2_lif.py is the other side). Each mode writes the
 * set-up it simulates ({@code TAG-setup.properties} and CSVs, which the Python script reads, so both simulators
 * get exactly the same neurons and inputs), simulates it with nsp and writes the rates or spike counts
 * ({@code TAG-nsp.csv}) and the times ({@code TAG-nsp.properties}):
 * <ul>
 *   <li>{@code population}: paper Fig. 2 / Liu's calibration protocol: the 36 (x, sigma) points of
 *       {@link CalibrationGrid#liu()}, each Table 1 neuron driven by 500 excitatory and 500 inhibitory Poisson
 *       sources of 0.05 nA whose rates solve paper eq. 4 ({@link PoissonDrive#solve}), {@code trials} neurons per
 *       point, through {@link ResponseSimulator#poisson} (per step, each population's merged Poisson count);</li>
 *   <li>{@code layer}: the first convolution of the paper's network converted to Table 1 neurons (6@5x5 on
 *       28x28, weights in nA from {@link Network#initialize} with seed 1), driven by Bernoulli spike trains at
 *       pixel/255 x 200 Hz (MNIST test images from the nsp cache when present, else {@code SyntheticBatch}),
 *       simulated with the kernel calls of {@link SpikingNetwork} (see {@link #convLayer});</li>
 *   <li>{@code constant}: a deterministic check: single neurons under constant total currents 0.05 to 1.0 nA
 *       (no noise), whose spike counts two exact simulators must reproduce exactly.</li>
 * </ul>
 * Timing: one warm-up simulation (JIT compilation, the counterpart of Brian2's code generation) of at most 1 s
 * of model time, then {@code repeats} timed simulations of the whole duration; the rates come from the first.
 * Threads: {@code -Dnsp.threads} (recorded); the backend is the automatic choice unless {@code -Dnsp.backend}.
 *
 * <p>Usage: {@code LifPeerRun population|layer|constant --out DIR [--tag T] [--duration-ms D] [--dt-ms DT]
 * [--trials N] [--images B] [--repeats R] [--seed S]}.
 */
public final class LifPeerRun {
    private final Path out;
    private final String tag;
    private final double durationMs;
    private final double dtMs;
    private final int trials;
    private final int images;
    private final int repeats;
    private final long seed;

    private LifPeerRun(Map<String, String> o, String mode) {
        this.out = Path.of(required(o, "out"));
        this.tag = o.getOrDefault("tag", mode);
        this.durationMs = Double.parseDouble(o.getOrDefault("duration-ms", mode.equals("layer") ? "1000" : "10000"));
        this.dtMs = Double.parseDouble(o.getOrDefault("dt-ms", "1"));
        this.trials = Integer.parseInt(o.getOrDefault("trials", "100"));
        this.images = Integer.parseInt(o.getOrDefault("images", "10"));
        this.repeats = Integer.parseInt(o.getOrDefault("repeats", "3"));
        this.seed = Long.parseLong(o.getOrDefault("seed", "1"));
        if (repeats < 1 || trials < 1 || images < 1) {
            throw new IllegalArgumentException("--repeats, --trials, --images: " + repeats + ", " + trials + ", " + images
                    + "; each must be >= 1");
        }
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    /**
     * @param args the mode, then {@code --name value} pairs
     * @throws Exception on a bad argument or an I/O failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length % 2 != 1) {
            throw new IllegalArgumentException("usage: LifPeerRun population|layer|constant --out DIR [--name value]...");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("argument " + i + ": '" + args[i] + "', expected --name");
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        LifPeerRun run = new LifPeerRun(o, args[0]);
        Files.createDirectories(run.out);
        switch (args[0]) {
            case "population" -> run.population();
            case "layer" -> run.layer();
            case "constant" -> run.constant();
            default -> throw new IllegalArgumentException("mode: '" + args[0] + "', expected population, layer or constant");
        }
    }

    private Path file(String suffix) {
        return out.resolve(tag + "-" + suffix);
    }

    private KeyValues setup(String kind) {
        LifParameters p = LifParameters.TABLE1;
        return KeyValues.create().put("kind", kind).put("duration_ms", durationMs).put("dt_ms", dtMs).put("seed", seed)
                .put("cm_nf", p.cmNf()).put("tau_m_ms", p.tauMMs()).put("tau_refrac_ms", p.tauRefracMs())
                .put("tau_syn_e_ms", p.tauSynEMs()).put("tau_syn_i_ms", p.tauSynIMs()).put("v_rest_mv", p.vRestMv())
                .put("v_reset_mv", p.vResetMv()).put("v_thresh_mv", p.vThreshMv()).put("i_offset_na", p.iOffsetNa());
    }

    private KeyValues timing(Kernels k, long neuronSteps, double warmupS, double[] runS) {
        double[] sorted = runS.clone();
        Arrays.sort(sorted);
        StringBuilder all = new StringBuilder();
        for (double s : runS) {
            all.append(all.isEmpty() ? "" : " ").append(String.format(java.util.Locale.ROOT, "%.4f", s));
        }
        return KeyValues.create().put("simulator", "nsp").put("backend", k.name())
                .put("threads", VectorProvider.threadsFromProperty()).put("java", Runtime.version())
                .put("neuron_steps", neuronSteps).put("warmup_s", warmupS).put("run_s_min", sorted[0])
                .put("run_s_median", sorted[sorted.length / 2]).put("run_s_all", all);
    }

    private void population() throws IOException {
        LifParameters p = LifParameters.TABLE1;
        CalibrationGrid g = CalibrationGrid.liu();
        int points = g.xNa().length;
        double[] mu = new double[points];
        PoissonDrive[] drives = new PoissonDrive[points];
        NumericCsv setupCsv = new NumericCsv("point", "mu_na", "sigma_na", "n_exc", "rate_exc_hz", "w_exc_na", "n_inh",
                "rate_inh_hz", "w_inh_na");
        for (int i = 0; i < points; i++) {
            mu[i] = g.xNa()[i] + p.iOffsetNa();
            drives[i] = PoissonDrive.solve(g.xNa()[i], g.sigmaNa()[i], p.tauSynEMs(), PoissonPopulations.LIU);
            PoissonDrive d = drives[i];
            setupCsv.add(i, mu[i], g.sigmaNa()[i], d.nExc(), d.rateExcHz(), d.wExcNa(), d.nInh(), d.rateInhHz(), d.wInhNa());
        }
        setupCsv.write(file("setup.csv"));
        setup("population").put("trials", trials).put("points", points).put("neurons", points * trials)
                .write(file("setup.properties"));
        ResponseSimulator.Config config = new ResponseSimulator.Config(durationMs, dtMs, trials, seed, 1000);
        try (Kernels k = Backends.get()) {
            long t = System.nanoTime();
            new ResponseSimulator(p, config.withDuration(Math.min(1000, durationMs)), k).poisson(mu, g.sigmaNa(),
                    PoissonPopulations.LIU);
            double warmup = seconds(t);
            double[] runS = new double[repeats];
            SimulatedRates first = null;
            for (int r = 0; r < repeats; r++) {
                t = System.nanoTime();
                SimulatedRates s = new ResponseSimulator(p, config, k).poisson(mu, g.sigmaNa(), PoissonPopulations.LIU);
                runS[r] = seconds(t);
                if (first == null) {
                    first = s;
                }
            }
            NumericCsv rates = new NumericCsv("point", "mean_hz", "std_hz");
            for (int i = 0; i < points; i++) {
                rates.add(i, first.meanHz()[i], first.stdHz()[i]);
            }
            rates.write(file("nsp.csv"));
            long steps = config.steps();
            timing(k, steps * points * trials, warmup, runS).put("poisson_draws_s", drawsOnly(k, drives, config))
                    .write(file("nsp.properties"));
        }
    }

    /**
     * The time of the Poisson draws alone: the same {@link Kernels#poissonCounts} calls (and copies to the heap)
     * that {@link ResponseSimulator#poissonSources} makes, without the LIF update.
     */
    private double drawsOnly(Kernels k, PoissonDrive[] drives, ResponseSimulator.Config config) {
        int n = drives.length * config.trials();
        float[] expE = new float[n];
        float[] expI = new float[n];
        double maxE = 0;
        double maxI = 0;
        double[] le = new double[n];
        double[] li = new double[n];
        for (int i = 0; i < n; i++) {
            PoissonDrive d = drives[i / config.trials()];
            le[i] = d.nExc() * d.rateExcHz() / 1000.0 * config.dtMs();
            li[i] = d.nInh() * d.rateInhHz() / 1000.0 * config.dtMs();
            maxE = Math.max(maxE, le[i]);
            maxI = Math.max(maxI, li[i]);
        }
        int partsE = Math.max(1, (int) Math.ceil(maxE / Philox.MAX_LAMBDA));
        int partsI = Math.max(1, (int) Math.ceil(maxI / Philox.MAX_LAMBDA));
        for (int i = 0; i < n; i++) {
            expE[i] = Philox.expNegLambda(le[i] / partsE);
            expI[i] = Philox.expNegLambda(li[i] / partsI);
        }
        long t = System.nanoTime();
        double sink = 0;
        try (Tensor e = Tensor.of(expE, n); Tensor h = Tensor.of(expI, n); Tensor draw = Tensor.zeros(n)) {
            for (long step = 0; step < config.steps(); step++) {
                for (int part = 0; part < partsE; part++) {
                    k.poissonCounts(seed, ResponseSimulator.STREAM_EXCITATORY + 2 * part, step, e, draw);
                    sink += draw.toArray()[0];
                }
                for (int part = 0; part < partsI; part++) {
                    k.poissonCounts(seed, ResponseSimulator.STREAM_INHIBITORY + 2 * part, step, h, draw);
                    sink += draw.toArray()[0];
                }
            }
        }
        double s = seconds(t);
        return sink < 0 ? -s : s;   // sink >= 0 always; keeps the draws observable
    }

    private void layer() throws IOException {
        int perImage = 28 * 28;
        float[] rates = new float[images * perImage];
        String source;
        Optional<DatasetFiles> mnist = MnistFiles.findVerified(CacheDirectory.resolve());
        if (mnist.isPresent()) {
            Dataset test = mnist.get().loadTest();
            for (int b = 0; b < images; b++) {
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        rates[b * perImage + y * 28 + x] = (float) (test.pixel(b, y, x) / 255.0 * Defaults.MAX_INPUT_RATE_HZ);
                    }
                }
            }
            source = "MNIST test images 0.." + (images - 1);
        } else {
            float[] a = dev.nsp.bench.SyntheticBatch.images(images, 1.0, seed);
            for (int i = 0; i < a.length; i++) {
                rates[i] = (float) (a[i] * Defaults.MAX_INPUT_RATE_HZ);
            }
            source = "synthetic images (no MNIST in the nsp cache)";
        }
        float[] w;
        try (Kernels ref = Backends.create("reference");
             Network net = Network.initialize(Architecture.paper(), Defaults.activation(Activation.Kind.NOISY_SOFTPLUS),
                     Defaults.INPUT_SCALE, 1, ref)) {
            w = net.weights().getFirst();
        }
        NumericCsv wc = new NumericCsv("o", "c", "u", "v", "w_na");
        for (int o = 0; o < 6; o++) {
            for (int u = 0; u < 5; u++) {
                for (int v = 0; v < 5; v++) {
                    wc.add(o, 0, u, v, w[(o * 5 + u) * 5 + v]);
                }
            }
        }
        wc.write(file("weights.csv"));
        NumericCsv rc = new NumericCsv("image", "pixel", "rate_hz");
        for (int i = 0; i < rates.length; i++) {
            rc.add(i / perImage, i % perImage, rates[i]);
        }
        rc.write(file("rates.csv"));
        int neurons = images * 6 * 24 * 24;
        setup("layer").put("images", images).put("neurons", neurons).put("synapses", (long) neurons * 25)
                .put("input_source", source).write(file("setup.properties"));
        long steps = Math.round(durationMs / dtMs);
        try (Kernels k = Backends.get()) {
            long t = System.nanoTime();
            convLayer(k, rates, w, Math.round(Math.min(1000, durationMs) / dtMs), seed + 1);
            double warmup = seconds(t);
            double[] runS = new double[repeats];
            float[] counts = null;
            for (int r = 0; r < repeats; r++) {
                t = System.nanoTime();
                float[] c = convLayer(k, rates, w, steps, seed);
                runS[r] = seconds(t);
                if (counts == null) {
                    counts = c;
                }
            }
            NumericCsv cc = new NumericCsv("neuron", "count");
            double total = 0;
            for (int i = 0; i < counts.length; i++) {
                cc.add(i, counts[i]);
                total += counts[i];
            }
            cc.write(file("nsp.csv"));
            timing(k, steps * neurons, warmup, runS).put("output_spikes", Math.round(total)).write(file("nsp.properties"));
        }
    }

    /**
     * One converted layer, simulated from rest with the kernel calls {@link SpikingNetwork#run} makes per step
     * (Bernoulli input spikes for all images, the event-driven convolution into cleared excitatory and inhibitory
     * inputs, one LIF step with spike output and counts), without its per-millisecond copy of the output layer's
     * cumulative counts, which is meant for a 10-neuron output layer (here it would be 1000 x images x 3456 floats).
     *
     * @return the spike count of every neuron, [image][channel][y][x]
     */
    private float[] convLayer(Kernels k, float[] ratesHz, float[] w, long steps, long runSeed) {
        int n = images * 6 * 24 * 24;
        float[] prob = new float[ratesHz.length];
        for (int i = 0; i < prob.length; i++) {
            prob[i] = (float) (ratesHz[i] * dtMs / 1000.0);
        }
        LifPropagators c = LifPropagators.of(LifParameters.TABLE1, dtMs);
        try (Tensor probability = Tensor.of(prob, images, 1, 28, 28); Tensor in = Tensor.zeros(images, 1, 28, 28);
             Tensor weights = Tensor.of(w, 6, 1, 5, 5); Tensor exc = Tensor.zeros(images, 6, 24, 24);
             Tensor inh = Tensor.zeros(images, 6, 24, 24); Tensor spikes = Tensor.zeros(1, n); Tensor counts = Tensor.zeros(n);
             LifState state = new LifState(n)) {
            LifInputs inputs = new LifInputs(null, null, exc.reshape(1, n), inh.reshape(1, n));
            for (long step = 0; step < steps; step++) {
                k.bernoulliSpikeRows(runSeed, 0, step, probability, in);
                exc.fill(0f);
                inh.fill(0f);
                k.spikeConv2dAccumulate(in, weights, exc, inh);
                k.lifRun(c, state, 1, inputs, spikes, counts);
            }
            return counts.toArray();
        }
    }

    private void constant() throws IOException {
        int points = 20;
        double[] mu = new double[points];
        double[] sigma = new double[points];
        NumericCsv setupCsv = new NumericCsv("point", "mu_na");
        for (int i = 0; i < points; i++) {
            mu[i] = 0.05 * (i + 1);
            setupCsv.add(i, mu[i]);
        }
        setupCsv.write(file("setup.csv"));
        setup("constant").put("trials", 1).put("points", points).put("neurons", points).write(file("setup.properties"));
        ResponseSimulator.Config config = new ResponseSimulator.Config(durationMs, dtMs, 1, seed, 1000);
        try (Kernels k = Backends.get()) {
            long t = System.nanoTime();
            SimulatedRates s = new ResponseSimulator(LifParameters.TABLE1, config, k).noisyCurrent(mu, sigma, dtMs);
            double run = seconds(t);
            NumericCsv c = new NumericCsv("point", "count");
            for (int i = 0; i < points; i++) {
                c.add(i, Math.round(s.meanHz()[i] * durationMs / 1000.0));
            }
            c.write(file("nsp.csv"));
            timing(k, config.steps() * points, 0, new double[] {run}).write(file("nsp.properties"));
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) * 1e-9;
    }
}
