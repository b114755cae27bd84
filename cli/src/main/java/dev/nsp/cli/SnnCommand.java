package dev.nsp.cli;

import dev.nsp.cli.output.Charts;
import dev.nsp.cli.output.CsvTable;
import dev.nsp.cli.output.Progress;
import dev.nsp.data.Dataset;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.ModelFile;
import dev.nsp.model.SavedModel;
import dev.nsp.nn.Network;
import dev.nsp.snn.Conversion;
import dev.nsp.snn.SnnEvaluation;
import dev.nsp.snn.SpikingNetwork;
import dev.nsp.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code nsp snn}: convert a trained model to a spiking network and classify the test set with it. */
@Command(name = "snn", mixinStandardHelpOptions = true,
        description = {"Convert a trained model to a spiking network of Table 1 LIF neurons and simulate it on the test set.",
                "Reports SNN accuracy, conversion loss, accuracy vs response time (CSV + PNG, paper Fig. 5c),",
                "mean firing rate per layer and simulation speed."})
final class SnnCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model file written by nsp train.")
    Path model;

    @Option(names = "--duration", defaultValue = "1000", paramLabel = "MS", description = "Simulated time per image, ms. Default: ${DEFAULT-VALUE}.")
    double duration;

    @Option(names = "--dt", defaultValue = "1", paramLabel = "MS", description = "Time step, ms (1 or 0.1). Default: ${DEFAULT-VALUE}.")
    double dt;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the Poisson input spikes. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--images", defaultValue = "10000", paramLabel = "N", description = "Test images to classify. Default: ${DEFAULT-VALUE}.")
    int images;

    @Option(names = "--batch", defaultValue = "" + SnnEvaluation.DEFAULT_BATCH, paramLabel = "B", description = "Images simulated together. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--normalisation", defaultValue = "max", paramLabel = "HOW",
            description = "For relu/softplus models: max or p99.9 of the layer activations over 1000 training images. Default: ${DEFAULT-VALUE}.")
    String normalisation;

    @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "Folder for CSV and PNG. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Mixin
    BackendOption backend;

    @Mixin
    DataOption data;

    @Override
    public Integer call() throws Exception {
        SavedModel m = ModelFile.load(model);
        Kernels k = backend.open();
        try {
            Simulated s = simulate(k, m, data, new SnnEvaluation.Options(duration, dt, seed, images, batch, 200), normalisation,
                    out, TrainCommand.stem(model));
            print(s);
        } finally {
            backend.release(k);
        }
        return 0;
    }

    /** The ANN and SNN results of one model. */
    record Simulated(SavedModel model, double annAccuracy, SnnEvaluation.Report report) {
        double conversionLoss() {
            return annAccuracy - report.accuracy();
        }
    }

    static Conversion.Normalisation parseNormalisation(String s) {
        return switch (s) {
            case "max" -> Conversion.Normalisation.MAX;
            case "p99.9", "percentile" -> Conversion.Normalisation.PERCENTILE_99_9;
            default -> throw new IllegalArgumentException("--normalisation: '" + s + "', must be max or p99.9");
        };
    }

    /** Converts, simulates and writes {@code <name>-snn-accuracy.csv/png} and {@code <name>-snn-layers.csv} into dir. */
    static Simulated simulate(Kernels k, SavedModel m, DataOption data, SnnEvaluation.Options o, String normalisation,
                              Path dir, String name) throws IOException {
        Dataset test = data.test();
        Dataset testSubset = test.head(Math.min(o.images(), test.count()));
        double ann;
        List<SpikingNetwork.Layer> layers;
        try (Network net = Network.fromModel(m, k)) {
            ann = Trainer.evaluate(net, testSubset, 500).accuracy();
            double[] scales = m.activation().kind() == Activation.Kind.NOISY_SOFTPLUS ? null
                    : Conversion.layerScales(net, data.train(), 1000, parseNormalisation(normalisation));
            layers = Conversion.toSpiking(m, scales);
        }
        System.err.printf(Locale.ROOT, "nsp: simulating %s %s as a spiking network: %d images x %.0f ms at dt %s ms, backend %s%n",
                m.activation().kind().id(), m.architecture().spec(), testSubset.count(), o.durationMs(), o.dtMs(), k.name());
        SnnEvaluation.Report r;
        try (Progress bar = Progress.start("snn " + m.activation().kind().id(), testSubset.count(), "img")) {
            r = SnnEvaluation.run(k, layers, testSubset, o, (done, total, step, steps) ->
                    bar.at(steps == 0 ? done : done + (long) ((double) step / steps * Math.min(o.batch(), total - done))));
        }
        CsvTable acc = new CsvTable("time_ms", "accuracy");
        double[] t = new double[r.correctAtMs().length];
        double[] a = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = i + 1;
            a[i] = r.accuracyAt(i);
            acc.add(t[i], a[i]);
        }
        acc.write(dir.resolve(name + "-snn-accuracy.csv"));
        Charts.of("SNN accuracy vs response time, " + m.activation().kind().id(), "response time (ms)", "accuracy")
                .line(m.activation().kind().id(), t, a).logX().savePng(dir.resolve(name + "-snn-accuracy.png"));
        CsvTable rates = new CsvTable("layer", "neurons_per_image", "spikes", "mean_rate_hz");
        for (int l = 0; l < r.layerSpikes().length; l++) {
            rates.add(l, r.layerNeurons()[l], r.layerSpikes()[l], r.meanRateHz(l));
        }
        rates.write(dir.resolve(name + "-snn-layers.csv"));
        return new Simulated(m, ann, r);
    }

    static void print(Simulated s) {
        SnnEvaluation.Report r = s.report();
        System.out.printf(Locale.ROOT, "%s %s: ANN %.2f %%, SNN %.2f %% (%d images, %.0f ms), conversion loss %.2f %%%n",
                s.model().activation().kind().id(), s.model().architecture().spec(), 100 * s.annAccuracy(), 100 * r.accuracy(),
                r.images(), r.durationMs(), 100 * s.conversionLoss());
        StringBuilder sb = new StringBuilder("  mean rate per layer (Hz):");
        for (int l = 0; l < r.layerSpikes().length; l++) {
            sb.append(String.format(Locale.ROOT, " %s%.1f", l == 0 ? "input " : "L" + l + " ", r.meanRateHz(l)));
        }
        System.out.println(sb);
        System.out.printf(Locale.ROOT, "  simulated in %.1f s: %.3g neuron updates/s, %.3g synaptic events/s%n",
                r.wallSeconds(), r.neuronUpdates() / r.wallSeconds(), r.synapticEvents() / r.wallSeconds());
    }
}
