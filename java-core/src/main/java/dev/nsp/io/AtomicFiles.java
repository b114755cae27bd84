package dev.nsp.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Atomic file writes: the content goes to a temporary file in the target's folder, is flushed to
 * disk, and only then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}. Readers
 * therefore see either the old file or the complete new one, never a partial write. If writing
 * fails (the body throws), the temporary file is deleted and the previous target, if any, is left
 * exactly as it was.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content; may throw to abort the write. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the content.
         *
         * @param out the stream to write to; do not close it
         * @throws IOException to abort: the target is then left untouched
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically. Missing parent folders are created.
     *
     * @param target the file to create or replace
     * @param body writes the content
     * @throws IOException if the body or the file system fails; the target is then unchanged
     */
    public static void write(Path target, Body body) throws IOException {
        Objects.requireNonNull(body, "body");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream raw = Channels.newOutputStream(ch);
                OutputStream out = new BufferedOutputStream(new UncloseableStream(raw), 1 << 16);
                body.write(out);
                out.flush();
                ch.force(true);
            }
            copyPermissions(abs, tmp);
            move(tmp, abs);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Writes {@code bytes} to {@code target} atomically.
     *
     * @param target the file to create or replace
     * @param bytes the complete content
     * @throws IOException if the file system fails; the target is then unchanged
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Renames {@code source} to {@code target} atomically, replacing the target. Both must be in the
     * same folder (or at least on the same file system).
     *
     * @param source the file to rename
     * @param target its new name
     * @throws IOException if the file system cannot rename atomically or fails
     */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + source + " to " + target + " atomically: " + e.getMessage(), e);
        }
    }

    /**
     * Temporary files are created owner-only; give the new file the permissions of the file it
     * replaces, or rw-r--r-- for a new file (where the file system has POSIX permissions).
     */
    private static void copyPermissions(Path target, Path tmp) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /** Keeps the body from closing the file channel before it is forced to disk. */
    private static final class UncloseableStream extends OutputStream {
        private final OutputStream out;

        UncloseableStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
