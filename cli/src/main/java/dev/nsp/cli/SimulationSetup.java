package dev.nsp.cli;

import dev.nsp.cli.output.Progress;
import dev.nsp.response.ResponseSimulator;

import java.util.function.Function;

/** Builds a simulation set-up from command-line values, naming the option in every error; runs with a progress bar. */
final class SimulationSetup {
    private SimulationSetup() {
    }

    /**
     * @param base the command's defaults
     * @param durationMs --duration, ms, or null for the default
     * @param dtMs --dt, ms, or null
     * @param trials --trials, or null
     * @param seed --seed, or null
     * @return the set-up
     * @throws IllegalArgumentException naming the option that is out of range
     */
    static ResponseSimulator.Config config(ResponseSimulator.Config base, Double durationMs, Double dtMs, Integer trials,
                                           Long seed) {
        double duration = durationMs == null ? base.durationMs() : durationMs;
        double dt = dtMs == null ? base.dtMs() : dtMs;
        int n = trials == null ? base.trials() : trials;
        if (!(dt > 0) || Double.isInfinite(dt)) {
            throw new IllegalArgumentException("--dt: " + dt + " ms, must be finite and > 0");
        }
        if (!(duration > 0) || Double.isInfinite(duration)) {
            throw new IllegalArgumentException("--duration: " + duration + " ms, must be finite and > 0");
        }
        double ratio = duration / dt;
        if (Math.round(ratio) < 1 || Math.abs(ratio - Math.round(ratio)) > 1e-9 * Math.max(1, ratio)) {
            throw new IllegalArgumentException("--duration: " + duration + " ms, must be a whole number (>= 1) of steps of --dt "
                    + dt + " ms");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--trials: " + n + ", must be >= 1");
        }
        return new ResponseSimulator.Config(duration, dt, n, seed == null ? base.seed() : seed, base.chunkSteps());
    }

    /**
     * Runs a simulation with a progress bar in simulated milliseconds (shown only on a terminal).
     *
     * @param task the bar's label
     * @param simulator the simulator
     * @param body what to run on the simulator that reports progress
     * @return what body returns
     */
    static <T> T withProgress(String task, ResponseSimulator simulator, Function<ResponseSimulator, T> body) {
        ResponseSimulator.Config c = simulator.config();
        try (Progress p = Progress.start(task, Math.round(c.durationMs()), "ms")) {
            p.message(" | " + c.trials() + " trials, dt " + RatePlot.fmt(c.dtMs()) + " ms");
            return body.apply(simulator.withProgress(steps -> p.at(Math.round(steps * c.dtMs()))));
        }
    }
}
