package dev.nsp.cli;

import dev.nsp.cli.output.Charts;
import dev.nsp.cli.output.CsvTable;
import dev.nsp.data.Dataset;
import dev.nsp.io.AtomicFiles;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.SavedModel;
import dev.nsp.neuron.LifParameters;
import dev.nsp.nn.Defaults;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.nn.Workspace;
import dev.nsp.response.Calibration;
import dev.nsp.snn.Conversion;
import dev.nsp.snn.SnnEvaluation;
import dev.nsp.snn.SpikingNetwork;
import dev.nsp.train.LrSchedule;
import dev.nsp.train.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code nsp reproduce}: the paper's results, end to end. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Reproduce the paper: fetch MNIST, train the ReLU, Softplus and Noisy Softplus paper networks",
                "(Noisy Softplus twice: sigma a constant in back-propagation as in Liu's code, and the full gradient),",
                "convert them to spiking networks, simulate the test set and print the paper's table next to ours.",
                "Writes every figure and CSV into the output folder."})
final class ReproduceCommand implements Callable<Integer> {
    /** The paper's table (SPEC section 6): SNN accuracy and conversion loss, percent. */
    static final Map<Activation.Kind, double[]> PAPER = new LinkedHashMap<>();

    static {
        PAPER.put(Activation.Kind.RELU, new double[] {93.34, 4.76});
        PAPER.put(Activation.Kind.SOFTPLUS, new double[] {96.43, 0.91});
        PAPER.put(Activation.Kind.NOISY_SOFTPLUS, new double[] {97.03, 0.74});
    }

    @Option(names = "--quick", description = "A reduced run (about a minute): few training images, 1 epoch, 300 test images x 300 ms.")
    boolean quick;

    @Option(names = "--wide", description = "Also train and simulate the wide Noisy Softplus network (16c5-2s-64c5-2s-10) "
            + "with the full sigma gradient, lr 0.5 annealed by a cosine and training images shifted by up to 2 pixels.")
    boolean wide;

    @Option(names = "--wide-epochs", paramLabel = "N", description = "Training epochs of the wide network (default "
            + WIDE_EPOCHS + ", 1 with --quick).")
    Integer wideEpochs;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs of the paper networks (default 10, 1 with --quick).")
    Integer epochs;

    @Option(names = "--images", paramLabel = "N", description = "Test images simulated (default 10000, 300 with --quick).")
    Integer images;

    @Option(names = "--duration", paramLabel = "MS", description = "Simulated time per image, ms (default 1000, 300 with --quick).")
    Double duration;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of training and of the input spikes. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Mixin
    BackendOption backend;

    @Mixin
    DataOption data;

    /** A network that was trained and simulated: what was run and what came out. */
    record Row(Run run, TrainCommand.Trained trained, SnnCommand.Simulated simulated) {
        String label() {
            return run.label();
        }

        Activation.Kind kind() {
            return run.kind();
        }

        boolean paperNet() {
            return run.paperNet();
        }
    }

    /** One network to train and simulate: its activation, architecture, training options and name. */
    record Run(Activation.Kind kind, Architecture arch, boolean paperNet, TrainOptions options, String label) {
    }

    /** Epochs of the wide network's recipe. */
    static final int WIDE_EPOCHS = 30;

