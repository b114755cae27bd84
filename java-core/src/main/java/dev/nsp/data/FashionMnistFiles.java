package dev.nsp.data;

import dev.nsp.io.ChecksumMismatchException;
import dev.nsp.io.Sha256;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Locates Fashion-MNIST (same format and shapes as MNIST: 60,000 + 10,000 grey images of 28 x 28, 10
 * classes), as installed by the Debian package {@code dataset-fashion-mnist} under
 * {@code /usr/share/datasets/fashion-mnist/} as gzipped IDX files. nsp does not download it.
 *
 * <p>The files are verified by the SHA-256 of their <em>decompressed</em> content (robust against
 * recompression), measured from {@code dataset-fashion-mnist 0.0~git20200523.55506a9-1}. That costs
 * one decompression pass (about 30 MB of gzip) per {@link #locate} call.
 */
public final class FashionMnistFiles {
    /** Where the Debian package installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The command that installs them. */
    public static final String INSTALL_HINT = "apt-get install dataset-fashion-mnist";

    /** SHA-256 of each file's decompressed content, keyed by the IDX name without ".gz". */
    public static final Map<String, String> SHA256_DECOMPRESSED = orderedMap(
            MnistFiles.TRAIN_IMAGES, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            MnistFiles.TRAIN_LABELS, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            MnistFiles.TEST_IMAGES, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            MnistFiles.TEST_LABELS, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    private FashionMnistFiles() {
    }

    /**
     * {@link #locate(Path)} in {@link #DEFAULT_DIR}.
     *
     * @return the four files
     * @throws IOException as {@link #locate(Path)}
     */
    public static DatasetFiles locate() throws IOException {
        return locate(DEFAULT_DIR);
    }

    /**
     * Finds and verifies the four files in {@code dir}: {@code NAME.gz} or, failing that, plain {@code NAME}.
     *
     * @param dir the folder
     * @return the verified files
     * @throws java.nio.file.NoSuchFileException if a file is missing; the message says
     *         {@code apt-get install dataset-fashion-mnist}
     * @throws ChecksumMismatchException if a file's decompressed content has the wrong SHA-256
     */
    public static DatasetFiles locate(Path dir) throws IOException {
        Path[] p = new Path[4];
        int i = 0;
        for (Map.Entry<String, String> e : SHA256_DECOMPRESSED.entrySet()) {
            Path gz = dir.resolve(e.getKey() + ".gz");
            Path plain = dir.resolve(e.getKey());
            Path f = Files.isRegularFile(gz) ? gz : Files.isRegularFile(plain) ? plain : null;
            if (f == null) {
                throw new java.nio.file.NoSuchFileException(gz.toString(), null,
                        "Fashion-MNIST not found (neither " + gz.getFileName() + " nor " + plain.getFileName()
                                + " in " + dir + "); install it with: " + INSTALL_HINT);
            }
            String actual = decompressedSha256(f);
            if (!actual.equals(e.getValue())) {
                throw new ChecksumMismatchException(f, e.getValue(), actual,
                        "hash of the decompressed content; the file was left in place");
            }
            p[i++] = f;
        }
        return new DatasetFiles("fashion-mnist", p[0], p[1], p[2], p[3]);
    }

    /** @return the SHA-256 of the file's content, decompressed first if it is gzipped */
    static String decompressedSha256(Path file) throws IOException {
        MessageDigest md = Sha256.newDigest();
        boolean gzip = Idx.isGzip(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
