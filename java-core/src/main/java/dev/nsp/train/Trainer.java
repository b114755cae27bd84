package dev.nsp.train;

import dev.nsp.data.Dataset;
import dev.nsp.nn.Network;
import dev.nsp.nn.Workspace;
import dev.nsp.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Mini-batch SGD training and evaluation of a {@link Network} on a {@link Dataset}.
 *
 * <p>Images are encoded as input activations {@code a = pixel/255 * inputScale} ({@link Network#inputScale()},
 * {@code K tau_s}), computed in double and rounded once, as {@link Dataset#fillBatch} does, for every
 * activation. Each epoch visits the training images in a new order, a Fisher-Yates shuffle driven by one
 * {@link SplittableRandom} seeded with {@link TrainOptions#seed()}; the trailing incomplete batch is
 * skipped. The learning rate of each batch comes from {@link TrainOptions#schedule()}; with
 * {@link TrainOptions#maxShift()} {@code > 0} every training image is translated by a random offset drawn from a
 * second generator (seeded from the same seed, so the visiting order does not depend on the augmentation).
 * All tensors are allocated once before the first batch. Training is deterministic: the same
 * network, data, options, backend and backend thread count give bit-identical weights.
 */
public final class Trainer {
    private Trainer() {
    }

    /**
     * Trains {@code network} in place.
     *
     * @param network the network, updated in place
     * @param trainSet the training images, at least one batch; labels in [0, classes)
     * @param testSet images evaluated after every epoch, or null
     * @param options epochs, batch size, learning rate, seed, sigma-gradient mode
     * @param listener progress events, or null
     * @return one event per epoch (the ones the listener received)
     * @throws IllegalArgumentException if the data does not fit the network
     * @throws IllegalStateException if the loss becomes NaN or infinite (learning rate too high)
     */
    public static List<TrainingListener.EpochEvent> train(Network network, Dataset trainSet, Dataset testSet,
                                                         TrainOptions options, TrainingListener listener) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(trainSet, "trainSet");
        Objects.requireNonNull(options, "options");
        TrainingListener l = listener == null ? TrainingListener.NONE : listener;
        checkData("trainSet", network, trainSet);
        if (testSet != null) {
            checkData("testSet", network, testSet);
        }
        int batch = options.batchSize();
        if (trainSet.count() < batch) {
            throw new IllegalArgumentException("trainSet: " + trainSet.count() + " images, fewer than one batch of "
                    + batch);
        }
        int batches = trainSet.count() / batch;
        long steps = (long) batches * options.epochs();
        float[] encoding = encoding(network);
        int[] order = new int[trainSet.count()];
        Arrays.setAll(order, i -> i);
        SplittableRandom rng = new SplittableRandom(options.seed());
        Shifts shifts = options.maxShift() == 0 ? null
                : new Shifts(options.maxShift(), new SplittableRandom(options.seed() ^ AUGMENT_SEED), batch);
        List<TrainingListener.EpochEvent> history = new ArrayList<>();
        try (Workspace ws = network.newWorkspace(batch);
             Workspace eval = testSet == null ? null
                     : network.newWorkspace(Math.min(options.evalBatchSize(), testSet.count()))) {
            List<Tensor> weights = network.weightTensors();
            List<Tensor> gradients = network.gradients(ws);
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                shuffle(order, rng);
                double lossSum = 0;
                long epochStart = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    long t0 = System.nanoTime();
                    if (shifts == null) {
                        load(ws, trainSet, order, b * batch, batch, encoding);
                    } else {
                        shifts.load(ws, trainSet, order, b * batch, batch, encoding);
                    }
                    float lr = (float) options.schedule().rate(options.learningRate(), (long) (epoch - 1) * batches + b,
                            steps);
                    float loss = network.lossAndGradients(ws, options.sigmaGrad());
                    if (!Float.isFinite(loss)) {
                        throw new IllegalStateException("training diverged: loss " + loss + " at epoch " + epoch
                                + ", batch " + (b + 1) + "; lower the learning rate (" + options.learningRate() + ")");
                    }
                    Sgd.step(weights, gradients, lr);
                    lossSum += loss;
                    double seconds = (System.nanoTime() - t0) * 1e-9;
                    l.onBatch(new TrainingListener.BatchEvent(epoch, b + 1, batches, loss, batch / seconds, lr));
                }
                double trainSeconds = (System.nanoTime() - epochStart) * 1e-9;
                double acc = Double.NaN;
                double testLoss = Double.NaN;
                if (testSet != null) {
                    Evaluation e = evaluate(network, eval, testSet);
                    acc = e.accuracy();
                    testLoss = e.meanLoss();
                }
                TrainingListener.EpochEvent event = new TrainingListener.EpochEvent(epoch, lossSum / batches, acc,
                        testLoss, trainSeconds, (double) batches * batch / trainSeconds);
                history.add(event);
                l.onEpoch(event);
            }
        }
        return List.copyOf(history);
    }

    /**
     * Classifies every image (the class with the largest logit, ties to the lowest index).
     *
     * @param network the network
     * @param data the images, labels in [0, classes)
     * @param batchSize images per forward pass, {@code >= 1}
     * @return accuracy, mean loss and the confusion matrix
     */
    public static Evaluation evaluate(Network network, Dataset data, int batchSize) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(data, "data");
        checkData("data", network, data);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + ", must be >= 1");
        }
        try (Workspace ws = network.newWorkspace(Math.min(batchSize, data.count()))) {
            return evaluate(network, ws, data);
        }
    }

    /** Evaluation with a given workspace; the last partial batch leaves stale images in unused slots, ignored. */
    private static Evaluation evaluate(Network network, Workspace ws, Dataset data) {
        int classes = network.architecture().classes();
        int[][] confusion = new int[classes][classes];
        float[] encoding = encoding(network);
        int batch = ws.batchSize();
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < data.count(); from += batch) {
            int count = Math.min(batch, data.count() - from);
            load(ws, data, null, from, count, encoding);
            network.infer(ws);
            MemorySegment logits = ws.logits().segment();
            for (int i = 0; i < count; i++) {
                long row = (long) i * classes;
                int best = 0;
                float max = logits.getAtIndex(ValueLayout.JAVA_FLOAT, row);
                for (int c = 1; c < classes; c++) {
                    float z = logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + c);
                    if (z > max) {
                        max = z;
                        best = c;
                    }
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + c) - (double) max);
                }
                int label = ws.labels()[i];
                lossSum += Math.log(sum) + max - logits.getAtIndex(ValueLayout.JAVA_FLOAT, row + label);
                confusion[label][best]++;
                if (best == label) {
                    correct++;
                }
            }
        }
        return new Evaluation(correct, data.count(), lossSum / data.count(), confusion);
    }

    /** Mixed into the seed of the augmentation's generator (the golden-ratio constant). */
    private static final long AUGMENT_SEED = 0x9E3779B97F4A7C15L;

    /** Random translations of training images: one (dy, dx) per image per visit, each in [-max, max]. */
    private static final class Shifts {
        private final int max;
        private final SplittableRandom rng;
        private final int[] dy;
        private final int[] dx;

        Shifts(int max, SplittableRandom rng, int batch) {
            this.max = max;
            this.rng = rng;
            this.dy = new int[batch];
            this.dx = new int[batch];
        }

        void load(Workspace ws, Dataset data, int[] order, int from, int count, float[] encoding) {
            for (int s = 0; s < count; s++) {
                dy[s] = rng.nextInt(-max, max + 1);
                dx[s] = rng.nextInt(-max, max + 1);
            }
            loadShifted(ws, data, order, from, count, encoding, dy, dx);
        }
    }

    /**
     * Encodes images {@code order[from..from+count)} translated by {@code (dy[s], dx[s])} pixels: output pixel
     * {@code (r, c)} is input pixel {@code (r - dy, c - dx)}, or background (0) where that is outside the image.
     */
    static void loadShifted(Workspace ws, Dataset data, int[] order, int from, int count, float[] encoding, int[] dy,
                            int[] dx) {
        MemorySegment in = ws.input().segment();
        int rows = data.rows();
        int cols = data.cols();
        int size = data.imageSize();
        byte[] pixels = data.pixels();
        byte[] labelBytes = data.labels();
        int[] labels = ws.labels();
        float background = encoding[0];
        for (int s = 0; s < count; s++) {
            int img = order[from + s];
            int src = img * size;
            long dst = (long) s * size;
            for (int r = 0; r < rows; r++) {
                int sr = r - dy[s];
                for (int c = 0; c < cols; c++) {
                    int sc = c - dx[s];
                    float v = sr >= 0 && sr < rows && sc >= 0 && sc < cols
                            ? encoding[pixels[src + sr * cols + sc] & 0xFF] : background;
                    in.setAtIndex(ValueLayout.JAVA_FLOAT, dst + (long) r * cols + c, v);
                }
            }
            labels[s] = labelBytes[img] & 0xFF;
        }
    }

    private static void checkData(String name, Network network, Dataset data) {
        if (data.count() < 1) {
            throw new IllegalArgumentException(name + ": " + data + " has no images");
        }
        int[] in = network.architecture().inputShape(0);
        if (in[0] != 1 || in[1] != data.rows() || in[2] != data.cols()) {
            throw new IllegalArgumentException(name + ": images are 1x" + data.rows() + "x" + data.cols()
                    + ", the network expects " + in[0] + "x" + in[1] + "x" + in[2]);
        }
        int classes = network.architecture().classes();
        byte[] labels = data.labels();
        for (int i = 0; i < data.count(); i++) {
            if ((labels[i] & 0xFF) >= classes) {
                throw new IllegalArgumentException(name + ": label of image " + i + " is " + (labels[i] & 0xFF)
                        + ", the network has " + classes + " classes");
            }
        }
    }

    /** The input activation of every pixel value: {@code v / 255 * inputScale}, in double, rounded once. */
    private static float[] encoding(Network network) {
        float scale = (float) network.inputScale();
        float[] table = new float[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (float) (v / 255.0 * scale);
        }
        return table;
    }

    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Encodes images {@code order[from..from+count)} (or {@code from..} without order) into the workspace. */
    private static void load(Workspace ws, Dataset data, int[] order, int from, int count, float[] encoding) {
        MemorySegment in = ws.input().segment();
        int size = data.imageSize();
        byte[] pixels = data.pixels();
        byte[] labelBytes = data.labels();
        int[] labels = ws.labels();
        for (int s = 0; s < count; s++) {
            int img = order == null ? from + s : order[from + s];
            int src = img * size;
            long dst = (long) s * size;
            for (int p = 0; p < size; p++) {
                in.setAtIndex(ValueLayout.JAVA_FLOAT, dst + p, encoding[pixels[src + p] & 0xFF]);
            }
            labels[s] = labelBytes[img] & 0xFF;
        }
    }
}
