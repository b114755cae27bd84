package dev.nsp.cli;

import dev.nsp.cli.output.Charts;
import dev.nsp.cli.output.CsvTable;
import dev.nsp.cli.output.Progress;
import dev.nsp.data.Dataset;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.ModelFile;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import dev.nsp.nn.Defaults;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import dev.nsp.train.LrSchedule;
import dev.nsp.train.TrainOptions;
import dev.nsp.train.Trainer;
import dev.nsp.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code nsp train}: train a ConvNet with ReLU, Softplus or Noisy Softplus units. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a ConvNet without biases (paper: 6c5-2s-12c5-2s-10) with mini-batch SGD on MNIST.",
                "Writes the model file, per-epoch loss and test accuracy as CSV, and the loss curve as PNG."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--activation", defaultValue = "noisy-softplus", paramLabel = "A",
            description = "relu, softplus or noisy-softplus. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = "--net", defaultValue = "paper", paramLabel = "NET",
            description = "paper (6c5-2s-12c5-2s-10), wide (16c5-2s-64c5-2s-10) or a spec string. Default: ${DEFAULT-VALUE}.")
    String net;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "50", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (default: " + TrainOptions.DEFAULT_LEARNING_RATE + ").")
    Double lr;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation and shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--sigma-grad", defaultValue = "none", paramLabel = "MODE",
            description = "none (sigma is a constant, as Liu's code) or full (through df/dsigma and the W^2 path). Default: ${DEFAULT-VALUE}.")
    String sigmaGrad;

    @Option(names = "--lr-schedule", defaultValue = "constant", paramLabel = "S",
            description = "constant (the paper) or cosine (annealed to 0 over the run). Default: ${DEFAULT-VALUE}.")
    String lrSchedule;

    @Option(names = "--shift", defaultValue = "0", paramLabel = "PX",
            description = "Augmentation: translate each training image by a random offset of up to PX pixels per axis, 0-8 (0: none, the paper). Default: ${DEFAULT-VALUE}.")
    int shift;

    @Option(names = "--train-images", paramLabel = "N", description = "Use only the first N training images (quick runs).")
    Integer trainImages;

    @Option(names = "--out", paramLabel = "MODEL", description = "Model file (default: results/<activation>-<net>.nspm).")
    Path out;

    @Option(names = "--plots", paramLabel = "DIR", description = "Write the loss curve PNG here (default: next to the model).")
    Path plots;

    @Mixin
    BackendOption backend;

    @Mixin
    DataOption data;

    @Override
    public Integer call() throws Exception {
        Activation.Kind kind = Activation.Kind.parse(activation);
        Path model = out != null ? out : Path.of("results", kind.id() + "-" + net + ".nspm");
        Kernels k = backend.open();
        try {
            Trained t = train(k, architecture(net), kind, options(), data.train(), data.test(), trainImages, model,
                    plots != null ? plots : model.toAbsolutePath().getParent());
            System.out.printf(Locale.ROOT, "final test accuracy %.2f %% (%s, %s), model %s%n",
                    100 * t.history().getLast().testAccuracy(), kind.id(), net, model);
        } finally {
            backend.release(k);
        }
        return 0;
    }

    TrainOptions options() {
        TrainOptions o = TrainOptions.defaults().withEpochs(epochs).withBatchSize(batch).withSeed(seed)
                .withSigmaGrad(SigmaGrad.parse(sigmaGrad)).withSchedule(LrSchedule.parse(lrSchedule)).withMaxShift(shift);
        return lr == null ? o : o.withLearningRate(lr);
    }

    static Architecture architecture(String net) {
        return switch (net) {
            case "paper" -> Architecture.paper();
            case "wide" -> Architecture.wide();
            default -> Architecture.parse(net, 1, 28, 28);
        };
    }

    /** A trained network's model and its per-epoch history. */
    record Trained(SavedModel model, List<TrainingListener.EpochEvent> history) {
    }

    /**
     * Trains, saves the model atomically, writes CSV and the loss-curve PNG; shows progress.
     */
    static Trained train(Kernels k, Architecture arch, Activation.Kind kind, TrainOptions o, Dataset train, Dataset test,
                         Integer trainImages, Path modelFile, Path plotDir) throws IOException {
        Dataset trainSet = trainImages == null ? train : train.head(Math.min(trainImages, train.count()));
        String name = kind.id() + " " + arch.spec();
        System.err.printf(Locale.ROOT, "nsp: training %s on %d images, %d epochs, batch %d, lr %s (%s), shift %d, sigma-grad %s, backend %s%n",
                name, trainSet.count(), o.epochs(), o.batchSize(), o.learningRate(), o.schedule(), o.maxShift(),
                o.sigmaGrad(), k.name());
        CsvTable curve = new CsvTable("epoch", "batch", "loss");
        CsvTable epochs = new CsvTable("epoch", "train_loss", "test_loss", "test_accuracy", "seconds", "images_per_s");
        int batches = trainSet.count() / o.batchSize();
        List<TrainingListener.EpochEvent> history;
        try (Network network = Network.initialize(arch, Defaults.activation(kind), Defaults.INPUT_SCALE, o.seed(), k);
             Progress bar = Progress.start("train " + kind.id(), (long) batches * o.epochs(), "batch")) {
            history = Trainer.train(network, trainSet, test, o, new TrainingListener() {
                double smoothed = Double.NaN;

                @Override
                public void onBatch(BatchEvent e) {
                    smoothed = Double.isNaN(smoothed) ? e.loss() : 0.98 * smoothed + 0.02 * e.loss();
                    if (e.batch() % 10 == 0 || e.batch() == e.batches()) {
                        curve.add(e.epoch(), e.batch(), smoothed);
                    }
                    bar.at((long) (e.epoch() - 1) * e.batches() + e.batch());
                    bar.message(String.format(Locale.ROOT, "epoch %d loss %.4f lr %.3g %.0f img/s", e.epoch(), smoothed,
                            e.learningRate(), e.imagesPerSecond()));
                }

                @Override
                public void onEpoch(EpochEvent e) {
                    epochs.add(e.epoch(), e.trainLoss(), e.testLoss(), e.testAccuracy(), e.trainSeconds(), e.imagesPerSecond());
                    System.err.printf(Locale.ROOT, "nsp: %s epoch %d: train loss %.4f, test accuracy %.2f %%, %.1f s (%.0f images/s)%n",
                            name, e.epoch(), e.trainLoss(), 100 * e.testAccuracy(), e.trainSeconds(), e.imagesPerSecond());
                }
            });
            SavedModel m = network.toModel(info(o, k.name(), history.getLast().testAccuracy()));
            ModelFile.save(modelFile, m);
            String base = stem(modelFile);
            epochs.write(modelFile.resolveSibling(base + "-epochs.csv"));
            curve.write(modelFile.resolveSibling(base + "-loss.csv"));
            if (plotDir != null) {
                double[] x = curve.column("batch").clone();
                double[] ep = curve.column("epoch");
                for (int i = 0; i < x.length; i++) {
                    x[i] = ep[i] - 1 + x[i] / batches;
                }
                Charts.of("Training loss, " + name, "epoch", "cross-entropy loss (smoothed)")
                        .line(kind.id(), x, curve.column("loss")).savePng(plotDir.resolve(base + "-loss.png"));
            }
            return new Trained(m, history);
        }
    }

    /** What the model file records of the training: the options, and the final test accuracy when known. */
    static TrainingInfo info(TrainOptions o, String backend, double testAccuracy) {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("sigma-gradient", o.sigmaGrad().id());
        notes.put("lr-schedule", o.schedule().id());
        notes.put("shift", Integer.toString(o.maxShift()));
        if (!Double.isNaN(testAccuracy)) {
            notes.put("test-accuracy", String.format(Locale.ROOT, "%.4f", testAccuracy));
        }
        return new TrainingInfo(o.epochs(), o.learningRate(), o.batchSize(), o.seed(), backend, notes);
    }

    static String stem(Path file) {
        String s = file.getFileName().toString();
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }
}
