/*
 * nsp_kernels.c: the native kernels of nsp, one implementation of the whole kernel SPI
 * (dev.nsp.kernel.Kernels). Compiled once per instruction-set level; NSP_VARIANT names the table.
 *
 * Numerics, kernel by kernel, against dev.nsp.kernel.reference.ReferenceKernels (the truth):
 *  - ReLU, pooling, LIF, spike accumulation, Bernoulli and Poisson do the reference's exact operations
 *    (double where it uses double, float where it uses float, same order, no FMA contraction:
 *    the library is built with -ffp-contract=off), so they are bit-identical to it.
 *  - Noisy Softplus and softplus compute z = x / (k sigma) and the final products in double like the
 *    reference, and e^-|z|, log1p and the logistic in float (nsp_math.h, <= 2 ulp each).
 *  - Convolutions and dense layers accumulate in float with explicit FMA (the order within one output
 *    element is the reference's, except that omp-simd reductions are split across vector lanes);
 *    the weight gradient of a convolution adds per-image float partial sums in double.
 *  - softmax cross-entropy is done in double with libm's exp/log.
 */
#include "nsp_ops.h"
#include "nsp_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef NSP_VARIANT
#define NSP_VARIANT base
#endif
#define NSP_CAT2(a, b) a##_##b
#define NSP_CAT(a, b) NSP_CAT2(a, b)
#define NSP_STR2(a) #a
#define NSP_STR(a) NSP_STR2(a)

#define R NSP_RESTRICT
#define INLINE static inline __attribute__((always_inline))

/* Elements per parallel chunk of elementwise kernels, and the least work worth a second thread. */
#define CHUNK 8192
#define GRAIN 32768

/* The number of threads for a call of `work` units (elements or multiply-adds). */
static int team(double work, int threads) {
    if (threads < 1) {
        return 1;
    }
    double t = work / GRAIN;
    return t < 1 ? 1 : (t < threads ? (int) t : threads);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Java's Math.max(x, 0f): NaN stays NaN, -0 becomes +0. */
INLINE float relu_f(float x) { return (x > 0.0f || x != x) ? x : 0.0f; }
INLINE double relu_d(double x) { return (x > 0.0 || x != x) ? x : 0.0; }
/* Java's Math.signum: +-1, signed zero for zero, NaN for NaN. */
INLINE float signum_f(float a) { return a > 0.0f ? 1.0f : (a < 0.0f ? -1.0f : a); }
/* The reference's sqrt(max(v, 0)) of a float. */
INLINE float sqrt_pos(float v) { return v > 0.0f ? sqrtf(v) : (v != v ? v : 0.0f); }
/* w^2 / 2 rounded to float once, as the reference computes it. */
INLINE float half_square(float w) { return (float) (0.5 * (double) w * (double) w); }

/* ================================================================== activations */

/* the first index in [lo, hi) whose sigma is negative or NaN, or -1 */
static int64_t first_bad_sigma(const float *sigma, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        if (!(sigma[i] >= 0.0f)) {
            return i;
        }
    }
    return -1;
}

static int64_t ns_forward_range(const float *R x, const float *R sigma, float k, float p, float *R y,
                                int64_t lo, int64_t hi) {
    const double kd = k, pd = p;
    int bad = 0;
#pragma omp simd reduction(| : bad)
    for (int64_t i = lo; i < hi; i++) {
        float s = sigma[i];
        float xi = x[i];
        bad |= !(s >= 0.0f);
        double ks = kd * (double) s;                       /* exact: a product of two floats */
        float z = (float) ((double) xi / ks);               /* the reference's z, rounded once */
        float l = nsp_log1p_unit(nsp_exp_nonpos(-fabsf(z)));
        /* k sigma softplus(z) = max(x, 0) + k sigma log1p(e^-|z|): no overflow for any z */
        double r = relu_d((double) xi);
        double f = s == 0.0f ? r : r + ks * (double) l;
        y[i] = (float) (pd * f);
    }
    return bad ? first_bad_sigma(sigma, lo, hi) : -1;
}

INLINE int64_t ns_backward_range(const float *R x, const float *R sigma, float k, float p, const float *R gy,
                                 float *R gx, float *R gs, int64_t lo, int64_t hi, int with_gs) {
    const double kd = k, pd = p;
    int bad = 0;
#pragma omp simd reduction(| : bad)
    for (int64_t i = lo; i < hi; i++) {
        float s = sigma[i];
        float xi = x[i];
        bad |= !(s >= 0.0f);
        double ks = kd * (double) s;
        double zd = (double) xi / ks;
        float z = (float) zd;
        /* |z|, kept finite when only the rounding to float overflows: |z| e^-|z| is then 0, not inf * 0 */
        double ad = fabs(zd);
        float a = (ad > 0x1p127 && ad != INFINITY) ? 0x1p127f : (float) ad;
        float e = nsp_exp_nonpos(-a);                     /* e^-|z| in [0, 1] */
        float d = 1.0f + e;
        float lneg = e / d;                               /* logistic(-|z|) */
        float lz = z >= 0.0f ? 1.0f / d : lneg;           /* logistic(z) */
        /* softplus(z) - z logistic(z) = log1p(e^-|z|) + |z| logistic(-|z|): no cancellation */
        float slope = nsp_log1p_unit(e) + a * lneg;
        double g = (double) gy[i] * pd;
        double step = xi > 0.0f ? 1.0 : 0.0;
        gx[i] = (float) (s == 0.0f ? g * step : g * (double) lz);
        if (with_gs) {
            gs[i] = (float) (s == 0.0f ? 0.0 : g * kd * (double) slope);
        }
    }
    return bad ? first_bad_sigma(sigma, lo, hi) : -1;
}

