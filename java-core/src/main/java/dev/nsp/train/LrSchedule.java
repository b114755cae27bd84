package dev.nsp.train;

import java.util.Locale;

/**
 * How the learning rate changes over a training run. The paper trains with a fixed rate ({@link #CONSTANT},
 * the default); {@link #COSINE} anneals it to zero, which trains the wide network to a higher accuracy.
 */
public enum LrSchedule {
    /** The same rate for every batch (SPEC section 4: plain SGD with a fixed learning rate). */
    CONSTANT("constant"),
    /**
     * Cosine annealing per batch: {@code lr_t = lr * (1 + cos(pi * t / T)) / 2}, where {@code t} counts the
     * batches done before this one and {@code T} is the number of batches of the whole run; it starts at
     * {@code lr} and ends just above zero.
     */
    COSINE("cosine");

    private final String id;

    LrSchedule(String id) {
        this.id = id;
    }

    /** {@return constant or cosine} */
    public String id() {
        return id;
    }

    /**
     * {@return the learning rate of one batch}
     *
     * @param base the run's learning rate, {@code > 0}
     * @param step batches done before this one, in {@code [0, steps)}
     * @param steps batches of the whole run, {@code >= 1}
     * @throws IllegalArgumentException if {@code step} or {@code steps} is out of range
     */
    public double rate(double base, long step, long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps: " + steps + ", must be >= 1");
        }
        if (step < 0 || step >= steps) {
            throw new IllegalArgumentException("step: " + step + ", must be in [0, " + steps + ")");
        }
        return switch (this) {
            case CONSTANT -> base;
            case COSINE -> base * 0.5 * (1 + Math.cos(Math.PI * step / steps));
        };
    }

    /**
     * {@return the schedule}
     *
     * @param name constant or cosine (case-insensitive)
     * @throws IllegalArgumentException naming the allowed values
     */
    public static LrSchedule parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (LrSchedule s : values()) {
                if (s.id.equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("lr-schedule: '" + name + "' is unknown; allowed: constant, cosine");
    }

    @Override
    public String toString() {
        return id;
    }
}
