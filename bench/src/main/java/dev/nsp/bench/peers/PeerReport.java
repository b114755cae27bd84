package dev.nsp.bench.peers;

import dev.nsp.bench.ConvBench;
import dev.nsp.io.AtomicFiles;
import jdk.incubator.vector.FloatVector;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes the peer comparison's report from the files of one run of bench/run-peers.sh: the "Peers" section of
 * docs/benchmarks.md (between markers, so a re-run replaces it), a CSV of every paired figure and PNG charts.
 * Every ratio pairs an nsp figure with the peer figure measured in the same run. A part whose files are missing
 * (a peer that is not installed, a skipped step) is reported as skipped with the reason the run script recorded.
 *
 * <p>Usage: {@code PeerReport --results DIR --docs docs/benchmarks.md --assets docs/peers}.
 */
public final class PeerReport {
    /** The name of the generated section in docs/benchmarks.md. */
    public static final String SECTION = "PEERS";
    /** nsp's backends, in the order of the tables. */
    static final List<String> BACKENDS = List.of("reference", "vector", "native", "opencl");
    /** Bytes moved per element: forward (x, sigma in; y out), backward (x, sigma, gradY in; gradX, gradSigma out). */
    static final int BYTES_FORWARD = 12;
    static final int BYTES_BACKWARD = 20;
    static final int BYTES_FORWARD_BACKWARD = 32;
    /** Bytes of one triad call (two 64 MB arrays read, one written) and flops of one FMA-probe call per lane. */
    static final double TRIAD_BYTES = 3.0 * (16 << 20) * 4;
    static final double FMA_FLOPS_PER_LANE = 2.0 * 12 * (1 << 16);

    private final Path results;
    private final KeyValues machine;
    private final JmhCsv roofline;
    private final JmhCsv nsp;
    private final JmhCsv torch;
    private final JmhCsv torchDefault;
    private final List<String[]> pairs = new ArrayList<>();   // workload, nsp backend, nsp us, peer, peer us, ratio
    private final List<String[]> targets = new ArrayList<>(); // target, measured, verdict, note
    private final StringBuilder md = new StringBuilder();

    private PeerReport(Path results) throws IOException {
        this.results = results;
        this.machine = KeyValues.read(results.resolve("machine.properties"));
        this.roofline = JmhCsv.read(results.resolve("jmh-roofline.csv"));
        this.nsp = JmhCsv.read(results.resolve("jmh-nsp-ns.csv"), results.resolve("jmh-nsp-conv.csv"),
                results.resolve("jmh-nsp-train.csv"));
        this.torch = JmhCsv.read(results.resolve("jmh-torch-ns.csv"), results.resolve("jmh-torch-conv.csv"),
                results.resolve("jmh-torch-train.csv"));
        this.torchDefault = JmhCsv.read(results.resolve("jmh-torchdefault.csv"));
    }