static int64_t ns_forward(const float *x, const float *sigma, float k, float p, float *y, int64_t n, int threads) {
    int64_t bad = INT64_MAX;
    int64_t chunks = (n + CHUNK - 1) / CHUNK;
    int nt = team((double) n * 8, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static) reduction(min : bad)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t b = ns_forward_range(x, sigma, k, p, y, c * CHUNK, min64(n, (c + 1) * CHUNK));
        if (b >= 0 && b < bad) {
            bad = b;
        }
    }
    return bad == INT64_MAX ? -1 : bad;
}

static int64_t ns_backward(const float *x, const float *sigma, float k, float p, const float *gy, float *gx,
                           float *gs, int64_t n, int threads) {
    int64_t bad = INT64_MAX;
    int64_t chunks = (n + CHUNK - 1) / CHUNK;
    int nt = team((double) n * 8, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static) reduction(min : bad)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t lo = c * CHUNK, hi = min64(n, (c + 1) * CHUNK);
        int64_t b = gs != NULL ? ns_backward_range(x, sigma, k, p, gy, gx, gs, lo, hi, 1)
                               : ns_backward_range(x, sigma, k, p, gy, gx, NULL, lo, hi, 0);
        if (b >= 0 && b < bad) {
            bad = b;
        }
    }
    return bad == INT64_MAX ? -1 : bad;
}

static void softplus_forward(const float *R x, float scale, float p, float *R y, int64_t n, int threads) {
    const double sd = scale, ps = (double) p * (double) scale;
    int nt = team((double) n * 8, threads);
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(simd : static)
    for (int64_t i = 0; i < n; i++) {
        double zd = (double) x[i] / sd;
        float l = nsp_log1p_unit(nsp_exp_nonpos(-fabsf((float) zd)));
        y[i] = (float) (ps * (relu_d(zd) + (double) l));
    }
}

static void softplus_backward(const float *R x, float scale, float p, const float *R gy, float *R gx, int64_t n,
                              int threads) {
    const double sd = scale, pd = p;
    int nt = team((double) n * 8, threads);
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(simd : static)
    for (int64_t i = 0; i < n; i++) {
        float z = (float) ((double) x[i] / sd);
        float e = nsp_exp_nonpos(-fabsf(z));
        float d = 1.0f + e;
        float lz = z >= 0.0f ? 1.0f / d : e / d;
        gx[i] = (float) ((double) gy[i] * pd * (double) lz);
    }
}

static void relu_forward(const float *R x, float p, float *R y, int64_t n, int threads) {
    int nt = team((double) n, threads);
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(simd : static)
    for (int64_t i = 0; i < n; i++) {
        y[i] = p * relu_f(x[i]);        /* = (float) ((double) p * max(x, 0)): the double product is exact */
    }
}

static void relu_backward(const float *R x, float p, const float *R gy, float *R gx, int64_t n, int threads) {
    int nt = team((double) n, threads);
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(simd : static)
    for (int64_t i = 0; i < n; i++) {
        gx[i] = x[i] > 0.0f ? gy[i] * p : 0.0f;
    }
}

/* ================================================================== convolution */

typedef struct {
    int64_t n, c, h, w, o, kh, kw, oh, ow;
} conv_t;

static conv_t conv_of(const int32_t d[7]) {
    conv_t s = {d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[2] - d[5] + 1, d[3] - d[6] + 1};
    return s;
}

static double conv_macs(const conv_t *s) {
    return (double) s->n * s->o * s->c * s->kh * s->kw * s->oh * s->ow;
}

/*
 * One output plane out[n,o] = sum_{c,u,v} w[o,c,u,v] in[n,c,i+u,j+v] (and, for the moment form, the
 * variance plane var[n,o] = sum hw[o,c,u,v] |in[n,c,i+u,j+v]|), accumulated over (c,u,v) in order with
 * FMA, vectorised along the output row.
 */
