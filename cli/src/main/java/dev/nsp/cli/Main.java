package dev.nsp.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nsp} command: the entry point of the runnable jar. */
@Command(name = "nsp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Noisy Softplus (Liu & Furber 2016) on the JVM: fast kernels, LIF response functions, "
                + "ConvNet training and spiking simulation.",
        subcommands = {InfoCommand.class, ActivationCommand.class, ResponseCommand.class, CalibrateCommand.class,
                FiguresCommand.class, DataCommand.class, TrainCommand.class, EvaluateCommand.class, SnnCommand.class,
                ReproduceCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    private Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        Logging.configure();
        System.exit(commandLine().execute(args));
    }

    /** @return the configured command line (also used by tests) */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("nsp: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"nsp " + (v == null ? "0.1.0" : v)};
        }
    }
}
