package dev.nsp.cli;

import dev.nsp.cli.output.Charts;
import dev.nsp.cli.output.CsvTable;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;
import dev.nsp.response.Calibration;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.NoisySoftplusFit;
import dev.nsp.response.PoissonPopulations;
import dev.nsp.response.ResponseFunctions;
import dev.nsp.response.ResponseSimulator;
import dev.nsp.response.SimulatedRates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code nsp figures}: the data and plots of the paper's Figs. 1 to 3 (response curves, simulations with noisy
 * current and with Poisson input, Noisy Softplus fits).
 */
@Command(name = "figures", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce the paper's Figs. 1-3 for the Table 1 neuron: a PNG and the CSV behind it for each of",
                "fig1a: Siegert response curves vs total mean current for sigma = 0.2, 0.5, 1 nA (gaussian-step noise, "
                        + "Delta = --noise-dt) and the constant-current curve (sigma = 0);",
                "fig1b: simulated rates with that noisy current (mean +- std over trials) vs the Siegert curves;",
                "fig2_tau1, fig2_tau5: simulated rates with Poisson input (500 + 500 sources of 0.05 nA), tau_syn 1 and "
                        + "5 ms, vs the noisy-current rates of fig1b and the Fourcaud-Brunel-corrected Siegert rates;",
                "fig3a: the Noisy Softplus curve set f(x, sigma), k from the tau_syn 5 ms fit;",
                "fig3c_tau1, fig3d_tau5: least-squares fits of S f(x, sigma) to the fig2 rates (x = mu - i_offset); "
                        + "fig3_fits.csv holds k, S, p and the RMS residual, also printed at the end.",
                "Grid: Liu's, x = -0.5 .. 0.6 nA step 0.1 (mu = x + i_offset 0.1 nA), sigma = 0.2, 0.5, 1 nA. "
                        + "Simulations: Liu's set-up, 10 s x 10 trials at dt 1 ms (about 30 s on 2 cores); "
                        + "--quick: 1 s x 3 trials on every other x (under 10 s)."})
final class FiguresCommand implements Callable<Integer> {
    static final double[] SIGMAS = {0.2, 0.5, 1.0};

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/figures",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "1 s x 3 trials and half the grid points: well under a minute.")
    boolean quick;

    @Option(names = "--duration", paramLabel = "MS", description = "Time per trial, ms (default 10000; --quick 1000).")
    Double durationMs;

    @Option(names = "--trials", paramLabel = "N", description = "Trials per grid point (default 10; --quick 3).")
    Integer trials;

    @Option(names = "--dt", paramLabel = "MS", description = "Time step, ms (default 1, Liu's set-up).")
    Double dtMs;