INLINE void conv_plane(const conv_t *s, const float *R in, const float *R w, const float *R hw, float *R out,
                       float *R var, int moment) {
    int64_t plane = s->oh * s->ow;
    memset(out, 0, (size_t) plane * sizeof(float));
    if (moment) {
        memset(var, 0, (size_t) plane * sizeof(float));
    }
    for (int64_t c = 0; c < s->c; c++) {
        for (int64_t u = 0; u < s->kh; u++) {
            for (int64_t v = 0; v < s->kw; v++) {
                int64_t wi = (c * s->kh + u) * s->kw + v;
                float wv = w[wi];
                float hv = moment ? hw[wi] : 0.0f;
                for (int64_t i = 0; i < s->oh; i++) {
                    const float *R row = in + (c * s->h + i + u) * s->w + v;
                    float *R o = out + i * s->ow;
                    if (moment) {
                        float *R q = var + i * s->ow;
#pragma omp simd
                        for (int64_t j = 0; j < s->ow; j++) {
                            o[j] = NSP_FMAF(wv, row[j], o[j]);
                            q[j] = NSP_FMAF(hv, fabsf(row[j]), q[j]);
                        }
                    } else {
#pragma omp simd
                        for (int64_t j = 0; j < s->ow; j++) {
                            o[j] = NSP_FMAF(wv, row[j], o[j]);
                        }
                    }
                }
            }
        }
    }
}

static void conv_forward(const float *in, const float *w, float *out, const int32_t dims[7], int threads) {
    conv_t s = conv_of(dims);
    int64_t pairs = s.n * s.o;
    int nt = team(conv_macs(&s), threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < pairs; p++) {
        int64_t n = p / s.o, o = p % s.o;
        conv_plane(&s, in + n * s.c * s.h * s.w, w + o * s.c * s.kh * s.kw, NULL, out + p * s.oh * s.ow, NULL, 0);
    }
}

/* (w^2 / 2) for every weight, or NULL when out of memory */
static float *half_squares(const float *w, int64_t count) {
    float *hw = malloc((size_t) (count > 0 ? count : 1) * sizeof(float));
    if (hw != NULL) {
        for (int64_t i = 0; i < count; i++) {
            hw[i] = half_square(w[i]);
        }
    }
    return hw;
}

static int moment_conv_forward(const float *in, const float *w, float *mean, float *sigma, const int32_t dims[7],
                               int threads) {
    conv_t s = conv_of(dims);
    float *hw = half_squares(w, s.o * s.c * s.kh * s.kw);
    if (hw == NULL) {
        return -1;
    }
    int64_t pairs = s.n * s.o, plane = s.oh * s.ow;
    int nt = team(2 * conv_macs(&s), threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < pairs; p++) {
        int64_t n = p / s.o, o = p % s.o;
        int64_t wo = o * s.c * s.kh * s.kw;
        float *sg = sigma + p * plane;
        conv_plane(&s, in + n * s.c * s.h * s.w, w + wo, hw + wo, mean + p * plane, sg, 1);
        for (int64_t i = 0; i < plane; i++) {
            sg[i] = sqrt_pos(sg[i]);
        }
    }
    free(hw);
    return 0;
}

/*
 * One input-gradient plane gin[n,c] = sum_{o,u,v} w[o,c,u,v] gout[n,o,y-u,x-v], scattered row by row
 * and accumulated over (o,u,v) in order with FMA.
 */
static void conv_back_plane(const conv_t *s, const float *R gout /* [O,oh,ow] of image n */, const float *R w,
                            int64_t c, float *R gin) {
    memset(gin, 0, (size_t) (s->h * s->w) * sizeof(float));
    for (int64_t o = 0; o < s->o; o++) {
        const float *R g = gout + o * s->oh * s->ow;
        for (int64_t u = 0; u < s->kh; u++) {
            for (int64_t v = 0; v < s->kw; v++) {
                float wv = w[((o * s->c + c) * s->kh + u) * s->kw + v];
                for (int64_t i = 0; i < s->oh; i++) {
                    const float *R gr = g + i * s->ow;
                    float *R dst = gin + (i + u) * s->w + v;
#pragma omp simd
                    for (int64_t j = 0; j < s->ow; j++) {
                        dst[j] = NSP_FMAF(wv, gr[j], dst[j]);
                    }
                }
            }
        }
    }
}

static void conv_backward_data(const float *gout, const float *w, float *gin, const int32_t dims[7], int threads) {
    conv_t s = conv_of(dims);
    int64_t pairs = s.n * s.c;
    int nt = team(conv_macs(&s), threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < pairs; p++) {
        int64_t n = p / s.c, c = p % s.c;
        conv_back_plane(&s, gout + n * s.o * s.oh * s.ow, w, c, gin + p * s.h * s.w);
    }
}

/*
 * The weight gradient of one (o, c) pair: gw[u,v] = sum_n (sum_{i,j} in[n,c,i+u,j+v] gout[n,o,i,j]),
 * the inner sum of one image in float (vectorised along j), the outer sum over images in double.
 * With `absolute`, |in| replaces in (the variance path of the moment form).
 */
