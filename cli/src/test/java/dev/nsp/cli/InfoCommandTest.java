package dev.nsp.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.*;

class InfoCommandTest {
    @Test
    void printsJdkSpeciesAndBackends() {
        StringWriter sw = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(sw));
        assertEquals(0, cl.execute("info"));
        String s = sw.toString();
        assertTrue(s.contains("JDK:"), s);
        assertTrue(s.contains("Vector API:") && s.contains("floats"), s);
        assertTrue(s.contains("reference"), s);
        assertTrue(s.contains("Selected:"), s);
    }

    @Test
    void everyCommandHasHelp() {
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            StringWriter sw = new StringWriter();
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(sw));
            assertEquals(0, cl.execute(name, "--help"), name);
            assertTrue(sw.toString().contains("Usage:"), name + ": " + sw);
        }
    }
}
