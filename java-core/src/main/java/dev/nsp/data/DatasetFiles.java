package dev.nsp.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The four IDX files of an MNIST-like data set (plain or gzipped), already located and verified.
 *
 * @param name the data set's name, e.g. "mnist" or "fashion-mnist"
 * @param trainImages training images (60,000 x 28 x 28 for MNIST)
 * @param trainLabels training labels
 * @param testImages test images (10,000 x 28 x 28 for MNIST)
 * @param testLabels test labels
 */
public record DatasetFiles(String name, Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

    /** Requires every component. */
    public DatasetFiles {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(trainImages, "trainImages");
        Objects.requireNonNull(trainLabels, "trainLabels");
        Objects.requireNonNull(testImages, "testImages");
        Objects.requireNonNull(testLabels, "testLabels");
    }

    /**
     * {@return the training set, named {@code name + "-train"}}
     *
     * @throws IOException if a file cannot be read or is corrupt
     */
    public Dataset loadTrain() throws IOException {
        return Dataset.load(name + "-train", trainImages, trainLabels);
    }

    /**
     * {@return the test set, named {@code name + "-test"}}
     *
     * @throws IOException if a file cannot be read or is corrupt
     */
    public Dataset loadTest() throws IOException {
        return Dataset.load(name + "-test", testImages, testLabels);
    }
}
