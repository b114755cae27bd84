package dev.nsp.bench.peers;

import dev.nsp.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An ordered set of {@code key=value} lines: how the peer comparison's programs (Java and Python) hand set-ups,
 * timings and versions to each other and to the report. Lines starting with {@code #} and blank lines are skipped
 * when reading; a key may not contain {@code =} or a line break, a value no line break.
 */
public final class KeyValues {
    private final Map<String, String> map = new LinkedHashMap<>();

    /** @return an empty set */
    public static KeyValues create() {
        return new KeyValues();
    }

    /**
     * Reads a file.
     *
     * @param file the file
     * @return its pairs, in file order
     * @throws IOException if it cannot be read, or a line is neither a comment nor {@code key=value}
     */
    public static KeyValues read(Path file) throws IOException {
        KeyValues kv = new KeyValues();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IOException(file + ":" + n + ": expected key=value, got '" + line + "'");
            }
            kv.map.put(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
        }
        return kv;
    }

    /** @return this, with key set to the value's string */
    public KeyValues put(String key, Object value) {
        if (key.isEmpty() || key.contains("=") || key.contains("\n")) {
            throw new IllegalArgumentException("key: '" + key + "', must be non-empty without '=' or line breaks");
        }
        String v = value instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : String.valueOf(value);
        if (v.contains("\n")) {
            throw new IllegalArgumentException("value of " + key + ": contains a line break");
        }
        map.put(key, v);
        return this;
    }

    /** @return whether the key is present */
    public boolean has(String key) {
        return map.containsKey(key);
    }

    /**
     * @return the value
     * @throws IllegalArgumentException naming the key when it is missing
     */
    public String get(String key) {
        String v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException("key '" + key + "' is missing (have " + map.keySet() + ")");
        }
        return v;
    }

    /** @return the value, or the default when the key is missing */
    public String get(String key, String otherwise) {
        return map.getOrDefault(key, otherwise);
    }

    /**
     * @return the value as a number
     * @throws IllegalArgumentException naming the key when it is missing or not a number
     */
    public double number(String key) {
        String v = get(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key '" + key + "': '" + v + "' is not a number", e);
        }
    }

    /** @return the pairs, in insertion order (a copy) */
    public Map<String, String> asMap() {
        return new LinkedHashMap<>(map);
    }

    /** Writes the pairs atomically. */
    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        map.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
