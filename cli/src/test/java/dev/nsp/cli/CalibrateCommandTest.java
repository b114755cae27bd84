package dev.nsp.cli;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.neuron.LifParameters;
import dev.nsp.response.Calibration;
import dev.nsp.response.CalibrationGrid;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.NoisySoftplusFit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CalibrateCommandTest {
    @TempDir
    Path dir;

    static String[] runOut(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    /** --source siegert reproduces the library's fit, prints it and writes the three files. */
    @Test
    void siegertCalibrationIsTheLibrarys() throws Exception {
        Path out = dir.resolve("cal");
        String[] r = runOut("calibrate", "--source", "siegert", "--tau-syn", "5", "--colored-noise", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        NoisySoftplusFit f = Calibration.fitSiegert(LifParameters.TABLE1, new NoiseModel.Poisson(5, true), CalibrationGrid.liu(), false);
        assertTrue(r[1].contains(String.format("k    = %.4f", f.k())), r[1]);
        assertTrue(r[1].contains(String.format("S    = %.2f Hz/nA", f.sHzPerNa())), r[1]);
        assertTrue(r[1].contains(String.format("p    = S tau_syn = %.4f", f.p(5))), r[1]);
        assertTrue(r[1].contains(String.format("rms  = %.2f Hz", f.rmsHz())), r[1]);
        assertEquals(0.338, f.k(), 0.005, "docs/response.md: k 0.338 for Siegert + FB at 5 ms");
        CsvTable t = CsvTable.read(out.resolve("calibration.csv"));
        assertEquals(List.of("x_nA", "sigma_nA", "rate_hz", "fitted_hz"), t.header());
        assertEquals(36, t.size());
        assertArrayEquals(f.targetHz(), t.column("rate_hz"));
        assertArrayEquals(f.fittedHz(), t.column("fitted_hz"));
        CsvTable p = CsvTable.read(out.resolve("calibration_fit.csv"));
        assertEquals(f.k(), p.get(0, "k"));
        assertEquals(f.sHzPerNa(), p.get(0, "s_hz_per_nA"));
        ResponseCommandTest.assertPng(out.resolve("calibration.png"));

        r = runOut("calibrate", "--source", "siegert", "--fit-bias", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("b    = "), r[1]);
    }

    /**
     * A short simulated calibration (200 ms x 2 trials at dt 1 ms): the printed and written fit is the fit of the
     * written rates, and the rates carry their std over trials.
     */
    @Test
    void shortSimulatedCalibration() throws Exception {
        Path out = dir.resolve("sim");
        String[] r = runOut("calibrate", "--duration", "200", "--trials", "2", "--backend", "reference", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        CsvTable t = CsvTable.read(out.resolve("calibration.csv"));
        assertEquals(List.of("x_nA", "sigma_nA", "rate_hz", "fitted_hz", "rate_std_hz"), t.header());
        NoisySoftplusFit f = Calibration.fit(t.column("x_nA"), t.column("sigma_nA"), t.column("rate_hz"), false);
        assertArrayEquals(f.fittedHz(), t.column("fitted_hz"), 1e-9);
        assertTrue(r[1].contains(String.format("k    = %.4f", f.k())), r[1]);
        // even 0.4 s of simulated time per point lands near the paper's calibration (k 0.30, S 201)
        assertEquals(0.30, f.k(), 0.08);
        assertEquals(201, f.sHzPerNa(), 40);
    }

    @Test
    void badOptionsAreExitCode2() {
        Path out = dir.resolve("bad");
        String[][] cases = {
            {"--colored-noise", "--colored-noise"},
            {"--tau-syn", "--tau-syn", "-1", "--source", "siegert"},
            {"--source", "--source", "nest"},
            {"--duration", "--source", "siegert", "--duration", "100"},
            {"--trials", "--trials", "0"},
            {"--n-exc", "--n-exc", "0", "--duration", "10"},
        };
        for (String[] c : cases) {
            String[] args = ResponseCommandTest.concat(new String[] {"calibrate", "--out", out.toString()},
                    java.util.Arrays.copyOfRange(c, 1, c.length));
            String[] r = runOut(args);
            assertEquals("2", r[0], String.join(" ", args) + ": " + r[2]);
            assertTrue(r[2].contains(c[0]), r[2]);
            assertFalse(Files.exists(out), "no output for " + String.join(" ", args));
        }
    }
}
