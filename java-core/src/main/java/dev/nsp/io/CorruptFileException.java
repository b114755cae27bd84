package dev.nsp.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that nsp reads (IDX data, tar archives, model files) is malformed: wrong magic number,
 * impossible header, truncated, trailing bytes, or a failed checksum.
 *
 * <p>Checked (an {@link IOException}) because it is an I/O condition the caller can only handle by
 * replacing the file. The message always names the file and, where there is one, the byte offset at
 * which the problem was found. For compressed files the offset counts bytes of the decompressed
 * stream, and the message says so.
 */
public final class CorruptFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Offset value meaning "no particular byte" (e.g. a checksum over the whole file). */
    public static final long NO_OFFSET = -1;

    private final transient Path file;
    /** The byte offset of the problem, or {@link #NO_OFFSET}. */
    private final long offset;
    /** Whether {@link #offset} counts decompressed bytes. */
    private final boolean decompressedOffset;
    /** What is wrong. */
    private final String detail;

    /**
     * Creates the exception.
     *
     * @param file the file that is corrupt
     * @param offset the byte offset where the problem was found, or {@link #NO_OFFSET}
     * @param detail what is wrong, e.g. "bad magic 0x00000801, expected 0x00000803"
     */
    public CorruptFileException(Path file, long offset, String detail) {
        this(file, offset, false, detail, null);
    }

    /**
     * Creates the exception, with a cause.
     *
     * @param file the file that is corrupt
     * @param offset the byte offset where the problem was found, or {@link #NO_OFFSET}
     * @param decompressedOffset true if {@code offset} counts bytes of the decompressed stream of a
     *        compressed file rather than bytes of the file itself
     * @param detail what is wrong
     * @param cause the low-level exception, or null
     */
    public CorruptFileException(Path file, long offset, boolean decompressedOffset, String detail, Throwable cause) {
        super(format(file, offset, decompressedOffset, detail), cause);
        this.file = file;
        this.offset = offset;
        this.decompressedOffset = decompressedOffset;
        this.detail = detail;
    }

    private static String format(Path file, long offset, boolean decompressed, String detail) {
        String where = offset < 0 ? "" : (decompressed ? " at decompressed byte " : " at byte ") + offset;
        return "corrupt file " + file + where + ": " + detail;
    }

    /** {@return the corrupt file} */
    public Path file() {
        return file;
    }

    /** {@return the byte offset of the problem, or {@link #NO_OFFSET}} */
    public long offset() {
        return offset;
    }

    /** {@return true if {@link #offset()} counts decompressed bytes of a compressed file} */
    public boolean decompressedOffset() {
        return decompressedOffset;
    }

    /** {@return the description of the problem without the file name and offset} */
    public String detail() {
        return detail;
    }
}
