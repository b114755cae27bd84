package dev.nsp.reliability;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.data.Idx;
import dev.nsp.data.IdxImages;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.ModelFile;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child process of {@link AtomicWriteKillTest}: writes version 0, 1, 2, ... of a large file of one format to
 * the same path, forever, through nsp's own writers, printing "wrote N" after each complete write. The parent kills
 * it with SIGKILL at a random moment. Version v of every format is recognisable from its content
 * ({@link #version}).
 */
public final class AtomicWriterMain {
    private AtomicWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        String format = args[0];
        Path target = Path.of(args[1]);
        for (int v = 0; ; v++) {
            switch (format) {
                case "model" -> ModelFile.save(target, model(v));
                case "csv" -> csv(v).write(target);
                case "idx" -> Idx.writeImages(target, images(v), true);
                default -> throw new IllegalArgumentException("format: " + format);
            }
            System.out.println("wrote " + v);
            System.out.flush();
        }
    }

    /** A model of about 4 MB (a 1000 x 1024 dense layer) whose weights all equal the version number. */
    static SavedModel model(int v) {
        Architecture a = Architecture.parse("4c5-2s-1000", 1, 36, 36);
        List<float[]> w = new ArrayList<>();
        for (var l : a.layers()) {
            float[] x = new float[(int) l.weightCount()];
            java.util.Arrays.fill(x, v);
            w.add(x);
        }
        return new SavedModel(a, Activation.noisySoftplus(0.3, 201, 5), 1.0,
                new TrainingInfo(1, 0.1, 50, v, "reference", Map.of("version", Integer.toString(v))), w);
    }

    /** A CSV of 100,000 rows (about 2 MB) whose first column is the version. */
    static CsvTable csv(int v) {
        CsvTable t = new CsvTable("version", "row", "value");
        for (int i = 0; i < 100_000; i++) {
            t.add(v, i, i * 0.001 + v);
        }
        return t;
    }

    /** 2000 images of 28 x 28 (1.5 MB before gzip) whose pixels are (version + index) mod 256. */
    static IdxImages images(int v) {
        byte[] px = new byte[2000 * 784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (v + i * 31);
        }
        return new IdxImages(2000, 28, 28, px);
    }

    /** @return the version the complete file at {@code target} holds (the parse validates it: checksums, sizes) */
    static int version(String format, Path target) throws Exception {
        return switch (format) {
            case "model" -> {
                SavedModel m = ModelFile.load(target);
                int v = (int) m.training().seed();
                if (!m.equals(model(v))) {
                    throw new AssertionError("model of version " + v + " does not have that version's content");
                }
                yield v;
            }
            case "csv" -> {
                CsvTable t = CsvTable.read(target, "version");
                int v = (int) t.get(0, "version");
                if (t.size() != 100_000 || t.get(99_999, "version") != v) {
                    throw new AssertionError("csv of version " + v + " has " + t.size() + " rows");
                }
                yield v;
            }
            case "idx" -> {
                IdxImages im = Idx.readImages(target);
                int v = im.pixels()[0] & 0xff;
                if (!java.util.Arrays.equals(im.pixels(), images(v).pixels())) {
                    throw new AssertionError("idx of version " + v + " does not have that version's content");
                }
                yield v;
            }
            default -> throw new IllegalArgumentException(format);
        };
    }
}
