package dev.nsp.cli.output;

import dev.nsp.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A numeric CSV table with a header row: read from a file (columns by name) and written atomically.
 * Values are doubles; blank lines and lines starting with '#' are skipped when reading.
 */
public final class CsvTable {
    private final List<String> header;
    private final List<double[]> rows = new ArrayList<>();

    /** @param header the column names, in order */
    public CsvTable(List<String> header) {
        this.header = List.copyOf(header);
    }

    /** @param header the column names, in order */
    public CsvTable(String... header) {
        this(List.of(header));
    }

    /** @return the column names */
    public List<String> header() {
        return header;
    }

    /** @return the number of data rows */
    public int size() {
        return rows.size();
    }

    /** Appends a row; it must have one value per column. */
    public CsvTable add(double... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("values: " + values.length + " given, the table has " + header.size() + " columns " + header);
        }
        rows.add(values.clone());
        return this;
    }

    /** @return the value of a row in a named column */
    public double get(int row, String column) {
        return rows.get(row)[index(column)];
    }

    /** @return whether the table has the column */
    public boolean has(String column) {
        return header.contains(column);
    }

    /** @return a whole column as an array */
    public double[] column(String column) {
        int c = index(column);
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }

    private int index(String column) {
        int c = header.indexOf(column);
        if (c < 0) {
            throw new IllegalArgumentException("column: '" + column + "' not in the header " + header);
        }
        return c;
    }

    /**
     * Reads a CSV file with a header row.
     *
     * @param file the file
     * @param required columns that must be present
     * @return the table
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file, line and column if a value is not a number, a row has the
     *         wrong number of fields, a required column is missing or the bytes are not UTF-8
     */
    public static CsvTable read(Path file, String... required) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            CsvTable table = null;
            while ((line = readLine(r, file, lineNo + 1)) != null) {
                lineNo++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] fields = t.split(",", -1);
                if (table == null) {
                    List<String> names = new ArrayList<>();
                    for (String f : fields) {
                        names.add(f.strip());
                    }
                    table = new CsvTable(names);
                    for (String req : required) {
                        if (!names.contains(req)) {
                            throw new IllegalArgumentException(file + ": missing column '" + req + "' (header " + names + ")");
                        }
                    }
                    continue;
                }
                if (fields.length != table.header.size()) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": " + fields.length + " fields, the header has "
                            + table.header.size());
                }
                double[] v = new double[fields.length];
                for (int i = 0; i < fields.length; i++) {
                    try {
                        v[i] = Double.parseDouble(fields[i].strip());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": column '" + table.header.get(i)
                                + "' is not a number: '" + fields[i].strip() + "'");
                    }
                }
                table.rows.add(v);
            }
            if (table == null) {
                throw new IllegalArgumentException(file + ": empty file, a header row is required");
            }
            return table;
        }
    }

    /** Reads one line; bytes that are not UTF-8 are an {@link IllegalArgumentException} naming the file and line. */
    private static String readLine(BufferedReader r, Path file, int lineNo) throws IOException {
        try {
            return r.readLine();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not valid UTF-8 text (found reading ahead from line " + lineNo + ": "
                    + e.getMessage() + ")");
        }
    }

    /** Writes the table atomically (temp file + rename), creating parent folders. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(String.join(",", header));
            w.write('\n');
            for (double[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) {
                        w.write(',');
                    }
                    w.write(format(row[i]));
                }
                w.write('\n');
            }
            w.flush();
        });
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** @return the columns as a name-to-values map, in header order */
    public Map<String, double[]> columns() {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String h : header) {
            m.put(h, column(h));
        }
        return m;
    }
}
