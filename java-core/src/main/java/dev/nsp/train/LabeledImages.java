package dev.nsp.train;

import java.util.Objects;

/**
 * A set of labelled greyscale images held in memory, as an IDX file stores them: one unsigned byte per
 * pixel (0..255), image after image, rows of {@code cols} pixels; one label byte per image.
 *
 * @param pixels {@code n * rows * cols} unsigned pixel bytes, row-major per image (not copied)
 * @param labels {@code n} label bytes, each in [0, 255] as unsigned (not copied)
 * @param n number of images, {@code >= 1}
 * @param rows image height, {@code >= 1}
 * @param cols image width, {@code >= 1}
 */
public record LabeledImages(byte[] pixels, byte[] labels, int n, int rows, int cols) {

    /** Validates the sizes. */
    public LabeledImages {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (n < 1) {
            throw new IllegalArgumentException("n: " + n + ", must be >= 1");
        }
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("rows x cols: " + rows + "x" + cols + ", both must be >= 1");
        }
        if ((long) n * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels: length " + pixels.length + ", expected n * rows * cols = "
                    + (long) n * rows * cols);
        }
        if (labels.length != n) {
            throw new IllegalArgumentException("labels: length " + labels.length + ", expected n = " + n);
        }
    }

    /** @return pixels per image */
    public int imageSize() {
        return rows * cols;
    }

    /**
     * @param i an image index in [0, n)
     * @return its label, 0..255
     */
    public int label(int i) {
        return labels[Objects.checkIndex(i, n)] & 0xFF;
    }

    /**
     * A copy of a contiguous range of images.
     *
     * @param from first image, in [0, n)
     * @param count number of images, {@code >= 1}, {@code from + count <= n}
     * @return the subset
     */
    public LabeledImages range(int from, int count) {
        Objects.checkFromIndexSize(from, count, n);
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + ", must be >= 1");
        }
        int size = imageSize();
        byte[] p = new byte[count * size];
        System.arraycopy(pixels, from * size, p, 0, count * size);
        byte[] l = new byte[count];
        System.arraycopy(labels, from, l, 0, count);
        return new LabeledImages(p, l, count, rows, cols);
    }

    /**
     * Checks that every label is a valid class index.
     *
     * @param name the parameter name to report
     * @param classes the number of classes
     * @throws IllegalArgumentException naming the first bad label
     */
    public void checkLabels(String name, int classes) {
        for (int i = 0; i < n; i++) {
            int l = labels[i] & 0xFF;
            if (l >= classes) {
                throw new IllegalArgumentException(name + ": label of image " + i + " is " + l + ", must be in [0, "
                        + classes + ")");
            }
        }
    }
}
