package dev.nsp.data;

import dev.nsp.io.CorruptFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TarReaderTest {
    @TempDir
    Path dir;

    private static final String LONG = "package/" + "d".repeat(60) + "/" + "e".repeat(70) + "/long-name.bin";

    private static TarBuilder mixed() {
        return new TarBuilder()
                .directory("package/")
                .file("package/package.json", "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8))
                .file("package/data/empty", new byte[0])
                .file("package/data/block", IdxTest.randomBytes(512, 5))
                .file("package/data/odd", IdxTest.randomBytes(1025, 6))
                .symlink("package/link")
                .file("package/" + "p".repeat(120), "deep/name.txt", "prefixed".getBytes(StandardCharsets.UTF_8))
                .gnuLongName(LONG, "gnu".getBytes(StandardCharsets.UTF_8))
                .paxPath(LONG + ".pax", "pax".getBytes(StandardCharsets.UTF_8))
                .base256File("package/big-size-field", "b256".getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, byte[]> readAll(TarReader tar, List<TarReader.Entry> entries) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (TarReader.Entry e; (e = tar.next()) != null; ) {
            entries.add(e);
            files.put(e.name(), tar.content().readAllBytes());
        }
        assertNull(tar.next(), "stays at the end");
        return files;
    }

    @Test
    void readsUstarPrefixGnuLongNamesPaxAndBase256Sizes() throws IOException {
        List<TarReader.Entry> entries = new ArrayList<>();
        Map<String, byte[]> files;
        try (TarReader tar = new TarReader(new ByteArrayInputStream(mixed().tar()), Path.of("t.tar"), false)) {
            files = readAll(tar, entries);
        }
        assertEquals(List.of("package/", "package/package.json", "package/data/empty", "package/data/block",
                "package/data/odd", "package/link", "package/" + "p".repeat(120) + "/deep/name.txt", LONG,
                LONG + ".pax", "package/big-size-field"), new ArrayList<>(files.keySet()));
        assertArrayEquals(IdxTest.randomBytes(512, 5), files.get("package/data/block"));
        assertArrayEquals(IdxTest.randomBytes(1025, 6), files.get("package/data/odd"));
        assertEquals(0, files.get("package/data/empty").length);
        assertEquals("prefixed", new String(files.get("package/" + "p".repeat(120) + "/deep/name.txt"), StandardCharsets.UTF_8));
        assertEquals("gnu", new String(files.get(LONG), StandardCharsets.UTF_8));
        assertEquals("pax", new String(files.get(LONG + ".pax"), StandardCharsets.UTF_8));
        assertEquals("b256", new String(files.get("package/big-size-field"), StandardCharsets.UTF_8));
        assertFalse(entries.get(0).isFile());
        assertEquals('5', entries.get(0).type());
        assertFalse(entries.get(5).isFile());
        assertTrue(entries.get(1).isFile());
        assertEquals(512, entries.get(1).offset(), "header offsets are counted");
        assertEquals(1536, entries.get(2).offset(), "after package.json's header and its one data block");
    }

    @Test
    void skipsUnreadAndPartlyReadData() throws IOException {
        try (TarReader tar = new TarReader(new ByteArrayInputStream(mixed().tar()), Path.of("t.tar"), false)) {
            List<String> names = new ArrayList<>();
            for (TarReader.Entry e; (e = tar.next()) != null; ) {
                names.add(e.name());
                if (e.name().equals("package/data/odd")) {
                    InputStream in = tar.content();
                    byte[] first = new byte[100];
                    assertEquals(100, in.readNBytes(first, 0, 100));
                    assertArrayEquals(Arrays.copyOf(IdxTest.randomBytes(1025, 6), 100), first);
                }
            }
            assertEquals(10, names.size());
            assertEquals("package/big-size-field", names.getLast());
        }
    }

    @Test
    void opensGzippedAndPlainFilesByContent() throws IOException {
        TarBuilder b = new TarBuilder().file("a/b", new byte[] {1, 2, 3});
        Path tgz = Files.write(dir.resolve("x.tar"), b.tgz());     // gzip despite the name
        Path tar = Files.write(dir.resolve("y.tgz"), b.tar());     // plain despite the name
        for (Path p : new Path[] {tgz, tar}) {
            try (TarReader r = TarReader.open(p)) {
                TarReader.Entry e = r.next();
                assertEquals("a/b", e.name());
                assertEquals(3, e.size());
                assertArrayEquals(new byte[] {1, 2, 3}, r.content().readAllBytes());
                assertNull(r.next());
            }
        }
    }

    @Test
    void oneZeroBlockAtTheEndIsAccepted() throws IOException {
        byte[] t = new TarBuilder().file("f", new byte[] {7}).tar();
        byte[] oneBlock = Arrays.copyOf(t, t.length - 512);
        try (TarReader r = new TarReader(new ByteArrayInputStream(oneBlock), Path.of("t"), false)) {
            assertEquals("f", r.next().name());
            assertNull(r.next());
        }
    }

    @Test
    void headerChecksumMismatchIsReportedWithItsOffset() throws IOException {
        byte[] t = new TarBuilder().file("first", new byte[10]).file("second", new byte[10]).tar();
        t[1024 + 3] ^= 1;   // a name byte of the second header
        try (TarReader r = new TarReader(new ByteArrayInputStream(t), Path.of("bad.tar"), false)) {
            r.next();
            CorruptFileException e = assertThrows(CorruptFileException.class, r::next);
            assertEquals(1024 + 148, e.offset());
            assertTrue(e.getMessage().contains("bad.tar") && e.getMessage().contains("checksum"), e.getMessage());
        }
    }

    @Test
    void truncatedArchives() throws IOException {
        byte[] t = new TarBuilder().file("f", new byte[700]).tar();
        // inside the data: reading the content fails
        try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 512 + 300)), Path.of("t"), false)) {
            r.next();
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> r.content().readAllBytes());
            assertEquals(812, e.offset());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        // inside the data: skipping it fails
        try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 512 + 300)), Path.of("t"), false)) {
            r.next();
            assertThrows(CorruptFileException.class, r::next);
        }
        // inside a header
        try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 200)), Path.of("t"), false)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, r::next);
            assertTrue(e.getMessage().contains("truncated header"), e.getMessage());
        }
        // no end-of-archive blocks
        try (TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(t, 512 + 1024)), Path.of("t"), false)) {
            r.next();
            CorruptFileException e = assertThrows(CorruptFileException.class, r::next);
            assertTrue(e.getMessage().contains("end-of-archive"), e.getMessage());
        }
        // a truncated gzip stream
        byte[] tgz = new TarBuilder().file("f", IdxTest.randomBytes(5000, 7)).tgz();
        Path p = Files.write(dir.resolve("cut.tgz"), Arrays.copyOf(tgz, tgz.length / 2));
        try (TarReader r = TarReader.open(p)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> {
                r.next();
                r.content().readAllBytes();
            });
            assertTrue(e.decompressedOffset());
        }
    }

    @Test
    void badOctalSizeAndTooLargeMetadata() throws IOException {
        byte[] h = TarBuilder.header("", "f", 5, '0', true, false);
        h[130] = '9';   // inside the size field; fix the checksum so the size parser sees it
        rechecksum(h);
        try (TarReader r = new TarReader(new ByteArrayInputStream(h), Path.of("t"), false)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, r::next);
            assertEquals(130, e.offset());
            assertTrue(e.getMessage().contains("octal size"), e.getMessage());
        }
        byte[] meta = TarBuilder.header("", "././@LongLink", 1L << 32, 'L', false, false);
        try (TarReader r = new TarReader(new ByteArrayInputStream(meta), Path.of("t"), false)) {
            CorruptFileException e = assertThrows(CorruptFileException.class, r::next);
            assertTrue(e.getMessage().contains("metadata entry"), e.getMessage());
        }
    }

    @Test
    void contentBeforeNextIsAnError() {
        TarReader r = new TarReader(new ByteArrayInputStream(new byte[0]), Path.of("t"), false);
        assertThrows(IllegalStateException.class, r::content);
    }

    private static void rechecksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] s = String.format("%06o\0", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, h, 148, s.length);
    }
}
