package dev.nsp.cli;

import dev.nsp.cli.output.Charts;
import dev.nsp.cli.output.CsvTable;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;
import dev.nsp.response.Calibration;
import dev.nsp.response.CalibrationGrid;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.NoisySoftplusFit;
import dev.nsp.response.PoissonPopulations;
import dev.nsp.response.ResponseSimulator;
import dev.nsp.response.SimulatedRates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.Color;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code nsp calibrate}: fits k and S of the parametric Noisy Softplus {@code S f(x, sigma)} to LIF rates on
 * Liu's grid (SPEC section 3), from simulations of Liu's protocol or from the Siegert formula.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Calibrate Noisy Softplus: least-squares fit of S f(x (+ b), sigma), f = k sigma log(1 + exp(x / "
                + "(k sigma))), to the firing rate of the Table 1 LIF neuron at total current x + i_offset, on Liu's grid "
                + "(x = -0.5 .. 0.6 nA step 0.1, sigma = 0.2, 0.5, 1.0 nA).",
                "--source simulate (default) runs Liu's protocol: Poisson-driven neurons, 500 + 500 sources of 0.05 nA, "
                        + "10 s x 10 trials at dt 1 ms; it reproduces the paper's k = 0.30, S = 201 Hz/nA at tau_syn 5 ms. "
                        + "--source siegert uses the Siegert formula of the poisson noise model instead.",
                "Prints k, S, (b), p = S tau_syn and the RMS residual; writes DIR/calibration.csv (x_nA, sigma_nA, "
                        + "rate_hz, fitted_hz, and rate_std_hz for simulations), DIR/calibration_fit.csv (the fitted "
                        + "parameters) and DIR/calibration.png."})
