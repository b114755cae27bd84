package dev.nsp.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void writesNewFileAndReplacesOld() throws IOException {
        Path f = dir.resolve("sub/a.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.write(f, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello", Files.readString(f));
        assertEquals(1, filesIn(f.getParent()), "no temporary file is left behind");
    }

    @Test
    void failingWriterLeavesPreviousFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("model.nspm");
        Files.writeString(f, "previous content");
        IOException boom = new IOException("simulated failure mid-way");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);   // more than the buffer: part of it reaches the temporary file
            throw boom;
        }));
        assertSame(boom, e);
        assertEquals("previous content", Files.readString(f));
        assertEquals(1, filesIn(dir), "the temporary file was deleted");
    }

    @Test
    void runtimeExceptionAlsoLeavesPreviousFile() throws IOException {
        Path f = dir.resolve("x");
        Files.writeString(f, "old");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("bug in the writer");
        }));
        assertEquals("old", Files.readString(f));
        assertEquals(1, filesIn(dir));
    }

    @Test
    void newFilesAreWorldReadableAndReplacementsKeepPermissions() throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;     // permissions are a POSIX notion; nothing to check elsewhere
        }
        Path f = dir.resolve("p");
        AtomicFiles.write(f, new byte[] {1});
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.write(f, new byte[] {2});
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void sha256OfKnownInput() throws IOException {
        // FIPS 180-2 test vector
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)));
        Path f = dir.resolve("abc");
        Files.writeString(f, "abc");
        assertEquals(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)), Sha256.ofFile(f));
    }
}
