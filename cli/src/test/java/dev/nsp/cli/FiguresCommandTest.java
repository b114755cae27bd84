package dev.nsp.cli;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.response.ResponseFunctions;
import dev.nsp.neuron.LifParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FiguresCommandTest {
    @TempDir
    Path dir;

    /** --quick at 100 ms x 2 trials: every figure's CSV and PNG, consistent with each other, and the fit summary. */
    @Test
    void tinyRunWritesEveryFigure() throws Exception {
        Path out = dir.resolve("figs");
        String[] r = CalibrateCommandTest.runOut("figures", "--quick", "--duration", "100", "--trials", "2",
                "--backend", "reference", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        for (String f : List.of("fig1a", "fig1b", "fig2_tau1", "fig2_tau5", "fig3a", "fig3c_tau1", "fig3d_tau5")) {
            assertTrue(CsvTable.read(out.resolve(f + ".csv")).size() > 0, f);
            ResponseCommandTest.assertPng(out.resolve(f + ".png"));
        }
        CsvTable a = CsvTable.read(out.resolve("fig1a.csv"));
        LifParameters p = LifParameters.TABLE1;
        for (int i = 0; i < a.size(); i += 7) {
            double mu = a.get(i, "mu_nA");
            double s = a.get(i, "sigma_nA");
            double want = s == 0 ? ResponseFunctions.constantCurrentRateHz(p, mu)
                    : ResponseFunctions.siegertRateHz(p, new dev.nsp.response.NoiseModel.GaussianStep(1.0), mu, s);
            assertEquals(want, a.get(i, "rate_hz"), 1e-9 * (1 + want), "fig1a row " + i);
        }
        CsvTable b = CsvTable.read(out.resolve("fig1b.csv"));
        CsvTable two = CsvTable.read(out.resolve("fig2_tau5.csv"));
        assertEquals(18, b.size());
        assertArrayEquals(b.column("rate_hz"), two.column("noisy_current_hz"), "fig2 compares with fig1b's rates");
        assertArrayEquals(b.column("mu_nA"), two.column("mu_nA"));
        CsvTable d = CsvTable.read(out.resolve("fig3d_tau5.csv"));
        assertArrayEquals(two.column("rate_hz"), d.column("rate_hz"), "fig3d fits fig2's tau 5 ms rates");
        for (int i = 0; i < d.size(); i++) {
            assertEquals(d.get(i, "x_nA") + p.iOffsetNa(), two.get(i, "mu_nA"), 1e-12);
        }
        CsvTable fits = CsvTable.read(out.resolve("fig3_fits.csv"));
        assertEquals(2, fits.size());
        assertTrue(r[1].contains("tau_syn 1 ms: k = ") && r[1].contains("tau_syn 5 ms: k = "), r[1]);
        assertTrue(fits.get(1, "k") > fits.get(0, "k"), "longer tau_syn, more noise, larger k");
    }

    @Test
    void badOptionsAreExitCode2() {
        Path out = dir.resolve("bad");
        String[] r = CalibrateCommandTest.runOut("figures", "--quick", "--noise-dt", "1.5", "--out", out.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("--noise-dt"), r[2]);
        r = CalibrateCommandTest.runOut("figures", "--quick", "--trials", "0", "--out", out.toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("--trials"), r[2]);
        assertFalse(Files.exists(out));
    }
}
