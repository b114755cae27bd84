package dev.nsp.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reads the real data sets when they are already on this machine (never fetches): MNIST from the
 * cache folder ({@code nsp.cache} / {@code NSP_CACHE} / ~/.cache/nsp), Fashion-MNIST from
 * {@code /usr/share/datasets/fashion-mnist} or the folder in the system property
 * {@code nsp.test.fashionDir}. Skipped, with the reason printed, otherwise.
 */
class RealDataTest {

    private static void skipUnless(boolean condition, String why) {
        if (!condition) {
            System.out.println("RealDataTest skipped: " + why);
        }
        assumeTrue(condition, why);
    }

    private static int[] histogram(Dataset d) {
        int[] h = new int[Dataset.CLASSES];
        for (int i = 0; i < d.count(); i++) {
            h[d.label(i)]++;
        }
        return h;
    }

    @Test
    void mnistFromTheCache() throws IOException {
        Path cache = CacheDirectory.resolve();
        Optional<DatasetFiles> files = MnistFiles.findVerified(cache);
        skipUnless(files.isPresent(), "MNIST is not in " + cache.resolve(MnistFiles.SUBDIR)
                + " (fetch it with MnistFiles.ensure / nsp data fetch)");
        Dataset train = files.get().loadTrain();
        Dataset test = files.get().loadTest();
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertEquals(28, train.rows());
        assertEquals(28, train.cols());
        // well-known facts about MNIST: the first labels and the class counts
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
                java.util.stream.IntStream.range(0, 10).map(train::label).toArray());
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9},
                java.util.stream.IntStream.range(0, 10).map(test::label).toArray());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, histogram(train));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(test));
    }

    @Test
    void fashionMnistFromTheDebianPackage() throws IOException {
        String prop = System.getProperty("nsp.test.fashionDir");
        Path dir = prop != null && !prop.isBlank() ? Path.of(prop) : FashionMnistFiles.DEFAULT_DIR;
        skipUnless(Files.isDirectory(dir), "Fashion-MNIST is not installed in " + dir + " ("
                + FashionMnistFiles.INSTALL_HINT + ")");
        DatasetFiles files = FashionMnistFiles.locate(dir);
        Dataset train = files.loadTrain();
        Dataset test = files.loadTest();
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertEquals(28, test.rows());
        // Fashion-MNIST is balanced: 6000 and 1000 images per class
        for (int c : histogram(train)) {
            assertEquals(6000, c);
        }
        for (int c : histogram(test)) {
            assertEquals(1000, c);
        }
    }
}
