package dev.nsp.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;

/**
 * Jazzer fuzz tests of every file parser ({@link FormatTargets}). Without {@code JAZZER_FUZZ} they run the seeds
 * only (regression mode); the build runs {@link #anyFormat} in fuzzing mode for a fixed budget in a JVM of its
 * own (the reliability module's {@code fuzz} surefire execution), and one target for as long as asked on demand
 * (docs/reliability.md gives the commands).
 */
class FileFormatFuzzTest {

    static List<byte[]> anySeeds() {
        return FormatTargets.anySeeds();
    }

    static List<byte[]> idxImagesSeeds() {
        return FormatTargets.seeds(0);
    }

    static List<byte[]> idxLabelsSeeds() {
        return FormatTargets.seeds(1);
    }

    static List<byte[]> tarSeeds() {
        return FormatTargets.seeds(2);
    }

    static List<byte[]> modelSeeds() {
        return FormatTargets.seeds(3);
    }

    static List<byte[]> modelBodySeeds() {
        return FormatTargets.seeds(4);
    }

    static List<byte[]> csvSeeds() {
        return FormatTargets.seeds(5);
    }

    /** All parsers behind a selector byte: the CI form (one JVM, one budget for all formats). */
    @MethodSource("anySeeds")
    @FuzzTest(maxDuration = "30s")
    void anyFormat(byte[] data) throws IOException {
        FormatTargets.any(data);
    }

    @MethodSource("idxImagesSeeds")
    @FuzzTest(maxDuration = "10m")
    void idxImages(byte[] data) throws IOException {
        FormatTargets.idxImages(data);
    }

    @MethodSource("idxLabelsSeeds")
    @FuzzTest(maxDuration = "10m")
    void idxLabels(byte[] data) throws IOException {
        FormatTargets.idxLabels(data);
    }

    @MethodSource("tarSeeds")
    @FuzzTest(maxDuration = "10m")
    void tar(byte[] data) throws IOException {
        FormatTargets.tar(data);
    }

    @MethodSource("modelSeeds")
    @FuzzTest(maxDuration = "10m")
    void model(byte[] data) {
        FormatTargets.model(data);
    }

    @MethodSource("modelBodySeeds")
    @FuzzTest(maxDuration = "10m")
    void modelBody(byte[] data) {
        FormatTargets.modelBody(data);
    }

    @MethodSource("csvSeeds")
    @FuzzTest(maxDuration = "10m")
    void csv(byte[] data) throws IOException {
        FormatTargets.csv(data);
    }

    @AfterAll
    static void report() {
        System.out.println("nsp fuzz: " + FormatTargets.summary());
    }
}
