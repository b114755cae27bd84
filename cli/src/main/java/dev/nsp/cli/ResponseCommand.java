package dev.nsp.cli;

import dev.nsp.cli.output.Charts;
import dev.nsp.cli.output.CsvTable;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.PoissonDrive;
import dev.nsp.response.ResponseFunctions;
import dev.nsp.response.ResponseSimulator;
import dev.nsp.response.SimulatedRates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code nsp response}: the firing rate of the paper's Table 1 LIF neuron over a grid of input currents, from
 * the constant-current formula, the Siegert formula or a simulation (SPEC sections 1 and 2).
 */
@Command(name = "response", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Firing rate of the Table 1 LIF neuron (paper eqs. 2 and 3, or simulated) over a grid of input "
                + "currents.",
                "GRID.csv columns: mu_nA and sigma_nA (mu_mV and sigma_mV with --noise white; --method constant needs "
                        + "only the mean). mu is the TOTAL mean current, i_offset (0.1 nA) included. For --method "
                        + "simulate --noise poisson the grid may instead give the populations per row: n_exc, "
                        + "rate_exc_hz, w_exc_nA, n_inh, rate_inh_hz, w_inh_nA (rates per source, weights as positive "
                        + "magnitudes; i_offset is added on top).",
                "RATES.csv: the grid's columns, then (explicit populations only) the implied total mu_nA and "
                        + "sigma_nA of paper eq. 4, then rate_hz and, for simulations, rate_std_hz (sample standard "
                        + "deviation over the trials).",
                "Noise models: white = sigma_V in mV given directly; gaussian-step = PyNN NoisyCurrentSource, a "
                        + "Gaussian current redrawn every --noise-dt; poisson = exponential synapses fed by Poisson "
                        + "trains (paper eq. 4). Simulating white noise uses a Gaussian current redrawn every step, "
                        + "sigma_I = sigma_V / (R_m sqrt(dt / tau_m))."})
final class ResponseCommand implements Callable<Integer> {
    static final List<String> POPULATION_COLUMNS =
            List.of("n_exc", "rate_exc_hz", "w_exc_nA", "n_inh", "rate_inh_hz", "w_inh_nA");

    @Option(names = "--method", paramLabel = "M", defaultValue = "siegert",
            description = "constant (eq. 2, the mean only), siegert (eq. 3) or simulate (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--noise", paramLabel = "MODEL", defaultValue = "poisson",
            description = "white, gaussian-step or poisson (default: ${DEFAULT-VALUE}).")
    String noise;

    @Option(names = "--noise-dt", paramLabel = "MS",
            description = "gaussian-step: redraw interval Delta, ms (default: --dt, 0.1 ms).")
    Double noiseDtMs;

    @Option(names = "--tau-syn", paramLabel = "MS",
            description = "poisson: synaptic time constant tau_syn (excitatory and inhibitory), ms (default 5, Table 1).")
    Double tauSynMs;

    @Option(names = "--colored-noise",
            description = "siegert + poisson: apply the Fourcaud-Brunel (2002) colored-noise correction.")
    boolean coloredNoise;

    @Option(names = "--duration", paramLabel = "MS", description = "simulate: time per trial, ms (default 10000).")
    Double durationMs;

    @Option(names = "--trials", paramLabel = "N", description = "simulate: trials per grid row (default 10).")
    Integer trials;

    @Option(names = "--dt", paramLabel = "MS", description = "simulate: time step, ms (default 0.1).")
    Double dtMs;

    @Option(names = "--seed", paramLabel = "S", description = "simulate: random seed (default 1).")
    Long seed;

    @Mixin
    PopulationOptions populations;

    @Mixin
    BackendOption backend;

