package dev.nsp.model;

import dev.nsp.io.CorruptFileException;
import dev.nsp.io.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {
    @TempDir
    Path dir;

    private static final Path NAME = Path.of("m.nspm");

    static SavedModel model(Architecture a, Activation act, long seed) {
        Random r = new Random(seed);
        List<float[]> w = new ArrayList<>();
        for (Layer l : a.layers()) {
            float[] f = new float[(int) l.weightCount()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) (r.nextGaussian() * 0.1);
            }
            w.add(f);
        }
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("sigma-gradient", "constant");
        notes.put("test-accuracy", "0.9703");
        notes.put("comment", "σ ≥ 0, ünïcödé");
        return new SavedModel(a, act, 1.0, new TrainingInfo(10, 0.5, 50, -1234567890123L, "vector", notes), w);
    }

    static SavedModel paper() {
        return model(Architecture.paper(), Activation.noisySoftplus(0.30, 201, 5), 42);
    }

    /** Recomputes the trailing SHA-256 so field validation behind the checksum can be tested. */
    static byte[] resign(byte[] b) {
        byte[] sum = Sha256.newDigest().digest(Arrays.copyOf(b, b.length - 32));
        byte[] out = b.clone();
        System.arraycopy(sum, 0, out, b.length - 32, 32);
        return out;
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Offset of the first tensor record (its layer index): the tensors are the last thing before the checksum. */
    static int firstTensor(byte[] b, SavedModel m) {
        int tensorBytes = 0;
        for (Layer l : m.architecture().layers()) {
            if (l.weightCount() > 0) {
                tensorBytes += 4 + 4 + 4 * l.weightShape().length + 4 * (int) l.weightCount();
            }
        }
        return b.length - 32 - tensorBytes;
    }

    static CorruptFileException corrupt(byte[] bytes) {
        return assertThrows(CorruptFileException.class, () -> ModelFile.decode(bytes, NAME));
    }

    static void assertMessage(CorruptFileException e, String part) {
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
        assertTrue(e.getMessage().contains("m.nspm"), "names the file: " + e.getMessage());
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void roundTripsThePaperAndTheWideNet() throws IOException {
        List<SavedModel> models = List.of(paper(),
                model(Architecture.wide(), Activation.relu(1.0), 7),
                model(Architecture.parse("4c3x5-2s-20-10", 2, 10, 12), Activation.softplus(0.3, 0.25, 1.005), 8));
        for (SavedModel m : models) {
            Path f = dir.resolve(m.architecture().spec() + ".nspm");
            ModelFile.save(f, m);
            SavedModel back = ModelFile.load(f);
            assertEquals(m, back);
            for (int i = 0; i < m.architecture().layers().size(); i++) {
                assertArrayEquals(m.weights(i), back.weights(i));
            }
            assertEquals(m.training().notes(), back.training().notes());
            assertEquals(List.copyOf(m.training().notes().keySet()), List.copyOf(back.training().notes().keySet()));
            assertArrayEquals(ModelFile.encode(m), Files.readAllBytes(f), "deterministic encoding");
        }
        assertNotEquals(models.get(0), model(Architecture.paper(), Activation.noisySoftplus(0.30, 201, 5), 43));
    }

    @Test
    void layoutOfTheHeader() {
        SavedModel m = paper();
        byte[] b = ModelFile.encode(m);
        assertEquals("NSPM", new String(b, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, le(b).getInt(4));
        assertEquals(b.length, le(b).getLong(8));
        assertEquals(17, le(b).getShort(16));
        assertEquals("6c5-2s-12c5-2s-10", new String(b, 18, 17, java.nio.charset.StandardCharsets.UTF_8));
        // the first weight of layer 0 is the first float after: index 0, rank 4, dims 6 1 5 5
        int t = firstTensor(b, m);
        assertEquals(0, le(b).getInt(t));
        assertEquals(4, le(b).getInt(t + 4));
        assertEquals(6, le(b).getInt(t + 8));
        assertEquals(m.weights(0)[0], le(b).getFloat(t + 24));
        int expected = 16              // magic, version, length
                + 2 + 17                // architecture string
                + 12 + 4                // input shape, layer count
                + 17 + 1 + 17 + 1 + 9   // conv(kind + 4 u32), pool(kind), conv, pool, dense(kind + 2 u32)
                + 2 + 14                // "noisy-softplus"
                + 5 * 8 + 8             // k, S, tau_s, p, sigma; input scale
                + 4 + 8 + 4 + 8         // epochs, learning rate, batch, seed
                + 2 + 6                 // "vector"
                + 4 + noteBytes(m)      // notes
                + 4;                    // tensor count
        assertEquals(expected, t, "the fields before the tensors are where the doc says");
    }

    private static int noteBytes(SavedModel m) {
        int n = 0;
        for (Map.Entry<String, String> e : m.training().notes().entrySet()) {
            n += 4 + e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return n;
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("model.nspm");
        ModelFile.save(f, paper());
        SavedModel wide = model(Architecture.wide(), Activation.relu(1), 3);
        ModelFile.save(f, wide);
        assertEquals(wide, ModelFile.load(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    // ---------------------------------------------------------------- corruption

    @Test
    void everySingleByteFlipIsDetected() {
        SavedModel m = paper();
        byte[] good = ModelFile.encode(m);
        int tensors = firstTensor(good, m);
        for (int i = 0; i < good.length; i++) {
            if (i > tensors + 12 && i < good.length - 32 && i % 17 != 0) {
                continue;   // inside the weights every 17th byte suffices (they only reach the checksum)
            }
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            int at = i;
            assertThrows(CorruptFileException.class, () -> ModelFile.decode(bad, NAME), () -> "flip at byte " + at);
        }
    }

    @Test
    void flippedWeightIsAChecksumError() throws IOException {
        SavedModel m = paper();
        Path f = dir.resolve("m.nspm");
        ModelFile.save(f, m);
        byte[] b = Files.readAllBytes(f);
        b[firstTensor(b, m) + 100] ^= 0x01;
        Files.write(f, b);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(f));
        assertMessage(e, "checksum mismatch");
        assertEquals(b.length - 32, e.offset());
        assertEquals(f, e.file());
    }

    @Test
    void truncatedFilesReportWhereTheyEnd() throws IOException {
        byte[] good = ModelFile.encode(paper());
        for (int len : new int[] {0, 2, 4, 15, 16, 17, 100, good.length - 33, good.length - 1}) {
            Path f = dir.resolve("m.nspm");
            Files.write(f, Arrays.copyOf(good, len));
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> ModelFile.load(f));
            assertEquals(len, e.offset(), e.getMessage());
            assertMessage(e, len < 16 ? "truncated header" : "truncated: the file ends at byte " + len);
        }
    }

    @Test
    void trailingBytes() {
        byte[] good = ModelFile.encode(paper());
        CorruptFileException e = corrupt(Arrays.copyOf(good, good.length + 3));
        assertEquals(good.length, e.offset());
        assertMessage(e, "trailing bytes");
    }

    @Test
    void wrongMagic() {
        byte[] b = ModelFile.encode(paper());
        b[3] = 'X';
        CorruptFileException e = corrupt(b);
        assertEquals(0, e.offset());
        assertMessage(e, "bad magic 4e535058");
        assertMessage(corrupt(new byte[] {0, 0, 8, 3, 0, 0, 0, 1}), "not an nsp model file");
    }

    @Test
    void futureAndInvalidVersions() {
        byte[] b = ModelFile.encode(paper());
        le(b).putInt(4, 2);
        CorruptFileException e = corrupt(b);
        assertEquals(4, e.offset());
        assertMessage(e, "format version 2 is newer than this nsp reads (1)");
        le(b).putInt(4, 0);
        assertMessage(corrupt(b), "invalid format version 0");
    }

    @Test
    void forgedLengthField() {
        byte[] b = ModelFile.encode(paper());
        le(b).putLong(8, Long.MAX_VALUE);
        assertMessage(corrupt(b), "declared length");
        le(b).putLong(8, 20);
        assertMessage(corrupt(b), "declared length 20");
    }

    @Test
    void invalidFieldsBehindAValidChecksum() {
        SavedModel m = paper();
        byte[] good = ModelFile.encode(m);
        int layers = 16 + 2 + 17 + 12;          // the layer count
        int t = firstTensor(good, m);

        byte[] b = good.clone();
        le(b).putInt(layers, 1000);
        assertMessage(corrupt(resign(b)), "'layer count' is 1000, at most 64");

        b = good.clone();
        b[layers + 4] = 9;                      // kind of layer 0
        assertMessage(corrupt(resign(b)), "unknown layer kind 9");

        b = good.clone();
        le(b).putInt(layers + 5, 7);            // layer 0: 7 output channels, but layer 2 expects 6
        assertMessage(corrupt(resign(b)), "in = 6, but it receives 7 channels");

        b = good.clone();
        le(b).putInt(layers + 5, 0);
        assertMessage(corrupt(resign(b)), "out: 0, must be >= 1");

        b = good.clone();
        b[19] = '7';                            // "6c5-2s-17c5-2s-10" in the architecture string
        assertMessage(corrupt(resign(b)), "does not match the layers");

        b = good.clone();
        le(b).putInt(t + 8, Integer.MAX_VALUE); // forged tensor dimension: rejected before allocating
        CorruptFileException e = corrupt(resign(b));
        assertMessage(e, "tensors[0] has shape [2147483647, 1, 5, 5]");
        assertEquals(t + 8, e.offset());

        b = good.clone();
        le(b).putInt(t + 4, 100);               // rank
        assertMessage(corrupt(resign(b)), "'tensors[0] rank' is 100, at most 8");

        b = good.clone();
        le(b).putInt(t, 1);                     // tensor for the pooling layer
        assertMessage(corrupt(resign(b)), "tensors[0] is for layer 1");

        b = good.clone();
        le(b).putFloat(t + 24, Float.NaN);
        e = corrupt(resign(b));
        assertMessage(e, "element 0 is NaN");
        assertEquals(t + 24, e.offset());

        // the last tensor cut short by 8 bytes, length field and checksum consistent with that
        b = Arrays.copyOf(good, good.length - 8);
        System.arraycopy(good, good.length - 32, b, b.length - 32, 32);
        le(b).putLong(8, b.length);
        e = corrupt(resign(b));
        assertMessage(e, "'tensors[2] data' needs 7680 bytes, only 7672 are left");

        // extra bytes between the last tensor and the checksum
        b = Arrays.copyOf(good, good.length + 4);
        System.arraycopy(good, good.length - 32, b, b.length - 32, 32);
        le(b).putLong(8, b.length);
        e = corrupt(resign(b));
        assertMessage(e, "4 unexpected bytes before the checksum");
        assertEquals(good.length - 32, e.offset());
    }

    @Test
    void savedModelValidates() {
        Architecture a = Architecture.paper();
        Activation act = Activation.relu(1);
        TrainingInfo t = TrainingInfo.of(1, 0.1, 50, 1, "reference");
        List<float[]> w = new ArrayList<>(paper().weights());
        ArchitectureTest.assertMessage("5 layers", () -> new SavedModel(a, act, 1, t, w.subList(0, 4)));
        w.set(1, new float[1]);
        ArchitectureTest.assertMessage("weights[1]: length 1", () -> new SavedModel(a, act, 1, t, w));
        w.set(1, new float[0]);
        w.get(4)[3] = Float.POSITIVE_INFINITY;
        ArchitectureTest.assertMessage("weights[4][3]", () -> new SavedModel(a, act, 1, t, w));
        w.get(4)[3] = 0;
        ArchitectureTest.assertMessage("inputScale", () -> new SavedModel(a, act, 0, t, w));
        SavedModel ok = new SavedModel(a, act, 1, t, w);
        w.get(0)[0] = 99;
        assertNotEquals(99f, ok.weights(0)[0], "the model copied the arrays");
        ok.weights().get(0)[0] = 99;
        assertNotEquals(99f, ok.weights(0)[0], "the accessor returns copies");
        ArchitectureTest.assertMessage("batchSize", () -> TrainingInfo.of(1, 0.1, 0, 1, "x"));
    }
}
