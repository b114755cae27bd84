package dev.nsp.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Guards the public API: the public and protected signatures of the packages that module {@code dev.nsp.core}
 * exports to everyone are listed in {@code java-core/api/nsp-core.api}, and the section of CHANGELOG.md for
 * the project's version records the listing's fingerprint. Changing the API without updating both fails here.
 *
 * <p>To accept an intended change: {@code mvn -pl java-core test -Dtest=ApiListingTest -Dnsp.api.update=true}
 * rewrites the listing; then describe the change in CHANGELOG.md with the fingerprint the failure prints.
 */
class ApiListingTest {
    private static final Path LISTING = Path.of(System.getProperty("nsp.api.listing", "api/nsp-core.api"));
    private static final Path CHANGELOG = Path.of(System.getProperty("nsp.changelog", "../CHANGELOG.md"));
    private static final String VERSION = System.getProperty("nsp.version", "").replace("-SNAPSHOT", "");
    private static final boolean UPDATE = Boolean.parseBoolean(System.getProperty("nsp.api.update", "false"));
    private static final String UPDATE_COMMAND = "mvn -pl java-core test -Dtest=ApiListingTest -Dnsp.api.update=true";

    @Test
    void theCommittedListingIsThePublicApi() throws Exception {
        assertFalse(VERSION.isEmpty() || VERSION.startsWith("${"), "nsp.version must be set (by the pom)");
        List<String> actual = listing();
        if (UPDATE) {
            Files.write(LISTING, actual, StandardCharsets.UTF_8);
        }
        List<String> committed = Files.exists(LISTING) ? Files.readAllLines(LISTING, StandardCharsets.UTF_8) : List.of();
        if (!committed.equals(actual)) {
            fail("The public API of nsp-core differs from " + LISTING + ":\n" + diff(committed, actual)
                    + "\nIf the change is intended, rewrite the listing with\n  " + UPDATE_COMMAND
                    + "\nand describe the change in CHANGELOG.md under '## [" + VERSION + "]' with the line\n  "
                    + fingerprintLine(actual));
        }
    }

    @Test
    void theChangelogRecordsThisApi() throws Exception {
        List<String> actual = listing();
        String changelog = Files.readString(CHANGELOG, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^## \\[" + Pattern.quote(VERSION) + "\\].*$").matcher(changelog);
        assertTrue(m.find(), CHANGELOG + " has no section '## [" + VERSION + "]' for the version in the pom");
        int end = changelog.indexOf("\n## [", m.end());
        String section = changelog.substring(m.end(), end < 0 ? changelog.length() : end);
        String line = fingerprintLine(actual);
        assertTrue(section.contains(line), CHANGELOG + ": the section '## [" + VERSION + "]' must describe the public"
                + " API it releases and record it with the line\n  " + line
                + "\n(the API listing changed, or the version did; see " + LISTING + ")");
    }

    @Test
    void theListingCoversTheExportedPackagesOnly() throws Exception {
        List<String> l = listing();
        assertTrue(l.getFirst().startsWith("# nsp-core " + VERSION), l.getFirst());
        assertTrue(l.stream().anyMatch(s -> s.startsWith("public final class dev.nsp.api.NoisySoftplus")), "API type");
        assertTrue(l.stream().anyMatch(s -> s.startsWith("public final record dev.nsp.neuron.LifParameters")), "API type");
        assertTrue(l.stream().noneMatch(s -> s.contains("class dev.nsp.kernel.") || s.contains("class dev.nsp.tensor.")),
                "packages exported only to the backends are not API");
        assertTrue(l.stream().noneMatch(s -> s.contains(" kernels()")), "package-private members are not API");
    }

    // ---------------------------------------------------------------------------------------------------- listing

    /** The header line and the signatures of every public type and public or protected member, sorted. */
    static List<String> listing() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Backend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor module = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        List<String> packages = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).sorted().toList();
        List<String> out = new ArrayList<>();
        out.add("# nsp-core " + VERSION + ": the public API, i.e. the packages module " + module.name()
                + " exports to everyone (" + String.join(", ", packages) + "). Generated by ApiListingTest.");
        TreeSet<String> typeNames = new TreeSet<>();
        for (String p : packages) {
            try (Stream<Path> files = Files.list(classes.resolve(p.replace('.', '/')))) {
                files.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".class") && !n.contains("$") && !n.equals("package-info.class"))
                        .forEach(n -> typeNames.add(p + "." + n.substring(0, n.length() - ".class".length())));
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String n : typeNames) {
            collect(Class.forName(n, false, ApiListingTest.class.getClassLoader()), types);
        }
        for (Class<?> c : types) {
            out.add(typeLine(c));
            Set<String> members = new TreeSet<>();
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k) && !k.isSynthetic()) {
                    members.add(k.toGenericString());
                }
            }
            for (Method mth : c.getDeclaredMethods()) {
                if (visible(mth) && !mth.isSynthetic() && !mth.isBridge()) {
                    members.add(mth.toGenericString());
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f) && !f.isSynthetic()) {
                    members.add(f.toGenericString() + constant(f));
                }
            }
            for (String s : members) {
                out.add("  " + s);
            }
        }
        return out;
    }

    /** Public types, and their public or protected member types, depth first in name order. */
    private static void collect(Class<?> c, List<Class<?>> out) {
        if (!Modifier.isPublic(c.getModifiers()) && !Modifier.isProtected(c.getModifiers())) {
            return;
        }
        out.add(c);
        Class<?>[] nested = c.getDeclaredClasses();
        Arrays.sort(nested, (a, b) -> a.getName().compareTo(b.getName()));
        for (Class<?> n : nested) {
            collect(n, out);
        }
    }

    private static boolean visible(Member m) {
        return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
    }

    private static String typeLine(Class<?> c) {
        StringBuilder sb = new StringBuilder(c.toGenericString());
        Type sup = c.getGenericSuperclass();
        if (sup != null && sup != Object.class && !c.isEnum() && !c.isRecord()) {
            sb.append(" extends ").append(sup.getTypeName());
        }
        Type[] ifaces = c.getGenericInterfaces();
        if (ifaces.length > 0) {
            sb.append(c.isInterface() ? " extends " : " implements ");
            sb.append(String.join(", ", Arrays.stream(ifaces).map(Type::getTypeName).toList()));
        }
        if (c.isSealed()) {
            sb.append(" permits ").append(String.join(", ",
                    Arrays.stream(c.getPermittedSubclasses()).map(Class::getName).sorted().toList()));
        }
        return sb.toString();
    }

    /** {@code " = value"} for a constant (static final primitive or String), else "". */
    private static String constant(Field f) {
        int m = f.getModifiers();
        if (!Modifier.isStatic(m) || !Modifier.isFinal(m) || !(f.getType().isPrimitive() || f.getType() == String.class)) {
            return "";
        }
        try {
            return " = " + f.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    static String fingerprintLine(List<String> listing) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (String s : listing.subList(1, listing.size())) {     // the signatures, not the header's version
            md.update((s + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return "nsp-core API fingerprint: " + HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static String diff(List<String> committed, List<String> actual) {
        Set<String> a = new HashSet<>(actual);
        Set<String> c = new HashSet<>(committed);
        StringBuilder sb = new StringBuilder();
        committed.stream().filter(s -> !a.contains(s)).forEach(s -> sb.append("- ").append(s).append('\n'));
        actual.stream().filter(s -> !c.contains(s)).forEach(s -> sb.append("+ ").append(s).append('\n'));
        return sb.toString();
    }
}
