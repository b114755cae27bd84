package dev.nsp.examples;

import dev.nsp.api.Backend;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * nsp as a user's JVM sees it: {@link ChooseBackend} launched in a fresh JVM on the module path (nsp-core,
 * nsp-native, nsp-opencl and JOCL as modules) and on the class path, with the documented flags and without.
 * ServiceLoader must find all four backends in both modes, with the same availability as this (class path)
 * JVM sees; without the flags the automatic choice must be the reference backend with exactly one warning
 * that names the missing flags, and no warning from the JVM about restricted methods.
 */
class ModulePathTest {
    private static final Set<String> ALL = Set.of("reference", "vector", "native", "opencl");
    private static final List<String> FLAGS_MODULE_PATH =
            List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=dev.nsp.natives,jocl");
    private static final List<String> FLAGS_CLASS_PATH =
            List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");

    /** What one run printed. */
    private record Run(String coreModule, Map<String, Boolean> available, String automatic, String computed,
                       List<String> stderr, String all) {
        List<String> warnings() {
            return stderr.stream().filter(l -> l.startsWith("WARNING")).toList();
        }
    }

    @Test
    void modulePathWithFlagsFindsEveryBackend() throws Exception {
        Run r = run(true, FLAGS_MODULE_PATH);
        assertEquals(ALL, r.available.keySet(), r.all);
        assertEquals(expectedAvailability(), r.available, "module path and class path see the same backends\n" + r.all);
        for (String required : required()) {
            assertTrue(r.available.getOrDefault(required, false), required + " is required\n" + r.all);
        }
        assertEquals("dev.nsp.core", r.coreModule, "nsp-core runs as a named module\n" + r.all);
        assertEquals(referenceResult(), r.computed, "the same bits as on the class path\n" + r.all);
        assertNoJvmWarnings(r);
    }

    @Test
    void classPathWithFlagsFindsEveryBackend() throws Exception {
        Run r = run(false, FLAGS_CLASS_PATH);
        assertEquals("unnamed", r.coreModule, r.all);
        assertEquals(ALL, r.available.keySet(), r.all);
        assertEquals(expectedAvailability(), r.available, r.all);
        assertNoJvmWarnings(r);
    }

    @Test
    void modulePathWithoutFlagsFallsBackToReferenceWithOneWarning() throws Exception {
        Run r = run(true, List.of());
        assertEquals(ALL, r.available.keySet(), r.all);
        assertEquals("reference", r.automatic, r.all);
        assertEquals(1, r.warnings().size(), r.all);
        String w = r.warnings().getFirst();
        assertTrue(w.contains("nsp backend: reference"), w);
        assertTrue(w.contains("--add-modules jdk.incubator.vector"), w);
        if (expectedAvailability().get("native")) {
            assertTrue(w.contains("--enable-native-access=dev.nsp.natives"), w);
        }
        assertTrue(w.contains("--enable-native-access=jocl"), w);
        assertFalse(r.all.contains("restricted method"), r.all);
    }

    @Test
    void classPathWithoutFlagsFallsBackToReferenceWithOneWarning() throws Exception {
        Run r = run(false, List.of());
        assertEquals("reference", r.automatic, r.all);
        assertEquals(1, r.warnings().size(), r.all);
        assertTrue(r.warnings().getFirst().contains("--enable-native-access=ALL-UNNAMED"), r.all);
        assertFalse(r.all.contains("restricted method"), r.all);
    }

    /** The flags are given: the only JVM warning allowed is the incubator module's note. */
    private static void assertNoJvmWarnings(Run r) {
        List<String> other = r.warnings().stream()
                .filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector")).toList();
        assertEquals(List.of(), other, r.all);
    }

    /** The backends this JVM (class path, surefire's flags) finds, and whether each is available. */
    private static Map<String, Boolean> expectedAvailability() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (Backend.Info i : Backend.list()) {
            m.put(i.name(), i.available());
        }
        return m;
    }

    /** What ChooseBackend prints for the reference backend, computed in this JVM. */
    private static String referenceResult() {
        try (Backend b = Backend.named("reference")) {
            float[] y = new float[3];
            dev.nsp.api.NoisySoftplus.of(0.30, 1.0, b).forward(new float[] {-1, 0, 1}, new float[] {0.5f, 0.5f, 0.5f}, y);
            return "reference: " + Arrays.toString(y);
        }
    }

    private static Set<String> required() {
        String s = System.getProperty("nsp.test.requireBackends", "");
        if (s.isBlank() || s.startsWith("${")) {
            s = System.getenv().getOrDefault("NSP_REQUIRE_BACKENDS", "");
        }
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .map(x -> x.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    /**
     * The application's path: this JVM's class path without the tests and JUnit, i.e. the examples' classes,
     * nsp-core, nsp-native, nsp-opencl and JOCL.
     */
    private static String applicationPath() {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = Path.of(e).toString();
            if (n.contains("test-classes") || n.contains("junit") || n.contains("opentest4j")
                    || n.contains("apiguardian") || n.contains("surefire")) {
                continue;
            }
            keep.add(e);
        }
        return String.join(File.pathSeparator, keep);
    }

    private static Run run(boolean modulePath, List<String> flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        if (modulePath) {
            cmd.addAll(List.of("--module-path", applicationPath(), "-m",
                    "dev.nsp.examples/" + ChooseBackend.class.getName()));
        } else {
            cmd.addAll(List.of("-cp", applicationPath(), ChooseBackend.class.getName()));
        }
        cmd.add("reference");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("NSP_BACKEND");
        Path err = Files.createTempFile("nsp-modulepath-", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        String all = String.join(" ", cmd) + "\n--- stdout\n" + out + "--- stderr\n" + stderr;
        assertTrue(done, "timed out\n" + all);
        assertEquals(0, p.exitValue(), all);
        Map<String, Boolean> available = new LinkedHashMap<>();
        String automatic = null;
        String computed = null;
        String module = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("backend ")) {
                String[] parts = line.split(" ");
                available.put(parts[1], parts[2].equals("available=true"));
            } else if (line.startsWith("automatic ")) {
                automatic = line.substring("automatic ".length()).trim();
            } else if (line.startsWith("nsp-core module ")) {
                module = line.substring("nsp-core module ".length()).trim();
            } else if (line.startsWith("reference: ")) {
                computed = line.trim();
            }
        }
        assertNotNull(computed, all);
        return new Run(module, available, automatic, computed, stderr.lines().toList(), all);
    }
}
