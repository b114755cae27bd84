/*
 * Philox4x32-10 (Salmon et al., SC'11) and the random spike sources of nsp, bit-identical to
 * dev.nsp.kernel.Philox: only 32-bit integer arithmetic (mul_hi for the high product words) and
 * comparisons/products of exact floats.
 *
 * One round, M0 = 0xD2511F53, M1 = 0xCD9E8D57, key bumps W0 = 0x9E3779B9, W1 = 0xBB67AE85:
 *   (hi0, lo0) = M0 * c0,  (hi1, lo1) = M1 * c2     (64-bit products split into words)
 *   c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);   k0 += W0; k1 += W1
 * Layout: key = (seed low, seed high); counter = (index, stream, step low, (step bits 32..47) | block << 16).
 * uniform24(w)     = (w >> 8) * 2^-24         in [0, 1), exact in float
 * uniform24Open(w) = ((w >> 8) + 1) * 2^-24   in (0, 1], exact in float
 * Bernoulli: spike iff uniform24(word 0 of block 0) < probability.
 * Poisson:   count = number of uniforms24Open (words of blocks 0, 1, ... in order) whose running float product
 *            stays above exp(-lambda); products are correctly rounded float multiplies, as in Java.
 */
#pragma OPENCL FP_CONTRACT OFF

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define PHILOX_MAX_BLOCK 0xFFFF

inline uint4 philox4x32_10(uint4 c, uint k0, uint k1) {
    for (int r = 0; r < 10; r++) {
        uint hi0 = mul_hi(PHILOX_M0, c.x);
        uint lo0 = PHILOX_M0 * c.x;
        uint hi1 = mul_hi(PHILOX_M1, c.z);
        uint lo1 = PHILOX_M1 * c.z;
        c = (uint4) (hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    return c;
}

/* The block of nsp's layout; stepHi holds step bits 32..47. */
inline uint4 philox_draw(uint seedLo, uint seedHi, uint index, uint stream, uint stepLo, uint stepHi, uint block) {
    return philox4x32_10((uint4) (index, stream, stepLo, (stepHi & 0xFFFFu) | (block << 16)), seedLo, seedHi);
}

inline float uniform24(uint w) {
    return (float) (w >> 8) * 0x1.0p-24f;
}

inline float uniform24_open(uint w) {
    return (float) ((w >> 8) + 1u) * 0x1.0p-24f;
}

__kernel void bernoulli_spikes(__global const float* probability, __global float* spikes, const uint seedLo,
                               const uint seedHi, const uint stream, const uint stepLo, const uint stepHi,
                               const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    uint4 w = philox_draw(seedLo, seedHi, (uint) i, stream, stepLo, stepHi, 0u);
    spikes[i] = uniform24(w.x) < probability[i] ? 1.0f : 0.0f;
}

__kernel void poisson_counts(__global const float* expNegLambda, __global float* counts, const uint seedLo,
                             const uint seedHi, const uint stream, const uint stepLo, const uint stepHi,
                             const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float threshold = expNegLambda[i];
    float product = 1.0f;
    int count = 0;
    for (uint block = 0; block <= PHILOX_MAX_BLOCK; block++) {
        uint4 w = philox_draw(seedLo, seedHi, (uint) i, stream, stepLo, stepHi, block);
        uint words[4] = {w.x, w.y, w.z, w.w};
        for (int j = 0; j < 4; j++) {
            product *= uniform24_open(words[j]);
            if (!(product > threshold)) {
                counts[i] = (float) count;
                return;
            }
            count++;
        }
    }
    counts[i] = (float) count;
}

/* The raw block words of element i (block 0): out[4i..4i+3]. For checking against dev.nsp.kernel.Philox. */
__kernel void philox_words(__global uint* out, const uint seedLo, const uint seedHi, const uint stream,
                           const uint stepLo, const uint stepHi, const uint block, const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    uint4 w = philox_draw(seedLo, seedHi, (uint) i, stream, stepLo, stepHi, block);
    out[4 * i] = w.x;
    out[4 * i + 1] = w.y;
    out[4 * i + 2] = w.z;
    out[4 * i + 3] = w.w;
}
