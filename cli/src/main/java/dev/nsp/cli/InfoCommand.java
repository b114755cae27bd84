package dev.nsp.cli;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code nsp info}: the JDK, the vector species, the backends found and the one chosen. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the JDK, the Vector API species, the backends found here and which one is used.")
final class InfoCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("JDK:        %s %s (%s)%n", System.getProperty("java.vm.name"), Runtime.version(),
                System.getProperty("java.vendor"));
        out.printf("OS/arch:    %s %s, %d processors%n", System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
        out.printf("Vector API: %s%n", vectorSpecies());
        out.println("Backends (in selection order):");
        for (Backends.Probe p : Backends.probeAll()) {
            out.printf("  %-10s %-14s %s%n", p.name(),
                    p.availability().available() ? (p.availability().automatic() ? "available" : "when forced") : "unavailable",
                    p.availability().detail());
        }
        String forced = Backends.forcedName();
        Kernels k = Backends.get();
        out.printf("Selected:   %s%s%n", k.name(), forced == null ? " (automatic)" : " (forced by nsp.backend/NSP_BACKEND)");
        out.flush();
        return 0;
    }

    /** Describes the preferred float species without linking to the incubator module when it is absent. */
    static String vectorSpecies() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "jdk.incubator.vector not loaded (run with --add-modules jdk.incubator.vector)";
        }
        return VectorInfo.describe();
    }
}
