package dev.nsp.cli;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.data.Dataset;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.ModelFile;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import dev.nsp.nn.Network;
import dev.nsp.train.Evaluation;
import dev.nsp.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code nsp evaluate}: the ANN test accuracy of a model and its confusion matrix. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a trained model (the ANN) on the test set: accuracy and the confusion matrix.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model file written by nsp train.")
    Path model;

    @Option(names = "--images", paramLabel = "N", description = "Evaluate only the first N test images.")
    Integer images;

    @Option(names = "--confusion", paramLabel = "CSV", description = "Also write the confusion matrix (rows: true class) as CSV.")
    Path confusion;

    @Mixin
    BackendOption backend;

    @Mixin
    DataOption data;

    @Override
    public Integer call() throws Exception {
        SavedModel m = ModelFile.load(model);
        Dataset test = data.test();
        if (images != null) {
            test = test.head(Math.min(images, test.count()));
        }
        Kernels k = backend.open();
        Evaluation e;
        try (Network net = Network.fromModel(m, k)) {
            e = Trainer.evaluate(net, test, 500);
        } finally {
            backend.release(k);
        }
        System.out.printf(Locale.ROOT, "%s %s: test accuracy %.2f %% (%d / %d), mean loss %.4f%n",
                m.activation().kind().id(), m.architecture().spec(), 100 * e.accuracy(), e.correct(), e.total(), e.meanLoss());
        TrainingInfo info = m.training();
        StringBuilder how = new StringBuilder(String.format(Locale.ROOT, "trained: %d epochs, batch %d, lr %s, seed %d, backend %s",
                info.epochs(), info.batchSize(), info.learningRate(), info.seed(), info.backend().isEmpty() ? "-" : info.backend()));
        info.notes().forEach((key, value) -> how.append(", ").append(key).append(' ').append(value));
        System.out.println(how);
        int[][] c = e.confusion();
        StringBuilder sb = new StringBuilder("true\\pred");
        for (int j = 0; j < c.length; j++) {
            sb.append(String.format("%6d", j));
        }
        System.out.println(sb);
        for (int i = 0; i < c.length; i++) {
            sb.setLength(0);
            sb.append(String.format("%9d", i));
            for (int j = 0; j < c.length; j++) {
                sb.append(String.format("%6d", c[i][j]));
            }
            System.out.println(sb);
        }
        if (confusion != null) {
            String[] header = new String[c.length + 1];
            header[0] = "true_class";
            for (int j = 0; j < c.length; j++) {
                header[j + 1] = "pred_" + j;
            }
            CsvTable t = new CsvTable(header);
            for (int i = 0; i < c.length; i++) {
                double[] row = new double[c.length + 1];
                row[0] = i;
                for (int j = 0; j < c.length; j++) {
                    row[j + 1] = c[i][j];
                }
                t.add(row);
            }
            t.write(confusion);
        }
        return 0;
    }
}