    @Option(names = "--in", required = true, paramLabel = "GRID.csv", description = "Input grid.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "RATES.csv", description = "Output CSV.")
    Path out;

    @Option(names = "--plots", paramLabel = "DIR", description = "Also write DIR/response.png (rate vs mean, one color per sigma).")
    Path plots;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        boolean simulate = switch (method) {
            case "constant", "siegert" -> false;
            case "simulate" -> true;
            default -> throw new IllegalArgumentException("--method: '" + method + "', must be constant, siegert or simulate");
        };
        if (!List.of("white", "gaussian-step", "poisson").contains(noise)) {
            throw new IllegalArgumentException("--noise: '" + noise + "', must be white, gaussian-step or poisson");
        }
        boolean constant = method.equals("constant");
        boolean white = noise.equals("white");
        boolean poisson = noise.equals("poisson");
        CsvTable grid = CsvTable.read(in);
        if (grid.size() == 0) {
            throw new IllegalArgumentException("--in " + in + ": no data rows");
        }
        boolean explicit = simulate && poisson && POPULATION_COLUMNS.stream().anyMatch(grid::has);
        checkApplicable(simulate, constant, poisson, explicit);

        double tauSyn = tauSynMs == null ? LifParameters.TABLE1.tauSynEMs() : tauSynMs;
        if (!(tauSyn > 0) || Double.isInfinite(tauSyn)) {
            throw new IllegalArgumentException("--tau-syn: " + tauSyn + " ms, must be finite and > 0");
        }
        LifParameters p = LifParameters.TABLE1.withTauSyn(tauSyn);
        String muCol = white ? "mu_mV" : "mu_nA";
        String sigmaCol = white ? "sigma_mV" : "sigma_nA";

        double[] mu = null;
        double[] sigma = null;
        PoissonDrive[] drives = null;
        if (explicit) {
            for (String c : List.of("mu_nA", "sigma_nA")) {
                if (grid.has(c)) {
                    throw new IllegalArgumentException("--in " + in + ": has both population columns and '" + c
                            + "'; give either mu_nA, sigma_nA or the populations " + POPULATION_COLUMNS);
                }
            }
            drives = drives(grid);
        } else {
            mu = finiteColumn(grid, muCol);
            sigma = constant ? null : nonNegativeColumn(grid, sigmaCol);
        }

        double[] rate;
        double[] std = null;
        String what;
        if (constant) {
            rate = new double[mu.length];
            for (int i = 0; i < mu.length; i++) {
                rate[i] = ResponseFunctions.constantCurrentRateHz(p, white ? mu[i] / p.rmMohm() : mu[i]);
            }
            what = "constant-current formula";
        } else if (!simulate) {
            double delta = noiseDtMs == null ? ResponseSimulator.Config.DEFAULT.dtMs() : noiseDtMs;
            NoiseModel model = switch (noise) {
                case "white" -> new NoiseModel.White();
                case "gaussian-step" -> {
                    if (!(delta > 0) || Double.isInfinite(delta)) {
                        throw new IllegalArgumentException("--noise-dt: " + delta + " ms, must be finite and > 0");
                    }
                    yield new NoiseModel.GaussianStep(delta);
                }
                default -> new NoiseModel.Poisson(tauSyn, coloredNoise);
            };
            rate = new double[mu.length];
            for (int i = 0; i < mu.length; i++) {
                double m = white ? mu[i] / p.rmMohm() : mu[i];
                rate[i] = ResponseFunctions.siegertRateHz(p, model, m, sigma[i]);
            }
            what = "Siegert formula, " + noise + " noise" + (coloredNoise ? " with the Fourcaud-Brunel correction" : "")
                    + (noise.equals("gaussian-step") ? ", Delta " + RatePlot.fmt(delta) + " ms" : "")
                    + (poisson ? ", tau_syn " + RatePlot.fmt(tauSyn) + " ms" : "");
        } else {
            ResponseSimulator.Config config = SimulationSetup.config(ResponseSimulator.Config.DEFAULT, durationMs, dtMs,
                    trials, seed);
            Kernels kernels = backend.open();
            try {
                ResponseSimulator sim;
                try {
                    sim = new ResponseSimulator(p, config, kernels);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--dt: " + config.dtMs() + " ms: " + e.getMessage(), e);
                }
                double[] m = mu;
                double[] sd = sigma;
                PoissonDrive[] d = drives;
                SimulatedRates r = SimulationSetup.withProgress("response", sim, s -> simulate(s, p, m, sd, d));
                rate = r.meanHz();
                std = r.stdHz();
                what = "simulation, " + noise + " noise" + (explicit ? " (explicit populations)" : "")
                        + (poisson ? ", tau_syn " + RatePlot.fmt(tauSyn) + " ms" : "") + ", " + RatePlot.fmt(config.durationMs())
                        + " ms x " + config.trials() + " trials, dt " + RatePlot.fmt(config.dtMs()) + " ms, backend " + kernels.name();
            } finally {
                backend.release(kernels);
            }
        }

        // the output: the grid's columns (less any old results), then the results
        List<String> outputs = new ArrayList<>();
        if (explicit) {
            outputs.add("mu_nA");
            outputs.add("sigma_nA");
        }
        outputs.add("rate_hz");
        if (std != null) {
            outputs.add("rate_std_hz");
        }
        List<String> header = new ArrayList<>();
        for (String c : grid.header()) {
            if (!outputs.contains(c)) {
                header.add(c);
            }
        }
        int kept = header.size();
        header.addAll(outputs);
        CsvTable table = new CsvTable(header);
        double[] impliedMu = null;
        double[] impliedSigma = null;
        if (explicit) {
            impliedMu = new double[drives.length];
            impliedSigma = new double[drives.length];
            for (int i = 0; i < drives.length; i++) {
                impliedMu[i] = drives[i].meanNa(tauSyn) + p.iOffsetNa();
                impliedSigma[i] = drives[i].sigmaNa(tauSyn);
            }
        }
        for (int i = 0; i < grid.size(); i++) {
            double[] row = new double[header.size()];
            for (int c = 0; c < kept; c++) {
                row[c] = grid.get(i, header.get(c));
            }
            int c = kept;
            if (explicit) {
                row[c++] = impliedMu[i];
                row[c++] = impliedSigma[i];
            }
            row[c++] = rate[i];
            if (std != null) {
                row[c] = std[i];
            }
            table.add(row);
        }
        table.write(out);
        if (plots != null) {
            double[] x = explicit ? impliedMu : mu;
            double[] s = explicit ? impliedSigma : constant ? new double[mu.length] : sigma;
            String unit = white ? "mV" : "nA";
            String title = "LIF response: " + method + ", " + noise + " noise"
                    + (poisson && !constant ? ", tau_syn " + RatePlot.fmt(tauSyn) + " ms" : "")
                    + (simulate ? " (mean +- std over trials)" : "");
            Charts chart = Charts.of(title, white ? "mean drive mu_V (mV, R_m x total current)"
                    : "total mean current mu (nA, i_offset included)", "firing rate (Hz)").legendTopLeft().yMin(0);
            RatePlot.add(chart, x, s, rate, std, constant ? "constant current" : "sigma = %s " + unit);
            chart.savePng(plots.resolve("response.png"));
        }
        System.err.printf("nsp: %d rows, %s; wrote %s%s (%.1f s)%n", grid.size(), what, out,
                plots == null ? "" : " and " + plots.resolve("response.png"), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private SimulatedRates simulate(ResponseSimulator sim, LifParameters p, double[] mu, double[] sigma, PoissonDrive[] drives) {
        double dt = sim.config().dtMs();
        switch (noise) {
            case "white" -> {
                // white noise sigma_V as a Gaussian current redrawn every step: sigma_V = R_m sigma_I sqrt(dt / tau_m)
                double[] muNa = new double[mu.length];
                double[] sigmaNa = new double[mu.length];
                for (int i = 0; i < mu.length; i++) {
                    muNa[i] = mu[i] / p.rmMohm();
                    sigmaNa[i] = sigma[i] / (p.rmMohm() * Math.sqrt(dt / p.tauMMs()));
                }
                return sim.noisyCurrent(muNa, sigmaNa, dt);
            }
            case "gaussian-step" -> {
                double delta = noiseDtMs == null ? dt : noiseDtMs;
                double ratio = delta / dt;
                if (!(delta > 0) || Math.round(ratio) < 1 || Math.abs(ratio - Math.round(ratio)) > 1e-9 * Math.max(1, ratio)) {
                    throw new IllegalArgumentException("--noise-dt: " + delta + " ms, must be a whole number (>= 1) of steps of --dt "
                            + dt + " ms");
                }
                return sim.noisyCurrent(mu, sigma, delta);
            }
            default -> {
                if (drives != null) {
                    return sim.poissonSources(drives);
                }
                try {
                    return sim.poisson(mu, sigma, populations.populations());
                } catch (IllegalArgumentException e) {
                    if (e.getMessage().startsWith("point ")) {
                        throw new IllegalArgumentException("--in " + in + ": data row " + e.getMessage().substring(6), e);
                    }
                    throw e;
                }
            }
        }
    }

    /** Options that do not apply to the chosen method and noise are errors, not silently ignored. */
    private void checkApplicable(boolean simulate, boolean constant, boolean poisson, boolean explicit) {
        if (coloredNoise && !(method.equals("siegert") && poisson)) {
            throw new IllegalArgumentException("--colored-noise: applies only to --method siegert --noise poisson");
        }
        if (noiseDtMs != null && (constant || !noise.equals("gaussian-step"))) {
            throw new IllegalArgumentException("--noise-dt: applies only to --noise gaussian-step with --method siegert or simulate");
        }
        if (tauSynMs != null && (constant || !poisson)) {
            throw new IllegalArgumentException("--tau-syn: applies only to --noise poisson with --method siegert or simulate");
        }
        if (!simulate && (durationMs != null || trials != null || dtMs != null || seed != null || backend.name != null)) {
            throw new IllegalArgumentException("--duration, --trials, --dt, --seed, --backend: apply only to --method simulate");
        }
        if (populations.given() && !(simulate && poisson && !explicit)) {
            throw new IllegalArgumentException("--n-exc, --w-exc, --n-inh, --w-inh: apply only to --method simulate --noise "
                    + "poisson with a grid of mu_nA, sigma_nA (the grid's population columns give them otherwise)");
        }
    }

    private PoissonDrive[] drives(CsvTable grid) {
        for (String c : POPULATION_COLUMNS) {
            if (!grid.has(c)) {
                throw new IllegalArgumentException("--in " + in + ": missing column '" + c + "'; explicit populations need all of "
                        + POPULATION_COLUMNS);
            }
        }
        double[] nExc = nonNegativeColumn(grid, "n_exc");
        double[] rExc = nonNegativeColumn(grid, "rate_exc_hz");
        double[] wExc = nonNegativeColumn(grid, "w_exc_nA");
        double[] nInh = nonNegativeColumn(grid, "n_inh");
        double[] rInh = nonNegativeColumn(grid, "rate_inh_hz");
        double[] wInh = nonNegativeColumn(grid, "w_inh_nA");
        PoissonDrive[] d = new PoissonDrive[grid.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = new PoissonDrive(count(nExc[i], "n_exc", i), rExc[i], wExc[i], count(nInh[i], "n_inh", i), rInh[i], wInh[i]);
        }
        return d;
    }

    private int count(double v, String column, int row) {
        if (v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--in " + in + ": column '" + column + "', data row " + row + ": " + v
                    + ", must be a whole number of sources");
        }
        return (int) v;
    }

    private double[] finiteColumn(CsvTable grid, String column) {
        if (!grid.has(column)) {
            throw new IllegalArgumentException("--in " + in + ": missing column '" + column + "' (header " + grid.header()
                    + ") for --method " + method + " --noise " + noise);
        }
        double[] v = grid.column(column);
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException("--in " + in + ": column '" + column + "', data row " + i + ": " + v[i]
                        + ", must be finite");
            }
        }
        return v;
    }

    private double[] nonNegativeColumn(CsvTable grid, String column) {
        double[] v = finiteColumn(grid, column);
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw new IllegalArgumentException("--in " + in + ": column '" + column + "', data row " + i + ": " + v[i]
                        + ", must be >= 0");
            }
        }
        return v;
    }
}
