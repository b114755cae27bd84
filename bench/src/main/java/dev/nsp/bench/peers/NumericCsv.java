package dev.nsp.bench.peers;

import dev.nsp.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A table of numbers with a header line, comma-separated: the arrays the peer comparison exchanges (set-ups,
 * rates, spike counts). Reading checks that every row has as many numbers as the header has names.
 */
public final class NumericCsv {
    private final List<String> header;
    private final List<double[]> rows = new ArrayList<>();

    /** @param header the column names */
    public NumericCsv(String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("header: at least one column");
        }
        this.header = List.of(header);
    }

    /** @return this, with a row appended (as many values as columns) */
    public NumericCsv add(double... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("values: " + values.length + " for " + header.size() + " columns " + header);
        }
        rows.add(values.clone());
        return this;
    }

    /** @return the number of rows */
    public int size() {
        return rows.size();
    }

    /**
     * @return the values of a column
     * @throws IllegalArgumentException naming the column when it is missing
     */
    public double[] column(String name) {
        int c = header.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException("column '" + name + "' is missing (have " + header + ")");
        }
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }

    /** Writes the table atomically; integers are written without a fraction. */
    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                double v = r[i];
                sb.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.9g", v));
            }
            sb.append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a table written by {@link #write} or by the Python side.
     *
     * @param file the file
     * @param required columns that must be present
     * @return the table
     * @throws IOException if it cannot be read, is empty, lacks a required column or has a malformed row
     */
    public static NumericCsv read(Path file, String... required) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file + ": empty, expected a header line");
        }
        String[] head = lines.getFirst().strip().split(",");
        NumericCsv t = new NumericCsv(Arrays.stream(head).map(String::strip).toArray(String[]::new));
        for (String r : required) {
            if (!t.header.contains(r)) {
                throw new IOException(file + ": column '" + r + "' is missing (have " + t.header + ")");
            }
        }
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(",");
            if (parts.length != head.length) {
                throw new IOException(file + ":" + (i + 1) + ": " + parts.length + " values, header has " + head.length);
            }
            double[] v = new double[parts.length];
            for (int j = 0; j < parts.length; j++) {
                try {
                    v[j] = Double.parseDouble(parts[j].strip());
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + (i + 1) + ": '" + parts[j] + "' is not a number", e);
                }
            }
            t.rows.add(v);
        }
        return t;
    }
}