    /**
     * @param args {@code --results DIR --docs FILE --assets DIR}
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path res = null;
        Path docs = null;
        Path assets = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--results" -> res = Path.of(args[i + 1]);
                case "--docs" -> docs = Path.of(args[i + 1]);
                case "--assets" -> assets = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; expected --results, --docs, --assets");
            }
        }
        if (res == null || docs == null || assets == null || args.length != 6) {
            throw new IllegalArgumentException("usage: PeerReport --results DIR --docs docs/benchmarks.md --assets docs/peers");
        }
        Files.createDirectories(assets);
        PeerReport r = new PeerReport(res);
        String body = r.build(docs.getParent() == null ? assets : docs.toAbsolutePath().getParent().relativize(assets.toAbsolutePath()),
                assets);
        String doc = Files.isRegularFile(docs) ? Files.readString(docs, StandardCharsets.UTF_8) : "# Benchmarks\n";
        AtomicFiles.write(docs, MarkdownSection.replace(doc, SECTION, body).getBytes(StandardCharsets.UTF_8));
        System.out.println("peer report: " + docs + " (section " + SECTION + "), " + assets.resolve("peers.csv") + ", charts in "
                + assets);
    }

    // ------------------------------------------------------------------ formatting

    static String time(double us) {
        if (Double.isNaN(us)) {
            return "-";
        }
        if (us >= 1e6) {
            return String.format(Locale.ROOT, "%.2f s", us / 1e6);
        }
        if (us >= 1e3) {
            return String.format(Locale.ROOT, "%.2f ms", us / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f us", us);
    }

    static String ratio(double r) {
        if (Double.isNaN(r)) {
            return "-";
        }
        return r >= 10 ? String.format(Locale.ROOT, "%.0fx", r) : String.format(Locale.ROOT, "%.2fx", r);
    }

    static String pct(double f) {
        if (Double.isNaN(f)) {
            return "-";
        }
        return String.format(Locale.ROOT, 100 * f < 9.95 ? "%.1f %%" : "%.0f %%", 100 * f);
    }

    private static double or(Optional<Double> v) {
        return v.orElse(Double.NaN);
    }

    private String m(String key, String otherwise) {
        return machine.get(key, otherwise);
    }

    /** @return the first number of a string such as "9.45 9.51 8.32", or NaN */
    static double firstNumber(String s) {
        try {
            return Double.parseDouble(s.strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private int threads() {
        return (int) machine.number("threads");
    }

    // ------------------------------------------------------------------ machine limits

    private double triadGbs() {
        String b = threads() >= 2 ? "RooflineBench.triad2Threads" : "RooflineBench.triad1Thread";
        double us = or(roofline.micros(b));
        return (threads() >= 2 ? 2 : 1) * TRIAD_BYTES / us / 1e3;
    }

    private double fmaGflops() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        String b = threads() >= 2 ? "RooflineBench.fmaPeak2Threads" : "RooflineBench.fmaPeak1Thread";
        double us = or(roofline.micros(b));
        return (threads() >= 2 ? 2 : 1) * FMA_FLOPS_PER_LANE * lanes / us / 1e3;
    }

    private String build(Path assetsLink, Path assets) throws IOException {
        md.append("## Peers: nsp against PyTorch (through DJL) and Brian2, one run\n\n");
        md.append("Generated by `").append(m("command", "bench/run-peers.sh")).append("` on ").append(m("date", "?"))
                .append(" (").append(m("wall", "?")).append(")").append(". Every ratio pairs an nsp figure with the peer's")
                .append(" figure from the same run; ratio = peer time / nsp time, so > 1 means nsp is faster.\n\n");
        double load = Math.max(firstNumber(m("load_before", "0")), firstNumber(m("load_after", "0")));
        int cores = (int) firstNumber(m("cores", "1"));
        if (load > 0.75 * cores) {
            md.append(String.format(Locale.ROOT, "**Loaded machine**: the 1-minute load average reached %.1f on %d cores during "
                    + "this run (other jobs shared the cores), so every figure is slower and noisier than on a quiet machine, "
                    + "and the probes understate the machine's limits (a kernel can show more than 100 %% of them). The ratios "
                    + "pair figures measured under the same conditions but are indicative only: re-run the command on a quiet "
                    + "machine.%n%n", load, cores));
        }
        if ("true".equals(m("quick", "false"))) {
            md.append("**Quick run** (short JMH iterations, short simulations): a smoke test of the pipeline, not a "
                    + "measurement.\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| machine | ").append(m("cpu", "?")).append(", ").append(m("cores", "?")).append(" cores, ")
                .append(m("memory", "?")).append(", ").append(m("kernel", "?")).append(" |\n");
        md.append("| load average (1 min) before / after | ").append(m("load_before", "?")).append(" / ")
                .append(m("load_after", "?")).append(" |\n");
        md.append("| JDK | ").append(m("jdk", "?")).append(", Vector API ").append(FloatVector.SPECIES_PREFERRED.vectorBitSize())
                .append("-bit |\n");
        md.append("| threads | ").append(threads()).append(" for nsp (`-Dnsp.threads`) and PyTorch (intra-op threads, ")
                .append("`OMP_NUM_THREADS`; inter-op 1); Brian2's cython runtime is single-threaded, so the LIF ratios use nsp on ")
                .append("1 thread |\n");
        md.append("| PyTorch | ").append(m("torch", "skipped")).append(" |\n");
        md.append("| Brian2 | ").append(m("brian", "skipped")).append(" |\n");
        md.append("| JMH | ").append(m("jmh", "?")).append(" |\n\n");

        double triad = triadGbs();
        double fma = fmaGflops();
        md.append("### The machine's limits (same run)\n\n");
        md.append("| probe | result |\n|---|---:|\n");
        md.append(String.format(Locale.ROOT, "| memory bandwidth, triad over 64 MB arrays, %d thread(s) | %.1f GB/s |%n", threads(), triad));
        md.append(String.format(Locale.ROOT, "| FMA peak, %d thread(s), Vector API | %.0f GFLOP/s |%n", threads(), fma));
        md.append("| fresh memory: a new 64 MB buffer, zeroed and freed (4 KB pages) | ")
                .append(time(or(roofline.micros("RooflineBench.freshPages64MB")))).append(" |\n\n");
        md.append("Kernels below are also given as a fraction of these limits: Noisy Softplus of the bandwidth (bytes: ")
                .append("forward 12, backward 20, both 32 per element), convolutions of the FMA peak (flops of the layer, ")
                .append("2 N O OH OW C KH KW per pass, 3 passes per training step).\n\n");

        noisySoftplus(triad);
        conv(fma);
        trainStep();
        lif(assetsLink, assets);
        targetsTable();
        checks();
        writePairs(assets.resolve("peers.csv"));
        ratioChart(assets.resolve("ratios.png"));
        md.append("\nCharts: ![ratios](").append(assetsLink.resolve("ratios.png")).append(")");
        if (Files.isRegularFile(assets.resolve("rates-fig2.png"))) {
            md.append(" ![rates](").append(assetsLink.resolve("rates-fig2.png")).append(")");
        }
        md.append("\n\nAll paired figures: [").append(assetsLink.resolve("peers.csv")).append("](")
                .append(assetsLink.resolve("peers.csv")).append(").\n");
        return md.toString();
    }

    // ------------------------------------------------------------------ tables

    /** The fastest nsp backend for a benchmark: {backend, us}. */
    private Optional<Object[]> best(String bench, String... params) {
        Object[] b = null;
        for (String be : BACKENDS) {
            String[] p = new String[params.length + 2];
            System.arraycopy(params, 0, p, 0, params.length);
            p[params.length] = "backend";
            p[params.length + 1] = be;
            Optional<Double> v = nsp.micros(bench, p);
            if (v.isPresent() && (b == null || v.get() < (double) b[1])) {
                b = new Object[] {be, v.get()};
            }
        }
        return Optional.ofNullable(b);
    }

    private String row(String bench, String... params) {
        StringBuilder sb = new StringBuilder();
        for (String be : BACKENDS) {
            String[] p = new String[params.length + 2];
            System.arraycopy(params, 0, p, 0, params.length);
            p[params.length] = "backend";
            p[params.length + 1] = be;
            sb.append(" ").append(time(or(nsp.micros(bench, p)))).append(" |");
        }
        return sb.toString();
    }

    private double pair(String workload, String nspBench, String[] nspParams, String peer, double peerUs) {
        Optional<Object[]> b = best(nspBench, nspParams);
        if (b.isEmpty() || Double.isNaN(peerUs)) {
            return Double.NaN;
        }
        double r = peerUs / (double) b.get()[1];
        pairs.add(new String[] {workload, (String) b.get()[0], fmt((double) b.get()[1]), peer, fmt(peerUs), fmt(r)});
        return r;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private void noisySoftplus(double triadGbs) {
        md.append("### Noisy Softplus: nsp against PyTorch ops\n\n");
        if (torch.results().isEmpty()) {
            md.append("PyTorch part skipped: ").append(m("torch_skipped", "no results")).append(".\n\n");
        }
        md.append("PyTorch: `s = k sigma; y = p s softplus(x / s)` (forward), the closed-form gradients from PyTorch ops ")
                .append("(backward), and forward + autograd (forward+backward), with PyTorch's huge-page allocation on ")
                .append("(`THP_MEM_ALLOC_ENABLE=1`, its fastest setting here); \"default\" is the same without it. The bandwidth ")
                .append("columns count the bytes nsp's fused kernels must move; PyTorch's composition moves about 4x more.\n\n");
        md.append("| workload | nsp reference | nsp vector | nsp native | nsp opencl | PyTorch | PyTorch default | best nsp / PyTorch | ")
                .append("nsp best, % of bandwidth | PyTorch, % of bandwidth (nsp's bytes) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        String[][] ops = {{"forward", "forward", "" + BYTES_FORWARD}, {"backward", "backward", "" + BYTES_BACKWARD},
            {"forwardBackward", "forwardBackward", "" + BYTES_FORWARD_BACKWARD}};
        for (String size : new String[] {"16384", "16777216"}) {
            for (String[] op : ops) {
                String nb = "NoisySoftplusBench." + op[0];
                double peer = or(torch.micros("TorchNoisySoftplusBench." + op[1], "size", size));
                double def = or(torchDefault.micros("TorchNoisySoftplusBench." + op[1], "size", size));
                String name = "Noisy Softplus " + op[0] + " " + (size.equals("16384") ? "16K" : "16M");
                double r = pair(name, nb, new String[] {"size", size}, "PyTorch", peer);
                Optional<Object[]> b = best(nb, "size", size);
                double bytes = Double.parseDouble(op[2]) * Double.parseDouble(size);
                double nspFrac = b.map(x -> bytes / (double) x[1] / 1e3 / triadGbs).orElse(Double.NaN);
                double peerFrac = bytes / peer / 1e3 / triadGbs;
                md.append("| ").append(name).append(" |").append(row(nb, "size", size)).append(" ").append(time(peer))
                        .append(" | ").append(time(def)).append(" | ").append(ratio(r))
                        .append(b.map(x -> " (" + x[0] + ")").orElse("")).append(" | ")
                        .append(size.equals("16384") ? "in cache" : pct(nspFrac)).append(" | ")
                        .append(size.equals("16384") ? "in cache" : pct(peerFrac)).append(" |\n");
                if (size.equals("16777216") && !op[0].equals("forwardBackward")) {
                    target("Noisy Softplus " + op[0] + ", 16M elements: >= 10x PyTorch", r, 10, "");
                }
            }
        }
        md.append('\n');
    }

    private void conv(double fmaGflops) throws IOException {
        md.append("### Convolution, the paper's layers at batch 50: nsp against PyTorch (oneDNN)\n\n");
        md.append("PyTorch: `conv2d(input, weight)` without bias (forward); forward + autograd into the input and the ")
                .append("weights (train step = nsp's forward + backward data + backward weights).\n\n");
        md.append("| workload | nsp reference | nsp vector | nsp native | nsp opencl | PyTorch | best nsp / PyTorch | ")
                .append("nsp best, % of FMA peak | PyTorch, % of FMA peak |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String layer : new String[] {"paper1", "paper2"}) {
            int[] s = ConvBench.shape(layer);
            String shape = String.format(Locale.ROOT, "%d->%d @%dx%d on %dx%d", s[1], s[4], s[5], s[6], s[2], s[3]);
            for (String op : new String[] {"forward", "trainStep"}) {
                String nb = "ConvBench." + op;
                double peer = or(torch.micros("TorchConvBench." + op, "layer", layer));
                String name = "conv " + layer + " (" + shape + ") " + (op.equals("forward") ? "forward" : "forward+backward");
                double r = pair(name, nb, new String[] {"layer", layer}, "PyTorch", peer);
                Optional<Object[]> b = best(nb, "layer", layer);
                double flops = ConvBench.forwardFlops(layer) * (op.equals("forward") ? 1 : 3);
                md.append("| ").append(name).append(" |").append(row(nb, "layer", layer)).append(" ").append(time(peer))
                        .append(" | ").append(ratio(r)).append(b.map(x -> " (" + x[0] + ")").orElse("")).append(" | ")
                        .append(pct(b.map(x -> flops / (double) x[1] / 1e3 / fmaGflops).orElse(Double.NaN))).append(" | ")
                        .append(pct(flops / peer / 1e3 / fmaGflops)).append(" |\n");
                if (op.equals("trainStep")) {
                    target("Convolution forward+backward, " + layer + ", batch 50: >= 1.5x PyTorch", r, 1.5,
                            wrongChecks("conv " + layer).isEmpty() ? "" : "PyTorch's result is wrong here, see the checks");
                }
            }
        }
        md.append('\n');
    }

    private void trainStep() {
        md.append("### One training step of the paper's network (6c5-2s-12c5-2s-10, batch 50, SGD)\n\n");
        md.append("Forward, softmax cross-entropy, backward (sigma a constant, as Liu's code) and the SGD update, on the same ")
                .append("initial weights and synthetic batch; PyTorch composes the Noisy Softplus units from its ops and uses ")
                .append("autograd.\n\n");
        md.append("| activation | nsp reference | nsp vector | nsp native | nsp opencl | PyTorch | best nsp / PyTorch |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (String act : new String[] {"noisy-softplus", "relu"}) {
            double peer = or(torch.micros("TorchTrainStepBench.step", "activation", act));
            double r = pair("training step, " + act, "TrainStepBench.step", new String[] {"activation", act}, "PyTorch", peer);
            Optional<Object[]> b = best("TrainStepBench.step", "activation", act);
            md.append("| ").append(act).append(" |").append(row("TrainStepBench.step", "activation", act)).append(" ")
                    .append(time(peer)).append(" | ").append(ratio(r)).append(b.map(x -> " (" + x[0] + ")").orElse(""))
                    .append(" |\n");
        }
        md.append('\n');
    }

    // ------------------------------------------------------------------ LIF against Brian2

    private Optional<KeyValues> props(String name) throws IOException {
        Path p = results.resolve(name);
        return Files.isRegularFile(p) ? Optional.of(KeyValues.read(p)) : Optional.empty();
    }

    private void lif(Path assetsLink, Path assets) throws IOException {
        md.append("### LIF simulation: nsp against Brian2\n\n");
        Optional<KeyValues> b0 = props("pop1-brian2.properties");
        if (b0.isEmpty()) {
            md.append("Brian2 part skipped: ").append(m("brian_skipped", "no results")).append(".\n\n");
        }
        md.append("The same Table 1 neurons (exact integration; Brian2 in float64 with its cython target, nsp in float32 on ")
                .append("its automatic backend) and the same inputs, which nsp writes and the Brian2 script reads. Times are ")
                .append("the minimum over the repeats of the whole simulation; build = Brian2's construction, code generation ")
                .append("and compilation (or cython cache load) plus a first run of up to 1 s, warm-up = nsp's first run of up to ")
                .append("1 s (JIT). nsp backend: ").append(props("pop1-nsp.properties").map(k -> k.get("backend")).orElse("?"))
                .append(".\n\n");
        md.append("| set-up | neuron-steps | nsp, 1 thread | nsp, ").append(threads()).append(" threads | Brian2 run | Brian2 build | ")
                .append("nsp warm-up | nsp (1 thread) / Brian2 | rates |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        String[][] setups = {
            {"pop1", "Fig. 2 population, dt 1 ms (Liu's set-up)"},
            {"pop01", "Fig. 2 population, dt 0.1 ms"},
            {"layer", "converted conv layer (6c5 on 28x28), dt 1 ms"},
            {"const1", "constant currents, dt 1 ms (deterministic)"},
            {"const01", "constant currents, dt 0.1 ms (deterministic)"}};
        for (String[] s : setups) {
            Optional<KeyValues> n1 = props(s[0] + "-nsp.properties");
            Optional<KeyValues> nN = props(s[0] + "-mt-nsp.properties");
            Optional<KeyValues> br = props(s[0] + "-brian2.properties");
            Optional<KeyValues> setup = props(s[0] + "-setup.properties");
            if (n1.isEmpty() || setup.isEmpty()) {
                continue;
            }
            String desc = s[1] + describe(setup.get());
            double t1 = n1.get().number("run_s_min");
            double tN = nN.map(k -> k.number("run_s_min")).orElse(Double.NaN);
            double tb = br.map(k -> k.number("run_s_min")).orElse(Double.NaN);
            double r = tb / t1;
            String rates = br.isPresent() ? agreement(s[0], setup.get()) : "-";
            md.append("| ").append(desc).append(" | ").append(String.format(Locale.ROOT, "%.3g", n1.get().number("neuron_steps")))
                    .append(" | ").append(time(t1 * 1e6)).append(" | ").append(time(tN * 1e6)).append(" | ")
                    .append(time(tb * 1e6)).append(" | ").append(br.map(k -> time(k.number("build_s") * 1e6)).orElse("-"))
                    .append(" | ").append(time(n1.get().number("warmup_s") * 1e6)).append(" | ")
                    .append(setup.get().get("kind").equals("constant") ? "(a check)" : ratio(r)).append(" | ")
                    .append(rates).append(" |\n");
            if (br.isPresent() && !setup.get().get("kind").equals("constant")) {
                pairs.add(new String[] {s[1], n1.get().get("backend") + " 1 thread", fmt(t1 * 1e6), "Brian2 "
                        + br.get().get("brian2", "?"), fmt(tb * 1e6), fmt(r)});
            }
            if (s[0].equals("pop1")) {
                String note = "";
                if (n1.get().has("poisson_draws_s")) {
                    note = String.format(Locale.ROOT, "nsp's Poisson draws alone (the same kernel calls) took %.1f s of "
                            + "the %.1f s", n1.get().number("poisson_draws_s"), t1);
                }
                boolean agree = br.isPresent() && rates.startsWith("agree");
                target("Poisson-driven LIF population (Fig. 2): >= 50x Brian2, rates agreeing", agree ? r : Double.NaN, 50,
                        (agree || br.isEmpty() ? "" : "rates do not agree; ") + note + (br.isEmpty() ? "" : "; measured "
                                + ratio(r)));
            }
        }
        md.append('\n');
        if (Files.isRegularFile(results.resolve("pop1-brian2.csv"))) {
            ratesChart("pop1", assets.resolve("rates-fig2.png"));
        }
    }

    private static String describe(KeyValues setup) {
        return switch (setup.get("kind")) {
            case "population" -> String.format(Locale.ROOT, ": %s points x %s trials, %.0f s", setup.get("points"),
                    setup.get("trials"), setup.number("duration_ms") / 1000);
            case "layer" -> String.format(Locale.ROOT, ": %s images (%s neurons, %s synapses), %.0f ms, %s",
                    setup.get("images"), setup.get("neurons"), setup.get("synapses"), setup.number("duration_ms"),
                    setup.get("input_source"));
            default -> String.format(Locale.ROOT, ": %s neurons, %.0f ms", setup.get("neurons"), setup.number("duration_ms"));
        };
    }

    private String agreement(String tag, KeyValues setup) throws IOException {
        NumericCsv a = NumericCsv.read(results.resolve(tag + "-nsp.csv"));
        NumericCsv b = NumericCsv.read(results.resolve(tag + "-brian2.csv"));
        return switch (setup.get("kind")) {
            case "population" -> {
                int n = (int) setup.number("trials");
                RateAgreement.Points p = RateAgreement.points(a.column("mean_hz"), a.column("std_hz"), n,
                        b.column("mean_hz"), b.column("std_hz"), n);
                yield String.format(Locale.ROOT, "%s: max |z| %.2f over %d points (point %d), mean z^2 %.2f",
                        p.agree() ? "agree" : "DIFFER", p.maxAbsZ(), a.size(), p.worstPoint(), p.meanZ2());
            }
            case "layer" -> {
                int groups = (int) setup.number("images") * 6;
                RateAgreement.Counts c = RateAgreement.counts(a.column("count"), b.column("count"), groups);
                yield String.format(Locale.ROOT, "%s: mean %.2f vs %.2f spikes/neuron, total z %.2f, max |z| of %d maps %.2f, "
                                + "dispersion %.2f", c.agree() ? "agree" : "DIFFER", c.meanCount1(), c.meanCount2(),
                        c.totalZ(), groups, c.maxGroupZ(), c.dispersion());
            }
            default -> {
                RateAgreement.Exact e = RateAgreement.exact(a.column("count"), b.column("count"));
                yield String.format(Locale.ROOT, "%s: %d of %d spike counts equal (max difference %.0f)",
                        e.agree() ? "agree" : "DIFFER", e.equal(), e.neurons(), e.maxDifference());
            }
        };
    }

    // ------------------------------------------------------------------ targets, checks, outputs

    private void target(String what, double r, double goal, String note) {
        String verdict = Double.isNaN(r) ? "not measured" : r >= goal ? "met" : "missed";
        targets.add(new String[] {what, ratio(r), verdict, note});
    }

    private void targetsTable() {
        md.append("### Targets\n\n| target | measured | | note |\n|---|---:|---|---|\n");
        for (String[] t : targets) {
            md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" | ").append(t[3])
                    .append(" |\n");
        }
        md.append("\nWhy a target is missed is discussed below the generated section.\n\n");
    }

    private List<String> wrongChecks(String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        Path p = results.resolve("torch-checks.csv");
        if (Files.isRegularFile(p)) {
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix) && line.endsWith(",WRONG")) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    private void checks() throws IOException {
        Path p = results.resolve("torch-checks.csv");
        if (!Files.isRegularFile(p)) {
            return;
        }
        java.util.Map<String, String[]> byName = new java.util.LinkedHashMap<>();
        for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            String[] f = l.split(",");
            if (f.length != 4) {
                continue;
            }
            String[] had = byName.get(f[0]);
            if (had == null || Double.parseDouble(f[1]) > Double.parseDouble(had[1])) {
                byName.put(f[0], f);
            }
        }
        long wrong = byName.values().stream().filter(f -> f[3].equals("WRONG")).count();
        md.append("### Does PyTorch compute the same thing?\n\n");
        md.append("Each PyTorch benchmark's set-up compares its results with nsp's reference backend on the same inputs ")
                .append("(error = max |difference| / max |nsp value|): ").append(byName.size()).append(" checks, ").append(wrong)
                .append(" wrong.\n\n");
        md.append("| check | error | tolerance | |\n|---|---:|---:|---|\n");
        for (String[] f : byName.values()) {
            md.append("| ").append(f[0]).append(" | ").append(String.format(Locale.ROOT, "%.2g", Double.parseDouble(f[1])))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0e", Double.parseDouble(f[2]))).append(" | ")
                    .append(f[3].equals("WRONG") ? "**wrong**" : "ok").append(" |\n");
        }
        md.append('\n');
    }

    private void writePairs(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("workload,nsp_backend,nsp_us,peer,peer_us,ratio\n");
        for (String[] p : pairs) {
            sb.append(String.join(",", p)).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void ratioChart(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (String[] p : pairs) {
            double r = Double.parseDouble(p[5]);
            if (r > 0 && Double.isFinite(r)) {
                names.add(shortName(p[0]));
                values.add(Math.log10(r));
            }
        }
        if (names.isEmpty()) {
            names.add("no pairs");
            values.add(0.0);
        }
        CategoryChart c = new CategoryChartBuilder().width(1100).height(700)
                .title("nsp (best backend) against its peers, same run")
                .xAxisTitle("> 0: nsp faster (1 = 10x), < 0: the peer faster").yAxisTitle("log10(peer time / nsp time)")
                .build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setXAxisMaxLabelCount(names.size());
        c.getStyler().setYAxisDecimalPattern("0.0");
        c.addSeries("log10 ratio", names, values);
        save(c, file);
    }

    /** @return a chart label for a workload name of the tables */
    static String shortName(String workload) {
        String s = workload.replace("Noisy Softplus ", "NS ").replace("forwardBackward", "fwd+bwd")
                .replace("forward+backward", "fwd+bwd").replace("backward", "bwd").replace("forward", "fwd")
                .replace("training step, noisy-softplus", "train NS").replace("training step, relu", "train relu")
                .replaceAll("conv paper(\\d) \\([^)]*\\)", "conv$1");
        if (s.startsWith("Fig. 2 population")) {
            return s.contains("dt 0.1") ? "LIF pop dt 0.1" : "LIF pop dt 1";
        }
        if (s.startsWith("converted conv layer")) {
            return "LIF conv layer";
        }
        return s;
    }

    private void ratesChart(String tag, Path file) throws IOException {
        NumericCsv setup = NumericCsv.read(results.resolve(tag + "-setup.csv"));
        NumericCsv a = NumericCsv.read(results.resolve(tag + "-nsp.csv"));
        NumericCsv b = NumericCsv.read(results.resolve(tag + "-brian2.csv"));
        XYChart c = new XYChartBuilder().width(900).height(600)
                .title("Poisson-driven Table 1 neurons (Fig. 2 set-up): nsp and Brian2, mean +- std over trials")
                .xAxisTitle("total mean current mu (nA)").yAxisTitle("firing rate (Hz)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        double[] mu = setup.column("mu_na");
        double[] sigma = setup.column("sigma_na");
        for (double sg : new double[] {0.2, 0.5, 1.0}) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < mu.length; i++) {
                if (Math.abs(sigma[i] - sg) < 1e-9) {
                    idx.add(i);
                }
            }
            if (idx.isEmpty()) {
                continue;
            }
            series(c, "nsp, sigma " + sg + " nA", idx, mu, a, -0.004, SeriesMarkers.CIRCLE);
            series(c, "Brian2, sigma " + sg + " nA", idx, mu, b, 0.004, SeriesMarkers.DIAMOND);
        }
        save(c, file);
    }

    private static void series(XYChart c, String name, List<Integer> idx, double[] mu, NumericCsv t, double shift,
                               org.knowm.xchart.style.markers.Marker marker) {
        double[] x = new double[idx.size()];
        double[] y = new double[idx.size()];
        double[] e = new double[idx.size()];
        double[] mean = t.column("mean_hz");
        double[] std = t.column("std_hz");
        for (int j = 0; j < x.length; j++) {
            x[j] = mu[idx.get(j)] + shift;
            y[j] = mean[idx.get(j)];
            e[j] = std[idx.get(j)];
        }
        XYSeries s = c.addSeries(name, x, y, e);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(marker);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(chart, bytes, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, bytes.toByteArray());
    }
}
