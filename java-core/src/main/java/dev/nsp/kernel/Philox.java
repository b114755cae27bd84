package dev.nsp.kernel;

/**
 * Philox4x32-10 (Salmon et al., SC'11, "Parallel random numbers: as easy as 1, 2, 3"), the
 * counter-based generator behind every random draw of nsp. A draw is a pure function of
 * (seed, element index, stream, step, block), so every backend, thread count and launch order draws
 * the same numbers.
 *
 * <p>Layout: key = (seed low 32 bits, seed high 32 bits); counter = (index, stream, step low 32 bits,
 * (step bits 32..47) | block &lt;&lt; 16). A block gives four 32-bit words; uniforms use the top 24 bits of a
 * word, so they are exact floats and every backend compares them identically.
 */
public final class Philox {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    /** 2^-24. */
    public static final float INV_2_24 = 0x1p-24f;
    /** The largest step a counter holds (48 bits). */
    public static final long MAX_STEP = (1L << 48) - 1;
    /** The largest block index (16 bits). */
    public static final int MAX_BLOCK = 0xFFFF;
    /** The largest expected count per element and step that {@link Kernels#poissonCounts} accepts. */
    public static final double MAX_LAMBDA = 64.0;

    private Philox() {
    }

    /**
     * One Philox4x32-10 block.
     *
     * @param c0 counter word 0
     * @param c1 counter word 1
     * @param c2 counter word 2
     * @param c3 counter word 3
     * @param k0 key word 0
     * @param k1 key word 1
     * @param out four words out
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * The block of nsp's layout.
     *
     * @param seed the run's seed
     * @param index the element index
     * @param stream a stream id that separates independent uses (layers, populations)
     * @param step the time step, in [0, {@link #MAX_STEP}]
     * @param block the block within the step, in [0, {@link #MAX_BLOCK}]
     * @param out four words out
     */
    public static void draw(long seed, int index, int stream, long step, int block, int[] out) {
        block(index, stream, (int) step, (int) ((step >>> 32) & 0xFFFF) | (block << 16),
                (int) seed, (int) (seed >>> 32), out);
    }

    /**
     * {@return the top 24 bits of {@code word} as a float in [0, 1): {@code (word >>> 8) * 2^-24}}
     *
     * @param word a random word
     */
    public static float uniform24(int word) {
        return (word >>> 8) * INV_2_24;
    }

    /**
     * {@return the top 24 bits of {@code word} as a float in (0, 1]: {@code ((word >>> 8) + 1) * 2^-24}}
     *
     * @param word a random word
     */
    public static float uniform24Open(int word) {
        return ((word >>> 8) + 1) * INV_2_24;
    }

    /**
     * The threshold {@link Kernels#poissonCounts} takes: {@code (float) exp(-lambda)}.
     *
     * @param lambda the expected count per step, in [0, {@link #MAX_LAMBDA}]
     * @return exp(-lambda) rounded to float
     */
    public static float expNegLambda(double lambda) {
        if (!(lambda >= 0 && lambda <= MAX_LAMBDA)) {
            throw new IllegalArgumentException("lambda: " + lambda + ", must be in [0, " + MAX_LAMBDA + "]");
        }
        return (float) StrictMath.exp(-lambda);
    }

    /**
     * The Poisson count of one element by the product of (0,1] uniforms, in the order of the words of
     * blocks 0, 1, 2, ... The reference semantics of {@link Kernels#poissonCounts}.
     *
     * @param seed the key
     * @param index the element's index
     * @param stream the stream number
     * @param step the time step, in [0, {@link #MAX_STEP}]
     * @param threshold exp(-lambda)
     * @return the count
     */
    public static int poissonCount(long seed, int index, int stream, long step, float threshold) {
        int[] w = new int[4];
        int count = 0;
        float product = 1f;
        for (int block = 0; block <= MAX_BLOCK; block++) {
            draw(seed, index, stream, step, block, w);
            for (int j = 0; j < 4; j++) {
                product *= uniform24Open(w[j]);
                if (!(product > threshold)) {
                    return count;
                }
                count++;
            }
        }
        return count;
    }
}
