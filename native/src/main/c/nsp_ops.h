/*
 * nsp_ops.h: the table of kernel entry points that every ISA variant of nsp_kernels.c provides.
 * nsp_kernels.c is compiled once per instruction-set level (baseline x86-64 or the host's generic
 * level, x86-64-v3 = AVX2+FMA, x86-64-v4 = AVX-512) into a table named nsp_ops_<variant>; nsp_api.c
 * picks the best table the running CPU supports, once, and its exported functions forward to it.
 * (A whole translation unit per level rather than target_clones: every function of a variant, the
 * chunk bodies that the thread pool calls included, is then compiled for that level, and the levels
 * need no ifunc support.)
 *
 * Conventions: float32 tensors, row-major, NCHW; sizes and offsets are int64; `threads` is the most
 * threads of nsp_pool.h the call may use (small calls use one). Nullable pointers are documented.
 */
#ifndef NSP_OPS_H
#define NSP_OPS_H

#include <stdint.h>

#define NSP_RESTRICT __restrict__

typedef struct nsp_ops {
    const char *name;
    /* returns -1, or the smallest index whose sigma is negative or NaN (outputs then unspecified) */
    int64_t (*ns_forward)(const float *x, const float *sigma, float k, float p, float *y, int64_t n, int threads);
    int64_t (*ns_backward)(const float *x, const float *sigma, float k, float p, const float *gy, float *gx,
                           float *gs /* nullable */, int64_t n, int threads);
    void (*softplus_forward)(const float *x, float scale, float p, float *y, int64_t n, int threads);
    void (*softplus_backward)(const float *x, float scale, float p, const float *gy, float *gx, int64_t n, int threads);
    void (*relu_forward)(const float *x, float p, float *y, int64_t n, int threads);
    void (*relu_backward)(const float *x, float p, const float *gy, float *gx, int64_t n, int threads);

    /* conv dims: input [N,C,H,W], weights [O,C,KH,KW], output [N,O,H-KH+1,W-KW+1] */
    /* the convolutions return 0, or -1 when scratch memory could not be allocated */
    int (*conv_forward)(const float *in, const float *w, float *out, const int32_t dims[7], int threads);
    int (*conv_backward_data)(const float *gout, const float *w, float *gin, const int32_t dims[7], int threads);
    int (*conv_backward_weights)(const float *in, const float *gout, float *gw, const int32_t dims[7], int threads);
    int (*moment_conv_forward)(const float *in, const float *w, float *mean, float *sigma, const int32_t dims[7],
                               int threads);
    int (*moment_conv_backward)(const float *in, const float *w, const float *sigma, const float *gm,
                                const float *gs /* nullable */, float *gin /* nullable */,
                                float *gw /* nullable */, const int32_t dims[7], int threads);

    /* pool dims: planes = N*C, H, W (even) */
    void (*pool_forward)(const float *in, float weight, float *out, int64_t planes, int32_t h, int32_t w, int threads);
    void (*pool_backward)(const float *gout, float weight, float *gin, int64_t planes, int32_t h, int32_t w, int threads);
    void (*moment_pool_forward)(const float *in, float weight, float *mean, float *sigma, int64_t planes, int32_t h,
                                int32_t w, int threads);
    void (*moment_pool_backward)(const float *in, float weight, const float *sigma, const float *gm,
                                 const float *gs /* nullable */, float *gin, int64_t planes, int32_t h, int32_t w,
                                 int threads);

    /* dense: input [N,K], weights [M,K], output [N,M] */
    void (*dense_forward)(const float *in, const float *w, float *out, int32_t n, int32_t k, int32_t m, int threads);
    void (*dense_backward_data)(const float *gout, const float *w, float *gin, int32_t n, int32_t k, int32_t m,
                                int threads);
    void (*dense_backward_weights)(const float *in, const float *gout, float *gw, int32_t n, int32_t k, int32_t m,
                                   int threads);
    int (*moment_dense_forward)(const float *in, const float *w, float *mean, float *sigma, int32_t n, int32_t k,
                                int32_t m, int threads);
    int (*moment_dense_backward)(const float *in, const float *w, const float *sigma, const float *gm,
                                 const float *gs, float *gin, float *gw, int32_t n, int32_t k, int32_t m, int threads);

    /* returns the summed (not averaged) loss in double */
    double (*softmax_ce)(const float *logits, const int32_t *labels, float *prob, float *grad /* nullable */,
                         int32_t n, int32_t m);

    /* c = {decayM, decayE, decayI, driveGain, psE, psI, offsetNa, theta, yReset}; returns 0 or -1 (no memory) */
    int (*lif_run)(const float c[9], int32_t refractory_steps, float *v, float *ie, float *ii, float *ref,
                   const float *bias, const float *cur, const float *exc, const float *inh, float *spikes,
                   float *counts, int64_t n, int32_t steps, int threads);

    void (*spike_conv)(const float *spikes, const float *w, float *exc, float *inh, const int32_t dims[7], int threads);
    void (*spike_pool)(const float *spikes, float weight, float *exc, float *inh, int64_t planes, int32_t h, int32_t w,
                       int threads);
    void (*spike_dense)(const float *spikes, const float *w, float *exc, float *inh, int32_t n, int32_t k, int32_t m,
                        int threads);
    /* n elements in rows of `row`: row r is keyed by stream + r (int32 wrap-around), its elements by their index in the row */
    void (*bernoulli)(int64_t seed, int32_t stream, int64_t step, const float *prob, float *out, int64_t n, int64_t row,
                      int threads);
    void (*poisson)(int64_t seed, int32_t stream, int64_t step, const float *thr, float *out, int64_t n, int threads);
} nsp_ops;

#endif