INLINE void conv_weight_pair(const conv_t *s, const float *R in, const float *R gout, int64_t o, int64_t c,
                             double *R acc /* [KH*KW] */, int absolute) {
    for (int64_t u = 0; u < s->kh; u++) {
        for (int64_t v = 0; v < s->kw; v++) {
            double sum = 0.0;
            for (int64_t n = 0; n < s->n; n++) {
                const float *R a = in + ((n * s->c + c) * s->h + u) * s->w + v;
                const float *R g = gout + (n * s->o + o) * s->oh * s->ow;
                float part = 0.0f;
                for (int64_t i = 0; i < s->oh; i++) {
                    const float *R ar = a + i * s->w;
                    const float *R gr = g + i * s->ow;
#pragma omp simd reduction(+ : part)
                    for (int64_t j = 0; j < s->ow; j++) {
                        part += (absolute ? fabsf(ar[j]) : ar[j]) * gr[j];
                    }
                }
                sum += (double) part;
            }
            acc[u * s->kw + v] = sum;
        }
    }
}

static void conv_backward_weights(const float *in, const float *gout, float *gw, const int32_t dims[7], int threads) {
    conv_t s = conv_of(dims);
    int64_t pairs = s.o * s.c, kk = s.kh * s.kw;
    int nt = team(conv_macs(&s), threads);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        double acc[kk];
#pragma omp for schedule(static)
        for (int64_t p = 0; p < pairs; p++) {
            conv_weight_pair(&s, in, gout, p / s.c, p % s.c, acc, 0);
            for (int64_t q = 0; q < kk; q++) {
                gw[p * kk + q] = (float) acc[q];
            }
        }
    }
}

/* d(loss)/d(variance) = gs / (2 sigma), 0 where sigma is not > 0, rounded to float as the reference does */
INLINE float variance_grad(float sigma, float gs) {
    return sigma > 0.0f ? (float) ((double) gs / (2.0 * (double) sigma)) : 0.0f;
}

static float *variance_grads(const float *sigma, const float *gs, int64_t count) {
    float *gv = malloc((size_t) (count > 0 ? count : 1) * sizeof(float));
    if (gv != NULL) {
        for (int64_t i = 0; i < count; i++) {
            gv[i] = variance_grad(sigma[i], gs[i]);
        }
    }
    return gv;
}

static int moment_conv_backward(const float *in, const float *w, const float *sigma, const float *gm, const float *gs,
                                float *gin, float *gw, const int32_t dims[7], int threads) {
    conv_t s = conv_of(dims);
    int64_t wn = s.o * s.c * s.kh * s.kw, kk = s.kh * s.kw;
    float *gv = NULL, *hw = NULL;
    int status = 0;
    if (gs != NULL) {
        gv = variance_grads(sigma, gs, s.n * s.o * s.oh * s.ow);
        hw = half_squares(w, wn);
        if (gv == NULL || hw == NULL) {
            free(gv);
            free(hw);
            return -1;
        }
    }
    int nt = team(conv_macs(&s) * (gs != NULL ? 2 : 1), threads);
    if (gin != NULL) {
        int64_t pairs = s.n * s.c, plane = s.h * s.w;
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            float *tmp = gv != NULL ? malloc((size_t) plane * sizeof(float)) : NULL;
            if (gv != NULL && tmp == NULL) {
#pragma omp atomic write
                status = -1;
            }
#pragma omp for schedule(static)
            for (int64_t p = 0; p < pairs; p++) {
                int64_t n = p / s.c, c = p % s.c;
                float *g = gin + p * plane;
                conv_back_plane(&s, gm + n * s.o * s.oh * s.ow, w, c, g);
                if (tmp != NULL) {
                    conv_back_plane(&s, gv + n * s.o * s.oh * s.ow, hw, c, tmp);
                    const float *a = in + p * plane;
                    for (int64_t i = 0; i < plane; i++) {
                        g[i] = g[i] + signum_f(a[i]) * tmp[i];   /* signum is exact: one rounding */
                    }
                }
            }
            free(tmp);
        }
    }
    if (gw != NULL) {
        int64_t pairs = s.o * s.c;
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            double acc[kk], accv[kk];
#pragma omp for schedule(static)
            for (int64_t p = 0; p < pairs; p++) {
                int64_t o = p / s.c, c = p % s.c;
                conv_weight_pair(&s, in, gm, o, c, acc, 0);
                if (gv != NULL) {
                    conv_weight_pair(&s, in, gv, o, c, accv, 1);
                    for (int64_t q = 0; q < kk; q++) {
                        acc[q] += (double) w[p * kk + q] * accv[q];
                    }
                }
                for (int64_t q = 0; q < kk; q++) {
                    gw[p * kk + q] = (float) acc[q];
                }
            }
        }
    }
    free(gv);
    free(hw);
    return status;
}

/* ================================================================== pooling (double, as the reference) */

static void pool_forward(const float *R in, float weight, float *R out, int64_t planes, int32_t h, int32_t w,
                         int threads) {
    int64_t oh = h / 2, ow = w / 2, rows = planes * oh;
    const double wd = weight;
    int nt = team((double) planes * h * w, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        const float *R a = in + 2 * r * w;          /* rows 2i and 2i+1 of plane r / oh */
        float *R o = out + r * ow;
#pragma omp simd
        for (int64_t j = 0; j < ow; j++) {
            double sum = (double) a[2 * j] + (double) a[2 * j + 1] + (double) a[w + 2 * j] + (double) a[w + 2 * j + 1];
            o[j] = (float) (wd * sum);
        }
    }
}