    /**
     * The wide network's recipe (measured in docs/results.md): the full sigma gradient, lr 0.5 annealed to 0 by
     * a cosine, training images shifted by up to 2 pixels.
     */
    static TrainOptions wideRecipe(int epochs, long seed) {
        return TrainOptions.defaults().withEpochs(epochs).withSeed(seed).withSigmaGrad(SigmaGrad.FULL)
                .withLearningRate(0.5).withSchedule(LrSchedule.COSINE).withMaxShift(2);
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        int ep = epochs != null ? epochs : quick ? 1 : 10;
        int nImages = images != null ? images : quick ? 300 : 10_000;
        double ms = duration != null ? duration : quick ? 300 : 1000;
        Integer trainImages = quick ? 6000 : null;
        Dataset train = data.train();
        Dataset test = data.test();
        Kernels k = backend.open();
        List<Row> rows = new ArrayList<>();
        try {
            List<Run> runs = new ArrayList<>();
            TrainOptions paper = TrainOptions.defaults().withEpochs(ep).withSeed(seed);
            for (Activation.Kind kind : PAPER.keySet()) {
                runs.add(new Run(kind, Architecture.paper(), true, paper, kind.id() + "-paper"));
            }
            // the same Noisy Softplus network trained with the full gradient through sigma (SPEC section 4's option)
            runs.add(new Run(Activation.Kind.NOISY_SOFTPLUS, Architecture.paper(), true, paper.withSigmaGrad(SigmaGrad.FULL),
                    "noisy-softplus-paper-full-sigma-grad"));
            if (wide) {
                int we = wideEpochs != null ? wideEpochs : quick ? 1 : WIDE_EPOCHS;
                runs.add(new Run(Activation.Kind.NOISY_SOFTPLUS, Architecture.wide(), false, wideRecipe(we, seed),
                        "noisy-softplus-wide"));
            }
            int i = 0;
            for (Run run : runs) {
                Activation.Kind kind = run.kind();
                String name = run.label();
                System.err.printf(Locale.ROOT, "nsp: [%d/%d] %s%n", ++i, runs.size(), name);
                TrainCommand.Trained t = TrainCommand.train(k, run.arch(), kind, run.options(), train, test, trainImages,
                        out.resolve(name + ".nspm"), out);
                SnnCommand.Simulated s = SnnCommand.simulate(k, t.model(), data,
                        new SnnEvaluation.Options(ms, 1, seed, nImages, SnnEvaluation.DEFAULT_BATCH, Defaults.MAX_INPUT_RATE_HZ), "max", out, name);
                SnnCommand.print(s);
                rows.add(new Row(run, t, s));
            }
            figure5(rows);
            figure4(k, rows, test);
        } finally {
            backend.release(k);
        }
        table(rows, ep, nImages, ms);
        System.out.printf(Locale.ROOT, "reproduce finished in %.1f min; figures and CSV in %s%n",
                (System.nanoTime() - t0) / 6e10, out.toAbsolutePath());
        return 0;
    }

