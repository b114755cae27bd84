package dev.nsp.cli;

import dev.nsp.cli.output.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ActivationCommandTest {
    @TempDir
    Path dir;

    @Test
    void evaluatesTheGridWithThePaperFormula() throws Exception {
        Path in = dir.resolve("grid.csv");
        Files.writeString(in, "x,sigma,k,p\n0,1,0.3,1\n0.3,1,0.3,2\n-1,0,0.3,1\n0.5,0,0.2,1\n");
        Path out = dir.resolve("sub/out.csv");
        assertEquals(0, Main.commandLine().execute("activation", "--in", in.toString(), "--out", out.toString(),
                "--backend", "reference"));
        CsvTable t = CsvTable.read(out, "y", "dy_dx", "dy_dsigma");
        assertEquals(4, t.size());
        assertEquals(0.3 * Math.log(2), t.get(0, "y"), 1e-6);
        assertEquals(0.5, t.get(0, "dy_dx"), 1e-7);
        assertEquals(2 * 0.3 * Math.log(1 + Math.E), t.get(1, "y"), 1e-6);
        assertEquals(0, t.get(2, "y"));
        assertEquals(0.5, t.get(3, "y"), 1e-7);
        assertEquals(1, t.get(3, "dy_dx"));
    }

    @Test
    void badGridsAreClearErrors() throws Exception {
        Path in = dir.resolve("bad.csv");
        Files.writeString(in, "x,sigma\n1,2\n");
        assertEquals(2, Main.commandLine().execute("activation", "--in", in.toString(), "--out", dir.resolve("o.csv").toString()));
        Files.writeString(in, "x,sigma,k\n1,-2,0.3\n");
        assertEquals(2, Main.commandLine().execute("activation", "--in", in.toString(), "--out", dir.resolve("o.csv").toString(),
                "--backend", "reference"));
        assertFalse(Files.exists(dir.resolve("o.csv")), "no half-written output");
    }
}
