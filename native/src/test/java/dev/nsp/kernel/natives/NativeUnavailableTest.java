package dev.nsp.kernel.natives;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.KernelProvider;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Run by its own surefire execution, in a JVM whose {@code nsp.native.library} names a file that does
 * not exist: the backend must report itself unavailable with the reason, never fail to start the
 * program, and automatic selection must pass it over.
 */
class NativeUnavailableTest {
    @Test
    void aMissingLibraryMakesTheBackendUnavailableWithTheReason() {
        String path = System.getProperty(NativeLib.LIBRARY_PROPERTY);
        // only meaningful in that JVM (a -Dtest=... run also selects it into the default one)
        assumeTrue(path != null && path.endsWith("no-such-libnsp.so"), "run by the 'unavailable' execution only");
        KernelProvider.Availability a = new NativeProvider().probe();
        assertFalse(a.available());
        assertTrue(a.detail().contains("no-such-libnsp.so"), a.detail());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("native"));
        assertTrue(e.getMessage().contains("not available") && e.getMessage().contains("no-such-libnsp.so"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> new NativeKernels(1));
        boolean listed = Backends.probeAll().stream()
                .anyMatch(p -> p.name().equals("native") && !p.availability().available());
        assertTrue(listed, Backends.probeAll().toString());
        assertEquals(null, Backends.forcedName());
        String chosen = Backends.get().name();
        assertFalse(chosen.equals("native"), chosen);
    }
}
