package dev.nsp.cli;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.concurrent.Callable;

/** {@code nsp activation}: Noisy Softplus and its derivatives over a grid, on the chosen backend. */
@Command(name = "activation", mixinStandardHelpOptions = true,
        description = {"Evaluate Noisy Softplus y = p k sigma log(1 + exp(x / (k sigma))) and its derivatives "
                + "over a grid, with the chosen backend's kernel.",
                "GRID.csv has the columns x, sigma, k and optionally p (default 1); OUT.csv adds y, dy_dx, dy_dsigma."})
final class ActivationCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, paramLabel = "GRID.csv", description = "Input grid (x, sigma, k[, p]).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.csv", description = "Output CSV.")
    Path out;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws Exception {
        CsvTable grid = CsvTable.read(in, "x", "sigma", "k");
        double[] x = grid.column("x");
        double[] sigma = grid.column("sigma");
        double[] k = grid.column("k");
        double[] p = grid.has("p") ? grid.column("p") : null;
        int n = grid.size();
        if (n == 0) {
            throw new IllegalArgumentException(in + ": no data rows");
        }
        // the kernel takes one (k, p) per call: evaluate each distinct pair as one batch
        Map<List<Float>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            groups.computeIfAbsent(List.of((float) k[i], p == null ? 1f : (float) p[i]), key -> new ArrayList<>()).add(i);
        }
        double[][] result = new double[n][];
        Kernels kernels = backend.open();
        try {
            for (var e : groups.entrySet()) {
                List<Integer> rows = e.getValue();
                int m = rows.size();
                float[] xs = new float[m];
                float[] ss = new float[m];
                float[] ones = new float[m];
                for (int j = 0; j < m; j++) {
                    xs[j] = (float) x[rows.get(j)];
                    ss[j] = (float) sigma[rows.get(j)];
                    ones[j] = 1f;
                }
                try (Tensor tx = Tensor.of(xs, m); Tensor ts = Tensor.of(ss, m); Tensor ty = Tensor.zeros(m);
                     Tensor g = Tensor.of(ones, m); Tensor gx = Tensor.zeros(m); Tensor gs = Tensor.zeros(m)) {
                    float kk = e.getKey().get(0);
                    float pp = e.getKey().get(1);
                    kernels.noisySoftplusForward(tx, ts, kk, pp, ty);
                    kernels.noisySoftplusBackward(tx, ts, kk, pp, g, gx, gs);
                    for (int j = 0; j < m; j++) {
                        int r = rows.get(j);
                        result[r] = new double[] {x[r], sigma[r], kk, pp, ty.get(j), gx.get(j), gs.get(j)};
                    }
                }
            }
        } finally {
            backend.release(kernels);
        }
        CsvTable t = new CsvTable("x", "sigma", "k", "p", "y", "dy_dx", "dy_dsigma");
        for (double[] r : result) {
            t.add(r);
        }
        t.write(out);
        System.err.println("nsp: wrote " + n + " rows to " + out + " (backend " + kernels.name() + ")");
        return 0;
    }
}
