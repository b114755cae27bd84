package dev.nsp.cli;

import dev.nsp.cli.output.CsvTable;
import dev.nsp.kernel.Backends;
import dev.nsp.neuron.LifParameters;
import dev.nsp.response.NoiseModel;
import dev.nsp.response.PoissonDrive;
import dev.nsp.response.PoissonPopulations;
import dev.nsp.response.ResponseFunctions;
import dev.nsp.response.ResponseSimulator;
import dev.nsp.response.SimulatedRates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ResponseCommandTest {
    static final LifParameters P = LifParameters.TABLE1;

    @TempDir
    Path dir;

    /** Runs nsp with the arguments; returns the exit code, stderr in err[0]. */
    static int run(String[] err, String... args) {
        StringWriter sw = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(sw, true));
        int code = cl.execute(args);
        if (err != null) {
            err[0] = sw.toString();
        }
        return code;
    }

    Path grid(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /**
     * The analytic methods write exactly the library's rates (CSV holds the shortest exact decimal of each double,
     * so the comparison is exact), keep the grid's other columns, and the mean is the total current.
     */
    @Test
    void analyticRatesAreTheLibrarys() throws Exception {
        double[] mu = {0.05, 0.3, 0.62};
        double[] sigma = {0.4, 0.2, 1.0};
        Path in = grid("g.csv", "id,mu_nA,sigma_nA\n1,0.05,0.4\n2,0.3,0.2\n3,0.62,1.0\n");
        Path out = dir.resolve("r.csv");
        LifParameters p1 = P.withTauSyn(1);
        assertEquals(0, run(null, "response", "--method", "siegert", "--noise", "poisson", "--tau-syn", "1", "--colored-noise",
                "--in", in.toString(), "--out", out.toString()));
        CsvTable t = CsvTable.read(out);
        assertEquals(List.of("id", "mu_nA", "sigma_nA", "rate_hz"), t.header());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, t.get(i, "id"));
            assertEquals(ResponseFunctions.siegertRateHz(p1, new NoiseModel.Poisson(1, true), mu[i], sigma[i]), t.get(i, "rate_hz"));
        }
        assertTrue(t.get(2, "rate_hz") > t.get(0, "rate_hz") && t.get(0, "rate_hz") > 0);

        assertEquals(0, run(null, "response", "--method", "siegert", "--noise", "gaussian-step", "--noise-dt", "0.5",
                "--in", in.toString(), "--out", out.toString()));
        t = CsvTable.read(out);
        for (int i = 0; i < 3; i++) {
            assertEquals(ResponseFunctions.siegertRateHz(P, new NoiseModel.GaussianStep(0.5), mu[i], sigma[i]), t.get(i, "rate_hz"));
        }

        assertEquals(0, run(null, "response", "--method", "constant", "--in", in.toString(), "--out", out.toString()));
        t = CsvTable.read(out);
        for (int i = 0; i < 3; i++) {
            assertEquals(ResponseFunctions.constantCurrentRateHz(P, mu[i]), t.get(i, "rate_hz"));
        }
        assertEquals(0, t.get(0, "rate_hz"), "0.05 nA total: 4 mV, below threshold");

        // white: sigma_V in mV directly; mu_mV = R_m mu (80 MOhm)
        Path w = grid("w.csv", "mu_mV,sigma_mV\n12,3\n20,5\n");
        assertEquals(0, run(null, "response", "--method", "siegert", "--noise", "white", "--in", w.toString(), "--out",
                out.toString(), "--plots", dir.resolve("plots").toString()));
        t = CsvTable.read(out);
        assertEquals(ResponseFunctions.siegertRateHz(P, new dev.nsp.response.MembraneNoise(12, 3, 0)), t.get(0, "rate_hz"), 1e-9);
        assertEquals(ResponseFunctions.siegertRateHz(P, new dev.nsp.response.MembraneNoise(20, 5, 0)), t.get(1, "rate_hz"), 1e-9);
        assertPng(dir.resolve("plots/response.png"));
    }

    /** A short simulation writes exactly what the simulator computes, with the std over trials, and a plot. */
    @Test
    void simulationMatchesTheSimulator() throws Exception {
        Path in = grid("g.csv", "mu_nA,sigma_nA\n0.3,0.5\n0.5,0.2\n");
        Path out = dir.resolve("r.csv");
        assertEquals(0, run(null, "response", "--method", "simulate", "--noise", "gaussian-step", "--noise-dt", "0.5",
                "--duration", "200", "--trials", "3", "--dt", "0.1", "--seed", "7", "--backend", "reference",
                "--in", in.toString(), "--out", out.toString(), "--plots", dir.toString()));
        CsvTable t = CsvTable.read(out);
        assertEquals(List.of("mu_nA", "sigma_nA", "rate_hz", "rate_std_hz"), t.header());
        ResponseSimulator sim = new ResponseSimulator(P, new ResponseSimulator.Config(200, 0.1, 3, 7, 1000),
                Backends.create("reference"));
        SimulatedRates r = sim.noisyCurrent(new double[] {0.3, 0.5}, new double[] {0.5, 0.2}, 0.5);
        for (int i = 0; i < 2; i++) {
            assertEquals(r.meanHz()[i], t.get(i, "rate_hz"));
            assertEquals(r.stdHz()[i], t.get(i, "rate_std_hz"));
        }
        assertTrue(t.get(1, "rate_hz") > 50, "0.5 nA fires");
        assertPng(dir.resolve("response.png"));
    }

    /**
     * Explicit population columns give the same spikes as the solver's populations for the same (mu, sigma), and
     * the implied total mu and sigma of eq. 4 are written.
     */
    @Test
    void explicitPopulationsMatchSolvedOnes() throws Exception {
        double[] mu = {0.3, 0.6};
        double[] sigma = {0.5, 0.3};
        StringBuilder sb = new StringBuilder("n_exc,rate_exc_hz,w_exc_nA,n_inh,rate_inh_hz,w_inh_nA\n");
        for (int i = 0; i < 2; i++) {
            PoissonDrive d = PoissonDrive.solve(mu[i] - P.iOffsetNa(), sigma[i], 5, PoissonPopulations.LIU);
            sb.append(d.nExc()).append(',').append(d.rateExcHz()).append(',').append(d.wExcNa()).append(',')
                    .append(d.nInh()).append(',').append(d.rateInhHz()).append(',').append(d.wInhNa()).append('\n');
        }
        Path explicit = grid("pops.csv", sb.toString());
        Path solved = grid("ms.csv", "mu_nA,sigma_nA\n0.3,0.5\n0.6,0.3\n");
        String[] common = {"response", "--method", "simulate", "--noise", "poisson", "--duration", "100", "--trials", "2",
            "--dt", "0.1", "--backend", "reference"};
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        assertEquals(0, run(null, concat(common, "--in", explicit.toString(), "--out", a.toString())));
        assertEquals(0, run(null, concat(common, "--in", solved.toString(), "--out", b.toString())));
        CsvTable ta = CsvTable.read(a);
        CsvTable tb = CsvTable.read(b);
        assertEquals(List.of("n_exc", "rate_exc_hz", "w_exc_nA", "n_inh", "rate_inh_hz", "w_inh_nA", "mu_nA", "sigma_nA",
                "rate_hz", "rate_std_hz"), ta.header());
        for (int i = 0; i < 2; i++) {
            assertEquals(mu[i], ta.get(i, "mu_nA"), 1e-12);
            assertEquals(sigma[i], ta.get(i, "sigma_nA"), 1e-12);
            assertEquals(tb.get(i, "rate_hz"), ta.get(i, "rate_hz"));
            assertEquals(tb.get(i, "rate_std_hz"), ta.get(i, "rate_std_hz"));
        }
        assertTrue(ta.get(1, "rate_hz") > 0);
    }

    /** Bad input: exit code 2, a message naming the parameter, and no output file. */
    @Test
    void badInputIsExitCode2AndNoOutput() throws Exception {
        Path out = dir.resolve("never.csv");
        Path ok = grid("ok.csv", "mu_nA,sigma_nA\n0.3,0.5\n");
        String[][] cases = {
            {"sigma_nA", "--in", grid("neg.csv", "mu_nA,sigma_nA\n0.3,-0.5\n").toString()},
            {"mu_mV", "--noise", "white", "--in", ok.toString()},
            {"--method", "--method", "euler", "--in", ok.toString()},
            {"--noise", "--noise", "pink", "--in", ok.toString()},
            {"--colored-noise", "--noise", "gaussian-step", "--colored-noise", "--in", ok.toString()},
            {"--duration", "--method", "siegert", "--duration", "100", "--in", ok.toString()},
            {"--duration", "--method", "simulate", "--duration", "10.05", "--dt", "0.1", "--in", ok.toString()},
            {"--noise-dt", "--method", "simulate", "--noise", "gaussian-step", "--noise-dt", "0.15", "--duration", "10",
                "--in", ok.toString()},
            {"--w-exc", "--method", "simulate", "--w-exc", "-1", "--duration", "10", "--in", ok.toString()},
            {"unreachable", "--method", "simulate", "--duration", "10",
                "--in", grid("far.csv", "mu_nA,sigma_nA\n2.0,0.05\n").toString()},
            {"rate_inh_hz", "--method", "simulate", "--duration", "10",
                "--in", grid("part.csv", "n_exc,rate_exc_hz,w_exc_nA\n10,5,0.1\n").toString()},
            {"n_exc", "--method", "simulate", "--duration", "10",
                "--in", grid("frac.csv", "n_exc,rate_exc_hz,w_exc_nA,n_inh,rate_inh_hz,w_inh_nA\n1.5,5,0.1,1,1,0.1\n").toString()},
        };
        for (String[] c : cases) {
            String[] err = new String[1];
            String[] args = concat(new String[] {"response", "--out", out.toString()}, java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, run(err, args), String.join(" ", args) + ": " + err[0]);
            assertTrue(err[0].contains(c[0]), "message names " + c[0] + ": " + err[0]);
            assertFalse(Files.exists(out), "no output for " + String.join(" ", args));
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static void assertPng(Path p) throws Exception {
        assertTrue(Files.exists(p), p + " exists");
        byte[] b = Files.readAllBytes(p);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', p + " is a PNG");
    }
}
