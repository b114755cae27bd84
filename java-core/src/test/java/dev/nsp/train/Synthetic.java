package dev.nsp.train;

import dev.nsp.data.Dataset;

import java.util.SplittableRandom;

/**
 * A tiny separable image set: 12x12 images of one bright bar on a faint noisy background; class 0 is a
 * horizontal bar, class 1 a vertical bar, class 2 a diagonal one, each at a random position.
 */
final class Synthetic {
    static final int SIDE = 12;

    private Synthetic() {
    }

    static Dataset bars(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[n * SIDE * SIDE];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            labels[i] = (byte) label;
            int base = i * SIDE * SIDE;
            for (int p = 0; p < SIDE * SIDE; p++) {
                pixels[base + p] = (byte) (rng.nextDouble() < 0.2 ? rng.nextInt(60) : 0);
            }
            int pos = 2 + rng.nextInt(SIDE - 4);
            for (int t = 1; t < SIDE - 1; t++) {
                int y;
                int x;
                switch (label) {
                    case 0 -> { y = pos; x = t; }
                    case 1 -> { y = t; x = pos; }
                    default -> { y = t; x = Math.floorMod(t + pos, SIDE); }
                }
                pixels[base + y * SIDE + x] = (byte) (180 + rng.nextInt(76));
            }
        }
        return new Dataset("bars", n, SIDE, SIDE, pixels, labels);
    }
}
