package dev.nsp.conformance;

import dev.nsp.kernel.KernelProvider;
import dev.nsp.kernel.vector.VectorProvider;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/** Skips (or, when required, fails) a vector-backend-specific test where the backend cannot run. */
final class VectorTests {
    private VectorTests() {
    }

    static void assumeVectorAvailable() {
        KernelProvider.Availability a = new VectorProvider().probe();
        if (!a.available()) {
            if (Harness.required().contains("vector")) {
                fail("vector backend required by " + Harness.REQUIRE + " but unavailable: " + a.detail());
            }
            Assumptions.abort("vector backend unavailable: " + a.detail());
        }
    }
}
