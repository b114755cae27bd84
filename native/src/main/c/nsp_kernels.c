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
#include "nsp_pool.h"

#include <math.h>
#include <stdatomic.h>
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

/* The least work (in multiply-adds or so) worth a second thread. */
#define GRAIN 32768

/* The number of threads for a call of `work` units (elements or multiply-adds). */
static int team(double work, int threads) {
    if (threads < 1) {
        return 1;
    }
    double t = work / GRAIN;
    return t < 1 ? 1 : (t < threads ? (int) t : threads);
}

/*
 * Runs body over [0, count) with up to `threads` threads (fewer for little `work`), in about four
 * chunks per thread (for balance when a thread is slow), each a multiple of `align` units.
 */
static void par(int64_t count, double work, int threads, int64_t align, nsp_body body, void *ctx) {
    int nt = team(work, threads);
    int64_t grain = count;
    if (nt > 1) {
        grain = (count + 4 * (int64_t) nt - 1) / (4 * (int64_t) nt);
        grain = (grain + align - 1) / align * align;
    }
    nsp_parallel_for(count, grain, nt, body, ctx);
}

static void atomic_min64(_Atomic int64_t *m, int64_t v) {
    int64_t cur = atomic_load_explicit(m, memory_order_relaxed);
    while (v < cur && !atomic_compare_exchange_weak_explicit(m, &cur, v, memory_order_relaxed, memory_order_relaxed)) {
    }
}

/* Elementwise chunks are multiples of this many elements (whole cache lines, whole vectors). */
#define ALIGN 64

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

/* the arguments of an elementwise kernel, for its chunks */
typedef struct {
    const float *x, *sigma, *gy;
    float *y, *gx, *gs;
    float k, p;
    _Atomic int64_t bad;
} act_job;

static void ns_forward_body(void *v, int64_t lo, int64_t hi) {
    act_job *j = v;
    int64_t b = ns_forward_range(j->x, j->sigma, j->k, j->p, j->y, lo, hi);
    if (b >= 0) {
        atomic_min64(&j->bad, b);
    }
}

static void ns_backward_body(void *v, int64_t lo, int64_t hi) {
    act_job *j = v;
    int64_t b = j->gs != NULL ? ns_backward_range(j->x, j->sigma, j->k, j->p, j->gy, j->gx, j->gs, lo, hi, 1)
                              : ns_backward_range(j->x, j->sigma, j->k, j->p, j->gy, j->gx, NULL, lo, hi, 0);
    if (b >= 0) {
        atomic_min64(&j->bad, b);
    }
}

static int64_t ns_forward(const float *x, const float *sigma, float k, float p, float *y, int64_t n, int threads) {
    act_job j = {.x = x, .sigma = sigma, .y = y, .k = k, .p = p};
    atomic_init(&j.bad, INT64_MAX);
    par(n, (double) n * 8, threads, ALIGN, ns_forward_body, &j);
    int64_t bad = atomic_load(&j.bad);
    return bad == INT64_MAX ? -1 : bad;
}

static int64_t ns_backward(const float *x, const float *sigma, float k, float p, const float *gy, float *gx,
                           float *gs, int64_t n, int threads) {
    act_job j = {.x = x, .sigma = sigma, .gy = gy, .gx = gx, .gs = gs, .k = k, .p = p};
    atomic_init(&j.bad, INT64_MAX);
    par(n, (double) n * 8, threads, ALIGN, ns_backward_body, &j);
    int64_t bad = atomic_load(&j.bad);
    return bad == INT64_MAX ? -1 : bad;
}

/* here k holds the scale */
static void softplus_forward_body(void *v, int64_t lo, int64_t hi) {
    const act_job *j = v;
    const float *R x = j->x;
    float *R y = j->y;
    const double sd = j->k, ps = (double) j->p * (double) j->k;
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) {
        double zd = (double) x[i] / sd;
        float l = nsp_log1p_unit(nsp_exp_nonpos(-fabsf((float) zd)));
        y[i] = (float) (ps * (relu_d(zd) + (double) l));
    }
}

static void softplus_forward(const float *x, float scale, float p, float *y, int64_t n, int threads) {
    act_job j = {.x = x, .y = y, .k = scale, .p = p};
    par(n, (double) n * 8, threads, ALIGN, softplus_forward_body, &j);
}

static void softplus_backward_body(void *v, int64_t lo, int64_t hi) {
    const act_job *j = v;
    const float *R x = j->x, *R gy = j->gy;
    float *R gx = j->gx;
    const double sd = j->k, pd = j->p;
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) {
        float z = (float) ((double) x[i] / sd);
        float e = nsp_exp_nonpos(-fabsf(z));
        float d = 1.0f + e;
        float lz = z >= 0.0f ? 1.0f / d : e / d;
        gx[i] = (float) ((double) gy[i] * pd * (double) lz);
    }
}

static void softplus_backward(const float *x, float scale, float p, const float *gy, float *gx, int64_t n,
                              int threads) {
    act_job j = {.x = x, .gy = gy, .gx = gx, .k = scale, .p = p};
    par(n, (double) n * 8, threads, ALIGN, softplus_backward_body, &j);
}

static void relu_forward_body(void *v, int64_t lo, int64_t hi) {
    const act_job *j = v;
    const float *R x = j->x;
    float *R y = j->y;
    const float p = j->p;
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) {
        y[i] = p * relu_f(x[i]);        /* = (float) ((double) p * max(x, 0)): the double product is exact */
    }
}

static void relu_forward(const float *x, float p, float *y, int64_t n, int threads) {
    act_job j = {.x = x, .y = y, .p = p};
    par(n, (double) n, threads, ALIGN, relu_forward_body, &j);
}

static void relu_backward_body(void *v, int64_t lo, int64_t hi) {
    const act_job *j = v;
    const float *R x = j->x, *R gy = j->gy;
    float *R gx = j->gx;
    const float p = j->p;
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) {
        gx[i] = x[i] > 0.0f ? gy[i] * p : 0.0f;
    }
}

