/*
 * Softmax with cross-entropy loss, one work item per row of logits [N,M]:
 *   max       = max_c z[c]                      (NaN propagates, as Java's Math.max)
 *   sum       = sum_c exp(z[c] - max)
 *   prob[c]   = exp(z[c] - max) / sum           (not exp(z[c] - logSum): logSum = log(sum) + max carries an
 *                                                absolute rounding error of ulp(max), which for large logits
 *                                                is a relative error of that size in every probability)
 *   grad[c]   = (prob[c] - [c == label]) / N    (when withGrad != 0)
 *   rowLoss   = log(sum) - (z[label] - max)     (the host takes the mean over rows in double)
 */
#pragma OPENCL FP_CONTRACT OFF

__kernel void softmax_ce(__global const float* logits, __global const int* labels, __global float* prob,
                         __global float* grad, __global float* rowLoss, const int withGrad, const int N,
                         const int M) {
    int r = get_global_id(0);
    if (r >= N) {
        return;
    }
    __global const float* z = logits + r * M;
    float mx = -INFINITY;
    for (int c = 0; c < M; c++) {
        float v = z[c];
        mx = (isnan(v) || v > mx) ? v : mx;
        if (isnan(mx)) {
            break;
        }
    }
    float sum = 0.0f;
    for (int c = 0; c < M; c++) {
        sum += exp(z[c] - mx);
    }
    int label = labels[r];
    rowLoss[r] = log(sum) - (z[label] - mx);
    for (int c = 0; c < M; c++) {
        float pr = exp(z[c] - mx) / sum;
        prob[r * M + c] = pr;
        if (withGrad) {
            grad[r * M + c] = (pr - (c == label ? 1.0f : 0.0f)) / (float) N;
        }
    }
}
