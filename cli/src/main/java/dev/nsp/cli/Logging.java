package dev.nsp.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One-line log records on stderr for the command line ("nsp backend: ..."). */
final class Logging {
    private Logging() {
    }

    static void configure() {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(Level.INFO);
        h.setFormatter(new SimpleFormatter() {
            @Override
            public String format(LogRecord r) {
                String level = r.getLevel().intValue() >= Level.WARNING.intValue() ? r.getLevel().getName() + ": " : "";
                return level + formatMessage(r) + System.lineSeparator();
            }
        });
        root.addHandler(h);
    }
}