static void relu_backward(const float *x, float p, const float *gy, float *gx, int64_t n, int threads) {
    act_job j = {.x = x, .gy = gy, .gx = gx, .p = p};
    par(n, (double) n, threads, ALIGN, relu_backward_body, &j);
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
 * FMA. The sum runs over "full-width" rows: acc[i*W + j] for j in [0, W), so that for every (c,u,v) the
 * update is ONE contiguous loop acc[q] += w * in[q + u*W + v] over q in [0, (oh-1)*W + ow), which stays
 * inside the input plane; the columns j >= ow are scratch and not copied out.
 * `acc` and `accv` hold (oh-1)*W + ow floats.
 */
INLINE void conv_plane(const conv_t *s, const float *R in, const float *R w, const float *R hw, float *R out,
                       float *R var, float *R acc, float *R accv, int moment) {
    int64_t len = (s->oh - 1) * s->w + s->ow;
    memset(acc, 0, (size_t) len * sizeof(float));
    if (moment) {
        memset(accv, 0, (size_t) len * sizeof(float));
    }
    for (int64_t c = 0; c < s->c; c++) {
        for (int64_t u = 0; u < s->kh; u++) {
            for (int64_t v = 0; v < s->kw; v++) {
                int64_t wi = (c * s->kh + u) * s->kw + v;
                float wv = w[wi];
                const float *R src = in + (c * s->h + u) * s->w + v;
                if (moment) {
                    float hv = hw[wi];
#pragma omp simd
                    for (int64_t q = 0; q < len; q++) {
                        acc[q] = NSP_FMAF(wv, src[q], acc[q]);
                        accv[q] = NSP_FMAF(hv, fabsf(src[q]), accv[q]);
                    }
                } else {
#pragma omp simd
                    for (int64_t q = 0; q < len; q++) {
                        acc[q] = NSP_FMAF(wv, src[q], acc[q]);
                    }
                }
            }
        }
    }
    for (int64_t i = 0; i < s->oh; i++) {
        memcpy(out + i * s->ow, acc + i * s->w, (size_t) s->ow * sizeof(float));
        if (moment) {
            float *R sg = var + i * s->ow;
            const float *R a = accv + i * s->w;
            for (int64_t j = 0; j < s->ow; j++) {
                sg[j] = sqrt_pos(a[j]);
            }
        }
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

/* the arguments of a convolution, for its chunks */
typedef struct {
    conv_t s;
    const float *in, *w, *hw, *gm, *gv;
    float *out, *sigma, *gin, *gw;
    _Atomic int status;                  /* -1 once a chunk could not allocate its scratch */
} conv_job;

/* (image, output channel) planes [lo, hi) of the forward */
INLINE void conv_forward_planes(conv_job *j, int64_t lo, int64_t hi, int moment) {
    const conv_t *s = &j->s;
    int64_t plane = s->oh * s->ow, len = (s->oh - 1) * s->w + s->ow;
    float *acc = malloc((size_t) len * (moment ? 2 : 1) * sizeof(float));
    if (acc == NULL) {
        atomic_store(&j->status, -1);
        return;
    }
    for (int64_t p = lo; p < hi; p++) {
        int64_t n = p / s->o, o = p % s->o, wo = o * s->c * s->kh * s->kw;
        conv_plane(s, j->in + n * s->c * s->h * s->w, j->w + wo, moment ? j->hw + wo : NULL, j->out + p * plane,
                   moment ? j->sigma + p * plane : NULL, acc, acc + len, moment);
    }
    free(acc);
}

static void conv_forward_body(void *v, int64_t lo, int64_t hi) { conv_forward_planes(v, lo, hi, 0); }
static void moment_conv_forward_body(void *v, int64_t lo, int64_t hi) { conv_forward_planes(v, lo, hi, 1); }

/* forward and moment forward: parallel over (image, output channel) planes; -1 when out of memory */
static int conv_forward_impl(const float *in, const float *w, float *out, float *sigma, const int32_t dims[7],
                             int threads, int moment) {
    conv_t s = conv_of(dims);
    float *hw = NULL;
    if (moment) {
        hw = half_squares(w, s.o * s.c * s.kh * s.kw);
        if (hw == NULL) {
            return -1;
        }
    }
    conv_job j = {.s = s, .in = in, .w = w, .hw = hw, .out = out, .sigma = sigma};
    atomic_init(&j.status, 0);
    par(s.n * s.o, conv_macs(&s) * (moment ? 2 : 1), threads, 1, moment ? moment_conv_forward_body : conv_forward_body,
        &j);
    free(hw);
    return atomic_load(&j.status);
}

static int conv_forward(const float *in, const float *w, float *out, const int32_t dims[7], int threads) {
    return conv_forward_impl(in, w, out, NULL, dims, threads, 0);
}

static int moment_conv_forward(const float *in, const float *w, float *mean, float *sigma, const int32_t dims[7],
                               int threads) {
    return conv_forward_impl(in, w, mean, sigma, dims, threads, 1);
}

/* ------------------------------------------------------------------ convolution backward
 *
 * Both gradients go through a "column" matrix of one image and input channel, col[uv][i*ow + j] with
 * uv = u*KW + v: the KH*KW shifted windows, each laid out contiguously over the oh*ow outputs, so that
 * the inner loops are long contiguous dot products / axpys instead of rows of ow elements.
 * Only existing terms are ever added (no zero padding, which would turn an infinite value into NaN).
 */

/*
 * The input gradient of image n, channel c: gcol[uv] = sum_o w[o,c,uv] g[n,o] (axpy over the plane,
 * o in order, FMA), then gin[c, i+u, j+v] = sum_uv gcol[uv][i,j] (uv in order). With a variance path
 * (gv != NULL), the same with hw and gv into tmp, and gin += signum(a) tmp.
 */
static void conv_back_data_plane(const conv_t *s, int64_t n, int64_t c, const float *R gout, const float *R w,
                                 float *R gin, float *R gcol) {
    int64_t kk = s->kh * s->kw, plane = s->oh * s->ow;
    memset(gcol, 0, (size_t) (kk * plane) * sizeof(float));
    for (int64_t o = 0; o < s->o; o++) {
        const float *R g = gout + (n * s->o + o) * plane;
        const float *R wo = w + (o * s->c + c) * kk;
        for (int64_t uv = 0; uv < kk; uv++) {
            float wv = wo[uv];
            float *R col = gcol + uv * plane;
#pragma omp simd
            for (int64_t q = 0; q < plane; q++) {
                col[q] = NSP_FMAF(wv, g[q], col[q]);
            }
        }
    }
    memset(gin, 0, (size_t) (s->h * s->w) * sizeof(float));
    for (int64_t u = 0; u < s->kh; u++) {
        for (int64_t v = 0; v < s->kw; v++) {
            const float *R col = gcol + (u * s->kw + v) * plane;
            for (int64_t i = 0; i < s->oh; i++) {
                float *R dst = gin + (i + u) * s->w + v;
                const float *R src = col + i * s->ow;
#pragma omp simd
                for (int64_t j = 0; j < s->ow; j++) {
                    dst[j] += src[j];
                }
            }
        }
    }
}

/* (image, input channel) planes [lo, hi) of the input gradient */
static void conv_back_data_body(void *v, int64_t lo, int64_t hi) {
    conv_job *j = v;
    const conv_t *s = &j->s;
    int64_t plane = s->h * s->w;
    size_t col = (size_t) (s->kh * s->kw * s->oh * s->ow);
    float *gcol = malloc((col + (j->gv != NULL ? (size_t) plane : 0)) * sizeof(float));
    if (gcol == NULL) {
        atomic_store(&j->status, -1);
        return;
    }
    for (int64_t p = lo; p < hi; p++) {
        int64_t n = p / s->c, c = p % s->c;
        float *R g = j->gin + p * plane;
        conv_back_data_plane(s, n, c, j->gm, j->w, g, gcol);
        if (j->gv != NULL) {
            float *R tmp = gcol + col;
            conv_back_data_plane(s, n, c, j->gv, j->hw, tmp, gcol);
            const float *R a = j->in + p * plane;
#pragma omp simd
            for (int64_t i = 0; i < plane; i++) {
                g[i] = g[i] + signum_f(a[i]) * tmp[i];   /* signum is exact: one rounding */
            }
        }
    }
    free(gcol);
}

/* the input gradient, optionally with the variance path; -1 when out of memory */
static int conv_back_data_impl(const conv_t *s, const float *in, const float *gm, const float *w, const float *gv,
                               const float *hw, float *gin, int threads) {
    conv_job j = {.s = *s, .in = in, .gm = gm, .w = w, .gv = gv, .hw = hw, .gin = gin};
    atomic_init(&j.status, 0);
    par(s->n * s->c, conv_macs(s) * (gv != NULL ? 2 : 1), threads, 1, conv_back_data_body, &j);
    return atomic_load(&j.status);
}

static int conv_backward_data(const float *gout, const float *w, float *gin, const int32_t dims[7], int threads) {
    conv_t s = conv_of(dims);
    return conv_back_data_impl(&s, NULL, gout, w, NULL, NULL, gin, threads);
}

/* Output channels per unit of work of the weight gradient (each unit builds its own columns). */
#define WEIGHT_BLOCK 4

/*
 * The weight gradient of input channel c and output channels [o0, o1):
 * gw[o,c,uv] = sum_n dot(col_n[uv], g[n,o]) (+ w[o,c,uv] sum_n dot(|col_n[uv]|, gv[n,o]) with a variance
 * path), each image's dot product of oh*ow terms in float (SIMD lanes, FMA), summed over images in double.
 */
static void conv_back_weights_unit(const conv_t *s, int64_t c, int64_t o0, int64_t o1, const float *R in,
                                   const float *R gm, const float *R gv, const float *R w, float *R gw,
                                   float *R col, double *R acc) {
    int64_t kk = s->kh * s->kw, plane = s->oh * s->ow, bo = o1 - o0;
    for (int64_t q = 0; q < 2 * bo * kk; q++) {
        acc[q] = 0.0;
    }
    for (int64_t n = 0; n < s->n; n++) {
        const float *R a = in + (n * s->c + c) * s->h * s->w;
        for (int64_t u = 0; u < s->kh; u++) {
            for (int64_t v = 0; v < s->kw; v++) {
                float *R dst = col + (u * s->kw + v) * plane;
                for (int64_t i = 0; i < s->oh; i++) {
                    memcpy(dst + i * s->ow, a + (i + u) * s->w + v, (size_t) s->ow * sizeof(float));
                }
            }
        }
        for (int64_t o = o0; o < o1; o++) {
            const float *R g = gm + (n * s->o + o) * plane;
            const float *R h = gv != NULL ? gv + (n * s->o + o) * plane : NULL;
            double *R am = acc + (o - o0) * kk;
            double *R av = acc + (bo + o - o0) * kk;
            for (int64_t uv = 0; uv < kk; uv++) {
                const float *R x = col + uv * plane;
                float d = 0.0f;
#pragma omp simd reduction(+ : d)
                for (int64_t q = 0; q < plane; q++) {
                    d += x[q] * g[q];
                }
                am[uv] += (double) d;
                if (h != NULL) {
                    float e = 0.0f;
#pragma omp simd reduction(+ : e)
                    for (int64_t q = 0; q < plane; q++) {
                        e += fabsf(x[q]) * h[q];
                    }
                    av[uv] += (double) e;
                }
            }
        }
    }
    for (int64_t o = o0; o < o1; o++) {
        for (int64_t uv = 0; uv < kk; uv++) {
            int64_t wi = (o * s->c + c) * kk + uv;
            double g = acc[(o - o0) * kk + uv];
            if (gv != NULL) {
                g += (double) w[wi] * acc[(bo + o - o0) * kk + uv];
            }
            gw[wi] = (float) g;
        }
    }
}

/* units [lo, hi) of the weight gradient: (input channel, block of WEIGHT_BLOCK output channels) */
static void conv_back_weights_body(void *v, int64_t lo, int64_t hi) {
    conv_job *j = v;
    const conv_t *s = &j->s;
    int64_t blocks = (s->o + WEIGHT_BLOCK - 1) / WEIGHT_BLOCK, kk = s->kh * s->kw;
    double *acc = malloc((size_t) (2 * WEIGHT_BLOCK * kk) * sizeof(double));
    float *col = malloc((size_t) (kk * s->oh * s->ow) * sizeof(float));
    if (acc != NULL && col != NULL) {
        for (int64_t p = lo; p < hi; p++) {
            int64_t c = p / blocks, o0 = (p % blocks) * WEIGHT_BLOCK;
            int64_t o1 = o0 + WEIGHT_BLOCK < s->o ? o0 + WEIGHT_BLOCK : s->o;
            conv_back_weights_unit(s, c, o0, o1, j->in, j->gm, j->gv, j->w, j->gw, col, acc);
        }
    } else {
        atomic_store(&j->status, -1);
    }
    free(acc);
    free(col);
}

/* the weight gradient, optionally with the variance path; -1 when out of memory */
static int conv_back_weights_impl(const conv_t *s, const float *in, const float *gm, const float *gv, const float *w,
                                  float *gw, int threads) {
    int64_t blocks = (s->o + WEIGHT_BLOCK - 1) / WEIGHT_BLOCK;
    conv_job j = {.s = *s, .in = in, .gm = gm, .gv = gv, .w = w, .gw = gw};
    atomic_init(&j.status, 0);
    par(s->c * blocks, conv_macs(s) * (gv != NULL ? 2 : 1), threads, 1, conv_back_weights_body, &j);
    return atomic_load(&j.status);
}

static int conv_backward_weights(const float *in, const float *gout, float *gw, const int32_t dims[7], int threads) {
    conv_t s = conv_of(dims);
    return conv_back_weights_impl(&s, in, gout, NULL, NULL, gw, threads);
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
    float *gv = NULL, *hw = NULL;
    int status = 0;
    if (gs != NULL) {
        gv = variance_grads(sigma, gs, s.n * s.o * s.oh * s.ow);
        hw = half_squares(w, s.o * s.c * s.kh * s.kw);
        if (gv == NULL || hw == NULL) {
            free(gv);
            free(hw);
            return -1;
        }
    }
    if (gin != NULL) {
        status |= conv_back_data_impl(&s, in, gm, w, gv, hw, gin, threads);
    }
    if (gw != NULL) {
        status |= conv_back_weights_impl(&s, in, gm, gv, w, gw, threads);
    }
    free(gv);
    free(hw);
    return status;
}

/* ================================================================== pooling (double, as the reference) */

/* the arguments of a pooling kernel, for its chunks of rows */
typedef struct {
    const float *in, *sigma, *gm, *gs;
    float *out, *mean, *gin;
    float weight;
    int64_t w;
} pool_job;

/* output rows [lo, hi) of all planes */
static void pool_forward_body(void *v, int64_t lo, int64_t hi) {
    const pool_job *j = v;
    int64_t w = j->w, ow = w / 2;
    const double wd = j->weight;
    for (int64_t r = lo; r < hi; r++) {
        const float *R a = j->in + 2 * r * w;          /* input rows 2i and 2i+1 of the plane */
        float *R o = j->out + r * ow;
#pragma omp simd
        for (int64_t x = 0; x < ow; x++) {
            double sum = (double) a[2 * x] + (double) a[2 * x + 1] + (double) a[w + 2 * x] + (double) a[w + 2 * x + 1];
            o[x] = (float) (wd * sum);
        }
    }
}

static void pool_forward(const float *in, float weight, float *out, int64_t planes, int32_t h, int32_t w, int threads) {
    pool_job j = {.in = in, .out = out, .weight = weight, .w = w};
    par(planes * (h / 2), (double) planes * h * w, threads, 1, pool_forward_body, &j);
}

/* input rows [lo, hi) of all planes; input row r gets output row r / 2 */
static void pool_backward_body(void *v, int64_t lo, int64_t hi) {
    const pool_job *j = v;
    int64_t w = j->w, ow = w / 2;
    const float weight = j->weight;
    for (int64_t r = lo; r < hi; r++) {
        const float *R g = j->gm + (r / 2) * ow;
        float *R d = j->gin + r * w;
#pragma omp simd
        for (int64_t x = 0; x < ow; x++) {
            float t = weight * g[x];                 /* = (float) ((double) weight * g): that product is exact */
            d[2 * x] = t;
            d[2 * x + 1] = t;
        }
    }
}

static void pool_backward(const float *gout, float weight, float *gin, int64_t planes, int32_t h, int32_t w,
                          int threads) {
    pool_job j = {.gm = gout, .gin = gin, .weight = weight, .w = w};
    par(planes * h, (double) planes * h * w, threads, 1, pool_backward_body, &j);
}

static void moment_pool_forward_body(void *v, int64_t lo, int64_t hi) {
    const pool_job *j = v;
    int64_t w = j->w, ow = w / 2;
    const double wd = j->weight, half = 0.5 * (double) j->weight * (double) j->weight;
    for (int64_t r = lo; r < hi; r++) {
        const float *R a = j->in + 2 * r * w;
        float *R m = j->mean + r * ow;
        float *R sg = j->out + r * ow;
#pragma omp simd
        for (int64_t x = 0; x < ow; x++) {
            float a0 = a[2 * x], a1 = a[2 * x + 1], a2 = a[w + 2 * x], a3 = a[w + 2 * x + 1];
            double sum = (double) a0 + (double) a1 + (double) a2 + (double) a3;
            double abs = (double) fabsf(a0) + (double) fabsf(a1) + (double) fabsf(a2) + (double) fabsf(a3);
            m[x] = (float) (wd * sum);
            sg[x] = sqrt_pos((float) (half * abs));
        }
    }
}

static void moment_pool_forward(const float *in, float weight, float *mean, float *sigma, int64_t planes, int32_t h,
                                int32_t w, int threads) {
    pool_job j = {.in = in, .mean = mean, .out = sigma, .weight = weight, .w = w};
    par(planes * (h / 2), (double) planes * h * w * 2, threads, 1, moment_pool_forward_body, &j);
}

static void moment_pool_backward_body(void *v, int64_t lo, int64_t hi) {
    const pool_job *j = v;
    int64_t w = j->w, ow = w / 2;
    const double wd = j->weight, half = 0.5 * (double) j->weight * (double) j->weight;
    for (int64_t r = lo; r < hi; r++) {
        int64_t o = (r / 2) * ow;
        const float *R a = j->in + r * w;
        const float *R gm = j->gm + o;
        float *R d = j->gin + r * w;
        if (j->gs == NULL) {
#pragma omp simd
            for (int64_t x = 0; x < ow; x++) {
                float t = (float) (wd * (double) gm[x]);
                d[2 * x] = t;
                d[2 * x + 1] = t;
            }
        } else {
            const float *R sg = j->sigma + o;
            const float *R gs = j->gs + o;
#pragma omp simd
            for (int64_t x = 0; x < ow; x++) {
                double hv = (double) variance_grad(sg[x], gs[x]);
                double g = wd * (double) gm[x];
                /* the reference's g + (half * signum(a)) * gv */
                d[2 * x] = (float) (g + half * (double) signum_f(a[2 * x]) * hv);
                d[2 * x + 1] = (float) (g + half * (double) signum_f(a[2 * x + 1]) * hv);
            }
        }
    }
}

static void moment_pool_backward(const float *in, float weight, const float *sigma, const float *gm, const float *gs,
                                 float *gin, int64_t planes, int32_t h, int32_t w, int threads) {
    pool_job j = {.in = in, .sigma = sigma, .gm = gm, .gs = gs, .gin = gin, .weight = weight, .w = w};
    par(planes * h, (double) planes * h * w * 2, threads, 1, moment_pool_backward_body, &j);
}

/* ================================================================== dense */

/* the arguments of a dense kernel, for its chunks */
typedef struct {
    const float *in, *w, *hw, *gm, *gv;
    float *out, *sigma, *gin, *gw;
    int64_t n, k, m;
    _Atomic int status;
} dense_job;

/* output cells [lo, hi) of [N, M]: a dot product of K terms each (and the variance one, with hw) */
INLINE void dense_forward_cells(const dense_job *j, int64_t lo, int64_t hi, int moment) {
    int64_t k = j->k, m = j->m;
    for (int64_t p = lo; p < hi; p++) {
        const float *R a = j->in + (p / m) * k;
        const float *R wr = j->w + (p % m) * k;
        float s = 0.0f;
        if (moment) {
            const float *R hr = j->hw + (p % m) * k;
            float v = 0.0f;
#pragma omp simd reduction(+ : s, v)
            for (int64_t q = 0; q < k; q++) {
                s += a[q] * wr[q];
                v += fabsf(a[q]) * hr[q];
            }
            j->sigma[p] = sqrt_pos(v);
        } else {
#pragma omp simd reduction(+ : s)
            for (int64_t q = 0; q < k; q++) {
                s += a[q] * wr[q];
            }
        }
        j->out[p] = s;
    }
}

static void dense_forward_body(void *v, int64_t lo, int64_t hi) { dense_forward_cells(v, lo, hi, 0); }
static void moment_dense_forward_body(void *v, int64_t lo, int64_t hi) { dense_forward_cells(v, lo, hi, 1); }

static void dense_forward(const float *in, const float *w, float *out, int32_t n, int32_t k, int32_t m, int threads) {
    dense_job j = {.in = in, .w = w, .out = out, .n = n, .k = k, .m = m};
    par((int64_t) n * m, (double) n * m * k, threads, 1, dense_forward_body, &j);
}

static int moment_dense_forward(const float *in, const float *w, float *mean, float *sigma, int32_t n, int32_t k,
                                int32_t m, int threads) {
    float *hw = half_squares(w, (int64_t) m * k);
    if (hw == NULL) {
        return -1;
    }
    dense_job j = {.in = in, .w = w, .hw = hw, .out = mean, .sigma = sigma, .n = n, .k = k, .m = m};
    par((int64_t) n * m, (double) n * m * k * 2, threads, 1, moment_dense_forward_body, &j);
    free(hw);
    return 0;
}

/* row[q] = sum_c g[c] w[c,q], over c in order with FMA */
static void dense_back_row(const float *R g, const float *R w, float *R row, int64_t k, int64_t m) {
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

/* input-gradient rows [lo, hi): gm W, plus signum(a) (gv hw) with a variance path */
static void dense_back_data_body(void *v, int64_t lo, int64_t hi) {
    dense_job *j = v;
    int64_t k = j->k, m = j->m;
    float *tmp = NULL;
    if (j->gv != NULL && (tmp = malloc((size_t) k * sizeof(float))) == NULL) {
        atomic_store(&j->status, -1);
        return;
    }
    for (int64_t r = lo; r < hi; r++) {
        float *R g = j->gin + r * k;
        dense_back_row(j->gm + r * m, j->w, g, k, m);
        if (tmp != NULL) {
            dense_back_row(j->gv + r * m, j->hw, tmp, k, m);
            const float *R a = j->in + r * k;
#pragma omp simd
            for (int64_t q = 0; q < k; q++) {
                g[q] = g[q] + signum_f(a[q]) * tmp[q];
            }
        }
    }
    free(tmp);
}

static void dense_backward_data(const float *gout, const float *w, float *gin, int32_t n, int32_t k, int32_t m,
                                int threads) {
    dense_job j = {.gm = gout, .w = w, .gin = gin, .n = n, .k = k, .m = m};
    par(n, (double) n * k * m, threads, 1, dense_back_data_body, &j);
}

/* row[q] = sum_r g[r,c] a[r,q] (|a| with `absolute`), over the batch in order with FMA */
INLINE void dense_weight_row(const float *R in, const float *R gout, int64_t c, float *R row, int64_t n, int64_t k,
                             int64_t m, int absolute) {
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

/* weight-gradient rows [lo, hi): gm^T a, plus w (gv^T |a|) with a variance path */
static void dense_back_weights_body(void *v, int64_t lo, int64_t hi) {
    dense_job *j = v;
    int64_t n = j->n, k = j->k, m = j->m;
    float *tmp = NULL;
    if (j->gv != NULL && (tmp = malloc((size_t) k * sizeof(float))) == NULL) {
        atomic_store(&j->status, -1);
        return;
    }
    for (int64_t c = lo; c < hi; c++) {
        float *R g = j->gw + c * k;
        dense_weight_row(j->in, j->gm, c, g, n, k, m, 0);
        if (tmp != NULL) {
            dense_weight_row(j->in, j->gv, c, tmp, n, k, m, 1);
            const float *R wr = j->w + c * k;
#pragma omp simd
            for (int64_t q = 0; q < k; q++) {
                g[q] = NSP_FMAF(wr[q], tmp[q], g[q]);
            }
        }
    }
    free(tmp);
}

static void dense_backward_weights(const float *in, const float *gout, float *gw, int32_t n, int32_t k, int32_t m,
                                   int threads) {
    dense_job j = {.in = in, .gm = gout, .gw = gw, .n = n, .k = k, .m = m};
    par(m, (double) n * k * m, threads, 1, dense_back_weights_body, &j);
}

static int moment_dense_backward(const float *in, const float *w, const float *sigma, const float *gm,
                                 const float *gs, float *gin, float *gw, int32_t n, int32_t k, int32_t m,
                                 int threads) {
    float *gv = NULL, *hw = NULL;
    if (gs != NULL) {
        gv = variance_grads(sigma, gs, (int64_t) n * m);
        hw = half_squares(w, (int64_t) m * k);
        if (gv == NULL || hw == NULL) {
            free(gv);
            free(hw);
            return -1;
        }
    }
    dense_job j = {.in = in, .w = w, .hw = hw, .gm = gm, .gv = gv, .gin = gin, .gw = gw, .n = n, .k = k, .m = m};
    atomic_init(&j.status, 0);
    double work = (double) n * k * m * (gs != NULL ? 2 : 1);
    if (gin != NULL) {
        par(n, work, threads, 1, dense_back_data_body, &j);
    }
    if (gw != NULL) {
        par(m, work, threads, 1, dense_back_weights_body, &j);
    }
    free(gv);
    free(hw);
    return atomic_load(&j.status);
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

/* the arguments of the LIF loop, for its chunks of neuron blocks */
typedef struct {
    double dm, de, di, dg, pe, pi;
    float off, theta, y_reset;
    int32_t refractory_steps, steps;
    int64_t n;
    float *v, *ie, *ii, *ref, *spikes, *counts;
    const float *bias, *cur, *exc, *inh;
} lif_job;

/*
 * One neuron, one step: the reference's operations in its order, in double, the state rounded to float
 * afterwards; updates potential y, synaptic currents e and h and refractory steps r; returns 1 if it fired.
 */
INLINE int lif_neuron_step(const lif_job *J, double constant, float current, float exc, float inh, float *y,
                           float *e, float *h, int32_t *r) {
    double yd = *y, ed = *e, hd = *h;
    int32_t rj = *r;
    int refractory = rj > 0;
    double drive = constant + (double) current;
    double ynew = J->dm * yd + J->dg * drive + J->pe * ed + J->pi * hd;
    yd = refractory ? yd : ynew;
    rj = refractory ? rj - 1 : rj;
    float yf = (float) yd;
    *e = (float) (J->de * ed + (double) exc);
    *h = (float) (J->di * hd + (double) inh);
    int fire = yf >= J->theta;
    *y = fire ? J->y_reset : yf;
    *r = fire ? J->refractory_steps : rj;
    return fire;
}

/* neuron blocks [lo, hi) for all T steps */
static void lif_body(void *vj, int64_t lo_block, int64_t hi_block) {
    const lif_job *J = vj;
    static const float zeros[LIF_BLOCK];
    const int64_t n = J->n;
    for (int64_t b = lo_block; b < hi_block; b++) {
        int64_t lo = b * LIF_BLOCK;
        int len = (int) min64(LIF_BLOCK, n - lo);
        double constant[LIF_BLOCK];
        int32_t r[LIF_BLOCK], fired[LIF_BLOCK];
        float scratch[LIF_BLOCK];
        float *R y = J->v + lo, *R e = J->ie + lo, *R h = J->ii + lo;
        for (int j = 0; j < len; j++) {
            /* the reference's c.offsetNa() + bias[i] is a float addition, widened afterwards */
            constant[j] = (double) (J->off + (J->bias == NULL ? 0.0f : J->bias[lo + j]));
            r[j] = java_f2i(J->ref[lo + j]);
            fired[j] = 0;
        }
        for (int32_t t = 0; t < J->steps; t++) {
            int64_t row = (int64_t) t * n + lo;
            const float *R ct = J->cur == NULL ? zeros : J->cur + row;
            const float *R xt = J->exc == NULL ? zeros : J->exc + row;
            const float *R it = J->inh == NULL ? zeros : J->inh + row;
            float *R st = J->spikes == NULL ? scratch : J->spikes + row;
#pragma omp simd
            for (int j = 0; j < len; j++) {
                int fire = lif_neuron_step(J, constant[j], ct[j], xt[j], it[j], &y[j], &e[j], &h[j], &r[j]);
                fired[j] += fire;
                st[j] = fire ? 1.0f : 0.0f;
            }
        }
        for (int j = 0; j < len; j++) {
            J->ref[lo + j] = (float) r[j];
            if (J->counts != NULL) {
                J->counts[lo + j] += (float) fired[j];
            }
        }
    }
}

/* java_f2i without branches (selects only), so that loops calling it vectorise */
INLINE int32_t java_f2i_select(float f) {
    float clamped = f >= 2147483520.0f ? 2147483520.0f : f; /* the largest float below 2^31 */
    clamped = clamped <= -2147483648.0f ? -2147483648.0f : clamped;
    clamped = f != f ? 0.0f : clamped;
    int32_t t = (int32_t) clamped;
    return f >= 2147483648.0f ? INT32_MAX : t;
}

/*
 * One step (T = 1, the spiking network's case) in a single pass per neuron block: the same operations
 * as lif_body, without its per-block arrays for state that lives across steps.
 */
static void lif_step_body(void *vj, int64_t lo_block, int64_t hi_block) {
    const lif_job *J = vj;
    static const float zeros[LIF_BLOCK];
    const float off = J->off;
    for (int64_t b = lo_block; b < hi_block; b++) {
        int64_t lo = b * LIF_BLOCK;
        int len = (int) min64(LIF_BLOCK, J->n - lo);
        float spikes_scratch[LIF_BLOCK], counts_scratch[LIF_BLOCK];
        float *R y = J->v + lo, *R e = J->ie + lo, *R h = J->ii + lo, *R rf = J->ref + lo;
        const float *R bias = J->bias == NULL ? zeros : J->bias + lo;
        const float *R ct = J->cur == NULL ? zeros : J->cur + lo;
        const float *R xt = J->exc == NULL ? zeros : J->exc + lo;
        const float *R it = J->inh == NULL ? zeros : J->inh + lo;
        float *R st = J->spikes == NULL ? spikes_scratch : J->spikes + lo;
        float *R cn = J->counts == NULL ? counts_scratch : J->counts + lo;
        if (J->counts == NULL) {
            memset(counts_scratch, 0, sizeof counts_scratch);
        }
#pragma omp simd
        for (int j = 0; j < len; j++) {
            double constant = (double) (off + bias[j]);
            int32_t rj = java_f2i_select(rf[j]);
            int fire = lif_neuron_step(J, constant, ct[j], xt[j], it[j], &y[j], &e[j], &h[j], &rj);
            rf[j] = (float) rj;
            cn[j] += fire ? 1.0f : 0.0f;
            st[j] = fire ? 1.0f : 0.0f;
        }
    }
}

/*
 * The LIF loop of the reference, neuron block by neuron block (state in L1 for all T steps), the
 * neurons of a block in SIMD lanes. Per neuron the operations are the reference's, in its order, in
 * double with the state rounded to float after every step, so results are bit-identical and do not
 * depend on the number of threads.
 */
static int lif_run(const float c[9], int32_t refractory_steps, float *v, float *ie, float *ii, float *ref,
                   const float *bias, const float *cur, const float *exc, const float *inh, float *spikes,
                   float *counts, int64_t n, int32_t steps, int threads) {
    lif_job j = {.dm = c[0], .de = c[1], .di = c[2], .dg = c[3], .pe = c[4], .pi = c[5], .off = c[6],
                 .theta = c[7], .y_reset = c[8], .refractory_steps = refractory_steps, .steps = steps, .n = n,
                 .v = v, .ie = ie, .ii = ii, .ref = ref, .spikes = spikes, .counts = counts, .bias = bias,
                 .cur = cur, .exc = exc, .inh = inh};
    par((n + LIF_BLOCK - 1) / LIF_BLOCK, (double) n * steps * 4, threads, 1, steps == 1 ? lif_step_body : lif_body, &j);
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

/* the arguments of a spike-accumulation kernel, for its chunks */
typedef struct {
    conv_t s;
    const float *spikes, *w;
    const float *flipped; /* the kernel rows reversed: flipped[(o, c, u, t)] = w[(o, c, u, kw - 1 - t)], or NULL */
    float *exc, *inh;
    float weight;
    int64_t h, width, k, m;
} spike_job;

/* delivers one input element's count through the kernel of one (output channel, input channel) pair */
static inline void spike_conv_one(const conv_t *s, float *ex, float *ih, const float *wc, int64_t y, int64_t x,
                                  float count) {
    for (int64_t u = 0; u < s->kh; u++) {
        int64_t i = y - u;
        if (i < 0 || i >= s->oh) {
            continue;
        }
        int64_t vlo = x - (s->ow - 1) > 0 ? x - (s->ow - 1) : 0;
        int64_t vhi = x < s->kw - 1 ? x : s->kw - 1;
        for (int64_t vv = vlo; vv <= vhi; vv++) {
            deliver(ex, ih, i * s->ow + (x - vv), count * wc[u * s->kw + vv]);
        }
    }
}

/*
 * (image, output channel) pairs [lo, hi). The non-zero inputs of an image are listed once, in the
 * reference's (c, y, x) order, and reused for every output channel of that image in the chunk, so the
 * cost is the spikes times their fan-out plus one scan of the input per image (not per output channel).
 */
static void spike_conv_body(void *v, int64_t lo, int64_t hi) {
    const spike_job *j = v;
    const conv_t *s = &j->s;
    int64_t plane = s->h * s->w, total = s->c * plane, taps = s->kh * s->kw;
    int32_t *list = malloc(sizeof(int32_t) * (size_t) total);
    int64_t listed = -1, spikes = 0;
    for (int64_t p = lo; p < hi; p++) {
        int64_t n = p / s->o, o = p % s->o;
        float *ex = j->exc + p * s->oh * s->ow, *ih = j->inh + p * s->oh * s->ow;
        const float *in = j->spikes + n * total;
        if (list == NULL) { /* no memory for the list: scan the input for this channel */
            for (int64_t q = 0; q < total; q++) {
                if (in[q] != 0.0f) {
                    int64_t c = q / plane, r = q % plane;
                    spike_conv_one(s, ex, ih, j->w + (o * s->c + c) * taps, r / s->w, r % s->w, in[q]);
                }
            }
            continue;
        }
        if (n != listed) {
            spikes = 0;
            for (int64_t q = 0; q < total; q++) {
                if (in[q] != 0.0f) {
                    list[spikes++] = (int32_t) q;
                }
            }
            listed = n;
        }
        for (int64_t e = 0; e < spikes; e++) {
            int64_t q = list[e], c = q / plane, r = q % plane;
            spike_conv_one(s, ex, ih, j->w + (o * s->c + c) * taps, r / s->w, r % s->w, in[q]);
        }
    }
    free(list);
}

#if defined(__AVX512F__)
#include <immintrin.h>
#define NSP_SPIKE_ROWS 1

/* the spikes of one image, in the reference's (c, y, x) order, and where each input row's spikes begin */
typedef struct {
    int32_t *x, *y;  /* column and row of each spike */
    float *count;    /* its count */
    int32_t *row;    /* row[c * h + y] .. row[c * h + y + 1]: the spikes of input row (c, y) */
} spike_rows;

/* output channels handled together: independent accumulators hide the latency of the masked adds */
#define SPIKE_GROUP 4

/*
 * Output channels o0 .. o0 + G - 1 of image n (G a constant after inlining, so that the 2G accumulators
 * live in registers).
 */
INLINE void spike_conv_group(const spike_job *j, const spike_rows *L, int64_t n, int64_t o0, const int G) {
    const conv_t *s = &j->s;
    const int64_t kw = s->kw, kh = s->kh, out = s->oh * s->ow, wstride = s->c * kh * kw;
    const __m512 zero = _mm512_setzero_ps();
    float *ex = j->exc + (n * s->o + o0) * out, *ih = j->inh + (n * s->o + o0) * out;
    for (int64_t i = 0; i < s->oh; i++) {
        for (int64_t j0 = 0; j0 < s->ow; j0 += 16) {
            const int64_t lanes = s->ow - j0 < 16 ? s->ow - j0 : 16, at = i * s->ow + j0;
            const __mmask16 full = (__mmask16) ((1u << lanes) - 1u);
            __m512 e[SPIKE_GROUP], g[SPIKE_GROUP];
#pragma GCC unroll 4
            for (int d = 0; d < G; d++) {
                e[d] = _mm512_maskz_loadu_ps(full, ex + d * out + at);
                g[d] = _mm512_maskz_loadu_ps(full, ih + d * out + at);
            }
            for (int64_t c = 0; c < s->c; c++) {
                /* the spikes of input rows i .. i + kh - 1 of channel c, in (y, x) order */
                const int32_t first = L->row[c * s->h + i], end = L->row[c * s->h + i + kh];
                const float *fc = j->flipped + (o0 * s->c + c) * kh * kw - i * kw;
                for (int32_t k = first; k < end; k++) {
                    const int64_t x = L->x[k];
                    int64_t a = x - kw + 1 - j0, b = x - j0; /* the lanes this spike reaches */
                    if (b < 0 || a >= lanes) {
                        continue;
                    }
                    a = a < 0 ? 0 : a;
                    b = b >= lanes ? lanes - 1 : b;
                    const __mmask16 m = (__mmask16) (((2u << b) - 1u) & ~((1u << a) - 1u));
                    const __m512 cnt = _mm512_set1_ps(L->count[k]);
                    /* lane L reads the reversed row u = y - i at t = j0 + L - x + kw - 1; the base may lie up
                       to 15 floats before the array, which is padded there (masked lanes are not read) */
                    const float *wr = fc + L->y[k] * kw + (j0 - x + kw - 1);
#pragma GCC unroll 4
                    for (int d = 0; d < G; d++) {
                        __m512 val = _mm512_mul_ps(cnt, _mm512_maskz_loadu_ps(m, wr + d * wstride));
                        e[d] = _mm512_mask_add_ps(e[d], _mm512_mask_cmp_ps_mask(m, val, zero, _CMP_GT_OQ), e[d], val);
                        g[d] = _mm512_mask_add_ps(g[d], _mm512_mask_cmp_ps_mask(m, val, zero, _CMP_LT_OQ), g[d], val);
                    }
                }
            }
#pragma GCC unroll 4
            for (int d = 0; d < G; d++) {
                _mm512_mask_storeu_ps(ex + d * out + at, full, e[d]);
                _mm512_mask_storeu_ps(ih + d * out + at, full, g[d]);
            }
        }
    }
}

/*
 * (image, group of SPIKE_GROUP output channels) pairs [lo, hi), output row by output row, 16 outputs of a
 * row at a time held in registers (no store-to-load round trips between spikes). Output (i, j) receives
 * the product count * w[o, c, u, v] of every input spike (c, y = i + u, x = j + v); here they come in the
 * order c, y, x, which is the reference's scan order, and a lane adds a product only where the
 * reference's deliver() would (> 0 to excitatory, < 0 to inhibitory, zero and NaN nowhere):
 * bit-identical. The kernel rows are reversed (flipped[t] = w[kw - 1 - t]) so that the taps a spike at
 * column x gives to outputs j = x - kw + 1 + t lie in consecutive lanes: one masked load per spike, row
 * and output channel.
 */
static void spike_conv_rows_body(void *v, int64_t lo, int64_t hi) {
    const spike_job *j = v;
    const conv_t *s = &j->s;
    const int64_t plane = s->h * s->w, total = s->c * plane;
    const int64_t groups = (s->o + SPIKE_GROUP - 1) / SPIKE_GROUP;
    const size_t slack = (size_t) total + 16;
    spike_rows L = {malloc(sizeof(int32_t) * slack), malloc(sizeof(int32_t) * slack), malloc(sizeof(float) * slack),
                    malloc(sizeof(int32_t) * (size_t) (s->c * s->h + 1))};
    int64_t listed = -1;
    for (int64_t p = lo; p < hi; p++) {
        const int64_t n = p / groups, o0 = p % groups * SPIKE_GROUP;
        const int64_t go = s->o - o0 < SPIKE_GROUP ? s->o - o0 : SPIKE_GROUP;
        const float *in = j->spikes + n * total;
        if (L.x == NULL || L.y == NULL || L.count == NULL || L.row == NULL) { /* no memory: the scalar path */
            spike_conv_body(v, n * s->o + o0, n * s->o + o0 + go);
            continue;
        }
        if (n != listed) {
            /* 16 columns at a time: the non-zero (or NaN) ones compressed to the front of a register and
               stored whole, so the lists have 16 elements of slack */
            const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            int32_t k = 0;
            for (int64_t r = 0; r < s->c * s->h; r++) {
                L.row[r] = k;
                const float *line = in + r * s->w;
                const __m512i y = _mm512_set1_epi32((int32_t) (r % s->h));
                for (int64_t x0 = 0; x0 < s->w; x0 += 16) {
                    const int64_t lanes = s->w - x0 < 16 ? s->w - x0 : 16;
                    const __mmask16 valid = (__mmask16) ((1u << lanes) - 1u);
                    const __m512 v = _mm512_maskz_loadu_ps(valid, line + x0);
                    const __mmask16 nz = _mm512_mask_cmp_ps_mask(valid, v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
                    if (nz) {
                        __m512i xs = _mm512_add_epi32(iota, _mm512_set1_epi32((int32_t) x0));
                        _mm512_storeu_ps(L.count + k, _mm512_maskz_compress_ps(nz, v));
                        _mm512_storeu_si512((void *) (L.x + k), _mm512_maskz_compress_epi32(nz, xs));
                        _mm512_storeu_si512((void *) (L.y + k), y);
                        k += (int32_t) __builtin_popcount((unsigned) nz);
                    }
                }
            }
            L.row[s->c * s->h] = k;
            listed = n;
        }
        switch (go) {
        case 4: spike_conv_group(j, &L, n, o0, 4); break;
        case 3: spike_conv_group(j, &L, n, o0, 3); break;
        case 2: spike_conv_group(j, &L, n, o0, 2); break;
        default: spike_conv_group(j, &L, n, o0, 1); break;
        }
    }
    free(L.x);
    free(L.y);
    free(L.count);
    free(L.row);
}
#endif

/*
 * Event-driven convolution synapses. Parallel over (image, output channel); every output element
 * receives its contributions in the reference's (c, y, x) order of the input: bit-identical for any
 * thread count and ISA level.
 */
static void spike_conv(const float *spikes, const float *w, float *exc, float *inh, const int32_t dims[7],
                       int threads) {
    spike_job j = {.s = conv_of(dims), .spikes = spikes, .w = w, .exc = exc, .inh = inh};
    double work = (double) j.s.n * j.s.o * j.s.c * j.s.h * j.s.w;
#ifdef NSP_SPIKE_ROWS
    enum { PAD = 16 };
    int64_t rows = j.s.o * j.s.c * j.s.kh, kw = j.s.kw;
    float *flipped = malloc(sizeof(float) * (size_t) (rows * kw + 2 * PAD));
    if (flipped != NULL) {
        memset(flipped, 0, sizeof(float) * PAD);
        memset(flipped + PAD + rows * kw, 0, sizeof(float) * PAD);
        for (int64_t r = 0; r < rows; r++) {
            for (int64_t t = 0; t < kw; t++) {
                flipped[PAD + r * kw + t] = w[r * kw + kw - 1 - t];
            }
        }
        j.flipped = flipped + PAD;
        par(j.s.n * ((j.s.o + SPIKE_GROUP - 1) / SPIKE_GROUP), work, threads, 1, spike_conv_rows_body, &j);
        free(flipped);
        return;
    }
#endif
    par(j.s.n * j.s.o, work, threads, 1, spike_conv_body, &j);
}

/*
 * Planes [lo, hi). Every output receives its four inputs' products in the reference's (y, x) order,
 * branch-free: a product goes to excitatory if > 0 and to inhibitory if < 0, and the other side adds
 * -0.0f, the exact additive identity (x + -0.0f == x bit for bit, also for x = +-0 and NaN), so the sums
 * are the reference's while the loop vectorises.
 */
static void spike_pool_body(void *v, int64_t lo, int64_t hi) {
    const spike_job *j = v;
    const int64_t h = j->h, w = j->width, oh = h / 2, ow = w / 2;
    const float weight = j->weight;
    for (int64_t p = lo; p < hi; p++) {
        for (int64_t i = 0; i < oh; i++) {
            const float *R top = j->spikes + (p * h + 2 * i) * w, *R bottom = top + w;
            float *R e = j->exc + (p * oh + i) * ow, *R g = j->inh + (p * oh + i) * ow;
#pragma omp simd
            for (int64_t x = 0; x < ow; x++) {
                float a = top[2 * x] * weight, b = top[2 * x + 1] * weight;
                float c = bottom[2 * x] * weight, d = bottom[2 * x + 1] * weight;
                float ev = e[x], gv = g[x];
                ev += a > 0.0f ? a : -0.0f;
                gv += a < 0.0f ? a : -0.0f;
                ev += b > 0.0f ? b : -0.0f;
                gv += b < 0.0f ? b : -0.0f;
                ev += c > 0.0f ? c : -0.0f;
                gv += c < 0.0f ? c : -0.0f;
                ev += d > 0.0f ? d : -0.0f;
                gv += d < 0.0f ? d : -0.0f;
                e[x] = ev;
                g[x] = gv;
            }
        }
    }
}

static void spike_pool(const float *spikes, float weight, float *exc, float *inh, int64_t planes, int32_t h, int32_t w,
                       int threads) {
    spike_job j = {.spikes = spikes, .exc = exc, .inh = inh, .weight = weight, .h = h, .width = w};
    par(planes, (double) planes * h * w, threads, 1, spike_pool_body, &j);
}

/* batch rows [lo, hi) */
static void spike_dense_body(void *v, int64_t lo, int64_t hi) {
    const spike_job *j = v;
    int64_t k = j->k, m = j->m;
    for (int64_t r = lo; r < hi; r++) {
        for (int64_t q = 0; q < k; q++) {
            float count = j->spikes[r * k + q];
            if (count == 0.0f) {
                continue;
            }
            for (int64_t c = 0; c < m; c++) {
                deliver(j->exc, j->inh, r * m + c, count * j->w[c * k + q]);
            }
        }
    }
}

static void spike_dense(const float *spikes, const float *w, float *exc, float *inh, int32_t n, int32_t k, int32_t m,
                        int threads) {
    spike_job j = {.spikes = spikes, .w = w, .exc = exc, .inh = inh, .k = k, .m = m};
    par(n, (double) n * k, threads, 1, spike_dense_body, &j);
}

/* the arguments of a random draw, for its chunks */
typedef struct {
    int64_t seed, step, row;
    int32_t stream;
    const float *in;
    float *out;
} draw_job;

static void bernoulli_body(void *v, int64_t lo, int64_t hi) {
    const draw_job *j = v;
    const float *R prob = j->in;
    float *R out = j->out;
    const uint64_t seed = (uint64_t) j->seed, step = (uint64_t) j->step;
    for (int64_t a = lo; a < hi;) {
        const int64_t r = a / j->row, base = r * j->row, b = min64(hi, base + j->row);
        const uint32_t stream = (uint32_t) j->stream + (uint32_t) r;
        /* 16 at a time; where no probability is > 0 (input images are mostly black) nothing can spike
           (u >= 0 is never < p <= 0 or NaN) and the draws are skipped */
        for (int64_t c0 = a; c0 < b; c0 += 16) {
            const int64_t c1 = min64(c0 + 16, b);
            int any = 0;
            for (int64_t i = c0; i < c1; i++) {
                any |= prob[i] > 0.0f;
            }
            if (!any) {
                for (int64_t i = c0; i < c1; i++) {
                    out[i] = 0.0f;
                }
                continue;
            }
#pragma omp simd
            for (int64_t i = c0; i < c1; i++) {
                nsp_words words = nsp_philox((uint32_t) (i - base), stream, step, 0, seed);
                out[i] = nsp_uniform24(words.w0) < prob[i] ? 1.0f : 0.0f;
            }
        }
        a = b;
    }
}

static void bernoulli(int64_t seed, int32_t stream, int64_t step, const float *prob, float *out, int64_t n,
                      int64_t row, int threads) {
    draw_job j = {.seed = seed, .step = step, .row = row, .stream = stream, .in = prob, .out = out};
    par(n, (double) n * 16, threads, ALIGN, bernoulli_body, &j);
}

/* Philox.poissonCount: the product of (0,1] uniforms over blocks 0, 1, 2, ... while it stays above thr */
static float poisson_scalar(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index, float thr) {
    int32_t count = 0;
    float product = 1.0f;
    for (uint32_t block = 0; block <= 0xFFFFu; block++) {
        nsp_words b = nsp_philox(index, stream, step, block, seed);
        uint32_t words[4] = {b.w0, b.w1, b.w2, b.w3};
        for (int k = 0; k < 4; k++) {
            product *= nsp_uniform24_open(words[k]);
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
static void poisson_body(void *v, int64_t lo, int64_t hi) {
    const draw_job *j = v;
    const float *R thr = j->in;
    float *R out = j->out;
    const uint64_t seed = (uint64_t) j->seed, step = (uint64_t) j->step;
    const uint32_t stream = (uint32_t) j->stream;
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) {
        nsp_words b = nsp_philox((uint32_t) i, stream, step, 0, seed);
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

static void poisson(int64_t seed, int32_t stream, int64_t step, const float *thr, float *out, int64_t n, int threads) {
    draw_job j = {.seed = seed, .step = step, .row = n, .stream = stream, .in = thr, .out = out};
    par(n, (double) n * 16, threads, ALIGN, poisson_body, &j);
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
