package dev.nsp.data;

/**
 * The content of an IDX image file: {@code count} grey-scale images of {@code rows x cols} unsigned
 * bytes (0 = background, 255 = full ink for MNIST), stored image after image, row-major.
 *
 * <p>The pixel array is shared, not copied (an MNIST training set is 47 MB): do not modify it.
 *
 * @param count the number of images, {@code >= 0}
 * @param rows image height in pixels, {@code >= 1}
 * @param cols image width in pixels, {@code >= 1}
 * @param pixels {@code count * rows * cols} bytes, read as unsigned
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {

    /** Validates the dimensions against the pixel array. */
    public IdxImages {
        Dataset.checkShape(count, rows, cols, pixels);
    }

    @Override
    public String toString() {
        return "IdxImages[" + count + " x " + rows + " x " + cols + "]";
    }
}
