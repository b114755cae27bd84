package dev.nsp.reliability;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.data.Idx;
import dev.nsp.data.IdxImages;
import dev.nsp.data.TarReader;
import dev.nsp.io.CorruptFileException;
import dev.nsp.io.Sha256;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.ModelFile;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.GZIPOutputStream;

/**
 * The file parsers of nsp as fuzz targets: each takes arbitrary bytes and either parses them or throws the
 * exception its Javadoc documents, with a message that names the file. Anything else (another exception type,
 * an {@link OutOfMemoryError} from a forged size, a message without the file name) escapes as a failure.
 *
 * <ul>
 *   <li>IDX images and labels ({@link Idx}): {@link CorruptFileException}, plain or gzip;</li>
 *   <li>tar archives ({@link TarReader}, every entry read to its end): {@link CorruptFileException};</li>
 *   <li>model files ({@link ModelFile#decode}): {@link CorruptFileException}; {@link #modelBody} first gives the
 *       bytes a valid header and SHA-256, so that mutations reach the field parser behind the checksum;</li>
 *   <li>CSV grids ({@link CsvTable#read}): {@link IllegalArgumentException} naming the file and line.</li>
 * </ul>
 */
final class FormatTargets {
    /** Formats, in the order of the selector byte of {@link #any}. */
    static final String[] FORMATS = {"idx-images", "idx-labels", "tar", "model", "model-body", "csv"};
    /** Inputs run per format since class loading (the report's numbers). */
    static final AtomicLongArray RUNS = new AtomicLongArray(FORMATS.length);

    private static final Path DIR = scratchDir();

    private FormatTargets() {
    }

