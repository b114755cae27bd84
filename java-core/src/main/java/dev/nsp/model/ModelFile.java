package dev.nsp.model;

import dev.nsp.io.AtomicFiles;
import dev.nsp.io.CorruptFileException;
import dev.nsp.io.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes nsp model files ({@code .nspm}): magic "NSPM", format version, total length,
 * architecture, activation, input scale, training metadata, the weight tensors as little-endian
 * float32, and a SHA-256 of everything before it. The byte-level layout is in
 * {@code docs/model-format.md}.
 *
 * <p>Saving is atomic (temporary file and rename). Loading checks, in this order and before any
 * allocation that depends on file content: the magic, the version, that the file length equals the
 * length in the header, the checksum, and then every field (sizes against the bytes left, shapes
 * against the architecture). Every problem is a {@link CorruptFileException} naming the file, the
 * byte offset and what is wrong.
 */
public final class ModelFile {
    /** The first four bytes of every model file. */
    public static final byte[] MAGIC = {'N', 'S', 'P', 'M'};
    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = 1;
    /** Bytes of the fixed header: magic, version, total length. */
    public static final int HEADER_BYTES = 16;
    /** Bytes of the trailing SHA-256. */
    public static final int CHECKSUM_BYTES = 32;
    /** The largest model file accepted (1 GiB; the wide net needs 0.2 MB). */
    public static final long MAX_FILE_BYTES = 1L << 30;
    /** The most notes accepted. */
    public static final int MAX_NOTES = 4096;

    private static final int KIND_CONV = 1;
    private static final int KIND_POOL = 2;
    private static final int KIND_DENSE = 3;

    private ModelFile() {
    }

    /**
     * Writes a model atomically.
     *
     * @param file the target (conventionally {@code *.nspm})
     * @param model the model
     * @throws IOException if writing fails; the target is then unchanged
     */
    public static void save(Path file, SavedModel model) throws IOException {
        byte[] bytes = encode(model);
        AtomicFiles.write(file, bytes);
    }

