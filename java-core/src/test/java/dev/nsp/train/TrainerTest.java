package dev.nsp.train;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.data.Dataset;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.nn.Defaults;
import dev.nsp.nn.Network;
import dev.nsp.nn.SigmaGrad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static final Architecture ARCH = Architecture.parse("4c5-2s-4c3-2s-3", 1, Synthetic.SIDE, Synthetic.SIDE);
    private static final Dataset TRAIN = Synthetic.bars(240, 1);
    private static final Dataset TEST = Synthetic.bars(90, 2);
    private static Kernels kernels;

    @BeforeAll
    static void open() {
        kernels = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        kernels.close();
    }

    private static TrainOptions options() {
        return TrainOptions.defaults().withEpochs(10).withBatchSize(10).withLearningRate(0.5).withSeed(5);
    }

    private static final class Recorder implements TrainingListener {
        final List<BatchEvent> batches = new ArrayList<>();
        final List<EpochEvent> epochs = new ArrayList<>();

        @Override
        public void onBatch(BatchEvent e) {
            batches.add(e);
        }

        @Override
        public void onEpoch(EpochEvent e) {
            epochs.add(e);
        }
    }

    private static void learns(Activation.Kind act, SigmaGrad mode) {
        try (Network net = Network.initialize(ARCH, Defaults.activation(act), 1.0, 3, kernels)) {
            double before = Trainer.evaluate(net, TRAIN, 50).meanLoss();
            Recorder r = new Recorder();
            List<TrainingListener.EpochEvent> history = Trainer.train(net, TRAIN, TEST, options().withSigmaGrad(mode), r);
            assertEquals(r.epochs, history);
            TrainingListener.EpochEvent last = history.getLast();
            String what = act + "/" + mode + ": loss before " + before + ", history " + history;
            assertTrue(last.trainLoss() < 0.1 * before, what);
            assertTrue(last.testLoss() < 0.1 * before, what);
            assertTrue(last.testAccuracy() >= 0.95, what);
            assertTrue(history.getFirst().trainLoss() > last.trainLoss(), what);
        }
    }

    @Test
    void noisySoftplusLearnsASeparableProblem() {
        learns(Activation.Kind.NOISY_SOFTPLUS, SigmaGrad.NONE);
        learns(Activation.Kind.NOISY_SOFTPLUS, SigmaGrad.FULL);
    }

    @Test
    void reluAndSoftplusLearnASeparableProblem() {
        learns(Activation.Kind.RELU, SigmaGrad.NONE);
        learns(Activation.Kind.SOFTPLUS, SigmaGrad.NONE);
    }

    private static List<float[]> trained(long initSeed, long shuffleSeed) {
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.NOISY_SOFTPLUS), 1.0, initSeed,
                kernels)) {
            Trainer.train(net, TRAIN, null, options().withEpochs(2).withSeed(shuffleSeed)
                    .withSigmaGrad(SigmaGrad.FULL), null);
            return net.weights();
        }
    }

    @Test
    void theSameSeedsGiveBitIdenticalWeights() {
        List<float[]> a = trained(7, 9);
        List<float[]> b = trained(7, 9);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "layer " + i);
        }
        List<float[]> otherShuffle = trained(7, 10);
        List<float[]> otherInit = trained(8, 9);
        assertFalse(java.util.Arrays.equals(a.getFirst(), otherShuffle.getFirst()), "shuffle seed has no effect");
        assertFalse(java.util.Arrays.equals(a.getFirst(), otherInit.getFirst()), "init seed has no effect");
    }

    @Test
    void reportsEveryBatchAndEpochAndSkipsTheIncompleteBatch() {
        Dataset data = TRAIN.head(47);
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.RELU), 1.0, 3, kernels)) {
            Recorder r = new Recorder();
            Trainer.train(net, data, null, options().withEpochs(2), r);
            assertEquals(2 * 4, r.batches.size()); // 47 images, batch 10: 4 batches, 7 images skipped
            for (int i = 0; i < r.batches.size(); i++) {
                TrainingListener.BatchEvent e = r.batches.get(i);
                assertEquals(i / 4 + 1, e.epoch());
                assertEquals(i % 4 + 1, e.batch());
                assertEquals(4, e.batches());
                assertTrue(e.loss() > 0 && Double.isFinite(e.loss()));
                assertTrue(e.imagesPerSecond() > 0);
            }
            assertEquals(2, r.epochs.size());
            TrainingListener.EpochEvent e = r.epochs.getFirst();
            double mean = r.batches.subList(0, 4).stream().mapToDouble(TrainingListener.BatchEvent::loss).average()
                    .orElseThrow();
            assertEquals(mean, e.trainLoss(), 1e-12);
            assertTrue(Double.isNaN(e.testAccuracy()) && Double.isNaN(e.testLoss()));
            assertTrue(e.trainSeconds() > 0 && e.imagesPerSecond() > 0);
        }
    }

    @Test
    void evaluationDoesNotDependOnTheBatchSize() {
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.NOISY_SOFTPLUS), 1.0, 4, kernels)) {
            Trainer.train(net, TRAIN, null, options().withEpochs(1), null);
            Evaluation one = Trainer.evaluate(net, TEST, 1);
            for (int batch : new int[] {7, 90, 1000}) {
                Evaluation e = Trainer.evaluate(net, TEST, batch);
                assertEquals(one.correct(), e.correct());
                assertArrayEquals(one.confusion(), e.confusion());
                // the reference backend computes each image independently of the others in the batch
                assertEquals(one.meanLoss(), e.meanLoss(), 1e-12);
            }
            int[][] c = one.confusion();
            int trace = 0;
            for (int t = 0; t < 3; t++) {
                int row = 0;
                for (int p = 0; p < 3; p++) {
                    row += c[t][p];
                }
                assertEquals(30, row, "images of class " + t);
                trace += c[t][t];
            }
            assertEquals(trace, one.correct());
            assertEquals(90, one.total());
            assertEquals(trace / 90.0, one.accuracy(), 0);
        }
    }

    @Test
    void rejectsDataThatDoesNotFitTheNetwork() {
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.RELU), 1.0, 3, kernels)) {
            Dataset wrongSize = new Dataset("w", 2, 10, 10, new byte[2 * 100], new byte[2]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.train(net, wrongSize, null, options(), null));
            assertTrue(e.getMessage().contains("trainSet") && e.getMessage().contains("1x10x10"), e.getMessage());
            Dataset badLabel = new Dataset("b", 1, 12, 12, new byte[144], new byte[] {3});
            e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(net, badLabel, 1));
            assertTrue(e.getMessage().contains("label of image 0 is 3, the network has 3 classes"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.train(net, TRAIN.head(9), null, options(), null));
            assertTrue(e.getMessage().contains("fewer than one batch"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Trainer.train(net, TRAIN, badLabel, options(), null));
            assertTrue(e.getMessage().contains("testSet"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.train(net, TRAIN, TEST.head(0), options(), null));
            assertTrue(e.getMessage().contains("testSet") && e.getMessage().contains("no images"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(net, TEST.head(0), 10));
            assertTrue(e.getMessage().contains("data") && e.getMessage().contains("no images"), e.getMessage());
        }
    }

    @Test
    void stopsWithAClearErrorWhenTrainingDiverges() {
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.RELU), 1.0, 3, kernels)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Trainer.train(net, TRAIN, null, options().withLearningRate(1e30), null));
            assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("learning rate"), e.getMessage());
        }
    }

    @Test
    void everyBatchReportsTheRateOfItsSchedule() {
        Dataset data = TRAIN.head(40); // 4 batches of 10 per epoch, 12 in 3 epochs
        for (LrSchedule schedule : LrSchedule.values()) {
            try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.RELU), 1.0, 3, kernels)) {
                Recorder r = new Recorder();
                Trainer.train(net, data, null, options().withEpochs(3).withSchedule(schedule), r);
                assertEquals(12, r.batches.size());
                for (int i = 0; i < 12; i++) {
                    double want = schedule == LrSchedule.CONSTANT ? 0.5 : 0.25 * (1 + Math.cos(Math.PI * i / 12));
                    assertEquals((float) want, r.batches.get(i).learningRate(), schedule + " batch " + i);
                }
            }
        }
    }

    @Test
    void theScheduleChangesTheUpdatesButNotTheFirstOne() {
        Dataset data = TRAIN.head(20);
        List<float[]> constant = trainedWith(data, options().withEpochs(1));
        List<float[]> cosine = trainedWith(data, options().withEpochs(1).withSchedule(LrSchedule.COSINE));
        List<float[]> firstOnly = trainedWith(data.head(10), options().withEpochs(1));
        List<float[]> firstOnlyCosine = trainedWith(data.head(10), options().withEpochs(1).withSchedule(LrSchedule.COSINE));
        for (int i = 0; i < constant.size(); i++) {
            assertArrayEquals(firstOnly.get(i), firstOnlyCosine.get(i), "one batch: the cosine starts at lr, layer " + i);
        }
        assertFalse(java.util.Arrays.equals(constant.getFirst(), cosine.getFirst()), "second batch: a smaller step");
    }

    private static List<float[]> trainedWith(Dataset data, TrainOptions o) {
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.NOISY_SOFTPLUS), 1.0, 3, kernels)) {
            Trainer.train(net, data, null, o, null);
            return net.weights();
        }
    }

    @Test
    void shiftedImagesAreTranslatedOverABackground() {
        int side = Synthetic.SIDE;
        int[] order = {5, 2, 7};
        int[] dy = {0, 2, -3};
        int[] dx = {0, -1, 3};
        float[] encoding = new float[256];
        for (int v = 0; v < 256; v++) {
            encoding[v] = v + 0.5f; // background (0) becomes 0.5: a fill that is not 0 shows where it is used
        }
        try (Network net = Network.initialize(ARCH, Defaults.activation(Activation.Kind.RELU), 1.0, 3, kernels);
             dev.nsp.nn.Workspace ws = net.newWorkspace(4)) {
            Trainer.loadShifted(ws, TRAIN, order, 0, 3, encoding, dy, dx);
            float[] in = ws.input().toArray();
            int filled = 0;
            for (int s = 0; s < 3; s++) {
                assertEquals(TRAIN.label(order[s]), ws.labels()[s]);
                for (int r = 0; r < side; r++) {
                    for (int c = 0; c < side; c++) {
                        int sr = r - dy[s];
                        int sc = c - dx[s];
                        boolean inside = sr >= 0 && sr < side && sc >= 0 && sc < side;
                        float want = inside ? TRAIN.pixel(order[s], sr, sc) + 0.5f : 0.5f;
                        filled += inside ? 0 : 1;
                        assertEquals(want, in[s * side * side + r * side + c], "image " + s + " (" + r + ", " + c + ")");
                    }
                }
            }
            // image 1 loses 2 rows and 1 column, image 2 3 rows and 3 columns
            assertEquals(2 * side + side - 2 + 3 * side + 3 * side - 9, filled);
        }
    }

    @Test
    void augmentationIsDeterministicAndChangesTheTraining() {
        Dataset data = TRAIN.head(40);
        List<float[]> plain = trainedWith(data, options().withEpochs(2));
        List<float[]> zero = trainedWith(data, options().withEpochs(2).withMaxShift(0));
        List<float[]> shifted = trainedWith(data, options().withEpochs(2).withMaxShift(2));
        List<float[]> again = trainedWith(data, options().withEpochs(2).withMaxShift(2));
        for (int i = 0; i < plain.size(); i++) {
            assertArrayEquals(plain.get(i), zero.get(i), "shift 0 is no augmentation, layer " + i);
            assertArrayEquals(shifted.get(i), again.get(i), "same seed, same shifts, layer " + i);
        }
        assertFalse(java.util.Arrays.equals(plain.getFirst(), shifted.getFirst()), "shift 2 has no effect");
    }
}
