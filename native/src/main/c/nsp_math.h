/*
 * nsp_math.h: the scalar building blocks of the native kernels, written so that GCC inlines and
 * vectorises them inside `#pragma omp simd` loops (no calls, no branches, no errno).
 *
 *  - nsp_exp_nonpos(x): e^x for x <= 0 (and NaN), float, about 1 ulp for normal results;
 *  - nsp_log1p_unit(e): log(1 + e) for e in [0, 1] (and NaN), float, about 2 ulp;
 *  - Philox4x32-10 exactly as dev.nsp.kernel.Philox (bit-identical by construction).
 *
 * Only these two transcendental shapes are needed: Noisy Softplus, softplus and the logistic are all
 * written in terms of e^-|z| in (0, 1] and log1p of it.
 */
#ifndef NSP_MATH_H
#define NSP_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* a * b + c: one rounding where the target has FMA, two otherwise (every use tolerates both) */
#ifdef __FMA__
#define NSP_FMAF(a, b, c) fmaf((a), (b), (c))
#else
#define NSP_FMAF(a, b, c) ((a) * (b) + (c))
#endif

static inline uint32_t nsp_f2u(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static inline float nsp_u2f(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

/*
 * e^x for x <= 0, or NaN (which propagates). Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, with
 * n found by the "shifter" trick (no float->int conversion, so no undefined behaviour for NaN), then
 * the degree-7 Taylor polynomial of e^r (truncation error r^8/8! < 2^-33 relative) and the scale
 * 2^n applied as 2^(n+64) * 2^-64 so that results in the subnormal range are rounded once, exactly
 * like a correctly rounded exp would be up to the polynomial's error. Inputs below -110 are clamped
 * there: e^-110 rounds to +0 in float, as the true value does for every x < -103.98.
 */
static inline float nsp_exp_nonpos(float x) {
    x = x < -110.0f ? -110.0f : x;                       /* NaN compares false: passes through */
    const float shifter = 0x1.8p23f;                     /* 1.5 * 2^23: the sum's low bits hold n */
    float t = x * 0x1.715476p+0f + shifter;              /* x / ln2 + 1.5 * 2^23 */
    float n = t - shifter;                               /* round(x / ln2), exact, in [-159, 0] */
    /* ln2 = hi + lo with hi's low 12 bits zero, so n hi and x - n hi are exact (|n| < 2^8) */
    float r = x - n * 0x1.62e400p-1f;
    r = r - n * 0x1.7f7d1cp-20f;
    float p = 0x1.a01a02p-13f;                           /* 1/7! */
    p = NSP_FMAF(p, r, 0x1.6c16c2p-10f);                     /* 1/6! */
    p = NSP_FMAF(p, r, 0x1.111112p-7f);                      /* 1/5! */
    p = NSP_FMAF(p, r, 0x1.555556p-5f);                      /* 1/4! */
    p = NSP_FMAF(p, r, 0x1.555556p-3f);                      /* 1/3! */
    p = NSP_FMAF(p, r, 0.5f);
    p = NSP_FMAF(p, r, 1.0f);
    p = NSP_FMAF(p, r, 1.0f);
    /* bits(t) = bits(shifter) + n; the biased exponent of 2^(n+64) is n + 64 + 127 in [32, 191] */
    uint32_t e = (nsp_f2u(t) - 0x4B400000u + 191u) << 23;
    return (p * nsp_u2f(e)) * 0x1p-64f;
}

/*
 * log(1 + e) for e in [0, 1], or NaN (which propagates). With m = 1 + e (e <= 1/2) or m = (1 + e) / 2
 * (e > 1/2), f = m - 1 is computed exactly (as e, or (e - 1) / 2 by Sterbenz's lemma), so there is no
 * loss for small e; then log(m) = 2 atanh(s), s = f / (2 + f), |s| <= 0.2, by its odd series to s^9
 * (truncation < 2^-34 relative).
 */
static inline float nsp_log1p_unit(float e) {
    int hi = e > 0.5f;
    float f = hi ? (e - 1.0f) * 0.5f : e;
    float s = f / (2.0f + f);
    float w = s * s;
    float q = 0x1.c71c72p-4f;                            /* 1/9 */
    q = NSP_FMAF(q, w, 0x1.24924ap-3f);                      /* 1/7 */
    q = NSP_FMAF(q, w, 0x1.99999ap-3f);                      /* 1/5 */
    q = NSP_FMAF(q, w, 0x1.555556p-2f);                      /* 1/3 */
    float twos = s + s;
    float lm = NSP_FMAF(twos * w, q, twos);                  /* 2s + 2s w q */
    return hi ? lm + 0x1.62e430p-1f : lm;                /* + ln 2 */
}

/* ------------------------------------------------------------------ Philox4x32-10 */

#define NSP_PHILOX_M0 0xD2511F53u
#define NSP_PHILOX_M1 0xCD9E8D57u
#define NSP_PHILOX_W0 0x9E3779B9u
#define NSP_PHILOX_W1 0xBB67AE85u

/*
 * One Philox4x32-10 block for nsp's counter layout: counter = (index, stream, step bits 0..31,
 * step bits 32..47 | block << 16), key = (seed bits 0..31, seed bits 32..63).
 */
typedef struct { uint32_t w0, w1, w2, w3; } nsp_words;

static inline nsp_words nsp_philox(uint32_t index, uint32_t stream, uint64_t step, uint32_t block, uint64_t seed) {
    uint32_t c0 = index, c1 = stream, c2 = (uint32_t) step;
    uint32_t c3 = ((uint32_t) (step >> 32) & 0xFFFFu) | (block << 16);
    uint32_t k0 = (uint32_t) seed, k1 = (uint32_t) (seed >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t) NSP_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t) NSP_PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t) (p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t) (p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t) p1;
        c3 = (uint32_t) p0;
        c0 = n0;
        c2 = n2;
        k0 += NSP_PHILOX_W0;
        k1 += NSP_PHILOX_W1;
    }
    nsp_words out = {c0, c1, c2, c3};
    return out;
}

/* top 24 bits as a float in [0, 1) */
static inline float nsp_uniform24(uint32_t w) { return (float) (w >> 8) * 0x1p-24f; }
/* top 24 bits as a float in (0, 1] */
static inline float nsp_uniform24_open(uint32_t w) { return (float) ((w >> 8) + 1u) * 0x1p-24f; }

#endif
