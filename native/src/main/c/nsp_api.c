/*
 * nsp_api.c: the exported C API of libnsp (bound by dev.nsp.kernel.natives.NativeLib) and the choice
 * of the kernel table for the running CPU. Every exported function forwards to the active table; the
 * table is chosen when the library is loaded (the best level the CPU supports) and may be lowered with
 * nsp_set_level (tests run every level this CPU has).
 */
#include "nsp_ops.h"

#include <stddef.h>

#define API __attribute__((visibility("default")))

/* Bumped whenever a signature below changes; NativeLib refuses a library of another version. */
#define NSP_ABI_VERSION 2

extern const nsp_ops nsp_ops_base;
#ifdef NSP_X86_VARIANTS
extern const nsp_ops nsp_ops_v3;
extern const nsp_ops nsp_ops_v4;
#endif

static const nsp_ops *volatile active = &nsp_ops_base;

/* the best level this CPU runs: 0 = baseline, 1 = x86-64-v3 (AVX2, FMA), 2 = x86-64-v4 (AVX-512) */
static int best_level(void) {
#ifdef NSP_X86_VARIANTS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) {
        return 2;
    }
    if (__builtin_cpu_supports("x86-64-v3")) {
        return 1;
    }
#endif
    return 0;
}

static const nsp_ops *table(int level) {
#ifdef NSP_X86_VARIANTS
    if (level >= 2) {
        return &nsp_ops_v4;
    }
    if (level == 1) {
        return &nsp_ops_v3;
    }
#else
    (void) level;
#endif
    return &nsp_ops_base;
}

__attribute__((constructor)) static void nsp_init(void) {
    active = table(best_level());
}

API int32_t nsp_abi_version(void) { return NSP_ABI_VERSION; }

API int32_t nsp_max_level(void) { return best_level(); }

/* Selects the kernels of `level`, capped at what the CPU supports; returns the level now in effect. */
API int32_t nsp_set_level(int32_t level) {
    int best = best_level();
    int l = level < 0 ? 0 : (level > best ? best : level);
    active = table(l);
    return l;
}

/* the active kernels' name: "base", "v3" (x86-64-v3, AVX2+FMA) or "v4" (x86-64-v4, AVX-512) */
API const char *nsp_variant(void) { return active->name; }

API const char *nsp_compiler(void) {
#if defined(__clang__)
    return __VERSION__;                 /* "Clang ..." */
#elif defined(__GNUC__)
    return "GCC " __VERSION__;
#else
    return "an unknown compiler";
#endif
}

API int64_t nsp_ns_forward(const float *x, const float *sigma, float k, float p, float *y, int64_t n, int32_t threads) {
    return active->ns_forward(x, sigma, k, p, y, n, threads);
}

API int64_t nsp_ns_backward(const float *x, const float *sigma, float k, float p, const float *gy, float *gx, float *gs,
                            int64_t n, int32_t threads) {
    return active->ns_backward(x, sigma, k, p, gy, gx, gs, n, threads);
}

API void nsp_softplus_forward(const float *x, float scale, float p, float *y, int64_t n, int32_t threads) {
    active->softplus_forward(x, scale, p, y, n, threads);
}

API void nsp_softplus_backward(const float *x, float scale, float p, const float *gy, float *gx, int64_t n,
                               int32_t threads) {
    active->softplus_backward(x, scale, p, gy, gx, n, threads);
}

API void nsp_relu_forward(const float *x, float p, float *y, int64_t n, int32_t threads) {
    active->relu_forward(x, p, y, n, threads);
}

API void nsp_relu_backward(const float *x, float p, const float *gy, float *gx, int64_t n, int32_t threads) {
    active->relu_backward(x, p, gy, gx, n, threads);
}

#define DIMS int32_t n, int32_t c, int32_t h, int32_t w, int32_t o, int32_t kh, int32_t kw
#define PACK const int32_t d[7] = {n, c, h, w, o, kh, kw}

API int32_t nsp_conv_forward(const float *in, const float *wt, float *out, DIMS, int32_t threads) {
    PACK;
    return active->conv_forward(in, wt, out, d, threads);
}

API int32_t nsp_conv_backward_data(const float *gout, const float *wt, float *gin, DIMS, int32_t threads) {
    PACK;
    return active->conv_backward_data(gout, wt, gin, d, threads);
}

API int32_t nsp_conv_backward_weights(const float *in, const float *gout, float *gw, DIMS, int32_t threads) {
    PACK;
    return active->conv_backward_weights(in, gout, gw, d, threads);
}

API int32_t nsp_moment_conv_forward(const float *in, const float *wt, float *mean, float *sigma, DIMS,
                                    int32_t threads) {
    PACK;
    return active->moment_conv_forward(in, wt, mean, sigma, d, threads);
}