    /**
     * Reads and validates a model file.
     *
     * @param file the file
     * @return the model
     * @throws CorruptFileException if the file is not a valid model file of a supported version
     * @throws IOException if it cannot be read
     */
    public static SavedModel load(Path file) throws IOException {
        long size = Files.size(file);
        byte[] header = new byte[(int) Math.min(size, HEADER_BYTES)];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, header.length) != header.length) {
                throw new IOException(file + ": shrank while being read");
            }
        }
        long declared = checkHeader(file, header, size);
        if (declared > Integer.MAX_VALUE - 8) {
            throw new CorruptFileException(file, 8, "declared length " + declared + " is too large");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != declared) {
            throw new IOException(file + ": changed while being read (" + bytes.length + " bytes, expected " + declared + ")");
        }
        return decode(bytes, file);
    }

    /**
     * The bytes of a model file.
     *
     * @param model the model
     * @return the complete file content
     */
    public static byte[] encode(SavedModel model) {
        Writer w = new Writer();
        w.bytes(MAGIC);
        w.u32(VERSION);
        w.u64(0);   // total length, patched below
        Architecture a = model.architecture();
        w.str(a.spec());
        w.u32(a.channels());
        w.u32(a.rows());
        w.u32(a.cols());
        w.u32(a.layers().size());
        for (Layer l : a.layers()) {
            switch (l) {
                case Layer.Conv c -> {
                    w.u8(KIND_CONV);
                    w.u32(c.out());
                    w.u32(c.in());
                    w.u32(c.kh());
                    w.u32(c.kw());
                }
                case Layer.Pool2x2 p -> w.u8(KIND_POOL);
                case Layer.Dense d -> {
                    w.u8(KIND_DENSE);
                    w.u32(d.out());
                    w.u32(d.in());
                }
            }
        }
        Activation act = model.activation();
        w.str(act.kind().id());
        w.f64(act.k());
        w.f64(act.sHzPerNa());
        w.f64(act.tauSynMs());
        w.f64(act.p());
        w.f64(act.softplusSigma());
        w.f64(model.inputScale());
        TrainingInfo t = model.training();
        w.u32(t.epochs());
        w.f64(t.learningRate());
        w.u32(t.batchSize());
        w.u64(t.seed());
        w.str(t.backend());
        if (t.notes().size() > MAX_NOTES) {
            throw new IllegalArgumentException("notes: " + t.notes().size() + " entries, at most " + MAX_NOTES);
        }
        w.u32(t.notes().size());
        for (Map.Entry<String, String> e : t.notes().entrySet()) {
            w.str(e.getKey());
            w.str(e.getValue());
        }
        List<float[]> weights = model.weights();
        int tensors = 0;
        for (Layer l : a.layers()) {
            tensors += l.weightCount() > 0 ? 1 : 0;
        }
        w.u32(tensors);
        for (int i = 0; i < a.layers().size(); i++) {
            int[] shape = a.layers().get(i).weightShape();
            if (shape.length == 0) {
                continue;
            }
            w.u32(i);
            w.u32(shape.length);
            for (int d : shape) {
                w.u32(d);
            }
            w.floats(weights.get(i));
        }
        long total = (long) w.size() + CHECKSUM_BYTES;
        if (total > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("model: " + total + " bytes, more than " + MAX_FILE_BYTES);
        }
        w.patchU64(8, total);
        byte[] body = w.toArray();
        byte[] out = Arrays.copyOf(body, body.length + CHECKSUM_BYTES);
        byte[] sum = Sha256.newDigest().digest(body);
        System.arraycopy(sum, 0, out, body.length, CHECKSUM_BYTES);
        return out;
    }

    /**
     * Parses and validates the complete content of a model file.
     *
     * @param bytes the content
     * @param file the file name for messages
     * @return the model
     * @throws CorruptFileException if the content is not a valid model file of a supported version
     */
    public static SavedModel decode(byte[] bytes, Path file) throws CorruptFileException {
        long declared = checkHeader(file, Arrays.copyOf(bytes, Math.min(bytes.length, HEADER_BYTES)), bytes.length);
        int bodyEnd = (int) declared - CHECKSUM_BYTES;
        MessageDigest md = Sha256.newDigest();
        md.update(bytes, 0, bodyEnd);
        byte[] sum = md.digest();
        byte[] stored = Arrays.copyOfRange(bytes, bodyEnd, bodyEnd + CHECKSUM_BYTES);
        if (!MessageDigest.isEqual(sum, stored)) {
            HexFormat hex = HexFormat.of();
            throw new CorruptFileException(file, bodyEnd, "checksum mismatch: the stored SHA-256 is "
                    + hex.formatHex(stored) + ", but bytes [0, " + bodyEnd + ") hash to " + hex.formatHex(sum)
                    + " (the file was modified or damaged)");
        }
        Reader r = new Reader(bytes, HEADER_BYTES, bodyEnd, file);
        try {
            return parseBody(r);
        } catch (IllegalArgumentException e) {
            throw r.corrupt(r.fieldStart, "invalid content: " + e.getMessage());
        }
    }

    private static SavedModel parseBody(Reader r) throws CorruptFileException {
        String spec = r.str("architecture");
        int channels = r.count("input channels", Integer.MAX_VALUE);
        int rows = r.count("input rows", Integer.MAX_VALUE);
        int cols = r.count("input cols", Integer.MAX_VALUE);
        int nLayers = r.count("layer count", Architecture.MAX_LAYERS);
        List<Layer> layers = new ArrayList<>(nLayers);
        for (int i = 0; i < nLayers; i++) {
            int kind = r.u8("layers[" + i + "] kind");
            layers.add(switch (kind) {
                case KIND_CONV -> new Layer.Conv(r.count("layers[" + i + "] out", Integer.MAX_VALUE),
                        r.count("layers[" + i + "] in", Integer.MAX_VALUE),
                        r.count("layers[" + i + "] kh", Integer.MAX_VALUE),
                        r.count("layers[" + i + "] kw", Integer.MAX_VALUE));
                case KIND_POOL -> new Layer.Pool2x2();
                case KIND_DENSE -> new Layer.Dense(r.count("layers[" + i + "] out", Integer.MAX_VALUE),
                        r.count("layers[" + i + "] in", Integer.MAX_VALUE));
                default -> throw r.corrupt(r.fieldStart, "layers[" + i + "]: unknown layer kind " + kind
                        + " (1 conv, 2 pool2x2, 3 dense)");
            });
        }
        r.fieldStart = HEADER_BYTES;
        Architecture arch = new Architecture(channels, rows, cols, layers);
        if (!arch.spec().equals(spec)) {
            throw r.corrupt(HEADER_BYTES, "the architecture string '" + spec + "' does not match the layers ("
                    + arch.spec() + ")");
        }
        Activation.Kind kind;
        String kindId = r.str("activation kind");
        try {
            kind = Activation.Kind.parse(kindId);
        } catch (IllegalArgumentException e) {
            throw r.corrupt(r.fieldStart, e.getMessage());
        }
        if (!kind.id().equals(kindId)) {   // files hold the exact id; parse() also accepts other cases and spaces
            throw r.corrupt(r.fieldStart, "activation kind '" + kindId + "' is not spelled as the format requires ('"
                    + kind.id() + "')");
        }
        int actStart = r.fieldStart;
        double k = r.f64("k");
        double s = r.f64("S");
        double tau = r.f64("tau_s");
        double p = r.f64("p");
        double sigma = r.f64("softplus sigma");
        r.fieldStart = actStart;
        Activation act = new Activation(kind, k, s, tau, p, sigma);
        double inputScale = r.f64("input scale");
        int trainStart = r.pos;
        int epochs = r.count("epochs", Integer.MAX_VALUE);
        double lr = r.f64("learning rate");
        int batch = r.count("batch size", Integer.MAX_VALUE);
        long seed = r.i64("seed");
        String backend = r.str("backend");
        int nNotes = r.count("note count", MAX_NOTES);
        Map<String, String> notes = new LinkedHashMap<>();
        for (int i = 0; i < nNotes; i++) {
            String key = r.str("notes[" + i + "] key");
            String value = r.str("notes[" + i + "] value");
            if (notes.put(key, value) != null) {
                throw r.corrupt(r.fieldStart, "notes: duplicate key '" + key + "'");
            }
        }
        r.fieldStart = trainStart;
        TrainingInfo training = new TrainingInfo(epochs, lr, batch, seed, backend, notes);
        int expectedTensors = 0;
        for (Layer l : layers) {
            expectedTensors += l.weightCount() > 0 ? 1 : 0;
        }
        int nTensors = r.count("tensor count", Architecture.MAX_LAYERS);
        if (nTensors != expectedTensors) {
            throw r.corrupt(r.fieldStart, nTensors + " weight tensors, the architecture " + arch.spec() + " has "
                    + expectedTensors);
        }
        List<float[]> weights = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            weights.add(new float[0]);
        }
        int previous = -1;
        for (int t = 0; t < nTensors; t++) {
            int index = r.count("tensors[" + t + "] layer index", layers.size() - 1);
            if (index <= previous || layers.get(index).weightCount() == 0) {
                throw r.corrupt(r.fieldStart, "tensors[" + t + "] is for layer " + index + ", expected the next layer "
                        + "with weights after layer " + previous);
            }
            previous = index;
            int[] want = layers.get(index).weightShape();
            int rank = r.count("tensors[" + t + "] rank", 8);
            int[] shape = new int[rank];
            int shapeStart = r.pos;
            for (int d = 0; d < rank; d++) {
                shape[d] = r.count("tensors[" + t + "] dimension " + d, Integer.MAX_VALUE);
            }
            if (!Arrays.equals(shape, want)) {
                throw r.corrupt(shapeStart, "tensors[" + t + "] has shape " + Arrays.toString(shape) + ", layer " + index
                        + " (" + layers.get(index).token() + ") needs " + Arrays.toString(want));
            }
            weights.set(index, r.floats("tensors[" + t + "] data", layers.get(index).weightCount()));
        }
        if (r.pos != r.end) {
            throw r.corrupt(r.pos, (r.end - r.pos) + " unexpected bytes before the checksum");
        }
        r.fieldStart = r.pos;
        return new SavedModel(arch, act, inputScale, training, weights);
    }

    /** Checks magic, version and length; returns the declared total length. */
    private static long checkHeader(Path file, byte[] header, long size) throws CorruptFileException {
        for (int i = 0; i < Math.min(header.length, MAGIC.length); i++) {
            if (header[i] != MAGIC[i]) {
                throw new CorruptFileException(file, 0, "bad magic " + HexFormat.of().formatHex(header, 0,
                        Math.min(header.length, 4)) + ", expected 4e53504d (\"NSPM\"): not an nsp model file");
            }
        }
        if (size < HEADER_BYTES) {
            throw new CorruptFileException(file, size, "truncated header: the file ends at byte " + size
                    + ", the header needs " + HEADER_BYTES + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long version = Integer.toUnsignedLong(b.getInt(4));
        if (version > VERSION) {
            throw new CorruptFileException(file, 4, "format version " + version + " is newer than this nsp reads ("
                    + VERSION + "); use a newer nsp");
        }
        if (version < 1) {
            throw new CorruptFileException(file, 4, "invalid format version " + version + " (supported: 1 to " + VERSION + ")");
        }
        long declared = b.getLong(8);
        if (declared < HEADER_BYTES + CHECKSUM_BYTES || declared > MAX_FILE_BYTES) {
            throw new CorruptFileException(file, 8, "declared length " + declared + " is not in ["
                    + (HEADER_BYTES + CHECKSUM_BYTES) + ", " + MAX_FILE_BYTES + "]");
        }
        if (size < declared) {
            throw new CorruptFileException(file, size, "truncated: the file ends at byte " + size + ", the header declares "
                    + declared + " bytes");
        }
        if (size > declared) {
            throw new CorruptFileException(file, declared, "trailing bytes: the header declares " + declared
                    + " bytes, the file has " + size);
        }
        return declared;
    }

    /** A growable little-endian byte buffer. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 12).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                long cap = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
                if (cap > MAX_FILE_BYTES) {
                    throw new IllegalArgumentException("model: more than " + MAX_FILE_BYTES + " bytes");
                }
                ByteBuffer b = ByteBuffer.allocate((int) cap).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                b.put(buf);
                buf = b;
            }
        }

        void bytes(byte[] b) {
            ensure(b.length);
            buf.put(b);
        }

        void u8(int v) {
            ensure(1);
            buf.put((byte) v);
        }

        void u32(int v) {
            ensure(4);
            buf.putInt(v);
        }

        void u64(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void f64(double v) {
            ensure(8);
            buf.putDouble(v);
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) {
                throw new IllegalArgumentException("string of " + b.length + " UTF-8 bytes is longer than 65535: "
                        + s.substring(0, 40) + "...");
            }
            ensure(2 + b.length);
            buf.putShort((short) b.length);
            buf.put(b);
        }

        void floats(float[] f) {
            ensure(Math.multiplyExact(f.length, Float.BYTES));
            for (float v : f) {
                buf.putFloat(v);
            }
        }

        void patchU64(int at, long v) {
            buf.putLong(at, v);
        }

        int size() {
            return buf.position();
        }

        byte[] toArray() {
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }

    /** Reads little-endian fields of the body, checking each against the bytes left. */
    private static final class Reader {
        private final ByteBuffer buf;
        private final Path file;
        private final int end;
        private int pos;
        /** Offset of the field being read, or of the group of fields being validated. */
        private int fieldStart;

        Reader(byte[] bytes, int start, int end, Path file) {
            this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.pos = start;
            this.fieldStart = start;
            this.end = end;
            this.file = file;
        }

        CorruptFileException corrupt(long offset, String detail) {
            return new CorruptFileException(file, offset, detail);
        }

        private int take(long n, String field) throws CorruptFileException {
            fieldStart = pos;
            if (n > end - pos) {
                throw corrupt(pos, "field '" + field + "' needs " + n + " bytes, only " + (end - pos)
                        + " are left before the checksum at byte " + end);
            }
            int at = pos;
            pos += (int) n;
            return at;
        }

        int u8(String field) throws CorruptFileException {
            return buf.get(take(1, field)) & 0xff;
        }

        /** An unsigned 32-bit count in [0, max] (1..max for dimensions is checked by the records). */
        int count(String field, int max) throws CorruptFileException {
            int at = take(4, field);
            long v = Integer.toUnsignedLong(buf.getInt(at));
            if (v > max) {
                throw corrupt(at, "field '" + field + "' is " + v + ", at most " + max + " allowed");
            }
            return (int) v;
        }

        long i64(String field) throws CorruptFileException {
            return buf.getLong(take(8, field));
        }

        double f64(String field) throws CorruptFileException {
            return buf.getDouble(take(8, field));
        }

        String str(String field) throws CorruptFileException {
            int at = take(2, field + " length");
            int len = Short.toUnsignedInt(buf.getShort(at));
            int data = take(len, field);
            fieldStart = at;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(buf.array(), data, len)).toString();
            } catch (CharacterCodingException e) {
                throw corrupt(data, "field '" + field + "' is not valid UTF-8");
            }
        }

        float[] floats(String field, long count) throws CorruptFileException {
            int at = take(count * Float.BYTES, field);   // checked against the bytes left before allocating
            float[] f = new float[(int) count];
            buf.slice(at, (int) count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            for (int i = 0; i < f.length; i++) {
                if (!Float.isFinite(f[i])) {
                    throw corrupt(at + 4L * i, "field '" + field + "' element " + i + " is " + f[i]);
                }
            }
            return f;
        }
    }
}
