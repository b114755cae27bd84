package dev.nsp.bench;

import java.util.SplittableRandom;

/**
 * A fixed, MNIST-like batch for training benchmarks, the same for every backend and for the peer benchmarks:
 * 28x28 images whose pixels are 0 with probability 0.8 and otherwise uniform in (0, 1] (MNIST test images
 * have ~19 % non-zero pixels), encoded as {@code a = pixel * inputScale}, and uniform labels in [0, 10).
 */
public final class SyntheticBatch {
    /** Images per batch in the paper. */
    public static final int BATCH = 50;
    /** Image side, pixels. */
    public static final int SIDE = 28;

    private SyntheticBatch() {
    }

    /**
     * @param batch images, {@code >= 1}
     * @param inputScale the activation of a full-ink pixel
     * @param seed the random seed
     * @return {@code batch * 28 * 28} activations, image-major
     */
    public static float[] images(int batch, double inputScale, long seed) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: " + batch + ", must be >= 1");
        }
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[batch * SIDE * SIDE];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextDouble() < 0.8 ? 0f : (float) ((1.0 - r.nextDouble()) * inputScale);
        }
        return a;
    }

    /**
     * @param batch images, {@code >= 1}
     * @param seed the random seed
     * @return labels in [0, 10)
     */
    public static int[] labels(int batch, long seed) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: " + batch + ", must be >= 1");
        }
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] l = new int[batch];
        for (int i = 0; i < batch; i++) {
            l[i] = r.nextInt(10);
        }
        return l;
    }
}
