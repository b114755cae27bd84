/*
 * 2x2 pooling (stride 2, H and W even) and dense layers of nsp, float32, row-major / NCHW.
 *
 * Pooling, per plane p = n*C + c, output [OH = H/2, OW = W/2]:
 *   out[p,i,j] = weight * (in[2i,2j] + in[2i,2j+1] + in[2i+1,2j] + in[2i+1,2j+1])
 *   moments:  mean = weight * sum a,  sigma = sqrt(weight^2 / 2 * sum |a|)
 *   backward: gradIn[p,y,x] = weight * gOut[p,y/2,x/2]  (+ weight^2/2 signum(a[p,y,x]) gv[p,y/2,x/2])
 * Dense, input [N,K], weights [M,K], output [N,M]:
 *   out[n,m]  = sum_k in[n,k] w[m,k]                  moments: sigma = sqrt(sum_k |in[n,k]| w[m,k]^2 / 2)
 *   gradIn[n,k] = sum_m gOut[n,m] w[m,k]              (+ signum(a[n,k]) sum_m gv[n,m] w[m,k]^2 / 2)
 *   gradW[m,k]  = sum_n gOut[n,m] in[n,k]             (+ w[m,k] sum_n gv[n,m] |in[n,k]|)
 * gv = d loss / d variance = gradSigma / (2 sigma), 0 where sigma = 0 (kernel variance_gradient).
 * One work item per output element; float accumulation in the reference's summation order.
 */
#pragma OPENCL FP_CONTRACT OFF

__kernel void pool_forward(__global const float* in, const float weight, __global float* out,
                           __global float* sigma, const int moments, const int planes, const int H, const int W) {
    const int OH = H / 2;
    const int OW = W / 2;
    int gid = get_global_id(0);
    if (gid >= planes * OH * OW) {
        return;
    }
    int j = gid % OW;
    int i = (gid / OW) % OH;
    int p = gid / (OW * OH);
    __global const float* b = in + (p * H + 2 * i) * W + 2 * j;
    float a0 = b[0];
    float a1 = b[1];
    float a2 = b[W];
    float a3 = b[W + 1];
    out[gid] = weight * (((a0 + a1) + a2) + a3);
    if (moments) {
        float halfW = 0.5f * (weight * weight);
        float v = halfW * (((fabs(a0) + fabs(a1)) + fabs(a2)) + fabs(a3));
        sigma[gid] = sqrt(v > 0.0f ? v : 0.0f);
    }
}

__kernel void pool_backward(__global const float* gOut, const float weight, __global const float* gv,
                            __global const float* a, __global float* gIn, const int moments, const int planes,
                            const int H, const int W) {
    const int OW = W / 2;
    int gid = get_global_id(0);
    if (gid >= planes * H * W) {
        return;
    }
    int x = gid % W;
    int y = (gid / W) % H;
    int p = gid / (W * H);
    int o = (p * (H / 2) + y / 2) * OW + x / 2;
    float g = weight * gOut[o];
    if (moments) {
        float halfW = 0.5f * (weight * weight);
        float av = a[gid];
        float s = av > 0.0f ? 1.0f : (av < 0.0f ? -1.0f : av);   /* Java's Math.signum */
        g += halfW * s * gv[o];
    }
    gIn[gid] = g;
}

__kernel void dense_forward(__global const float* in, __global const float* w, __global float* out,
                            __global float* sigma, const int moments, const int N, const int K, const int M) {
    int gid = get_global_id(0);
    if (gid >= N * M) {
        return;
    }
    int m = gid % M;
    int n = gid / M;
    __global const float* ip = in + n * K;
    __global const float* wp = w + m * K;
    float acc = 0.0f;
    float var = 0.0f;
    for (int k = 0; k < K; k++) {
        float a = ip[k];
        float wt = wp[k];
        acc += a * wt;
        if (moments) {
            var += fabs(a) * (0.5f * (wt * wt));
        }
    }
    out[gid] = acc;
    if (moments) {
        sigma[gid] = sqrt(var > 0.0f ? var : 0.0f);
    }
}

__kernel void dense_backward_data(__global const float* gOut, __global const float* w, __global const float* gv,
                                  __global const float* a, __global float* gIn, const int moments, const int N,
                                  const int K, const int M) {
    int gid = get_global_id(0);
    if (gid >= N * K) {
        return;
    }
    int k = gid % K;
    int n = gid / K;
    float acc = 0.0f;
    float accVar = 0.0f;
    for (int m = 0; m < M; m++) {
        float wt = w[m * K + k];
        acc += gOut[n * M + m] * wt;
        if (moments) {
            accVar += gv[n * M + m] * (0.5f * (wt * wt));
        }
    }
    if (moments) {
        float av = a[gid];
        float s = av > 0.0f ? 1.0f : (av < 0.0f ? -1.0f : av);
        acc += s * accVar;
    }
    gIn[gid] = acc;
}

__kernel void dense_backward_weights(__global const float* in, __global const float* gOut, __global const float* gv,
                                     __global const float* w, __global float* gW, const int moments, const int N,
                                     const int K, const int M) {
    int gid = get_global_id(0);
    if (gid >= M * K) {
        return;
    }
    int k = gid % K;
    int m = gid / K;
    float acc = 0.0f;
    float accVar = 0.0f;
    for (int n = 0; n < N; n++) {
        float a = in[n * K + k];
        acc += gOut[n * M + m] * a;
        if (moments) {
            accVar += gv[n * M + m] * fabs(a);
        }
    }
    gW[gid] = moments ? acc + w[gid] * accVar : acc;
}