    private static Path scratchDir() {
        try {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            Path d = Files.createTempDirectory(base, "nsp-fuzz-");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the target that the first byte selects on the remaining bytes. */
    static void any(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        switch (Math.floorMod(data[0], FORMATS.length)) {
            case 0 -> idxImages(rest);
            case 1 -> idxLabels(rest);
            case 2 -> tar(rest);
            case 3 -> model(rest);
            case 4 -> modelBody(rest);
            default -> csv(rest);
        }
    }

    static void idxImages(byte[] data) throws IOException {
        RUNS.incrementAndGet(0);
        Path f = write("images.idx", data);
        try {
            IdxImages im = Idx.readImages(f);
            check(im.pixels().length == (long) im.count() * im.rows() * im.cols(), "pixel count");
        } catch (CorruptFileException e) {
            namesFile(e, f);
        }
    }

    static void idxLabels(byte[] data) throws IOException {
        RUNS.incrementAndGet(1);
        Path f = write("labels.idx", data);
        try {
            byte[] labels = Idx.readLabels(f, 10);
            for (byte b : labels) {
                check((b & 0xff) < 10, "label range");
            }
        } catch (CorruptFileException e) {
            namesFile(e, f);
        }
    }

    static void tar(byte[] data) throws IOException {
        RUNS.incrementAndGet(2);
        Path f = Path.of("fuzz.tar");
        try (TarReader t = new TarReader(new ByteArrayInputStream(data), f, false)) {
            for (TarReader.Entry e; (e = t.next()) != null; ) {
                long n = t.content().transferTo(OutputStream.nullOutputStream());
                check(n == e.size(), "entry " + e.name() + " gave " + n + " bytes, its size is " + e.size());
            }
        } catch (CorruptFileException e) {
            namesFile(e, f);
        }
    }

    static void model(byte[] data) {
        RUNS.incrementAndGet(3);
        decodeModel(data);
    }

    /** The bytes as the body of a model file with a valid header, length and checksum. */
    static void modelBody(byte[] body) {
        RUNS.incrementAndGet(4);
        decodeModel(withHeaderAndChecksum(body));
    }

    static void csv(byte[] data) throws IOException {
        RUNS.incrementAndGet(5);
        Path f = write("grid.csv", data);
        try {
            CsvTable t = CsvTable.read(f, "x");
            for (String c : t.header()) {
                check(t.column(c).length == t.size(), "column length");
            }
        } catch (IllegalArgumentException e) {
            namesFile(e, f);
        }
    }

    private static void decodeModel(byte[] bytes) {
        Path f = Path.of("fuzz.nspm");
        try {
            SavedModel m = ModelFile.decode(bytes, f);
            check(Arrays.equals(ModelFile.encode(m), bytes), "a decoded model re-encodes to other bytes");
        } catch (CorruptFileException e) {
            namesFile(e, f);
        }
    }

    static byte[] withHeaderAndChecksum(byte[] body) {
        long total = (long) ModelFile.HEADER_BYTES + body.length + ModelFile.CHECKSUM_BYTES;
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ModelFile.MAGIC).putInt(ModelFile.VERSION).putLong(total).put(body);
        byte[] out = b.array();
        byte[] sum = Sha256.newDigest().digest(Arrays.copyOf(out, out.length - ModelFile.CHECKSUM_BYTES));
        System.arraycopy(sum, 0, out, out.length - ModelFile.CHECKSUM_BYTES, ModelFile.CHECKSUM_BYTES);
        return out;
    }

    private static Path write(String name, byte[] data) throws IOException {
        Path f = DIR.resolve(Thread.currentThread().threadId() + "-" + name);
        Files.write(f, data);
        return f;
    }

    private static void namesFile(Exception e, Path f) {
        String m = e.getMessage();
        if (m == null || !m.contains(f.toString())) {
            throw new AssertionError("message does not name the file " + f + ": " + m, e);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("parser returned an inconsistent result: " + what);
        }
    }

    // ---------------------------------------------------------------- seeds: one valid file per format

    /** @return valid inputs of every format (the fuzzer's starting points), selector byte first */
    static List<byte[]> anySeeds() {
        List<byte[]> out = new ArrayList<>();
        for (int f = 0; f < FORMATS.length; f++) {
            for (byte[] s : seeds(f)) {
                byte[] b = new byte[s.length + 1];
                b[0] = (byte) f;
                System.arraycopy(s, 0, b, 1, s.length);
                out.add(b);
            }
        }
        return out;
    }

    /** @return valid inputs of one format */
    static List<byte[]> seeds(int format) {
        try {
            return switch (format) {
                case 0 -> List.of(idx(0x803, new int[] {2, 3, 4}, 24, false), idx(0x803, new int[] {1, 2, 2}, 4, true));
                case 1 -> List.of(idx(0x801, new int[] {5}, 5, false), idx(0x801, new int[] {3}, 3, true));
                case 2 -> List.of(tarArchive());
                case 3 -> List.of(ModelFile.encode(tinyModel()));
                case 4 -> {
                    byte[] m = ModelFile.encode(tinyModel());
                    yield List.of(Arrays.copyOfRange(m, ModelFile.HEADER_BYTES, m.length - ModelFile.CHECKSUM_BYTES));
                }
                default -> List.of("x,sigma,k\n0.1,0.2,0.3\n-1,0,1e-3\n".getBytes(StandardCharsets.UTF_8),
                        "# comment\nx\n\n1\n".getBytes(StandardCharsets.UTF_8));
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] idx(int magic, int[] dims, int dataBytes, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(4 + 4 * dims.length);
        h.putInt(magic);
        for (int d : dims) {
            h.putInt(d);
        }
        byte[] data = new byte[dataBytes];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 10);
        }
        try (OutputStream o = gzip ? new GZIPOutputStream(bytes) : bytes) {
            o.write(h.array());
            o.write(data);
        }
        return bytes.toByteArray();
    }

    private static SavedModel tinyModel() {
        Architecture a = Architecture.parse("2c3-2s-4", 1, 6, 6);
        List<float[]> w = new ArrayList<>();
        for (var l : a.layers()) {
            float[] v = new float[(int) l.weightCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i % 7 - 3) * 0.125f;
            }
            w.add(v);
        }
        return new SavedModel(a, Activation.noisySoftplus(0.3, 201, 5), 1.0,
                new TrainingInfo(1, 0.3, 50, 7, "reference", Map.of("note", "fuzz seed")), w);
    }

    /** A ustar archive with one regular file and one directory, and its end-of-archive blocks. */
    private static byte[] tarArchive() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] content = "hello, tar\n".getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(tarHeader("package/data/file.txt", content.length, '0'));
        out.writeBytes(Arrays.copyOf(content, 512));
        out.writeBytes(tarHeader("package/dir/", 0, '5'));
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static byte[] tarHeader(String name, long size, char type) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int at, int width, long v) {
        String s = String.format("%0" + (width - 1) + "o", v);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, width - 1);
        h[at + width - 1] = 0;
    }

    /** @return a readable summary of {@link #RUNS} */
    static String summary() {
        StringBuilder sb = new StringBuilder();
        long total = 0;
        for (int i = 0; i < FORMATS.length; i++) {
            long n = RUNS.get(i);
            total += n;
            sb.append(i == 0 ? "" : ", ").append(FORMATS[i]).append(' ').append(n);
        }
        return total + " inputs (" + sb + ")";
    }
}
