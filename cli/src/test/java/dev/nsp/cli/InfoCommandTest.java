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
        var cl = Main.commandLine();
        for (var sub : cl.getSubcommands().values()) {
            StringWriter sw = new StringWriter();
            sub.setOut(new PrintWriter(sw));
            assertEquals(0, sub.execute("--help"), sub.getCommandName());
            assertTrue(sw.toString().contains("Usage:"), sub.getCommandName());
        }
    }
}
