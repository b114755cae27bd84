/*
 * Event-driven synaptic input of nsp, as a deterministic GATHER: one work item per target neuron sums the
 * products count * w of the sources that project to it, positive products into excitatory, negative ones
 * into inhibitory (NaN and zero products are dropped), accumulating onto the values already there.
 *
 * The sources are visited in the order in which ReferenceKernels' scatter reaches this target (for a
 * convolution: c, then u, then v ascending; for pooling: the 2x2 block row by row; for dense: k ascending),
 * and every product and sum is a float operation, so the result is bit-identical to the reference and
 * independent of scheduling (no atomics). Work is proportional to targets x fan-in, skipping silent sources.
 *
 *   conv:  target [n,o,i,j] <- spikes[n,c,i+u,j+v] * w[o,c,u,v]
 *   pool:  target [p,i,j]   <- spikes[p,2i+dy,2j+dx] * weight
 *   dense: target [n,m]     <- spikes[n,k] * w[m,k]
 */
#pragma OPENCL FP_CONTRACT OFF

__kernel void spike_conv_accumulate(__global const float* spikes, __global const float* w, __global float* exc,
                                    __global float* inh, const int N, const int C, const int H, const int W,
                                    const int O, const int KH, const int KW) {
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
    float ex = exc[gid];
    float ih = inh[gid];
    for (int c = 0; c < C; c++) {
        __global const float* sp = spikes + ((n * C + c) * H + i) * W + j;
        __global const float* wp = w + (o * C + c) * KH * KW;
        for (int u = 0; u < KH; u++) {
            for (int v = 0; v < KW; v++) {
                float count = sp[u * W + v];
                if (count != 0.0f) {
                    float val = count * wp[u * KW + v];
                    if (val > 0.0f) {
                        ex += val;
                    } else if (val < 0.0f) {
                        ih += val;
                    }
                }
            }
        }
    }
    exc[gid] = ex;
    inh[gid] = ih;
}

__kernel void spike_pool_accumulate(__global const float* spikes, const float weight, __global float* exc,
                                    __global float* inh, const int planes, const int H, const int W) {
    const int OH = H / 2;
    const int OW = W / 2;
    int gid = get_global_id(0);
    if (gid >= planes * OH * OW) {
        return;
    }
    int j = gid % OW;
    int i = (gid / OW) % OH;
    int p = gid / (OW * OH);
    float ex = exc[gid];
    float ih = inh[gid];
    for (int dy = 0; dy < 2; dy++) {
        for (int dx = 0; dx < 2; dx++) {
            float count = spikes[(p * H + 2 * i + dy) * W + 2 * j + dx];
            if (count != 0.0f) {
                float val = count * weight;
                if (val > 0.0f) {
                    ex += val;
                } else if (val < 0.0f) {
                    ih += val;
                }
            }
        }
    }
    exc[gid] = ex;
    inh[gid] = ih;
}

__kernel void spike_dense_accumulate(__global const float* spikes, __global const float* w, __global float* exc,
                                     __global float* inh, const int N, const int K, const int M) {
    int gid = get_global_id(0);
    if (gid >= N * M) {
        return;
    }
    int m = gid % M;
    int n = gid / M;
    float ex = exc[gid];
    float ih = inh[gid];
    for (int k = 0; k < K; k++) {
        float count = spikes[n * K + k];
        if (count != 0.0f) {
            float val = count * w[m * K + k];
            if (val > 0.0f) {
                ex += val;
            } else if (val < 0.0f) {
                ih += val;
            }
        }
    }
    exc[gid] = ex;
    inh[gid] = ih;
}
