package dev.nsp.kernel.vector;

/**
 * Per-thread reusable float buffers for staging (padded copies of images, transposed weights): a
 * kernel call would otherwise allocate and zero them again for every image. Each buffer is owned by
 * one thread, so concurrent calls never share one; its contents are stale between uses, and every
 * user writes (or zeroes) every element it reads.
 */
final class Scratch {
    /** Slots, so that one task can hold several buffers at once. */
    static final int SLOTS = 7;
    /** Buffers larger than this (floats) are not kept after use. */
    private static final int KEEP_MAX = 1 << 22;
    private static final ThreadLocal<float[][]> LOCAL = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private Scratch() {
    }

    /**
     * @param slot which buffer, in [0, {@value #SLOTS})
     * @param length the minimum length
     * @return this thread's buffer of that slot, at least length long, contents unspecified
     */
    static float[] get(int slot, int length) {
        float[][] local = LOCAL.get();
        float[] b = local[slot];
        if (b == null || b.length < length) {
            b = new float[length];
            if (length <= KEEP_MAX) {
                local[slot] = b;
            }
        }
        return b;
    }
}