static void pool_backward(const float *R gout, float weight, float *R gin, int64_t planes, int32_t h, int32_t w,
                          int threads) {
    int64_t ow = w / 2, rows = planes * h;
    int nt = team((double) planes * h * w, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        const float *R g = gout + (r / 2) * ow;      /* input row r of all planes -> output row r / 2 */
        float *R d = gin + r * w;
#pragma omp simd
        for (int64_t j = 0; j < ow; j++) {
            float v = weight * g[j];                 /* = (float) ((double) weight * g): that product is exact */
            d[2 * j] = v;
            d[2 * j + 1] = v;
        }
    }
}

static void moment_pool_forward(const float *R in, float weight, float *R mean, float *R sigma, int64_t planes,
                                int32_t h, int32_t w, int threads) {
    int64_t oh = h / 2, ow = w / 2, rows = planes * oh;
    const double wd = weight, half = 0.5 * (double) weight * (double) weight;
    int nt = team((double) planes * h * w * 2, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        const float *R a = in + 2 * r * w;
#pragma omp simd
        for (int64_t j = 0; j < ow; j++) {
            float a0 = a[2 * j], a1 = a[2 * j + 1], a2 = a[w + 2 * j], a3 = a[w + 2 * j + 1];
            double sum = (double) a0 + (double) a1 + (double) a2 + (double) a3;
            double abs = (double) fabsf(a0) + (double) fabsf(a1) + (double) fabsf(a2) + (double) fabsf(a3);
            mean[r * ow + j] = (float) (wd * sum);
            sigma[r * ow + j] = sqrt_pos((float) (half * abs));
        }
    }
}

static void moment_pool_backward(const float *R in, float weight, const float *R sigma, const float *R gm,
                                 const float *R gs, float *R gin, int64_t planes, int32_t h, int32_t w, int threads) {
    int64_t ow = w / 2, rows = planes * h;
    const double wd = weight, half = 0.5 * (double) weight * (double) weight;
    int nt = team((double) planes * h * w * 2, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        int64_t o = (r / 2) * ow;
        const float *R a = in + r * w;
        float *R d = gin + r * w;
        if (gs == NULL) {
#pragma omp simd
            for (int64_t j = 0; j < ow; j++) {
                float v = (float) (wd * (double) gm[o + j]);
                d[2 * j] = v;
                d[2 * j + 1] = v;
            }
        } else {
#pragma omp simd
            for (int64_t j = 0; j < ow; j++) {
                double hv = (double) variance_grad(sigma[o + j], gs[o + j]);
                double g = wd * (double) gm[o + j];
                /* the reference's g + (half * signum(a)) * gv */
                d[2 * j] = (float) (g + half * (double) signum_f(a[2 * j]) * hv);
                d[2 * j + 1] = (float) (g + half * (double) signum_f(a[2 * j + 1]) * hv);
            }
        }
    }
}

/* ================================================================== dense */

INLINE float dot(const float *R a, const float *R b, int64_t k) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t q = 0; q < k; q++) {
        s += a[q] * b[q];
    }
    return s;
}

static void dense_forward(const float *in, const float *w, float *out, int32_t n, int32_t k, int32_t m, int threads) {
    int64_t cells = (int64_t) n * m;
    int nt = team((double) cells * k, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < cells; p++) {
        out[p] = dot(in + (p / m) * k, w + (p % m) * k, k);
    }
}

/* row[q] = sum_c g[c] w[c,q] (+ with `var`, vrow[q] = sum_c gv[c] hw[c,q]), over c in order with FMA */
static void dense_back_row(const float *R g, const float *R w, float *R row, int32_t k, int32_t m) {
    memset(row, 0, (size_t) k * sizeof(float));
    for (int64_t c = 0; c < m; c++) {
        float gc = g[c];
        const float *R wr = w + c * k;
#pragma omp simd
        for (int64_t q = 0; q < k; q++) {
            row[q] = NSP_FMAF(gc, wr[q], row[q]);
        }
    }
}

static void dense_backward_data(const float *gout, const float *w, float *gin, int32_t n, int32_t k, int32_t m,
                                int threads) {
    int nt = team((double) n * k * m, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t r = 0; r < n; r++) {
        dense_back_row(gout + r * m, w, gin + r * k, k, m);
    }
}

/* row[q] = sum_r g[r,c] a[r,q] (|a| with `absolute`), over the batch in order with FMA */
INLINE void dense_weight_row(const float *R in, const float *R gout, int64_t c, float *R row, int32_t n, int32_t k,
                             int32_t m, int absolute) {
    memset(row, 0, (size_t) k * sizeof(float));
    for (int64_t r = 0; r < n; r++) {
        float g = gout[r * m + c];
        const float *R a = in + r * k;
#pragma omp simd
        for (int64_t q = 0; q < k; q++) {
            row[q] = NSP_FMAF(g, absolute ? fabsf(a[q]) : a[q], row[q]);
        }
    }
}