API int32_t nsp_moment_conv_backward(const float *in, const float *wt, const float *sigma, const float *gm,
                                     const float *gs, float *gin, float *gw, DIMS, int32_t threads) {
    PACK;
    return active->moment_conv_backward(in, wt, sigma, gm, gs, gin, gw, d, threads);
}

API void nsp_pool_forward(const float *in, float weight, float *out, int64_t planes, int32_t h, int32_t w,
                          int32_t threads) {
    active->pool_forward(in, weight, out, planes, h, w, threads);
}

API void nsp_pool_backward(const float *gout, float weight, float *gin, int64_t planes, int32_t h, int32_t w,
                           int32_t threads) {
    active->pool_backward(gout, weight, gin, planes, h, w, threads);
}

API void nsp_moment_pool_forward(const float *in, float weight, float *mean, float *sigma, int64_t planes, int32_t h,
                                 int32_t w, int32_t threads) {
    active->moment_pool_forward(in, weight, mean, sigma, planes, h, w, threads);
}

API void nsp_moment_pool_backward(const float *in, float weight, const float *sigma, const float *gm, const float *gs,
                                  float *gin, int64_t planes, int32_t h, int32_t w, int32_t threads) {
    active->moment_pool_backward(in, weight, sigma, gm, gs, gin, planes, h, w, threads);
}

API void nsp_dense_forward(const float *in, const float *wt, float *out, int32_t n, int32_t k, int32_t m,
                           int32_t threads) {
    active->dense_forward(in, wt, out, n, k, m, threads);
}

API void nsp_dense_backward_data(const float *gout, const float *wt, float *gin, int32_t n, int32_t k, int32_t m,
                                 int32_t threads) {
    active->dense_backward_data(gout, wt, gin, n, k, m, threads);
}

API void nsp_dense_backward_weights(const float *in, const float *gout, float *gw, int32_t n, int32_t k, int32_t m,
                                    int32_t threads) {
    active->dense_backward_weights(in, gout, gw, n, k, m, threads);
}

API int32_t nsp_moment_dense_forward(const float *in, const float *wt, float *mean, float *sigma, int32_t n,
                                     int32_t k, int32_t m, int32_t threads) {
    return active->moment_dense_forward(in, wt, mean, sigma, n, k, m, threads);
}

API int32_t nsp_moment_dense_backward(const float *in, const float *wt, const float *sigma, const float *gm,
                                      const float *gs, float *gin, float *gw, int32_t n, int32_t k, int32_t m,
                                      int32_t threads) {
    return active->moment_dense_backward(in, wt, sigma, gm, gs, gin, gw, n, k, m, threads);
}

API double nsp_softmax_ce(const float *logits, const int32_t *labels, float *prob, float *grad, int32_t n, int32_t m) {
    return active->softmax_ce(logits, labels, prob, grad, n, m);
}

API int32_t nsp_lif_run(float decay_m, float decay_e, float decay_i, float drive_gain, float ps_e, float ps_i,
                        float offset_na, float theta, float y_reset, int32_t refractory_steps, float *v, float *ie,
                        float *ii, float *ref, const float *bias, const float *cur, const float *exc, const float *inh,
                        float *spikes, float *counts, int64_t n, int32_t steps, int32_t threads) {
    const float c[9] = {decay_m, decay_e, decay_i, drive_gain, ps_e, ps_i, offset_na, theta, y_reset};
    return active->lif_run(c, refractory_steps, v, ie, ii, ref, bias, cur, exc, inh, spikes, counts, n, steps,
                           threads);
}

API void nsp_spike_conv(const float *spikes, const float *wt, float *exc, float *inh, DIMS, int32_t threads) {
    PACK;
    active->spike_conv(spikes, wt, exc, inh, d, threads);
}

API void nsp_spike_pool(const float *spikes, float weight, float *exc, float *inh, int64_t planes, int32_t h,
                        int32_t w, int32_t threads) {
    active->spike_pool(spikes, weight, exc, inh, planes, h, w, threads);
}

API void nsp_spike_dense(const float *spikes, const float *wt, float *exc, float *inh, int32_t n, int32_t k, int32_t m,
                         int32_t threads) {
    active->spike_dense(spikes, wt, exc, inh, n, k, m, threads);
}

API void nsp_bernoulli(int64_t seed, int32_t stream, int64_t step, const float *prob, float *out, int64_t n,
                       int64_t row, int32_t threads) {
    active->bernoulli(seed, stream, step, prob, out, n, row, threads);
}

API void nsp_poisson(int64_t seed, int32_t stream, int64_t step, const float *thr, float *out, int64_t n,
                     int32_t threads) {
    active->poisson(seed, stream, step, thr, out, n, threads);
}
