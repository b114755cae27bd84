package dev.nsp.reliability;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The backends the reliability tests run on: every provider on the class path (reference, vector, native, opencl).
 * One that is unavailable here is skipped with its reason, unless {@code -Dnsp.test.requireBackends} (or the
 * environment variable NSP_REQUIRE_BACKENDS) names it: then the test fails.
 */
final class BackendsUnderTest {
    private BackendsUnderTest() {
    }

    static List<String> names() {
        Set<String> n = new LinkedHashSet<>();
        for (Backends.Probe p : Backends.probeAll()) {
            n.add(p.name());
        }
        n.addAll(required());
        return new ArrayList<>(n);
    }

    static Set<String> required() {
        String s = System.getProperty("nsp.test.requireBackends", "");
        if (s.isBlank() || s.startsWith("${")) {
            s = System.getenv().getOrDefault("NSP_REQUIRE_BACKENDS", "");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** @return a new validated instance of the backend, or skips/fails the test when it is unavailable */
    static Kernels open(String name) {
        for (Backends.Probe p : Backends.probeAll()) {
            if (p.name().equals(name) && p.availability().available()) {
                return Backends.create(name);
            }
        }
        String why = "backend '" + name + "' is not available here";
        if (required().contains(name)) {
            Assertions.fail(why + ", but it is required");
        }
        Assumptions.abort(why);
        return null;
    }
}