    @Option(names = "--noise-dt", paramLabel = "MS",
            description = "Redraw interval Delta of the noisy current of Fig. 1, ms, a whole number of steps (default: --dt).")
    Double noiseDtMs;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 1).")
    Long seed;

    @Mixin
    BackendOption backend;

    @Spec
    CommandSpec spec;

    private PrintWriter log;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        log = spec.commandLine().getOut();
        ResponseSimulator.Config base = quick ? ResponseSimulator.Config.LIU.withDuration(1000).withTrials(3)
                : ResponseSimulator.Config.LIU;
        ResponseSimulator.Config config = SimulationSetup.config(base, durationMs, dtMs, trials, seed);
        LifParameters p = LifParameters.TABLE1;
        double delta = noiseDtMs == null ? config.dtMs() : noiseDtMs;
        double ratio = delta / config.dtMs();
        if (!(delta > 0) || Math.round(ratio) < 1 || Math.abs(ratio - Math.round(ratio)) > 1e-9 * Math.max(1, ratio)) {
            throw new IllegalArgumentException("--noise-dt: " + delta + " ms, must be a whole number (>= 1) of steps of --dt "
                    + config.dtMs() + " ms");
        }
        double[] xs = quick ? new double[] {-0.5, -0.3, -0.1, 0.1, 0.3, 0.5}
                : new double[] {-0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
        int points = xs.length * SIGMAS.length;
        double[] x = new double[points];
        double[] sigma = new double[points];
        for (int j = 0; j < SIGMAS.length; j++) {
            for (int i = 0; i < xs.length; i++) {
                x[j * xs.length + i] = xs[i];
                sigma[j * xs.length + i] = SIGMAS[j];
            }
        }
        double[] mu = RatePlot.shift(x, p.iOffsetNa());
        double muLo = mu[0];
        double muHi = mu[xs.length - 1];
        int fine = quick ? 45 : 221;
        log.printf("nsp figures: %s ms x %d trials, dt %s ms, noisy current redrawn every %s ms, %d grid points -> %s%n",
                RatePlot.fmt(config.durationMs()), config.trials(), RatePlot.fmt(config.dtMs()), RatePlot.fmt(delta), points, out);

        Kernels kernels = backend.open();
        try {
            // Fig. 1a: Siegert curves of the gaussian-step current, and the constant-current curve
            long t = System.nanoTime();
            NoiseModel step = new NoiseModel.GaussianStep(delta);
            double[] muFine = RatePlot.linspace(Math.min(muLo, -0.5), Math.max(muHi, 1.0), fine);
            CsvTable fig1a = new CsvTable("mu_nA", "sigma_nA", "rate_hz");
            for (double s : new double[] {0, 0.2, 0.5, 1.0}) {
                for (double m : muFine) {
                    fig1a.add(m, s, ResponseFunctions.siegertRateHz(p, step, m, s));
                }
            }
            fig1a.write(out.resolve("fig1a.csv"));
            Charts c1a = Charts.of("Fig. 1(a): Siegert response to a Gaussian current redrawn every " + RatePlot.fmt(delta)
                    + " ms", "total mean current mu (nA, i_offset included)", "firing rate (Hz)")
                    .legendTopLeft().yMin(0);
            curves(c1a, fig1a, "sigma = %s nA", "sigma = 0 (constant current, eq. 2)");
            c1a.savePng(out.resolve("fig1a.png"));
            done("fig1a", t);

            // Fig. 1b: simulated noisy current vs Siegert
            t = System.nanoTime();
            ResponseSimulator sim = new ResponseSimulator(p, config, kernels);
            SimulatedRates noisy = SimulationSetup.withProgress("fig1b", sim, s -> s.noisyCurrent(mu, sigma, delta));
            CsvTable fig1b = new CsvTable("mu_nA", "sigma_nA", "rate_hz", "rate_std_hz", "siegert_hz");
            double[] siegert1b = new double[points];
            for (int i = 0; i < points; i++) {
                siegert1b[i] = ResponseFunctions.siegertRateHz(p, step, mu[i], sigma[i]);
                fig1b.add(mu[i], sigma[i], noisy.meanHz()[i], noisy.stdHz()[i], siegert1b[i]);
            }
            fig1b.write(out.resolve("fig1b.csv"));
            Charts c1b = Charts.of("Fig. 1(b): noisy current (Delta " + RatePlot.fmt(delta) + " ms), simulated (mean +- std, "
                            + config.trials() + " trials) vs Siegert", "total mean current mu (nA, i_offset included)",
                            "firing rate (Hz)")
                    .legendTopLeft().yMin(0);
            double[] muCurve = RatePlot.linspace(muLo, muHi, fine);
            for (int j = 0; j < SIGMAS.length; j++) {
                int[] rows = block(j, xs.length);
                c1b.points("simulated, sigma = " + RatePlot.fmt(SIGMAS[j]) + " nA", sub(mu, rows), sub(noisy.meanHz(), rows),
                        sub(noisy.stdHz(), rows), Charts.color(j + 1));
                double[] y = new double[muCurve.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = ResponseFunctions.siegertRateHz(p, step, muCurve[i], SIGMAS[j]);
                }
                c1b.line("Siegert, sigma = " + RatePlot.fmt(SIGMAS[j]) + " nA", muCurve, y, Charts.color(j + 1), true);
            }
            c1b.savePng(out.resolve("fig1b.png"));
            log.printf("  fig1b: simulated / Siegert - 1 over rates > 5 Hz: median %+.1f %%%n",
                    100 * medianRelative(noisy.meanHz(), siegert1b, 5));
            done("fig1b", t);

            // Fig. 2: Poisson input, tau_syn 1 and 5 ms; Fig. 3(c), (d): fits to those rates
            CsvTable fits = new CsvTable("tau_syn_ms", "k", "s_hz_per_nA", "p", "rms_hz", "points");
            NoisySoftplusFit fit5 = null;
            for (double tau : new double[] {1, 5}) {
                t = System.nanoTime();
                String tag = "tau" + RatePlot.fmt(tau);
                LifParameters pt = p.withTauSyn(tau);
                ResponseSimulator simT = new ResponseSimulator(pt, config, kernels);
                SimulatedRates pr = SimulationSetup.withProgress("fig2 " + tag, simT,
                        s -> s.poisson(mu, sigma, PoissonPopulations.LIU));
                NoiseModel plain = new NoiseModel.Poisson(tau, false);
                NoiseModel fb = new NoiseModel.Poisson(tau, true);
                CsvTable fig2 = new CsvTable("mu_nA", "sigma_nA", "rate_hz", "rate_std_hz", "noisy_current_hz",
                        "siegert_poisson_hz", "siegert_poisson_fb_hz");
                double[] fbAt = new double[points];
                for (int i = 0; i < points; i++) {
                    fbAt[i] = ResponseFunctions.siegertRateHz(pt, fb, mu[i], sigma[i]);
                    fig2.add(mu[i], sigma[i], pr.meanHz()[i], pr.stdHz()[i], noisy.meanHz()[i],
                            ResponseFunctions.siegertRateHz(pt, plain, mu[i], sigma[i]), fbAt[i]);
                }
                fig2.write(out.resolve("fig2_" + tag + ".csv"));
                Charts c2 = Charts.of("Fig. 2: Poisson input, tau_syn = " + RatePlot.fmt(tau) + " ms (mean +- std, "
                                + config.trials() + " trials)", "total mean current mu (nA, i_offset included)",
                        "firing rate (Hz)").legendTopLeft().yMin(0);
                for (int j = 0; j < SIGMAS.length; j++) {
                    int[] rows = block(j, xs.length);
                    String sig = RatePlot.fmt(SIGMAS[j]);
                    c2.points("Poisson input, sigma = " + sig + " nA", sub(mu, rows), sub(pr.meanHz(), rows),
                            sub(pr.stdHz(), rows), Charts.color(j + 1));
                    c2.line("noisy current (Fig. 1b), sigma = " + sig + " nA", sub(mu, rows), sub(noisy.meanHz(), rows),
                            Charts.color(j + 1), false);
                    double[] y = new double[muCurve.length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = ResponseFunctions.siegertRateHz(pt, fb, muCurve[i], SIGMAS[j]);
                    }
                    c2.line("Siegert + Fourcaud-Brunel, sigma = " + sig + " nA", muCurve, y, Charts.color(j + 1), true);
                }
                c2.savePng(out.resolve("fig2_" + tag + ".png"));
                log.printf("  fig2 %s: simulated / Siegert-FB - 1 over rates > 5 Hz: median %+.1f %%; mean std over trials "
                        + "%.2f Hz (noisy current %.2f Hz)%n", tag, 100 * medianRelative(pr.meanHz(), fbAt, 5),
                        mean(pr.stdHz()), mean(noisy.stdHz()));
                done("fig2_" + tag, t);

                t = System.nanoTime();
                NoisySoftplusFit fit;
                try {
                    fit = Calibration.fit(x, sigma, pr.meanHz(), false);
                } catch (ArithmeticException e) {
                    throw new IllegalStateException("fit to the tau_syn " + tau + " ms rates: " + e.getMessage(), e);
                }
                String name = (tau == 1 ? "fig3c_" : "fig3d_") + tag;
                CsvTable f3 = new CsvTable("x_nA", "sigma_nA", "rate_hz", "fitted_hz", "rate_std_hz");
                for (int i = 0; i < points; i++) {
                    f3.add(x[i], sigma[i], pr.meanHz()[i], fit.fittedHz()[i], pr.stdHz()[i]);
                }
                f3.write(out.resolve(name + ".csv"));
                CalibrateCommand.fitChart(fit, pr.stdHz(), tau, "simulated", tau == 1 ? "Fig. 3(c): " : "Fig. 3(d): ").savePng(out.resolve(name + ".png"));
                fits.add(tau, fit.k(), fit.sHzPerNa(), fit.p(tau), fit.rmsHz(), points);
                if (tau == 5) {
                    fit5 = fit;
                }
                done(name, t);
            }
            fits.write(out.resolve("fig3_fits.csv"));

            // Fig. 3(a): the curve set of f with the tau_syn 5 ms k
            t = System.nanoTime();
            double k = fit5.k();
            double[] xFine = RatePlot.linspace(-1, 1, fine);
            CsvTable fig3a = new CsvTable("x_nA", "sigma_nA", "k", "f_nA");
            for (double s : new double[] {0, 0.2, 0.5, 1.0}) {
                for (double xv : xFine) {
                    fig3a.add(xv, s, k, Calibration.noisySoftplus(xv, s, k));
                }
            }
            fig3a.write(out.resolve("fig3a.csv"));
            Charts c3a = Charts.of(String.format("Fig. 3(a): Noisy Softplus f(x, sigma) = k sigma log(1 + exp(x / (k sigma))), "
                    + "k = %.3f", k), "x: mean input current (nA)", "f(x, sigma) (nA)").legendTopLeft().yMin(0);
            CsvTable curveSet = new CsvTable("mu_nA", "sigma_nA", "rate_hz");
            for (int i = 0; i < fig3a.size(); i++) {
                curveSet.add(fig3a.get(i, "x_nA"), fig3a.get(i, "sigma_nA"), fig3a.get(i, "f_nA"));
            }
            curves(c3a, curveSet, "sigma = %s nA", "sigma = 0 (ReLU)");
            c3a.savePng(out.resolve("fig3a.png"));
            done("fig3a", t);

            log.println("Noisy Softplus fits to the simulated Poisson-driven rates (paper: k 0.30, S 201 Hz/nA at 5 ms; "
                    + "Liu's thesis: k 0.19, S 208.76 at 1 ms):");
            for (int i = 0; i < fits.size(); i++) {
                log.printf("  tau_syn %s ms: k = %.3f, S = %.1f Hz/nA, p = S tau_syn = %.3f, rms residual %.2f Hz%n",
                        RatePlot.fmt(fits.get(i, "tau_syn_ms")), fits.get(i, "k"), fits.get(i, "s_hz_per_nA"),
                        fits.get(i, "p"), fits.get(i, "rms_hz"));
            }
            log.printf("wrote %s (%.1f s, backend %s)%n", out, (System.nanoTime() - start) / 1e9, kernels.name());
            log.flush();
        } finally {
            backend.release(kernels);
        }
        return 0;
    }

    /** Lines per sigma of a long-format table (mu_nA, sigma_nA, rate_hz); sigma = 0 black and dashed, as zeroLabel. */
    private static void curves(Charts chart, CsvTable t, String label, String zeroLabel) {
        double[] m = t.column("mu_nA");
        double[] s = t.column("sigma_nA");
        double[] r = t.column("rate_hz");
        int c = 0;
        for (Map.Entry<Double, List<Integer>> g : RatePlot.bySigma(m, s).entrySet()) {
            boolean zero = g.getKey() == 0;
            String name = zero ? zeroLabel : String.format(label, RatePlot.fmt(g.getKey()));
            chart.line(name, RatePlot.pick(m, g.getValue()), RatePlot.pick(r, g.getValue()),
                    zero ? Charts.color(0) : Charts.color(++c), zero);
        }
    }

    private void done(String name, long t0) {
        log.printf("  %-11s %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        log.flush();
    }

    private static int[] block(int j, int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = j * n + i;
        }
        return rows;
    }

    private static double[] sub(double[] v, int[] rows) {
        double[] o = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            o[i] = v[rows[i]];
        }
        return o;
    }

    /** Median of a / b - 1 over the points where b > minHz; NaN when there are none. */
    static double medianRelative(double[] a, double[] b, double minHz) {
        double[] r = java.util.stream.IntStream.range(0, a.length).filter(i -> b[i] > minHz)
                .mapToDouble(i -> a[i] / b[i] - 1).sorted().toArray();
        if (r.length == 0) {
            return Double.NaN;
        }
        return r.length % 2 == 1 ? r[r.length / 2] : 0.5 * (r[r.length / 2 - 1] + r[r.length / 2]);
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }
}