static void dense_backward_weights(const float *in, const float *gout, float *gw, int32_t n, int32_t k, int32_t m,
                                   int threads) {
    int nt = team((double) n * k * m, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t c = 0; c < m; c++) {
        dense_weight_row(in, gout, c, gw + c * k, n, k, m, 0);
    }
}

static int moment_dense_forward(const float *in, const float *w, float *mean, float *sigma, int32_t n, int32_t k,
                                int32_t m, int threads) {
    float *hw = half_squares(w, (int64_t) m * k);
    if (hw == NULL) {
        return -1;
    }
    int64_t cells = (int64_t) n * m;
    int nt = team((double) cells * k * 2, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < cells; p++) {
        const float *R a = in + (p / m) * k;
        const float *R wr = w + (p % m) * k;
        const float *R hr = hw + (p % m) * k;
        float s = 0.0f, v = 0.0f;
#pragma omp simd reduction(+ : s, v)
        for (int64_t q = 0; q < k; q++) {
            s += a[q] * wr[q];
            v += fabsf(a[q]) * hr[q];
        }
        mean[p] = s;
        sigma[p] = sqrt_pos(v);
    }
    free(hw);
    return 0;
}

static int moment_dense_backward(const float *in, const float *w, const float *sigma, const float *gm,
                                 const float *gs, float *gin, float *gw, int32_t n, int32_t k, int32_t m,
                                 int threads) {
    float *gv = NULL, *hw = NULL;
    int status = 0;
    if (gs != NULL) {
        gv = variance_grads(sigma, gs, (int64_t) n * m);
        hw = half_squares(w, (int64_t) m * k);
        if (gv == NULL || hw == NULL) {
            free(gv);
            free(hw);
            return -1;
        }
    }
    int nt = team((double) n * k * m * (gs != NULL ? 2 : 1), threads);
    if (gin != NULL) {
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            float *tmp = gv != NULL ? malloc((size_t) k * sizeof(float)) : NULL;
            if (gv != NULL && tmp == NULL) {
#pragma omp atomic write
                status = -1;
            }
#pragma omp for schedule(static)
            for (int64_t r = 0; r < n; r++) {
                float *R g = gin + r * k;
                dense_back_row(gm + r * m, w, g, k, m);
                if (tmp != NULL) {
                    dense_back_row(gv + r * m, hw, tmp, k, m);
                    const float *R a = in + r * k;
#pragma omp simd
                    for (int64_t q = 0; q < k; q++) {
                        g[q] = g[q] + signum_f(a[q]) * tmp[q];
                    }
                }
            }
            free(tmp);
        }
    }
    if (gw != NULL) {
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            float *tmp = gv != NULL ? malloc((size_t) k * sizeof(float)) : NULL;
            if (gv != NULL && tmp == NULL) {
#pragma omp atomic write
                status = -1;
            }
#pragma omp for schedule(static)
            for (int64_t c = 0; c < m; c++) {
                float *R g = gw + c * k;
                dense_weight_row(in, gm, c, g, n, k, m, 0);
                if (tmp != NULL) {
                    dense_weight_row(in, gv, c, tmp, n, k, m, 1);
                    const float *R wr = w + c * k;
#pragma omp simd
                    for (int64_t q = 0; q < k; q++) {
                        g[q] = NSP_FMAF(wr[q], tmp[q], g[q]);
                    }
                }
            }
            free(tmp);
        }
    }
    free(gv);
    free(hw);
    return status;
}

/* ================================================================== loss (double, as the reference) */

static double softmax_ce(const float *logits, const int32_t *labels, float *prob, float *grad, int32_t n, int32_t m) {
    double loss = 0.0;
    for (int64_t r = 0; r < n; r++) {
        const float *z = logits + r * m;
        double max = -INFINITY;
        for (int64_t c = 0; c < m; c++) {
            double zc = z[c];
            max = (zc > max || zc != zc) ? zc : max;    /* Math.max: NaN wins */
        }
        double sum = 0.0;
        for (int64_t c = 0; c < m; c++) {
            sum += exp((double) z[c] - max);
        }
        double log_sum = log(sum) + max;
        loss += log_sum - (double) z[labels[r]];
        for (int64_t c = 0; c < m; c++) {
            double pr = exp((double) z[c] - log_sum);
            prob[r * m + c] = (float) pr;
            if (grad != NULL) {
                grad[r * m + c] = (float) ((pr - (c == labels[r] ? 1.0 : 0.0)) / n);
            }
        }
    }
    return loss;
}

/* ================================================================== spiking */

/* Java's (int) f: truncation, NaN -> 0, saturating */
static int32_t java_f2i(float f) {
    if (f != f) {
        return 0;
    }
    if (f >= 2147483648.0f) {
        return INT32_MAX;
    }
    if (f <= -2147483648.0f) {
        return INT32_MIN;
    }
    return (int32_t) f;
}

#define LIF_BLOCK 512

/*
 * The LIF loop of the reference, neuron block by neuron block (state in L1 for all T steps), the
 * neurons of a block in SIMD lanes. Per neuron the operations are the reference's, in its order, in
 * double with the state rounded to float after every step, so results are bit-identical and do not
 * depend on the number of threads.
 */
