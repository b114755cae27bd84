package dev.nsp.data;

import dev.nsp.io.AtomicFiles;
import dev.nsp.io.CorruptFileException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files (the MNIST format): a big-endian header, magic {@code 0x0000TTDD} with
 * data type TT (only {@code 0x08}, unsigned byte, is supported) and DD dimensions, then DD 32-bit
 * big-endian dimension sizes, then the product of the sizes in data bytes, and nothing else.
 *
 * <p>Files may be plain or gzip-compressed; gzip is recognised by its magic bytes {@code 1f 8b}, not
 * by the file name. Everything is validated: magic number, data type, dimension count, and that the
 * data is exactly as long as the header says (no missing and no trailing bytes). A plain file's
 * length is checked against the header before any allocation, so a forged dimension cannot cause an
 * {@link OutOfMemoryError}; for gzip the declared size must be possible for the compressed length
 * (deflate expands at most 1032:1) and the buffer grows with the data actually decompressed.
 * Problems are reported as {@link CorruptFileException} with the file name and byte offset
 * (for gzip files, the offset in the decompressed stream).
 */
public final class Idx {
    /** Magic number of an IDX file of unsigned-byte images: type 0x08, 3 dimensions (count, rows, cols). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned-byte labels: type 0x08, 1 dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** The largest data size this reader accepts (one Java byte array). */
    static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    /** Deflate's largest expansion ratio (258-byte matches coded in 2 bits, rounded up). */
    static final long MAX_DEFLATE_RATIO = 1032;
    /** The first buffer size for gzip data; it doubles as data arrives, up to the declared size. */
    static final int GZIP_INITIAL_CAPACITY = 1 << 20;

    private static final int UNSIGNED_BYTE = 0x08;

    private Idx() {
    }

    /**
     * Reads an IDX image file ({@link #IMAGES_MAGIC}), plain or gzipped.
     *
     * @param file the file
     * @return the images
     * @throws CorruptFileException if the file is not a well-formed IDX image file
     * @throws IOException if it cannot be read
     */
    public static IdxImages readImages(Path file) throws IOException {
        Raw r = read(file, 3, "images");
        return new IdxImages(r.dims[0], r.dims[1], r.dims[2], r.data);
    }

    /**
     * Reads an IDX label file ({@link #LABELS_MAGIC}), plain or gzipped, without checking the values.
     *
     * @param file the file
     * @return one unsigned byte per item
     * @throws CorruptFileException if the file is not a well-formed IDX label file
     * @throws IOException if it cannot be read
     */
    public static byte[] readLabels(Path file) throws IOException {
        return read(file, 1, "labels").data;
    }

    /**
     * Reads an IDX label file and checks that every label is in {@code [0, classes)}.
     *
     * @param file the file
     * @param classes the number of classes, in {@code [1, 256]} (10 for MNIST)
     * @return one unsigned byte per item
     * @throws CorruptFileException if the file is malformed or a label is out of range (the offset is
     *         that of the first bad label)
     * @throws IOException if it cannot be read
     */
    public static byte[] readLabels(Path file, int classes) throws IOException {
        if (classes < 1 || classes > 256) {
            throw new IllegalArgumentException("classes: " + classes + " not in [1, 256]");
        }
        Raw r = read(file, 1, "labels");
        for (int i = 0; i < r.data.length; i++) {
            int v = r.data[i] & 0xff;
            if (v >= classes) {
                throw new CorruptFileException(file, r.headerBytes + i, r.gzip,
                        "label " + v + " of item " + i + " is not in [0, " + classes + ")", null);
            }
        }
        return r.data;
    }

    /**
     * {@return true if it starts with the gzip magic bytes {@code 1f 8b}}
     *
     * @param file a file
     * @throws IOException if it cannot be read
     */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * Writes an IDX image file atomically.
     *
     * @param file the target
     * @param images the images
     * @param gzip true to gzip-compress the file
     * @throws IOException if writing fails (the target is then unchanged)
     */
    public static void writeImages(Path file, IdxImages images, boolean gzip) throws IOException {
        write(file, IMAGES_MAGIC, new int[] {images.count(), images.rows(), images.cols()}, images.pixels(), gzip);
    }

    /**
     * Writes an IDX label file atomically.
     *
     * @param file the target
     * @param labels one unsigned byte per item
     * @param gzip true to gzip-compress the file
     * @throws IOException if writing fails (the target is then unchanged)
     */
    public static void writeLabels(Path file, byte[] labels, boolean gzip) throws IOException {
        write(file, LABELS_MAGIC, new int[] {labels.length}, labels, gzip);
    }

    // ---------------------------------------------------------------- implementation

    private record Raw(int[] dims, byte[] data, int headerBytes, boolean gzip) {
    }

    private static void write(Path file, int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
        AtomicFiles.write(file, sink -> {
            GZIPOutputStream gz = gzip ? new GZIPOutputStream(sink, 1 << 16) : null;
            OutputStream out = gz != null ? gz : sink;
            writeInt(out, magic);
            for (int d : dims) {
                writeInt(out, d);
            }
            out.write(data);
            if (gz != null) {
                gz.finish();
            }
        });
    }

