package dev.nsp.examples;

import dev.nsp.api.Backend;
import dev.nsp.api.NoisySoftplus;

import java.util.Arrays;

/**
 * Lists the backends that {@link java.util.ServiceLoader} finds, names the automatic choice, then runs the
 * activation on a backend chosen by name. Prints {@code nsp-core module dev.nsp.core} (module path) or
 * {@code nsp-core module unnamed} (class path), one line per backend,
 * {@code backend NAME available=BOOL automatic=BOOL: DETAIL}, then {@code automatic NAME} and
 * {@code NAME: [y0, y1, y2]}.
 *
 * <p>Run: {@code java --module-path ... -m dev.nsp.examples/dev.nsp.examples.ChooseBackend [backend]}
 * (default {@code reference}).
 */
public final class ChooseBackend {
    private ChooseBackend() {
    }

    /**
     * Lists, chooses, computes.
     *
     * @param args an optional backend name (default {@code reference})
     */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "reference";
        Module core = Backend.class.getModule();
        System.out.println("nsp-core module " + (core.isNamed() ? core.getName() : "unnamed"));
        // README:backends-start
        for (Backend.Info b : Backend.list()) {                       // every backend on the path, best first
            System.out.println("backend " + b.name() + " available=" + b.available()
                    + " automatic=" + b.automatic() + ": " + b.detail());
        }
        System.out.println("automatic " + Backend.automatic().name());   // chosen once, logged in one line
        try (Backend chosen = Backend.named(name)) {                  // yours to close
            NoisySoftplus act = NoisySoftplus.of(0.30, 1.0, chosen);
            float[] y = new float[3];
            act.forward(new float[] {-1, 0, 1}, new float[] {0.5f, 0.5f, 0.5f}, y);
            System.out.println(chosen.name() + ": " + Arrays.toString(y));
        }
        // README:backends-end
    }
}