static int lif_run(const float c[9], int32_t refractory_steps, float *v, float *ie, float *ii, float *ref,
                   const float *bias, const float *cur, const float *exc, const float *inh, float *spikes,
                   float *counts, int64_t n, int32_t steps, int threads) {
    const double dm = c[0], de = c[1], di = c[2], dg = c[3], pe = c[4], pi = c[5];
    const float off = c[6], theta = c[7], y_reset = c[8];
    static const float zeros[LIF_BLOCK];
    int64_t blocks = (n + LIF_BLOCK - 1) / LIF_BLOCK;
    int nt = team((double) n * steps * 4, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t b = 0; b < blocks; b++) {
        int64_t lo = b * LIF_BLOCK;
        int len = (int) min64(LIF_BLOCK, n - lo);
        double constant[LIF_BLOCK];
        int32_t r[LIF_BLOCK], fired[LIF_BLOCK];
        float scratch[LIF_BLOCK];
        float *R y = v + lo, *R e = ie + lo, *R h = ii + lo;
        for (int j = 0; j < len; j++) {
            /* the reference's c.offsetNa() + bias[i] is a float addition, widened afterwards */
            constant[j] = (double) (off + (bias == NULL ? 0.0f : bias[lo + j]));
            r[j] = java_f2i(ref[lo + j]);
            fired[j] = 0;
        }
        for (int32_t t = 0; t < steps; t++) {
            int64_t row = (int64_t) t * n + lo;
            const float *R ct = cur == NULL ? zeros : cur + row;
            const float *R xt = exc == NULL ? zeros : exc + row;
            const float *R it = inh == NULL ? zeros : inh + row;
            float *R st = spikes == NULL ? scratch : spikes + row;
#pragma omp simd
            for (int j = 0; j < len; j++) {
                double yd = y[j], ed = e[j], hd = h[j];
                int32_t rj = r[j];
                int refractory = rj > 0;
                double drive = constant[j] + (double) ct[j];
                double ynew = dm * yd + dg * drive + pe * ed + pi * hd;
                yd = refractory ? yd : ynew;
                rj = refractory ? rj - 1 : rj;
                float yf = (float) yd;
                e[j] = (float) (de * ed + (double) xt[j]);
                h[j] = (float) (di * hd + (double) it[j]);
                int fire = yf >= theta;
                y[j] = fire ? y_reset : yf;
                r[j] = fire ? refractory_steps : rj;
                fired[j] += fire;
                st[j] = fire ? 1.0f : 0.0f;
            }
        }
        for (int j = 0; j < len; j++) {
            ref[lo + j] = (float) r[j];
            if (counts != NULL) {
                counts[lo + j] += (float) fired[j];
            }
        }
    }
    return 0;
}

/* the reference's deliver(): positive values to excitatory, negative to inhibitory, zero and NaN nowhere */
INLINE void deliver(float *exc, float *inh, int64_t idx, float value) {
    if (value > 0.0f) {
        exc[idx] += value;
    } else if (value < 0.0f) {
        inh[idx] += value;
    }
}

/*
 * Event-driven convolution synapses. Parallel over (image, output channel); within one, the input is
 * scanned in the reference's (c, y, x) order, so every output element receives its contributions in
 * the reference's order: bit-identical for any thread count.
 */
