package dev.nsp.bench.peers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files of the peer report: JMH's CSV, the generated Markdown section, the key=value and CSV exchange files. */
class ReportFilesTest {

    static final String JMH = """
            "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: backend","Param: size"
            "dev.nsp.bench.NoisySoftplusBench.forward","avgt",1,5,10.5,0.25,"us/op",vector,16384
            "dev.nsp.bench.NoisySoftplusBench.forward","avgt",1,5,12.0,NaN,"ms/op",vector,16777216
            "dev.nsp.bench.NoisySoftplusBench.forward","avgt",1,5,310.75,3.5,"us/op",reference,16384
            """;

    @Test
    void jmhCsvIsParsedAndConvertedToMicroseconds(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, JMH);
        JmhCsv j = JmhCsv.read(f, dir.resolve("missing.csv"));
        assertEquals(3, j.results().size());
        JmhCsv.Result r = j.results().getFirst();
        assertEquals("NoisySoftplusBench.forward", r.benchmark());
        assertEquals(Map.of("backend", "vector", "size", "16384"), r.params());
        assertEquals(0.25, r.error());
        assertEquals(12000.0, j.micros("NoisySoftplusBench.forward", "size", "16777216").orElseThrow());
        assertEquals(310.75, j.micros("NoisySoftplusBench.forward", "backend", "reference").orElseThrow());
        assertTrue(j.micros("NoisySoftplusBench.backward").isEmpty());
        assertTrue(j.micros("NoisySoftplusBench.forward", "backend", "native").isEmpty());
    }

    @Test
    void jmhCsvFieldsHandleQuotesAndEmptyParams() throws IOException {
        assertEquals(List.of("a,b", "", "c\"d", "1.5"), JmhCsv.fields("\"a,b\",,\"c\"\"d\",1.5"));
        List<JmhCsv.Result> r = JmhCsv.parse("x", """
                "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: layer"
                "dev.nsp.bench.RooflineBench.fmaPeak1Thread","avgt",1,5,105.9,1.3,"us/op",
                """);
        assertTrue(r.getFirst().params().isEmpty());
        IOException e = assertThrows(IOException.class, () -> JmhCsv.parse("bad.csv", "a,b\n1,2\n"));
        assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("Benchmark"), e.getMessage());
    }

    @Test
    void sectionIsAppendedOnceThenReplacedInPlace() {
        String doc = "# Benchmarks\n\nhand-written text\n";
        String once = MarkdownSection.replace(doc, "PEERS", "first run\n");
        assertTrue(once.startsWith(doc), once);
        assertTrue(once.contains(MarkdownSection.begin("PEERS") + "\nfirst run\n" + MarkdownSection.end("PEERS")), once);
        String withTail = once + "\n## Notes after the section\n";
        String twice = MarkdownSection.replace(withTail, "PEERS", "second run");
        assertEquals(withTail.replace("first run", "second run"), twice);
        assertEquals(1, twice.split(MarkdownSection.begin("PEERS"), -1).length - 1);
    }

    @Test
    void brokenMarkersAreRefused() {
        String doc = "x\n" + MarkdownSection.end("PEERS") + "\n" + MarkdownSection.begin("PEERS") + "\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MarkdownSection.replace(doc, "PEERS", "y"));
        assertTrue(e.getMessage().contains("PEERS"), e.getMessage());
        String only = "x\n" + MarkdownSection.begin("PEERS") + "\n";
        assertThrows(IllegalArgumentException.class, () -> MarkdownSection.replace(only, "PEERS", "y"));
    }

    @Test
    void keyValuesAndNumericCsvRoundTrip(@TempDir Path dir) throws IOException {
        Path kv = dir.resolve("a.properties");
        KeyValues.create().put("kind", "population").put("dt_ms", 0.1).put("trials", 100).write(kv);
        Files.writeString(kv, "# comment\n\n" + Files.readString(kv));
        KeyValues back = KeyValues.read(kv);
        assertEquals("population", back.get("kind"));
        assertEquals(0.1, back.number("dt_ms"), 1e-12);
        assertEquals(100, back.number("trials"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> back.get("missing"));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());

        Path csv = dir.resolve("a.csv");
        new NumericCsv("point", "mean_hz").add(0, 12.5).add(1, 1e-7).write(csv);
        NumericCsv t = NumericCsv.read(csv, "mean_hz");
        assertArrayEquals(new double[] {0, 1}, t.column("point"));
        assertArrayEquals(new double[] {12.5, 1e-7}, t.column("mean_hz"));
        assertThrows(IOException.class, () -> NumericCsv.read(csv, "std_hz"));
        Files.writeString(csv, "a,b\n1,2\n3\n", StandardCharsets.UTF_8);
        IOException bad = assertThrows(IOException.class, () -> NumericCsv.read(csv));
        assertTrue(bad.getMessage().contains(":3"), bad.getMessage());
    }
}