final class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--source", paramLabel = "SRC", defaultValue = "simulate",
            description = "simulate or siegert (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--tau-syn", paramLabel = "MS", defaultValue = "5",
            description = "Synaptic time constant tau_syn, ms (default: ${DEFAULT-VALUE}).")
    double tauSynMs;

    @Option(names = "--fit-bias", description = "Also fit an input shift b, nA (else b = 0: i_offset is the bias).")
    boolean fitBias;

    @Option(names = "--colored-noise",
            description = "siegert: apply the Fourcaud-Brunel (2002) colored-noise correction.")
    boolean coloredNoise;

    @Option(names = "--duration", paramLabel = "MS", description = "simulate: time per trial, ms (default 10000).")
    Double durationMs;

    @Option(names = "--trials", paramLabel = "N", description = "simulate: trials per grid point (default 10).")
    Integer trials;

    @Option(names = "--dt", paramLabel = "MS", description = "simulate: time step, ms (default 1, Liu's set-up).")
    Double dtMs;

    @Option(names = "--seed", paramLabel = "S", description = "simulate: random seed (default 1).")
    Long seed;

    @Mixin
    PopulationOptions populations;

    @Mixin
    BackendOption backend;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        boolean simulate = switch (source) {
            case "simulate" -> true;
            case "siegert" -> false;
            default -> throw new IllegalArgumentException("--source: '" + source + "', must be simulate or siegert");
        };
        if (!(tauSynMs > 0) || Double.isInfinite(tauSynMs)) {
            throw new IllegalArgumentException("--tau-syn: " + tauSynMs + " ms, must be finite and > 0");
        }
        if (coloredNoise && simulate) {
            throw new IllegalArgumentException("--colored-noise: applies only to --source siegert");
        }
        if (!simulate && (durationMs != null || trials != null || dtMs != null || seed != null || backend.name != null
                || populations.given())) {
            throw new IllegalArgumentException("--duration, --trials, --dt, --seed, --backend, --n-exc, --w-exc, --n-inh, "
                    + "--w-inh: apply only to --source simulate");
        }
        LifParameters p = LifParameters.TABLE1.withTauSyn(tauSynMs);
        CalibrationGrid grid = CalibrationGrid.liu();
        NoisySoftplusFit fit;
        double[] std = null;
        String what;
        if (simulate) {
            ResponseSimulator.Config config = SimulationSetup.config(ResponseSimulator.Config.LIU, durationMs, dtMs, trials, seed);
            PoissonPopulations pops = populations.populations();
            double[] x = grid.xNa();
            double[] mu = RatePlot.shift(x, p.iOffsetNa());
            Kernels kernels = backend.open();
            SimulatedRates r;
            try {
                ResponseSimulator sim;
                try {
                    sim = new ResponseSimulator(p, config, kernels);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--dt: " + config.dtMs() + " ms: " + e.getMessage(), e);
                }
                r = SimulationSetup.withProgress("calibrate", sim, s -> s.poisson(mu, grid.sigmaNa(), pops));
                what = String.format("simulated rates, %s ms x %d trials, dt %s ms, %d + %d Poisson sources of %s / %s nA, "
                                + "backend %s", RatePlot.fmt(config.durationMs()), config.trials(), RatePlot.fmt(config.dtMs()),
                        pops.nExc(), pops.nInh(), RatePlot.fmt(pops.wExcNa()), RatePlot.fmt(pops.wInhNa()), kernels.name());
            } finally {
                backend.release(kernels);
            }
            fit = fit(x, grid.sigmaNa(), r.meanHz());
            std = r.stdHz();
        } else {
            NoiseModel.Poisson model = new NoiseModel.Poisson(tauSynMs, coloredNoise);
            fit = fit(grid.xNa(), grid.sigmaNa(), Calibration.siegertRatesHz(p, model, grid));
            what = "Siegert rates, poisson noise" + (coloredNoise ? " with the Fourcaud-Brunel correction" : "");
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf("Noisy Softplus calibration, tau_syn %s ms, Liu's grid (%d points), %s%n", RatePlot.fmt(tauSynMs),
                grid.size(), what);
        o.printf("  k    = %.4f%n", fit.k());
        o.printf("  S    = %.2f Hz/nA%n", fit.sHzPerNa());
        if (fitBias) {
            o.printf("  b    = %.4f nA%n", fit.biasNa());
        }
        o.printf("  p    = S tau_syn = %.4f%n", fit.p(tauSynMs));
        o.printf("  rms  = %.2f Hz%n", fit.rmsHz());

        CsvTable points = std == null ? new CsvTable("x_nA", "sigma_nA", "rate_hz", "fitted_hz")
                : new CsvTable("x_nA", "sigma_nA", "rate_hz", "fitted_hz", "rate_std_hz");
        double[] x = fit.xNa();
        double[] s = fit.sigmaNa();
        double[] y = fit.targetHz();
        double[] f = fit.fittedHz();
        for (int i = 0; i < x.length; i++) {
            points.add(std == null ? new double[] {x[i], s[i], y[i], f[i]} : new double[] {x[i], s[i], y[i], f[i], std[i]});
        }
        CsvTable params = new CsvTable("tau_syn_ms", "k", "s_hz_per_nA", "bias_nA", "p", "rms_hz", "points");
        params.add(tauSynMs, fit.k(), fit.sHzPerNa(), fit.biasNa(), fit.p(tauSynMs), fit.rmsHz(), x.length);
        points.write(out.resolve("calibration.csv"));
        params.write(out.resolve("calibration_fit.csv"));
        fitChart(fit, std, tauSynMs, simulate ? "simulated" : "Siegert", "").savePng(out.resolve("calibration.png"));
        o.printf("wrote %s, %s, %s (%.1f s)%n", out.resolve("calibration.csv"), out.resolve("calibration_fit.csv"),
                out.resolve("calibration.png"), (System.nanoTime() - t0) / 1e9);
        o.flush();
        return 0;
    }

    private NoisySoftplusFit fit(double[] x, double[] sigma, double[] rate) {
        try {
            return Calibration.fit(x, sigma, rate, fitBias);
        } catch (ArithmeticException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The rates of a fit as points (with +-std error bars when given) and the fitted curves {@code S f(x + b, sigma)}
     * as lines, one color per sigma.
     *
     * @param fit the fit
     * @param std standard deviation of each rate over trials, Hz, or null
     * @param tauSynMs the synaptic time constant, ms, for the title
     * @param source what the rates are, for the legend ("simulated", "Siegert")
     * @param titlePrefix put before the title, e.g. "Fig. 3(d): "
     * @return the chart
     */
    static Charts fitChart(NoisySoftplusFit fit, double[] std, double tauSynMs, String source, String titlePrefix) {
        double[] x = fit.xNa();
        double[] s = fit.sigmaNa();
        double[] y = fit.targetHz();
        String bias = fit.biasNa() == 0 ? "" : String.format(", b = %.3f nA", fit.biasNa());
        Charts chart = Charts.of(String.format("%sNoisy Softplus fit, tau_syn = %s ms: k = %.3f, S = %.1f Hz/nA%s, rms %.2f Hz",
                        titlePrefix, RatePlot.fmt(tauSynMs), fit.k(), fit.sHzPerNa(), bias, fit.rmsHz()),
                "x: mean synaptic current (nA, without i_offset)", "firing rate (Hz)").legendTopLeft().yMin(0);
        double lo = java.util.Arrays.stream(x).min().orElseThrow();
        double hi = java.util.Arrays.stream(x).max().orElseThrow();
        double[] fine = RatePlot.linspace(lo, hi, 221);
        int c = 0;
        for (Map.Entry<Double, List<Integer>> g : RatePlot.bySigma(x, s).entrySet()) {
            String sig = RatePlot.fmt(g.getKey());
            Color color = g.getKey() == 0 ? Charts.color(0) : Charts.color(++c);
            chart.points(source + ", sigma = " + sig + " nA", RatePlot.pick(x, g.getValue()), RatePlot.pick(y, g.getValue()),
                    std == null ? null : RatePlot.pick(std, g.getValue()), color);
            double[] curve = new double[fine.length];
            for (int i = 0; i < fine.length; i++) {
                curve[i] = fit.rateHz(fine[i], g.getKey());
            }
            chart.line("fit S f(x, sigma = " + sig + ")", fine, curve, color, false);
        }
        return chart;
    }
}
