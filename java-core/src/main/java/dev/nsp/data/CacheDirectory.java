package dev.nsp.data;

import java.nio.file.Path;

/**
 * Where nsp keeps downloaded data: the system property {@code nsp.cache}, else the environment
 * variable {@code NSP_CACHE}, else {@code ~/.cache/nsp}. A command-line option should call
 * {@link #resolve(String)} with its value, which wins over both.
 */
public final class CacheDirectory {
    /** System property naming the cache folder. */
    public static final String PROPERTY = "nsp.cache";
    /** Environment variable naming the cache folder (the property wins). */
    public static final String ENV = "NSP_CACHE";

    private CacheDirectory() {
    }

    /** {@return the cache folder from the property, the environment or the default} */
    public static Path resolve() {
        return resolve(null);
    }

    /**
     * {@return the explicit folder, else the property, else the environment variable, else {@code ~/.cache/nsp}; always absolute}
     *
     * @param explicit a folder given by the user (e.g. a {@code --cache} option), or null/blank
     */
    public static Path resolve(String explicit) {
        return choose(explicit, System.getProperty(PROPERTY), System.getenv(ENV), System.getProperty("user.home"));
    }

    static Path choose(String explicit, String property, String env, String home) {
        for (String s : new String[] {explicit, property, env}) {
            if (s != null && !s.isBlank()) {
                return Path.of(s.strip()).toAbsolutePath();
            }
        }
        return Path.of(home, ".cache", "nsp").toAbsolutePath();
    }
}