    private static void writeInt(OutputStream out, int v) throws IOException {
        out.write(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    private static Raw read(Path file, int ndims, String kind) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return parse(file, raw, fileSize, ndims, kind, false);
            }
            InputStream in;
            try {
                in = new GZIPInputStream(raw, 1 << 16);
            } catch (ZipException | EOFException e) {
                throw new CorruptFileException(file, 0, false, "bad gzip header: " + e.getMessage(), e);
            }
            return parse(file, in, fileSize, ndims, kind, true);
        }
    }

    private static Raw parse(Path file, InputStream in, long fileSize, int ndims, String kind, boolean gzip)
            throws IOException {
        Cursor c = new Cursor(file, in, gzip);
        int expectedMagic = 0x0800 | ndims;
        String what = "IDX " + kind + " (magic " + hex8(expectedMagic) + ")";
        byte[] m = c.readHeader(4, "the 4-byte magic number");
        int magic = ((m[0] & 0xff) << 24) | ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff);
        if (m[0] != 0 || m[1] != 0) {
            throw c.corrupt(0, "bad magic " + hex8(magic) + ", expected " + what);
        }
        if ((m[2] & 0xff) != UNSIGNED_BYTE) {
            throw c.corrupt(2, "data type " + String.format("0x%02x", m[2] & 0xff)
                    + " (magic " + hex8(magic) + ") is not unsigned byte (0x08), expected " + what);
        }
        if ((m[3] & 0xff) != ndims) {
            throw c.corrupt(3, (m[3] & 0xff) + " dimensions (magic " + hex8(magic) + "), expected " + ndims
                    + " for " + what);
        }
        int header = 4 + 4 * ndims;
        byte[] d = c.readHeader(4 * ndims, ndims + " dimension sizes");
        int[] dims = new int[ndims];
        long declared = 1;
        for (int i = 0; i < ndims; i++) {
            long v = ((long) (d[4 * i] & 0xff) << 24) | ((d[4 * i + 1] & 0xff) << 16) | ((d[4 * i + 2] & 0xff) << 8)
                    | (d[4 * i + 3] & 0xff);
            if (v > Integer.MAX_VALUE) {
                throw c.corrupt(4 + 4L * i, "dimension " + i + " is " + v + ", larger than " + Integer.MAX_VALUE);
            }
            if (i > 0 && v < 1) {
                throw c.corrupt(4 + 4L * i, "dimension " + i + " is " + v + ", must be >= 1");
            }
            dims[i] = (int) v;
            declared = saturatingMultiply(declared, v);
        }
        String decl = "the header declares dimensions " + Arrays.toString(dims) + " = " + declared + " data bytes";
        long expectedEnd = saturatingAdd(header, declared);
        if (!gzip) {
            if (fileSize < expectedEnd) {
                throw c.corrupt(fileSize, "truncated: " + decl + ", so the file should have " + expectedEnd
                        + " bytes, but it ends at byte " + fileSize);
            }
            if (fileSize > expectedEnd) {
                throw c.corrupt(expectedEnd, "trailing bytes: " + decl + ", so the file should end at byte "
                        + expectedEnd + ", but it has " + fileSize + " bytes");
            }
        } else if (declared > saturatingAdd(saturatingMultiply(fileSize, MAX_DEFLATE_RATIO), 1024)) {
            throw c.corrupt(header, decl + ", more than a gzip file of " + fileSize
                    + " bytes can hold (deflate expands at most " + MAX_DEFLATE_RATIO + ":1)");
        }
        if (declared > MAX_DATA_BYTES) {
            throw new IOException(file + ": " + decl + ", more than this reader supports (" + MAX_DATA_BYTES + ")");
        }
        byte[] data = c.readData((int) declared, header);
        c.expectEnd(header + declared, decl);
        return new Raw(dims, data, header, gzip);
    }

    private static String hex8(int v) {
        return String.format("0x%08x", v);
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi != 0 || lo < 0) ? Long.MAX_VALUE : lo;
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** Reads the stream, counting bytes, and turns every low-level failure into a located exception. */
    private static final class Cursor {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;
        private long position;

        Cursor(Path file, InputStream in, boolean gzip) {
            this.file = file;
            this.in = in;
            this.gzip = gzip;
        }

        CorruptFileException corrupt(long offset, String detail) {
            return new CorruptFileException(file, offset, gzip, detail, null);
        }

        byte[] readHeader(int n, String what) throws IOException {
            byte[] b = new byte[n];
            int got = fill(b, 0, n);
            if (got < n) {
                throw corrupt(position, "truncated header: the " + (gzip ? "decompressed data ends" : "file ends")
                        + " at byte " + position + ", inside " + what);
            }
            return b;
        }

        byte[] readData(int declared, int header) throws IOException {
            byte[] buf = new byte[gzip ? Math.min(declared, GZIP_INITIAL_CAPACITY) : declared];
            int filled = 0;
            while (filled < declared) {
                if (filled == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(declared, 2L * buf.length));
                }
                int got = fill(buf, filled, buf.length - filled);
                filled += got;
                if (filled < buf.length) {
                    long expectedEnd = (long) header + declared;
                    throw corrupt(position, "truncated: the " + (gzip ? "decompressed data ends" : "file ends")
                            + " at byte " + position + ", the header declares " + declared
                            + " data bytes, ending at byte " + expectedEnd);
                }
            }
            return buf;
        }

        void expectEnd(long end, String decl) throws IOException {
            int next;
            try {
                next = in.read();
            } catch (ZipException | EOFException e) {
                throw new CorruptFileException(file, position, gzip, "corrupt gzip stream: " + e.getMessage(), e);
            }
            if (next >= 0) {
                throw corrupt(end, "trailing bytes: " + decl + ", so the data should end at byte " + end
                        + ", but there is more");
            }
        }

        /** Reads up to n bytes; fewer only at end of stream. */
        private int fill(byte[] b, int off, int n) throws IOException {
            int total = 0;
            try {
                while (total < n) {
                    int got = in.read(b, off + total, n - total);
                    if (got < 0) {
                        break;
                    }
                    total += got;
                    position += got;
                }
            } catch (ZipException | EOFException e) {
                throw new CorruptFileException(file, position, gzip,
                        "corrupt or truncated gzip stream: " + e.getMessage(), e);
            }
            return total;
        }
    }
}
