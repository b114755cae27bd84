package dev.nsp.data;

import dev.nsp.io.CorruptFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file built by hand (independent of Idx's writer): big-endian magic, dims, then data. */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private CorruptFileException corrupt(Path f, boolean images) {
        return assertThrows(CorruptFileException.class, () -> {
            if (images) {
                Idx.readImages(f);
            } else {
                Idx.readLabels(f);
            }
        });
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void readsHandBuiltImagesPlainAndGzip() throws IOException {
        byte[] px = randomBytes(3 * 4 * 5, 1);
        byte[] raw = idx(0x803, new int[] {3, 4, 5}, px);
        for (boolean gz : new boolean[] {false, true}) {
            Path f = file("img" + gz, gz ? gzip(raw) : raw);
            IdxImages im = Idx.readImages(f);
            assertEquals(3, im.count());
            assertEquals(4, im.rows());
            assertEquals(5, im.cols());
            assertArrayEquals(px, im.pixels());
            assertEquals(gz, Idx.isGzip(f));
        }
    }

    @Test
    void writerRoundTripsAndWritesTheStandardLayout() throws IOException {
        byte[] px = randomBytes(7 * 3 * 2, 2);
        byte[] labels = {0, 9, 3, 3, 5, 1, 2};
        IdxImages im = new IdxImages(7, 3, 2, px);
        for (boolean gz : new boolean[] {false, true}) {
            Path fi = dir.resolve("i" + gz);
            Path fl = dir.resolve("l" + gz);
            Idx.writeImages(fi, im, gz);
            Idx.writeLabels(fl, labels, gz);
            assertEquals(gz, Idx.isGzip(fi));
            if (!gz) {
                assertArrayEquals(idx(0x803, new int[] {7, 3, 2}, px), Files.readAllBytes(fi));
                assertArrayEquals(idx(0x801, new int[] {7}, labels), Files.readAllBytes(fl));
            }
            IdxImages back = Idx.readImages(fi);
            assertEquals(7, back.count());
            assertArrayEquals(px, back.pixels());
            assertArrayEquals(labels, Idx.readLabels(fl, 10));
        }
    }

    @Test
    void gzipIsDetectedByContentNotByName() throws IOException {
        byte[] raw = idx(0x801, new int[] {3}, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Idx.readLabels(file("labels.idx", gzip(raw))));
        assertArrayEquals(new byte[] {1, 2, 3}, Idx.readLabels(file("labels.gz", raw)));
    }

    @Test
    void emptyDataSetIsValid() throws IOException {
        IdxImages im = Idx.readImages(file("e", idx(0x803, new int[] {0, 28, 28}, new byte[0])));
        assertEquals(0, im.count());
        assertEquals(0, Idx.readLabels(file("l", idx(0x801, new int[] {0}, new byte[0]))).length);
    }

    @Test
    void largerGzipDataGrowsItsBuffer() throws IOException {
        // more than GZIP_INITIAL_CAPACITY, so the buffer doubles at least twice
        int n = 3 * Idx.GZIP_INITIAL_CAPACITY + 123;
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        Path f = file("big.gz", gzip(idx(0x801, new int[] {n}, labels)));
        assertArrayEquals(labels, Idx.readLabels(f, 10));
    }

    // ---------------------------------------------------------------- corruption

    @Test
    void badMagic() throws IOException {
        byte[] raw = idx(0x803, new int[] {1, 2, 2}, new byte[4]);
        raw[1] = 0x42;
        for (boolean gz : new boolean[] {false, true}) {
            CorruptFileException e = corrupt(file("m" + gz, gz ? gzip(raw) : raw), true);
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("bad magic 0x00420803"), e.getMessage());
            assertTrue(e.getMessage().contains("m" + gz), "names the file: " + e.getMessage());
            assertEquals(gz, e.decompressedOffset());
        }
    }

    @Test
    void unsupportedDataType() throws IOException {
        byte[] raw = idx(0x0D03, new int[] {1, 2, 2}, new byte[16]);   // 0x0D = float
        CorruptFileException e = corrupt(file("t", raw), true);
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("not unsigned byte"), e.getMessage());
    }

    @Test
    void wrongDimensionCount() throws IOException {
        Path labels = file("labels", idx(0x801, new int[] {4}, new byte[4]));
        CorruptFileException e = corrupt(labels, true);     // a label file read as images
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("1 dimensions") && e.getMessage().contains("expected 3"), e.getMessage());
        Path images = file("images", idx(0x803, new int[] {1, 2, 2}, new byte[4]));
        e = corrupt(images, false);
        assertTrue(e.getMessage().contains("3 dimensions") && e.getMessage().contains("expected 1"), e.getMessage());
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] raw = idx(0x803, new int[] {1, 2, 2}, new byte[4]);
        for (int len : new int[] {0, 2, 4, 9, 15}) {
            for (boolean gz : new boolean[] {false, true}) {
                byte[] cut = Arrays.copyOf(raw, len);
                CorruptFileException e = corrupt(file("h" + len + gz, gz ? gzip(cut) : cut), true);
                assertEquals(len, e.offset(), e.getMessage());
                assertTrue(e.getMessage().contains("truncated header"), e.getMessage());
            }
        }
    }

    @Test
    void truncatedData() throws IOException {
        byte[] raw = idx(0x803, new int[] {3, 4, 5}, randomBytes(60, 3));
        byte[] cut = Arrays.copyOf(raw, raw.length - 7);
        CorruptFileException e = corrupt(file("d", cut), true);
        assertEquals(cut.length, e.offset());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("76"), e.getMessage());
        e = corrupt(file("d.gz", gzip(cut)), true);
        assertEquals(cut.length, e.offset());
        assertTrue(e.decompressedOffset());
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] raw = idx(0x801, new int[] {3}, new byte[] {1, 2, 3});
        byte[] longer = Arrays.copyOf(raw, raw.length + 1);
        CorruptFileException e = corrupt(file("x", longer), false);
        assertEquals(raw.length, e.offset());
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
        e = corrupt(file("x.gz", gzip(longer)), false);
        assertEquals(raw.length, e.offset());
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void forgedHugeDimensionsFailCleanlyWithoutAllocating() throws IOException {
        // 2^31-1 cubed would be ~10^28 bytes; 60000 x 60000 x 60000 would be 2*10^14; neither may be allocated
        for (int[] dims : new int[][] {{Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
                {60000, 60000, 60000}, {Integer.MAX_VALUE - 9, 1, 1}}) {
            byte[] raw = idx(0x803, dims, new byte[100]);
            CorruptFileException e = corrupt(file("huge", raw), true);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            e = corrupt(file("huge.gz", gzip(raw)), true);
            assertTrue(e.getMessage().contains("more than a gzip file"), e.getMessage());
        }
        // a dimension with the top bit set (> 2^31 - 1 as unsigned)
        byte[] raw = idx(0x801, new int[] {0x80000000}, new byte[0]);
        CorruptFileException e = corrupt(file("neg", raw), false);
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().contains("2147483648"), e.getMessage());
    }

    @Test
    void forgedLengthWithinTheDeflateBoundIsReadIncrementallyAndFails() throws IOException {
        // 4 MiB of zeros compress to ~4 KiB, so a declared 4 MiB + 1 passes the plausibility bound; the
        // reader must grow its buffer with the data and report the truncation.
        int n = 4 << 20;
        byte[] raw = idx(0x801, new int[] {n + 1}, new byte[n]);
        CorruptFileException e = corrupt(file("z.gz", gzip(raw)), false);
        assertEquals(8 + n, e.offset());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptOrTruncatedGzipStream() throws IOException {
        byte[] gz = gzip(idx(0x803, new int[] {10, 8, 8}, randomBytes(640, 4)));
        CorruptFileException e = corrupt(file("cut.gz", Arrays.copyOf(gz, gz.length - 20)), true);
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        byte[] bad = gz.clone();
        bad[bad.length - 6] ^= 0x55;     // the CRC32 in the gzip trailer
        e = corrupt(file("crc.gz", bad), true);
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        byte[] header = Arrays.copyOf(gz, 5);      // gzip magic, then nothing usable
        e = corrupt(file("hdr.gz", header), true);
        assertEquals(0, e.offset());
    }

    @Test
    void labelRange() throws IOException {
        Path f = file("l", idx(0x801, new int[] {4}, new byte[] {0, 9, 10, 3}));
        assertEquals(4, Idx.readLabels(f).length);   // unchecked read accepts any byte
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> Idx.readLabels(f, 10));
        assertEquals(8 + 2, e.offset());
        assertTrue(e.getMessage().contains("label 10 of item 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Idx.readLabels(f, 0));
        assertFalse(Idx.isGzip(f));
    }
}
