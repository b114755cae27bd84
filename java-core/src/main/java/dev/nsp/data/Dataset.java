package dev.nsp.data;

import dev.nsp.io.CorruptFileException;
import dev.nsp.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A labelled image classification data set held compactly in memory: one unsigned byte per pixel and
 * one per label (MNIST's 60,000 training images take 47 MB). Images are grey-scale,
 * {@code rows x cols}, stored image after image, row-major.
 *
 * <p>The arrays are shared, not copied: do not modify them. Training code turns index lists into
 * tensors with {@link #fillBatch} and {@link #fillLabels}.
 *
 * @param name a short name for messages, e.g. "mnist-train"
 * @param count the number of items, {@code >= 0}
 * @param rows image height in pixels, {@code >= 1}
 * @param cols image width in pixels, {@code >= 1}
 * @param pixels {@code count * rows * cols} unsigned bytes
 * @param labels {@code count} unsigned bytes, each in {@code [0, CLASSES)}
 */
public record Dataset(String name, int count, int rows, int cols, byte[] pixels, byte[] labels) {
    /** The number of classes of MNIST and Fashion-MNIST. */
    public static final int CLASSES = 10;

    /** Validates the shape, the array lengths and the label range. */
    public Dataset {
        Objects.requireNonNull(name, "name");
        checkShape(count, rows, cols, pixels);
        Objects.requireNonNull(labels, "labels");
        if (labels.length != count) {
            throw new IllegalArgumentException("labels: length " + labels.length + " != count " + count);
        }
        for (int i = 0; i < count; i++) {
            if ((labels[i] & 0xff) >= CLASSES) {
                throw new IllegalArgumentException("labels: item " + i + " has label " + (labels[i] & 0xff)
                        + ", not in [0, " + CLASSES + ")");
            }
        }
    }

    /**
     * Combines images and labels.
     *
     * @param name the data set's name, for messages
     * @param images the images
     * @param labels one label per image
     * @return the data set
     * @throws IllegalArgumentException if the counts differ or a label is not in {@code [0, 10)}
     */
    public static Dataset of(String name, IdxImages images, byte[] labels) {
        return new Dataset(name, images.count(), images.rows(), images.cols(), images.pixels(), labels);
    }

    /**
     * Reads an image file and a label file (plain or gzipped IDX) and checks they belong together.
     *
     * @param name a short name for messages
     * @param imageFile the IDX image file
     * @param labelFile the IDX label file; every label must be in {@code [0, 10)}
     * @return the data set
     * @throws CorruptFileException if a file is malformed, or the two counts differ (reported on the
     *         label file, at the byte of its count field)
     * @throws IOException if a file cannot be read
     */
    public static Dataset load(String name, Path imageFile, Path labelFile) throws IOException {
        IdxImages images = Idx.readImages(imageFile);
        byte[] labels = Idx.readLabels(labelFile, CLASSES);
        if (labels.length != images.count()) {
            throw new CorruptFileException(labelFile, 4, labels.length + " labels, but " + imageFile + " has "
                    + images.count() + " images");
        }
        return of(name, images, labels);
    }

    /**
     * The activation scale of the input layer (SPEC section 4): pixel p becomes
     * {@code a = p / 255 * K * tau_s}, so the scale is {@code K * tau_s}.
     *
     * @param maxRateHz K, the Poisson rate of a full-ink pixel, Hz (200 in the paper), {@code > 0}
     * @param tauSynMs tau_s, the synaptic time constant, ms (5 in the paper), {@code > 0}
     * @return {@code maxRateHz * tauSynMs / 1000} (dimensionless; 1.0 for the paper's values)
     */
    public static float inputScale(double maxRateHz, double tauSynMs) {
        if (!(maxRateHz > 0) || !Double.isFinite(maxRateHz)) {
            throw new IllegalArgumentException("maxRateHz: " + maxRateHz + ", must be finite and > 0");
        }
        if (!(tauSynMs > 0) || !Double.isFinite(tauSynMs)) {
            throw new IllegalArgumentException("tauSynMs: " + tauSynMs + ", must be finite and > 0");
        }
        return (float) (maxRateHz * tauSynMs / 1000.0);
    }

    /** {@return pixels per image, {@code rows * cols}} */
    public int imageSize() {
        return rows * cols;
    }

    /**
     * {@return its label in {@code [0, 10)}}
     *
     * @param index an item in {@code [0, count)}
     */
    public int label(int index) {
        return labels[checkIndex("index", index)] & 0xff;
    }

    /**
     * {@return the pixel value in {@code [0, 255]}}
     *
     * @param index an item in {@code [0, count)}
     * @param row in {@code [0, rows)}
     * @param col in {@code [0, cols)}
     */
    public int pixel(int index, int row, int col) {
        checkIndex("index", index);
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row: " + row + " not in [0, " + rows + ")");
        }
        if (col < 0 || col >= cols) {
            throw new IndexOutOfBoundsException("col: " + col + " not in [0, " + cols + ")");
        }
        return pixels[(index * rows + row) * cols + col] & 0xff;
    }

    /**
     * Fills a batch tensor with the images {@code indices[from .. from+B)}: element
     * {@code out[b, 0, r, c] = pixel / 255 * scale}, computed in double and rounded once to float.
     *
     * @param indices item indices, each in {@code [0, count)}
     * @param from the first position in {@code indices} to use
     * @param out a tensor of shape {@code [B, 1, rows, cols]}; {@code from + B <= indices.length}
     * @param scale the value of a full-ink pixel, finite and {@code > 0}; use {@link #inputScale}
     */
    public void fillBatch(int[] indices, int from, float scale, Tensor out) {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(out, "out");
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale: " + scale + ", must be finite and > 0");
        }
        if (out.rank() != 4 || out.dim(1) != 1 || out.dim(2) != rows || out.dim(3) != cols) {
            throw new IllegalArgumentException("out: shape " + Arrays.toString(out.shape()) + ", expected [B, 1, "
                    + rows + ", " + cols + "]");
        }
        int batch = out.dim(0);
        checkRange(indices, from, batch);
        float[] table = new float[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (float) (v / 255.0 * scale);
        }
        int size = imageSize();
        float[] image = new float[size];
        MemorySegment seg = out.segment();
        for (int b = 0; b < batch; b++) {
            int base = indices[from + b] * size;
            for (int i = 0; i < size; i++) {
                image[i] = table[pixels[base + i] & 0xff];
            }
            MemorySegment.copy(image, 0, seg, ValueLayout.JAVA_FLOAT, (long) b * size * Float.BYTES, size);
        }
    }

    /**
     * {@link #fillBatch(int[], int, float, Tensor)} from position 0 of {@code indices}.
     *
     * @param indices item indices, each in {@code [0, count)}
     * @param scale the factor applied to the pixel values
     * @param out the batch tensor to fill
     */
    public void fillBatch(int[] indices, float scale, Tensor out) {
        fillBatch(indices, 0, scale, out);
    }

    /**
     * Copies the labels of {@code indices[from .. from+out.length)} into {@code out}.
     *
     * @param indices item indices, each in {@code [0, count)}
     * @param from the first position in {@code indices} to use
     * @param out receives one label in {@code [0, 10)} per batch item
     */
    public void fillLabels(int[] indices, int from, int[] out) {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(out, "out");
        checkRange(indices, from, out.length);
        for (int b = 0; b < out.length; b++) {
            out[b] = labels[indices[from + b]] & 0xff;
        }
    }

    /**
     * The first {@code n} items, as a new data set with copied arrays (for quick runs and tests).
     *
     * @param n in {@code [0, count]}
     * @return the new data set
     */
    public Dataset head(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("n: " + n + " not in [0, " + count + "]");
        }
        return new Dataset(name, n, rows, cols, Arrays.copyOf(pixels, n * imageSize()), Arrays.copyOf(labels, n));
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ": " + count + " x " + rows + " x " + cols + "]";
    }

    private void checkRange(int[] indices, int from, int n) {
        if (from < 0 || n < 0 || from > indices.length - n) {
            throw new IndexOutOfBoundsException("from: " + from + " + batch " + n + " exceeds indices.length "
                    + indices.length);
        }
        for (int b = 0; b < n; b++) {
            int i = indices[from + b];
            if (i < 0 || i >= count) {
                throw new IndexOutOfBoundsException("indices[" + (from + b) + "]: " + i + " not in [0, " + count + ")");
            }
        }
    }

    private int checkIndex(String what, int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(what + ": " + index + " not in [0, " + count + ")");
        }
        return index;
    }

    static void checkShape(int count, int rows, int cols, byte[] pixels) {
        if (count < 0) {
            throw new IllegalArgumentException("count: " + count + ", must be >= 0");
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows: " + rows + ", must be >= 1");
        }
        if (cols < 1) {
            throw new IllegalArgumentException("cols: " + cols + ", must be >= 1");
        }
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != (long) count * rows * cols) {
            throw new IllegalArgumentException("pixels: length " + pixels.length + " != count * rows * cols = "
                    + (long) count * rows * cols);
        }
    }
}