static void spike_conv(const float *spikes, const float *w, float *exc, float *inh, const int32_t dims[7],
                       int threads) {
    conv_t s = conv_of(dims);
    int64_t pairs = s.n * s.o;
    int nt = team((double) s.n * s.o * s.c * s.h * s.w, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(dynamic, 1)
    for (int64_t p = 0; p < pairs; p++) {
        int64_t n = p / s.o, o = p % s.o;
        float *ex = exc + p * s.oh * s.ow, *ih = inh + p * s.oh * s.ow;
        for (int64_t c = 0; c < s.c; c++) {
            const float *in = spikes + (n * s.c + c) * s.h * s.w;
            const float *wc = w + (o * s.c + c) * s.kh * s.kw;
            for (int64_t y = 0; y < s.h; y++) {
                for (int64_t x = 0; x < s.w; x++) {
                    float count = in[y * s.w + x];
                    if (count == 0.0f) {
                        continue;
                    }
                    for (int64_t u = 0; u < s.kh; u++) {
                        int64_t i = y - u;
                        if (i < 0 || i >= s.oh) {
                            continue;
                        }
                        int64_t vlo = x - (s.ow - 1) > 0 ? x - (s.ow - 1) : 0;
                        int64_t vhi = x < s.kw - 1 ? x : s.kw - 1;
                        for (int64_t v = vlo; v <= vhi; v++) {
                            deliver(ex, ih, i * s.ow + (x - v), count * wc[u * s.kw + v]);
                        }
                    }
                }
            }
        }
    }
}

static void spike_pool(const float *spikes, float weight, float *exc, float *inh, int64_t planes, int32_t h, int32_t w,
                       int threads) {
    int64_t oh = h / 2, ow = w / 2;
    int nt = team((double) planes * h * w, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < planes; p++) {
        const float *in = spikes + p * h * w;
        for (int64_t y = 0; y < h; y++) {
            for (int64_t x = 0; x < w; x++) {
                float count = in[y * w + x];
                if (count != 0.0f) {
                    deliver(exc, inh, (p * oh + y / 2) * ow + x / 2, count * weight);
                }
            }
        }
    }
}

static void spike_dense(const float *spikes, const float *w, float *exc, float *inh, int32_t n, int32_t k, int32_t m,
                        int threads) {
    int nt = team((double) n * k, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t r = 0; r < n; r++) {
        for (int64_t q = 0; q < k; q++) {
            float count = spikes[r * k + q];
            if (count == 0.0f) {
                continue;
            }
            for (int64_t c = 0; c < m; c++) {
                deliver(exc, inh, r * m + c, count * w[c * k + q]);
            }
        }
    }
}

static void bernoulli(int64_t seed, int32_t stream, int64_t step, const float *R prob, float *R out, int64_t n,
                      int threads) {
    int nt = team((double) n * 16, threads);
#pragma omp parallel for simd num_threads(nt) if (nt > 1) schedule(simd : static)
    for (int64_t i = 0; i < n; i++) {
        nsp_words words = nsp_philox((uint32_t) i, (uint32_t) stream, (uint64_t) step, 0, (uint64_t) seed);
        out[i] = nsp_uniform24(words.w0) < prob[i] ? 1.0f : 0.0f;
    }
}

/* Philox.poissonCount: the product of (0,1] uniforms over blocks 0, 1, 2, ... while it stays above thr */
static float poisson_scalar(int64_t seed, int32_t stream, int64_t step, uint32_t index, float thr) {
    int32_t count = 0;
    float product = 1.0f;
    for (uint32_t block = 0; block <= 0xFFFFu; block++) {
        nsp_words b = nsp_philox(index, (uint32_t) stream, (uint64_t) step, block, (uint64_t) seed);
        uint32_t words[4] = {b.w0, b.w1, b.w2, b.w3};
        for (int j = 0; j < 4; j++) {
            product *= nsp_uniform24_open(words[j]);
            if (!(product > thr)) {
                return (float) count;
            }
            count++;
        }
    }
    return (float) count;
}

/*
 * Poisson counts: block 0 (the first four uniforms) for all elements in SIMD lanes, branch-free; the
 * few elements that survive all four draws are redone by the scalar loop, which draws the same words.
 */
static void poisson(int64_t seed, int32_t stream, int64_t step, const float *R thr, float *R out, int64_t n,
                    int threads) {
    int64_t chunks = (n + CHUNK - 1) / CHUNK;
    int nt = team((double) n * 16, threads);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t lo = c * CHUNK, hi = min64(n, (c + 1) * CHUNK);
#pragma omp simd
        for (int64_t i = lo; i < hi; i++) {
            nsp_words b = nsp_philox((uint32_t) i, (uint32_t) stream, (uint64_t) step, 0, (uint64_t) seed);
            float t = thr[i];
            /* the reference's loop, unrolled without branches: stop counting at the first product <= t */
            float p0 = nsp_uniform24_open(b.w0);
            float p1 = p0 * nsp_uniform24_open(b.w1);
            float p2 = p1 * nsp_uniform24_open(b.w2);
            float p3 = p2 * nsp_uniform24_open(b.w3);
            int a0 = p0 > t, a1 = a0 & (p1 > t), a2 = a1 & (p2 > t), a3 = a2 & (p3 > t);
            out[i] = (float) (a0 + a1 + a2 + a3);
        }
        for (int64_t i = lo; i < hi; i++) {
            if (out[i] == 4.0f) {
                out[i] = poisson_scalar(seed, stream, step, (uint32_t) i, thr[i]);
            }
        }
    }
}

/* ================================================================== the table */

const nsp_ops NSP_CAT(nsp_ops, NSP_VARIANT) = {
    .name = NSP_STR(NSP_VARIANT),
    .ns_forward = ns_forward,
    .ns_backward = ns_backward,
    .softplus_forward = softplus_forward,
    .softplus_backward = softplus_backward,
    .relu_forward = relu_forward,
    .relu_backward = relu_backward,
    .conv_forward = conv_forward,
    .conv_backward_data = conv_backward_data,
    .conv_backward_weights = conv_backward_weights,
    .moment_conv_forward = moment_conv_forward,
    .moment_conv_backward = moment_conv_backward,
    .pool_forward = pool_forward,
    .pool_backward = pool_backward,
    .moment_pool_forward = moment_pool_forward,
    .moment_pool_backward = moment_pool_backward,
    .dense_forward = dense_forward,
    .dense_backward_data = dense_backward_data,
    .dense_backward_weights = dense_backward_weights,
    .moment_dense_forward = moment_dense_forward,
    .moment_dense_backward = moment_dense_backward,
    .softmax_ce = softmax_ce,
    .lif_run = lif_run,
    .spike_conv = spike_conv,
    .spike_pool = spike_pool,
    .spike_dense = spike_dense,
    .bernoulli = bernoulli,
    .poisson = poisson,
};
