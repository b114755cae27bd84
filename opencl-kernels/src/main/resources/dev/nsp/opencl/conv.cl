/*
 * 2-D convolution of nsp: cross-correlation, valid padding, stride 1, no bias, NCHW, float32.
 *
 *   out[n,o,i,j] = sum_{c,u,v} in[n,c,i+u,j+v] w[o,c,u,v]            input [N,C,H,W], weights [O,C,KH,KW],
 *                                                                      output [N,O,OH,OW], OH = H-KH+1, OW = W-KW+1
 * Moment form (SPEC section 4), for activations a:
 *   mean  = sum w a
 *   sigma = sqrt(sum (w^2 / 2) |a|)                                    w^2 / 2 rounded to float once, as the reference
 * Backward, with gv = d loss / d variance = gradSigma / (2 sigma) (0 where sigma = 0):
 *   gradIn[n,c,y,x] = sum_{o,u,v} gOut[n,o,y-u,x-v] w[o,c,u,v]  +  signum(a[n,c,y,x]) sum_{o,u,v} gv[n,o,y-u,x-v] w^2/2
 *   gradW[o,c,u,v]  = sum_{n,i,j} a[n,c,i+u,j+v] gOut[n,o,i,j]   +  w[o,c,u,v] sum_{n,i,j} |a[n,c,i+u,j+v]| gv[n,o,i,j]
 *
 * One work item per output element, float accumulation in the reference's summation order (c, u, v); the
 * weight gradient is reduced in two deterministic passes (per image, then over the batch), so results do not
 * depend on scheduling. Accumulation error of an m-term float sum is at most (m-1) 2^-24 sum |terms|.
 */
#pragma OPENCL FP_CONTRACT OFF

/* w^2 / 2 in float: w * w rounded once, the halving exact (as (float) (0.5 * w * w) in double). */
inline float nsp_half_square(float w) {
    return 0.5f * (w * w);
}

/* Java's Math.signum: -1, +-0, 1, NaN for NaN. */
inline float nsp_signum(float a) {
    return a > 0.0f ? 1.0f : (a < 0.0f ? -1.0f : a);
}

/* out = W * in; with moments != 0 also sigma = sqrt((W^2/2) * |in|). */
__kernel void conv_forward(__global const float* in, __global const float* w, __global float* out,
                           __global float* sigma, const int moments,
                           const int N, const int C, const int H, const int W, const int O, const int KH,
                           const int KW) {
    const int OH = H - KH + 1;
    const int OW = W - KW + 1;
    int gid = get_global_id(0);
    if (gid >= N * O * OH * OW) {
        return;
    }
    int j = gid % OW;
    int i = (gid / OW) % OH;
    int o = (gid / (OW * OH)) % O;
    int n = gid / (OW * OH * O);
    float acc = 0.0f;
    float var = 0.0f;
    for (int c = 0; c < C; c++) {
        __global const float* ip = in + ((n * C + c) * H + i) * W + j;
        __global const float* wp = w + (o * C + c) * KH * KW;
        for (int u = 0; u < KH; u++) {
            for (int v = 0; v < KW; v++) {
                float a = ip[u * W + v];
                float wt = wp[u * KW + v];
                acc += a * wt;
                if (moments) {
                    var += fabs(a) * nsp_half_square(wt);
                }
            }
        }
    }
    out[gid] = acc;
    if (moments) {
        sigma[gid] = sqrt(var > 0.0f ? var : 0.0f);  /* sqrt(max(v, 0)) */
    }
}

/* gradIn = full correlation of gOut with the flipped kernel; with moments != 0 plus the variance path. */
__kernel void conv_backward_data(__global const float* gOut, __global const float* w, __global const float* gv,
                                 __global const float* a, __global float* gIn, const int moments,
                                 const int N, const int C, const int H, const int W, const int O, const int KH,
                                 const int KW) {
    const int OH = H - KH + 1;
    const int OW = W - KW + 1;
    int gid = get_global_id(0);
    if (gid >= N * C * H * W) {
        return;
    }
    int x = gid % W;
    int y = (gid / W) % H;
    int c = (gid / (W * H)) % C;
    int n = gid / (W * H * C);
    float acc = 0.0f;
    float accVar = 0.0f;
    for (int o = 0; o < O; o++) {
        __global const float* wp = w + (o * C + c) * KH * KW;
        int base = (n * O + o) * OH;
        for (int u = 0; u < KH; u++) {
            int i = y - u;
            if (i < 0 || i >= OH) {
                continue;
            }
            for (int v = 0; v < KW; v++) {
                int jj = x - v;
                if (jj < 0 || jj >= OW) {
                    continue;
                }
                int oi = (base + i) * OW + jj;
                float wt = wp[u * KW + v];
                acc += gOut[oi] * wt;
                if (moments) {
                    accVar += gv[oi] * nsp_half_square(wt);
                }
            }
        }
    }
    gIn[gid] = moments ? acc + nsp_signum(a[gid]) * accVar : acc;
}

/*
 * Weight gradient, pass 1: one work item per (image n, weight element), the sum over (i, j) of that image.
 * partial[n * WS + widx] (and partialVar with |a| and gv when moments != 0), WS = O*C*KH*KW.
 */
__kernel void conv_backward_weights_partial(__global const float* in, __global const float* gOut,
                                            __global const float* gv, __global float* partial,
                                            __global float* partialVar, const int moments,
                                            const int N, const int C, const int H, const int W, const int O,
                                            const int KH, const int KW) {
    const int OH = H - KH + 1;
    const int OW = W - KW + 1;
    const int WS = O * C * KH * KW;
    int gid = get_global_id(0);
    if (gid >= N * WS) {
        return;
    }
    int widx = gid % WS;
    int n = gid / WS;
    int v = widx % KW;
    int u = (widx / KW) % KH;
    int c = (widx / (KW * KH)) % C;
    int o = widx / (KW * KH * C);
    __global const float* ip = in + ((n * C + c) * H + u) * W + v;
    __global const float* gp = gOut + (n * O + o) * OH * OW;
    __global const float* vp = gv + (n * O + o) * OH * OW;
    float acc = 0.0f;
    float accVar = 0.0f;
    for (int i = 0; i < OH; i++) {
        for (int j = 0; j < OW; j++) {
            float a = ip[i * W + j];
            acc += a * gp[i * OW + j];
            if (moments) {
                accVar += fabs(a) * vp[i * OW + j];
            }
        }
    }
    partial[gid] = acc;
    if (moments) {
        partialVar[gid] = accVar;
    }
}

/* Weight gradient, pass 2: gradW[widx] = sum_n partial[n, widx] (+ w[widx] sum_n partialVar[n, widx]). */
__kernel void reduce_batch(__global const float* partial, __global const float* partialVar,
                           __global const float* w, __global float* gW, const int moments, const int N,
                           const int WS) {
    int widx = get_global_id(0);
    if (widx >= WS) {
        return;
    }
    float acc = 0.0f;
    float accVar = 0.0f;
    for (int n = 0; n < N; n++) {
        acc += partial[n * WS + widx];
        if (moments) {
            accVar += partialVar[n * WS + widx];
        }
    }
    gW[widx] = moments ? acc + w[widx] * accVar : acc;
}
