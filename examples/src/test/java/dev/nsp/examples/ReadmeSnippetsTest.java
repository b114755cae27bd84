package dev.nsp.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's Java code is the examples' code, so it compiles and runs with every build: each block that
 * follows {@code <!-- snippet: FILE#NAME -->} must equal the lines between {@code // README:NAME-start} and
 * {@code // README:NAME-end} in FILE (less their common indentation), and every such region must be quoted.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of(System.getProperty("nsp.readme", "../README.md")).toAbsolutePath();
    private static final Path ROOT = README.getParent();
    private static final Pattern SNIPPET =
            Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\s*\\n```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern REGION = Pattern.compile("^\\s*// README:(\\S+)-start\\s*$");

    @Test
    void everySnippetIsTheExamplesCode() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Matcher m = SNIPPET.matcher(readme);
        int n = 0;
        while (m.find()) {
            n++;
            Path file = ROOT.resolve(m.group(1));
            assertTrue(Files.isRegularFile(file), "README names " + file + ", which does not exist");
            assertEquals(region(file, m.group(2)), m.group(3),
                    "README snippet " + m.group(1) + "#" + m.group(2) + " differs from the code (copy the region)");
        }
        assertTrue(n >= 4, "the README quotes " + n + " snippets, expected the examples' 4");
    }

    @Test
    void everyRegionIsQuoted() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Set<String> quoted = new LinkedHashSet<>();
        Matcher m = SNIPPET.matcher(readme);
        while (m.find()) {
            quoted.add(m.group(1) + "#" + m.group(2));
        }
        Path examples = ROOT.resolve("examples/src/main/java");
        List<String> regions = new ArrayList<>();
        try (Stream<Path> files = Files.walk(examples)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    Matcher r = REGION.matcher(line);
                    if (r.matches()) {
                        regions.add(ROOT.relativize(f).toString().replace('\\', '/') + "#" + r.group(1));
                    }
                }
            }
        }
        assertFalse(regions.isEmpty());
        for (String r : regions) {
            assertTrue(quoted.contains(r), "region " + r + " is not quoted in the README");
        }
    }

    /** The lines between the markers, less their common indentation, each ending in a newline. */
    private static String region(Path file, String name) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (t.equals("// README:" + name + "-start")) {
                start = i;
            } else if (t.equals("// README:" + name + "-end")) {
                end = i;
            }
        }
        assertTrue(start >= 0 && end > start, file + " has no region " + name);
        List<String> body = lines.subList(start + 1, end);
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : body) {
            sb.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
