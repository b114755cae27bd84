package dev.nsp.train;

/**
 * Receives progress events from {@link Trainer#train}, on the training thread. Both methods do nothing by
 * default. A listener that throws aborts training.
 */
public interface TrainingListener {

    /** A listener that ignores every event. */
    TrainingListener NONE = new TrainingListener() {
    };

    /**
     * After every batch.
     *
     * @param epoch the epoch, from 1
     * @param batch the batch within the epoch, from 1
     * @param batches the number of batches per epoch
     * @param loss the batch's mean cross-entropy loss (nats)
     * @param imagesPerSecond training throughput of this batch (forward, backward and update)
     * @param learningRate the step used for this batch's update (from {@link TrainOptions#schedule()})
     */
    record BatchEvent(int epoch, int batch, int batches, double loss, double imagesPerSecond, double learningRate) {
    }

    /**
     * After every epoch.
     *
     * @param epoch the epoch, from 1
     * @param trainLoss mean of the epoch's batch losses (nats)
     * @param testAccuracy accuracy on the test set in [0, 1], NaN without a test set
     * @param testLoss mean cross-entropy on the test set (nats), NaN without a test set
     * @param trainSeconds wall-clock time of the epoch's training (without evaluation)
     * @param imagesPerSecond training throughput over the epoch
     */
    record EpochEvent(int epoch, double trainLoss, double testAccuracy, double testLoss, double trainSeconds,
                      double imagesPerSecond) {
    }

    /**
     * Called after every batch.
     *
     * @param event what happened
     */
    default void onBatch(BatchEvent event) {
    }

    /**
     * Called after every epoch (after evaluation on the test set).
     *
     * @param event what happened
     */
    default void onEpoch(EpochEvent event) {
    }
}
