package dev.nsp.kernel;

import java.lang.management.ManagementFactory;
import java.util.Objects;

/**
 * Whether code may call restricted methods (FFM's {@code Linker}, JNI library loading) quietly. Since JDK 24
 * such a call from a module without native access prints a multi-line JVM warning, and a future JDK will
 * refuse it. Backends that need native code ask {@link #missing} in their probe and, without access, answer
 * "unavailable" with the flag to add, so that automatic selection falls back quietly (one log line) instead of
 * triggering the JVM's warning.
 */
public final class NativeAccess {
    private NativeAccess() {
    }

    /**
     * {@return null when that module has native access ({@code --enable-native-access}, or {@code --illegal-native-access=allow} for all), else why not and which flag grants it}
     *
     * @param module the module whose code makes the restricted calls (the unnamed module on the class path)
     * @throws NullPointerException if module is null
     */
    public static String missing(Module module) {
        Objects.requireNonNull(module, "module");
        if (module.isNativeAccessEnabled() || allowedForAll()) {
            return null;
        }
        String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        return "native access is not enabled for " + (module.isNamed() ? "module " + target : "the class path")
                + " (run java with --enable-native-access=" + target + ")";
    }

    private static boolean allowedForAll() {
        try {
            return ManagementFactory.getRuntimeMXBean().getInputArguments().contains("--illegal-native-access=allow");
        } catch (RuntimeException | LinkageError e) {
            return false;    // no management support: ask for the flag
        }
    }
}
