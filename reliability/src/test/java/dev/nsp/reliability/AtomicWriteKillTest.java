package dev.nsp.reliability;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes are atomic: a child JVM ({@link AtomicWriterMain}) writes a large model, CSV or gzipped IDX file over and
 * over through nsp's writers and is killed with SIGKILL at a random moment, {@value #KILLS} times per format. After
 * each kill the target parses and validates (model checksum, sizes) and holds one complete version: the last one
 * the child reported, or the one it was writing if the rename had already happened. Temporary files left by a kill
 * are hidden ({@code .name.*.tmp}) and never read as data: the readers open only the target's name.
 */
class AtomicWriteKillTest {
    static final int KILLS = 4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"model", "csv", "idx"})
    void killedWriterLeavesACompletePreviousFile(String format) throws Exception {
        Path target = dir.resolve("target." + format);
        Random r = new Random(format.hashCode());
        int debris = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Process p = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    AtomicWriterMain.class.getName(), format, target.toString())
                    .redirectErrorStream(true).start();
            int lastWritten = -1;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                int wanted = 1 + r.nextInt(2);
                String line;
                while (lastWritten < wanted && (line = out.readLine()) != null) {
                    if (line.startsWith("wrote ")) {
                        lastWritten = Integer.parseInt(line.substring(6));
                    }
                }
                Thread.sleep(r.nextInt(40));        // somewhere inside the next write
                // SIGKILL (no shutdown hooks, no finally blocks), through the handle: Process.destroyForcibly
                // would also close our end of the pipe, which still holds reports to read
                p.toHandle().destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
                // the child may have finished more writes during the sleep: its reports are still in the pipe
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("wrote ")) {
                        lastWritten = Integer.parseInt(line.substring(6));
                    }
                }
            }
            assertTrue(lastWritten >= 1, format + ": the child wrote nothing before the kill");
            int v = AtomicWriterMain.version(format, target);
            // the child may have renamed the next version in place and died before saying so
            assertTrue(v == lastWritten || v == lastWritten + 1,
                    format + ": kill " + kill + ": the file holds version " + v + ", the child last reported " + lastWritten);
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> others = s.filter(f -> !f.equals(target)).toList();
                for (Path o : others) {
                    assertTrue(o.getFileName().toString().startsWith("." + target.getFileName() + ".")
                            && o.getFileName().toString().endsWith(".tmp"), "unexpected file " + o);
                }
                debris = others.size();
            }
        }
        System.out.println("nsp atomic writes: " + format + ": " + KILLS + " kills with SIGKILL, the target intact"
                + " after each; " + debris + " hidden temporary files left");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
