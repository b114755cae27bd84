/*
 * Elementwise activations of nsp (SPEC section 3; Liu & Furber 2016, eqs. 5 and 6).
 *
 * Noisy Softplus, parametric form, with z = x / (k sigma):
 *   y          = p f(x, sigma),   f = k sigma log(1 + e^z) = k sigma softplus(z)
 *   softplus(z) = max(z, 0) + log1p(e^-|z|)                     (no overflow for any finite z)
 *   so        f = max(x, 0) + k sigma log1p(e^-|z|)             (k sigma max(z, 0) = max(x, 0) as k sigma > 0;
 *                                                                  this form cannot overflow through z = x / (k sigma))
 *   logistic(z) = 1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) for z < 0
 *   df/dx      = logistic(z)
 *   df/dsigma  = k (softplus(z) - z logistic(z)) = k (log1p(e^-|z|) + |z| logistic(-|z|))   (symmetric in z, >= 0,
 *                                                                  no cancellation for large |z|)
 *   sigma == 0: ReLU: f = max(x, 0), df/dx = step(x) with step(0) = 0, df/dsigma = 0
 *   sigma < 0 or NaN: an input error. The kernel writes 0 for that element and records the lowest such
 *   index in *bad with atomic_min (the host starts it at INT_MAX and throws IllegalArgumentException).
 *
 * max(v, 0) follows Java's Math.max: NaN stays NaN (fmax would turn it into 0).
 *
 * Accuracy (OpenCL 1.2 section 7.4, full profile): exp <= 3 ulp, log1p <= 2 ulp, x / y correctly rounded
 * (built with -cl-fp32-correctly-rounded-divide-sqrt), + and * correctly rounded, no contraction.
 */
#pragma OPENCL FP_CONTRACT OFF

/* max(v, 0) with Java semantics: NaN -> NaN, -0 -> +0. */
inline float nsp_max0(float v) {
    return isnan(v) ? v : (v > 0.0f ? v : 0.0f);
}

/* z = x / ks; ks == 0 only when k sigma underflows in float: then z is +-inf (or 0 for x == 0). */
inline float nsp_z(float x, float ks) {
    if (ks == 0.0f) {
        return x == 0.0f ? 0.0f : x * INFINITY;
    }
    return x / ks;
}

__kernel void ns_forward(__global const float* x, __global const float* sigma, const float k, const float p,
                         __global float* y, __global int* bad, const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float s = sigma[i];
    if (!(s >= 0.0f)) {
        atomic_min(bad, i);
        y[i] = 0.0f;
        return;
    }
    float xi = x[i];
    float f;
    if (s == 0.0f) {
        f = nsp_max0(xi);                                  /* ReLU limit */
    } else {
        float ks = k * s;
        float z = nsp_z(xi, ks);
        f = nsp_max0(xi) + ks * log1p(exp(-fabs(z)));      /* max(x,0) + k sigma log1p(e^-|z|) */
    }
    y[i] = p * f;
}

/* gradX = gradY p logistic(z); gradSigma = gradY p k (log1p(e^-|z|) + |z| logistic(-|z|)). */
__kernel void ns_backward(__global const float* x, __global const float* sigma, const float k, const float p,
                          __global const float* gy, __global float* gx, __global float* gs, const int withSigma,
                          __global int* bad, const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float s = sigma[i];
    if (!(s >= 0.0f)) {
        atomic_min(bad, i);
        gx[i] = 0.0f;
        if (withSigma) {
            gs[i] = 0.0f;
        }
        return;
    }
    float xi = x[i];
    float g = gy[i];
    float dx;
    float ds;
    if (s == 0.0f) {
        dx = g * p * (xi > 0.0f ? 1.0f : 0.0f);            /* gradY p step(x), step(0) = 0 (NaN gradY stays NaN) */
        ds = 0.0f;
    } else {
        float z = nsp_z(xi, k * s);
        float a = fabs(z);
        float e = exp(-a);                                 /* e^-|z| in (0, 1] */
        float lpos = 1.0f / (1.0f + e);                    /* logistic(|z|) */
        float lneg = e / (1.0f + e);                       /* logistic(-|z|) */
        float lz = z >= 0.0f ? lpos : lneg;                /* logistic(z); NaN z -> lneg = NaN */
        /* |z| logistic(-|z|) -> 0 as |z| -> inf; |z| = inf from float overflow of a finite x / (k sigma) must
           give that limit (0), an infinite x gives inf * 0 = NaN as in the reference */
        float tail = (isinf(a) && !isinf(xi)) ? 0.0f : a * lneg;
        dx = g * p * lz;
        ds = g * p * k * (log1p(e) + tail);
    }
    gx[i] = dx;
    if (withSigma) {
        gs[i] = ds;
    }
}

/* y = p s log(1 + e^(x/s)) = p (max(x, 0) + s log1p(e^-|x/s|)), s = scale > 0. */
__kernel void softplus_forward(__global const float* x, const float scale, const float p, __global float* y,
                               const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float xi = x[i];
    float z = xi / scale;
    y[i] = p * (nsp_max0(xi) + scale * log1p(exp(-fabs(z))));
}

/* gradX = gradY p logistic(x / scale). */
__kernel void softplus_backward(__global const float* x, const float scale, const float p, __global const float* gy,
                                __global float* gx, const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float z = x[i] / scale;
    float e = exp(-fabs(z));
    float l = z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    gx[i] = gy[i] * p * l;
}

/* y = p max(x, 0). */
__kernel void relu_forward(__global const float* x, const float p, __global float* y, const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    y[i] = p * nsp_max0(x[i]);
}

/* gradX = gradY p step(x), step(0) = 0. */
__kernel void relu_backward(__global const float* x, const float p, __global const float* gy, __global float* gx,
                            const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    gx[i] = x[i] > 0.0f ? gy[i] * p : 0.0f;
}

/* d loss / d variance = d loss / d sigma / (2 sigma), 0 where sigma == 0 (used by every moment backward). */
__kernel void variance_gradient(__global const float* sigma, __global const float* gs, __global float* gv,
                                const int n) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float s = sigma[i];
    gv[i] = s > 0.0f ? gs[i] / (2.0f * s) : 0.0f;
}
