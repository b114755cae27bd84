package dev.nsp.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file's SHA-256 differs from the expected one. The message names the file and both hashes and
 * says what was done with the file (nsp never deletes a file the user had because of a mismatch).
 */
public final class ChecksumMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** The expected lower-case hex SHA-256. */
    private final String expected;
    /** The computed lower-case hex SHA-256. */
    private final String actual;

    /**
     * Creates the exception.
     *
     * @param file the file (or archive member) whose content does not match
     * @param expected the expected lower-case hex SHA-256
     * @param actual the computed lower-case hex SHA-256
     * @param note what happened to the file, appended to the message (e.g. "it was left in place")
     */
    public ChecksumMismatchException(Path file, String expected, String actual, String note) {
        super("sha256 mismatch for " + file + ": expected " + expected + ", actual " + actual
                + (note == null || note.isEmpty() ? "" : "; " + note));
        this.file = file;
        this.expected = expected;
        this.actual = actual;
    }

    /** {@return the file whose content does not match} */
    public Path file() {
        return file;
    }

    /** {@return the expected lower-case hex SHA-256} */
    public String expected() {
        return expected;
    }

    /** {@return the computed lower-case hex SHA-256} */
    public String actual() {
        return actual;
    }
}
