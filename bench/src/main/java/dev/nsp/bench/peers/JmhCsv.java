package dev.nsp.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Results of JMH runs written with {@code -rf csv}: one row per benchmark and parameter combination, with
 * the columns {@code Benchmark, Mode, Threads, Samples, Score, Score Error (99.9%), Unit} and one
 * {@code Param: name} column per parameter (empty where a benchmark lacks it).
 */
public final class JmhCsv {
    /**
     * One result.
     *
     * @param benchmark the benchmark without its package, e.g. {@code ConvBench.trainStep}
     * @param params its parameters (only those that are set)
     * @param score the score
     * @param error the 99.9 % error (NaN when JMH had too few samples)
     * @param unit the unit, e.g. {@code us/op}
     */
    public record Result(String benchmark, Map<String, String> params, double score, double error, String unit) {
    }

    private final List<Result> results;

    private JmhCsv(List<Result> results) {
        this.results = List.copyOf(results);
    }

    /** @return every result, in file order */
    public List<Result> results() {
        return results;
    }

    /**
     * Reads and merges JMH CSV files; a missing file contributes nothing.
     *
     * @param files the files
     * @return their results
     * @throws IOException if a present file cannot be read or is not JMH's CSV
     */
    public static JmhCsv read(Path... files) throws IOException {
        List<Result> all = new ArrayList<>();
        for (Path f : files) {
            if (Files.isRegularFile(f)) {
                all.addAll(parse(f.toString(), Files.readString(f, StandardCharsets.UTF_8)));
            }
        }
        return new JmhCsv(all);
    }

    /**
     * @param name where the text comes from, for messages
     * @param text JMH's CSV
     * @return its results
     * @throws IOException if the header lacks a required column or a row is malformed
     */
    static List<Result> parse(String name, String text) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (!line.isBlank()) {
                rows.add(fields(line));
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> head = rows.getFirst();
        int bench = column(name, head, "Benchmark");
        int score = column(name, head, "Score");
        int error = column(name, head, "Score Error (99.9%)");
        int unit = column(name, head, "Unit");
        List<Result> out = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() != head.size()) {
                throw new IOException(name + ": row " + (r + 1) + " has " + row.size() + " fields, header " + head.size());
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int c = 0; c < head.size(); c++) {
                if (head.get(c).startsWith("Param: ") && !row.get(c).isEmpty()) {
                    params.put(head.get(c).substring("Param: ".length()), row.get(c));
                }
            }
            String b = row.get(bench);
            String[] parts = b.split("\\.");
            String simple = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : b;
            out.add(new Result(simple, params, number(name, r, row.get(score)), number(name, r, row.get(error)),
                    row.get(unit)));
        }
        return out;
    }

    private static double number(String name, int row, String s) throws IOException {
        if (s.isEmpty() || s.equals("NaN")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(name + ": row " + (row + 1) + ": '" + s + "' is not a number", e);
        }
    }

    private static int column(String name, List<String> head, String col) throws IOException {
        int i = head.indexOf(col);
        if (i < 0) {
            throw new IOException(name + ": no column '" + col + "' (header " + head + "): not JMH's CSV output");
        }
        return i;
    }

    /** Splits one CSV line: fields separated by commas, optionally in double quotes with "" for a quote. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /**
     * @param benchmark the benchmark, e.g. {@code ConvBench.trainStep}
     * @param params parameters that must match, as name, value pairs
     * @return the score of the first matching result, converted to microseconds per operation
     * @throws IllegalArgumentException for an odd number of params or a unit other than a time per op
     */
    public Optional<Double> micros(String benchmark, String... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("params: name, value pairs expected, got " + params.length + " strings");
        }
        outer:
        for (Result r : results) {
            if (!r.benchmark().equals(benchmark)) {
                continue;
            }
            for (int i = 0; i < params.length; i += 2) {
                if (!params[i + 1].equals(r.params().get(params[i]))) {
                    continue outer;
                }
            }
            if (Double.isNaN(r.score())) {
                return Optional.empty();
            }
            return Optional.of(r.score() * switch (r.unit()) {
                case "ns/op" -> 1e-3;
                case "us/op" -> 1.0;
                case "ms/op" -> 1e3;
                case "s/op" -> 1e6;
                default -> throw new IllegalArgumentException(benchmark + ": unit '" + r.unit() + "', expected a time per op");
            });
        }
        return Optional.empty();
    }
}
