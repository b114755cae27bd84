package dev.nsp.cli.output;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on an interactive terminal; on anything else (a pipe, CI, a test) it stays quiet.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** @return a bar for {@code total} units on a terminal, or a silent one */
    public static Progress start(String task, long total, String unit) {
        if (System.console() == null || !System.console().isTerminal()) {
            return new Progress(null);
        }
        ProgressBar b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(250).continuousUpdate()
                .build();
        return new Progress(b);
    }

    /** Sets the units done. */
    public void at(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    /** Sets a short message shown after the bar. */
    public void message(String m) {
        if (bar != null) {
            bar.setExtraMessage(m);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