    private void table(List<Row> rows, int ep, int nImages, double ms) throws IOException {
        System.out.printf(Locale.ROOT, "%nMNIST, %d epochs, %d test images x %.0f ms (paper: 10 epochs, 10000 images)%n", ep, nImages, ms);
        System.out.println("| network | ANN accuracy | SNN accuracy | conversion loss | paper SNN | paper loss |");
        System.out.println("|---|---|---|---|---|---|");
        StringBuilder csv = new StringBuilder("network,ann_accuracy_pct,snn_accuracy_pct,conversion_loss_pct,"
                + "paper_snn_accuracy_pct,paper_conversion_loss_pct\n");
        for (Row row : rows) {
            double[] paper = row.paperNet() ? PAPER.get(row.kind()) : new double[] {99.07, Double.NaN};
            SnnCommand.Simulated s = row.simulated();
            String line = String.format(Locale.ROOT, "%s,%.2f,%.2f,%.2f,%s,%s", row.label(), 100 * s.annAccuracy(),
                    100 * s.report().accuracy(), 100 * s.conversionLoss(), paper[0], Double.isNaN(paper[1]) ? "" : paper[1]);
            System.out.printf(Locale.ROOT, "| %s | %.2f %% | %.2f %% | %.2f %% | %s | %s |%n", row.label(), 100 * s.annAccuracy(),
                    100 * s.report().accuracy(), 100 * s.conversionLoss(),
                    row.paperNet() ? String.format(Locale.ROOT, "%.2f %%", paper[0]) : "99.07 % (thesis)",
                    Double.isNaN(paper[1]) ? "-" : String.format(Locale.ROOT, "%.2f %%", paper[1]));
            csv.append(line).append('\n');
        }
        for (Row row : rows) {
            if (!row.paperNet()) {
                TrainOptions o = row.run().options();
                System.out.printf(Locale.ROOT, "%s: %d epochs, lr %s (%s), shift %d, sigma-grad %s%n", row.label(), o.epochs(),
                        o.learningRate(), o.schedule(), o.maxShift(), o.sigmaGrad());
            }
        }
        AtomicFiles.write(out.resolve("table.csv"), csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Fig. 5(b) training loss of the three networks and 5(c) SNN accuracy vs response time. */
    private void figure5(List<Row> rows) throws IOException {
        Charts loss = Charts.of("Fig. 5(b): training loss", "epoch", "cross-entropy loss (smoothed)");
        Charts acc = Charts.of("Fig. 5(c): SNN accuracy vs response time", "response time (ms)", "accuracy").logX();
        for (Row row : rows) {
            CsvTable curve = CsvTable.read(out.resolve(row.label() + "-loss.csv"));
            double[] x = curve.column("batch");
            double[] e = curve.column("epoch");
            double perEpoch = Arrays.stream(x).max().orElse(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = e[i] - 1 + x[i] / perEpoch;
            }
            loss.line(row.label(), x, curve.column("loss"));
            CsvTable a = CsvTable.read(out.resolve(row.label() + "-snn-accuracy.csv"));
            acc.line(row.label(), a.column("time_ms"), a.column("accuracy"));
        }
        loss.savePng(out.resolve("fig5b_training_loss.png"));
        acc.savePng(out.resolve("fig5c_accuracy_vs_time.png"));
    }

    /**
     * Fig. 4: the rates of the first convolution map of the Noisy Softplus network on a test digit '0',
     * recorded in a 1 s simulation, against the Noisy Softplus, Softplus and ReLU estimates S f(x, sigma),
     * S kσ0 softplus(x / (kσ0)) and S max(x, 0) from the ANN's mean current x and noise sigma of each unit.
     */
    private void figure4(Kernels k, List<Row> rows, Dataset test) throws IOException {
        Row ns = rows.stream().filter(r -> r.label().equals("noisy-softplus-paper")).findFirst().orElse(null);
        if (ns == null) {
            return;
        }
        int image = 0;
        while (image < test.count() - 1 && test.label(image) != 0) {
            image++;
        }
        SavedModel m = ns.trained().model();
        Activation act = m.activation();
        int maps = m.architecture().outputShape(0)[0];
        int h = m.architecture().outputShape(0)[1];
        int w = m.architecture().outputShape(0)[2];
        int per = h * w;
        float[] x;
        float[] sigma;
        try (Network net = Network.fromModel(m, k); Workspace ws = net.newWorkspace(1)) {
            test.fillBatch(new int[] {image}, 0, (float) net.inputScale(), ws.input());
            net.infer(ws);
            x = Arrays.copyOf(ws.mean(0).toArray(), per);
            sigma = Arrays.copyOf(ws.sigma(0).toArray(), per);
        }
        float[] rates = new float[test.rows() * test.cols()];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = (float) (test.pixel(image, i / test.cols(), i % test.cols()) / 255.0 * Defaults.MAX_INPUT_RATE_HZ);
        }
        float[] counts;
        double durationMs = 1000;
        try (SpikingNetwork snn = new SpikingNetwork(k, LifParameters.TABLE1, 1.0, new int[] {1, test.rows(), test.cols()},
                Conversion.toSpiking(m, null), 1)) {
            snn.run(rates, 1, durationMs, seed, image, null);
            counts = Arrays.copyOf(snn.layerCounts(0), per);
        }
        double s = act.sHzPerNa();
        double k0 = act.k();
        CsvTable t = new CsvTable("neuron", "x_nA", "sigma_nA", "recorded_hz", "noisy_softplus_hz", "softplus_hz", "relu_hz");
        Integer[] order = new Integer[per];
        for (int i = 0; i < per; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(counts[a], counts[b]));
        double[] idx = new double[per];
        double[] rec = new double[per];
        double[] nsp = new double[per];
        double[] spl = new double[per];
        double[] rel = new double[per];
        for (int j = 0; j < per; j++) {
            int i = order[j];
            idx[j] = j;
            rec[j] = counts[i] * 1000.0 / durationMs;
            nsp[j] = s * Calibration.noisySoftplus(x[i], sigma[i], k0);
            spl[j] = s * Calibration.noisySoftplus(x[i], Defaults.SOFTPLUS_SIGMA_NA, k0);
            rel[j] = s * Math.max(x[i], 0);
            t.add(i, x[i], sigma[i], rec[j], nsp[j], spl[j], rel[j]);
        }
        t.write(out.resolve("fig4_conv_map_rates.csv"));
        Charts.of("Fig. 4: conv map 1 of " + maps + " (" + h + "x" + w + ") on a test digit 0", "neuron (sorted by recorded rate)",
                        "firing rate (Hz)")
                .points("recorded (SNN, 1 s)", idx, rec, null).line("Noisy Softplus", idx, nsp).line("Softplus", idx, spl)
                .line("ReLU", idx, rel).savePng(out.resolve("fig4_conv_map_rates.png"));
    }
}
