package dev.nsp.kernel.reference;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.tensor.Tensor;

/**
 * The scalar reference implementation of the kernel SPI: plain loops, double arithmetic and double
 * accumulation, single-threaded, written to be obviously correct. Every other backend is tested
 * against it. Inputs are copied to heap arrays, results written back in one copy: clarity over speed.
 */
final class ReferenceKernels implements Kernels {

    @Override
    public String name() {
        return "reference";
    }

    // ---------------------------------------------------------------- activations

    /** softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^-|z|): finite for every finite z. */
    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** logistic(z) = 1 / (1 + e^-z), evaluated without overflow. */
    static double logistic(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /**
     * softplus(z) - z logistic(z), which is symmetric in z and equals
     * log1p(e^-|z|) + |z| logistic(-|z|): no cancellation for large |z|.
     */
    static double sigmaSlope(double z) {
        double a = Math.abs(z);
        return Math.log1p(Math.exp(-a)) + a * logistic(-a);
    }

    static void checkSigma(float s, long i) {
        if (!(s >= 0)) {
            throw new IllegalArgumentException("sigma: element " + i + " is " + s + ", must be >= 0 and not NaN");
        }
    }

    @Override
    public void noisySoftplusForward(Tensor x, Tensor sigma, float k, float p, Tensor y) {
        float[] xs = x.toArray();
        float[] ss = sigma.toArray();
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            checkSigma(ss[i], i);
            double ks = (double) k * ss[i];
            double f = ss[i] == 0 ? Math.max(xs[i], 0) : ks * softplus(xs[i] / ks);
            out[i] = (float) (p * f);
        }
        y.copyFrom(out);
    }

    @Override
    public void noisySoftplusBackward(Tensor x, Tensor sigma, float k, float p, Tensor gradY, Tensor gradX,
                                      Tensor gradSigma) {
        float[] xs = x.toArray();
        float[] ss = sigma.toArray();
        float[] gy = gradY.toArray();
        float[] gx = new float[xs.length];
        float[] gs = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            checkSigma(ss[i], i);
            if (ss[i] == 0) {
                gx[i] = (float) ((double) gy[i] * p * (xs[i] > 0 ? 1 : 0));
                gs[i] = 0f;
            } else {
                double z = xs[i] / ((double) k * ss[i]);
                gx[i] = (float) ((double) gy[i] * p * logistic(z));
                gs[i] = (float) ((double) gy[i] * p * k * sigmaSlope(z));
            }
        }
        gradX.copyFrom(gx);
        if (gradSigma != null) {
            gradSigma.copyFrom(gs);
        }
    }

    @Override
    public void softplusForward(Tensor x, float scale, float p, Tensor y) {
        float[] xs = x.toArray();
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = (float) ((double) p * scale * softplus(xs[i] / (double) scale));
        }
        y.copyFrom(out);
    }

    @Override
    public void softplusBackward(Tensor x, float scale, float p, Tensor gradY, Tensor gradX) {
        float[] xs = x.toArray();
        float[] gy = gradY.toArray();
        float[] gx = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            gx[i] = (float) ((double) gy[i] * p * logistic(xs[i] / (double) scale));
        }
        gradX.copyFrom(gx);
    }

    @Override
    public void reluForward(Tensor x, float p, Tensor y) {
        float[] xs = x.toArray();
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = (float) ((double) p * Math.max(xs[i], 0f));
        }
        y.copyFrom(out);
    }

    @Override
    public void reluBackward(Tensor x, float p, Tensor gradY, Tensor gradX) {
        float[] xs = x.toArray();
        float[] gy = gradY.toArray();
        float[] gx = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            gx[i] = xs[i] > 0 ? (float) ((double) gy[i] * p) : 0f;
        }
        gradX.copyFrom(gx);
    }

    // ---------------------------------------------------------------- convolution

    /** Shapes of a convolution: input [n,c,h,w], weights [o,c,kh,kw], output [n,o,oh,ow]. */
    private record ConvShape(int n, int c, int h, int w, int o, int kh, int kw, int oh, int ow) {
        static ConvShape of(Tensor input, Tensor weights) {
            int h = input.dim(2);
            int w = input.dim(3);
            int kh = weights.dim(2);
            int kw = weights.dim(3);
            return new ConvShape(input.dim(0), input.dim(1), h, w, weights.dim(0), kh, kw, h - kh + 1, w - kw + 1);
        }

        static ConvShape ofOutput(Tensor gradOutput, Tensor weights) {
            int kh = weights.dim(2);
            int kw = weights.dim(3);
            int oh = gradOutput.dim(2);
            int ow = gradOutput.dim(3);
            return new ConvShape(gradOutput.dim(0), weights.dim(1), oh + kh - 1, ow + kw - 1, weights.dim(0), kh, kw, oh, ow);
        }

        int in(int n, int c, int y, int x) {
            return ((n * this.c + c) * h + y) * w + x;
        }

        int wt(int o, int c, int u, int v) {
            return ((o * this.c + c) * kh + u) * kw + v;
        }

        int out(int n, int o, int i, int j) {
            return ((n * this.o + o) * oh + i) * ow + j;
        }
    }

    /** out = correlate(in, wt): the forward sum in double. */
    private static float[] correlate(ConvShape s, float[] in, float[] wt) {
        float[] out = new float[s.n * s.o * s.oh * s.ow];
        for (int n = 0; n < s.n; n++) {
            for (int o = 0; o < s.o; o++) {
                for (int i = 0; i < s.oh; i++) {
                    for (int j = 0; j < s.ow; j++) {
                        double acc = 0;
                        for (int c = 0; c < s.c; c++) {
                            for (int u = 0; u < s.kh; u++) {
                                for (int v = 0; v < s.kw; v++) {
                                    acc += (double) in[s.in(n, c, i + u, j + v)] * wt[s.wt(o, c, u, v)];
                                }
                            }
                        }
                        out[s.out(n, o, i, j)] = (float) acc;
                    }
                }
            }
        }
        return out;
    }

    /** d(loss)/d(in) for out = correlate(in, wt), in double. */
    private static double[] correlateBackData(ConvShape s, float[] gradOut, float[] wt) {
        double[] g = new double[s.n * s.c * s.h * s.w];
        for (int n = 0; n < s.n; n++) {
            for (int c = 0; c < s.c; c++) {
                for (int y = 0; y < s.h; y++) {
                    for (int x = 0; x < s.w; x++) {
                        double acc = 0;
                        for (int o = 0; o < s.o; o++) {
                            for (int u = 0; u < s.kh; u++) {
                                int i = y - u;
                                if (i < 0 || i >= s.oh) {
                                    continue;
                                }
                                for (int v = 0; v < s.kw; v++) {
                                    int j = x - v;
                                    if (j < 0 || j >= s.ow) {
                                        continue;
                                    }
                                    acc += (double) gradOut[s.out(n, o, i, j)] * wt[s.wt(o, c, u, v)];
                                }
                            }
                        }
                        g[s.in(n, c, y, x)] = acc;
                    }
                }
            }
        }
        return g;
    }

    /** d(loss)/d(wt) for out = correlate(in, wt), in double. */
    private static double[] correlateBackWeights(ConvShape s, float[] in, float[] gradOut) {
        double[] g = new double[s.o * s.c * s.kh * s.kw];
        for (int o = 0; o < s.o; o++) {
            for (int c = 0; c < s.c; c++) {
                for (int u = 0; u < s.kh; u++) {
                    for (int v = 0; v < s.kw; v++) {
                        double acc = 0;
                        for (int n = 0; n < s.n; n++) {
                            for (int i = 0; i < s.oh; i++) {
                                for (int j = 0; j < s.ow; j++) {
                                    acc += (double) in[s.in(n, c, i + u, j + v)] * gradOut[s.out(n, o, i, j)];
                                }
                            }
                        }
                        g[s.wt(o, c, u, v)] = acc;
                    }
                }
            }
        }
        return g;
    }

    @Override
    public void conv2dForward(Tensor input, Tensor weights, Tensor output) {
        output.copyFrom(correlate(ConvShape.of(input, weights), input.toArray(), weights.toArray()));
    }

    @Override
    public void conv2dBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        gradInput.copyFrom(toFloat(correlateBackData(ConvShape.ofOutput(gradOutput, weights),
                gradOutput.toArray(), weights.toArray())));
    }

    @Override
    public void conv2dBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        ConvShape s = ConvShape.of(input, gradWeights);
        gradWeights.copyFrom(toFloat(correlateBackWeights(s, input.toArray(), gradOutput.toArray())));
    }

    @Override
    public void momentConv2dForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        ConvShape s = ConvShape.of(input, weights);
        float[] a = input.toArray();
        float[] w = weights.toArray();
        mean.copyFrom(correlate(s, a, w));
        sigma.copyFrom(sqrtOf(correlate(s, abs(a), halfSquare(w))));
    }

    @Override
    public void momentConv2dBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                     Tensor gradInput, Tensor gradWeights) {
        ConvShape s = ConvShape.of(input, weights);
        float[] a = input.toArray();
        float[] w = weights.toArray();
        float[] gm = gradMean.toArray();
        float[] gv = gradSigma == null ? null : varianceGradient(sigma.toArray(), gradSigma.toArray());
        if (gradInput != null) {
            double[] g = correlateBackData(s, gm, w);
            if (gv != null) {
                double[] gvar = correlateBackData(s, gv, halfSquare(w));
                for (int i = 0; i < g.length; i++) {
                    g[i] += Math.signum(a[i]) * gvar[i];
                }
            }
            gradInput.copyFrom(toFloat(g));
        }
        if (gradWeights != null) {
            double[] g = correlateBackWeights(s, a, gm);
            if (gv != null) {
                double[] gvar = correlateBackWeights(s, abs(a), gv);
                for (int i = 0; i < g.length; i++) {
                    g[i] += w[i] * gvar[i];
                }
            }
            gradWeights.copyFrom(toFloat(g));
        }
    }

    /** d(loss)/d(variance) = d(loss)/d(sigma) / (2 sigma), and 0 where sigma = 0. */
    private static float[] varianceGradient(float[] sigma, float[] gradSigma) {
        float[] gv = new float[sigma.length];
        for (int i = 0; i < sigma.length; i++) {
            gv[i] = sigma[i] > 0 ? (float) (gradSigma[i] / (2.0 * sigma[i])) : 0f;
        }
        return gv;
    }

    // ---------------------------------------------------------------- pooling

    @Override
    public void pool2x2Forward(Tensor input, float weight, Tensor output) {
        output.copyFrom(pool(input.toArray(), input.shape(), weight));
    }

    private static float[] pool(float[] a, int[] shape, double weight) {
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int oh = h / 2;
        int ow = w / 2;
        float[] out = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int b = (p * h + 2 * i) * w + 2 * j;
                    double sum = (double) a[b] + a[b + 1] + a[b + w] + a[b + w + 1];
                    out[(p * oh + i) * ow + j] = (float) (weight * sum);
                }
            }
        }
        return out;
    }

    /** g[each input of block] = scale(input) * gradOut[block]; scale is per input element. */
    private interface InputScale {
        double at(int inputIndex);
    }

    private static double[] unpool(float[] gradOut, int[] inShape, InputScale scale) {
        int planes = inShape[0] * inShape[1];
        int h = inShape[2];
        int w = inShape[3];
        int ow = w / 2;
        double[] g = new double[planes * h * w];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int idx = (p * h + y) * w + x;
                    g[idx] = scale.at(idx) * gradOut[(p * (h / 2) + y / 2) * ow + x / 2];
                }
            }
        }
        return g;
    }

    @Override
    public void pool2x2Backward(Tensor gradOutput, float weight, Tensor gradInput) {
        gradInput.copyFrom(toFloat(unpool(gradOutput.toArray(), gradInput.shape(), i -> weight)));
    }

    @Override
    public void momentPool2x2Forward(Tensor input, float weight, Tensor mean, Tensor sigma) {
        float[] a = input.toArray();
        mean.copyFrom(pool(a, input.shape(), weight));
        sigma.copyFrom(sqrtOf(pool(abs(a), input.shape(), 0.5 * (double) weight * weight)));
    }

    @Override
    public void momentPool2x2Backward(Tensor input, float weight, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                      Tensor gradInput) {
        float[] a = input.toArray();
        double[] g = unpool(gradMean.toArray(), input.shape(), i -> weight);
        if (gradSigma != null) {
            float[] gv = varianceGradient(sigma.toArray(), gradSigma.toArray());
            double half = 0.5 * (double) weight * weight;
            double[] gvar = unpool(gv, input.shape(), i -> half * Math.signum(a[i]));
            for (int i = 0; i < g.length; i++) {
                g[i] += gvar[i];
            }
        }
        gradInput.copyFrom(toFloat(g));
    }

    // ---------------------------------------------------------------- dense

    private static float[] matmulTransB(float[] a, float[] w, int n, int k, int m) {
        float[] out = new float[n * m];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < m; c++) {
                double acc = 0;
                for (int q = 0; q < k; q++) {
                    acc += (double) a[r * k + q] * w[c * k + q];
                }
                out[r * m + c] = (float) acc;
            }
        }
        return out;
    }

    /** gradInput[n,k] = sum_m g[n,m] w[m,k]. */
    private static double[] denseBackData(float[] g, float[] w, int n, int k, int m) {
        double[] out = new double[n * k];
        for (int r = 0; r < n; r++) {
            for (int q = 0; q < k; q++) {
                double acc = 0;
                for (int c = 0; c < m; c++) {
                    acc += (double) g[r * m + c] * w[c * k + q];
                }
                out[r * k + q] = acc;
            }
        }
        return out;
    }

    /** gradW[m,k] = sum_n g[n,m] a[n,k]. */
    private static double[] denseBackWeights(float[] a, float[] g, int n, int k, int m) {
        double[] out = new double[m * k];
        for (int c = 0; c < m; c++) {
            for (int q = 0; q < k; q++) {
                double acc = 0;
                for (int r = 0; r < n; r++) {
                    acc += (double) g[r * m + c] * a[r * k + q];
                }
                out[c * k + q] = acc;
            }
        }
        return out;
    }

    @Override
    public void denseForward(Tensor input, Tensor weights, Tensor output) {
        output.copyFrom(matmulTransB(input.toArray(), weights.toArray(), input.dim(0), input.dim(1), weights.dim(0)));
    }

    @Override
    public void denseBackwardData(Tensor gradOutput, Tensor weights, Tensor gradInput) {
        gradInput.copyFrom(toFloat(denseBackData(gradOutput.toArray(), weights.toArray(),
                gradOutput.dim(0), weights.dim(1), weights.dim(0))));
    }

    @Override
    public void denseBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeights) {
        gradWeights.copyFrom(toFloat(denseBackWeights(input.toArray(), gradOutput.toArray(),
                input.dim(0), input.dim(1), gradWeights.dim(0))));
    }

    @Override
    public void momentDenseForward(Tensor input, Tensor weights, Tensor mean, Tensor sigma) {
        int n = input.dim(0);
        int k = input.dim(1);
        int m = weights.dim(0);
        float[] a = input.toArray();
        float[] w = weights.toArray();
        mean.copyFrom(matmulTransB(a, w, n, k, m));
        sigma.copyFrom(sqrtOf(matmulTransB(abs(a), halfSquare(w), n, k, m)));
    }

    @Override
    public void momentDenseBackward(Tensor input, Tensor weights, Tensor sigma, Tensor gradMean, Tensor gradSigma,
                                    Tensor gradInput, Tensor gradWeights) {
        int n = input.dim(0);
        int k = input.dim(1);
        int m = weights.dim(0);
        float[] a = input.toArray();
        float[] w = weights.toArray();
        float[] gm = gradMean.toArray();
        float[] gv = gradSigma == null ? null : varianceGradient(sigma.toArray(), gradSigma.toArray());
        if (gradInput != null) {
            double[] g = denseBackData(gm, w, n, k, m);
            if (gv != null) {
                double[] gvar = denseBackData(gv, halfSquare(w), n, k, m);
                for (int i = 0; i < g.length; i++) {
                    g[i] += Math.signum(a[i]) * gvar[i];
                }
            }
            gradInput.copyFrom(toFloat(g));
        }
        if (gradWeights != null) {
            double[] g = denseBackWeights(a, gm, n, k, m);
            if (gv != null) {
                double[] gvar = denseBackWeights(abs(a), gv, n, k, m);
                for (int i = 0; i < g.length; i++) {
                    g[i] += w[i] * gvar[i];
                }
            }
            gradWeights.copyFrom(toFloat(g));
        }
    }

    // ---------------------------------------------------------------- loss

    @Override
    public float softmaxCrossEntropy(Tensor logits, int[] labels, Tensor probabilities, Tensor gradLogits) {
        int n = logits.dim(0);
        int m = logits.dim(1);
        float[] z = logits.toArray();
        float[] prob = new float[n * m];
        float[] grad = new float[n * m];
        double loss = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < m; c++) {
                max = Math.max(max, z[r * m + c]);
            }
            double sum = 0;
            for (int c = 0; c < m; c++) {
                sum += Math.exp(z[r * m + c] - max);
            }
            double logSum = Math.log(sum) + max;
            loss += logSum - z[r * m + labels[r]];
            for (int c = 0; c < m; c++) {
                double pr = Math.exp(z[r * m + c] - logSum);
                prob[r * m + c] = (float) pr;
                grad[r * m + c] = (float) ((pr - (c == labels[r] ? 1 : 0)) / n);
            }
        }
        probabilities.copyFrom(prob);
        if (gradLogits != null) {
            gradLogits.copyFrom(grad);
        }
        return (float) (loss / n);
    }

    // ---------------------------------------------------------------- spiking

    @Override
    public void lifRun(LifPropagators c, LifState state, int steps, LifInputs inputs, Tensor spikes, Tensor spikeCounts) {
        int n = state.neurons();
        float[] y = state.v().toArray();
        float[] ie = state.iExc().toArray();
        float[] ii = state.iInh().toArray();
        float[] ref = state.refractory().toArray();
        float[] bias = inputs.biasNa() == null ? null : inputs.biasNa().toArray();
        float[] cur = inputs.currentNa() == null ? null : inputs.currentNa().toArray();
        float[] exc = inputs.excitatoryNa() == null ? null : inputs.excitatoryNa().toArray();
        float[] inh = inputs.inhibitoryNa() == null ? null : inputs.inhibitoryNa().toArray();
        float[] sp = spikes == null ? null : new float[steps * n];
        float[] counts = spikeCounts == null ? null : spikeCounts.toArray();
        for (int i = 0; i < n; i++) {
            double yi = y[i];
            double e = ie[i];
            double h = ii[i];
            int r = (int) ref[i];
            double constant = c.offsetNa() + (bias == null ? 0 : bias[i]);
            int fired = 0;
            for (int t = 0; t < steps; t++) {
                int ti = t * n + i;
                if (r > 0) {
                    r--;
                } else {
                    double drive = constant + (cur == null ? 0 : cur[ti]);
                    yi = (double) c.decayM() * yi + (double) c.driveGain() * drive
                            + (double) c.psE() * e + (double) c.psI() * h;
                }
                e = (double) c.decayE() * e + (exc == null ? 0 : exc[ti]);
                h = (double) c.decayI() * h + (inh == null ? 0 : inh[ti]);
                // the state lives in float: round as a float backend stores it
                yi = (float) yi;
                e = (float) e;
                h = (float) h;
                if (yi >= c.theta()) {
                    yi = c.yReset();
                    r = c.refractorySteps();
                    fired++;
                    if (sp != null) {
                        sp[ti] = 1f;
                    }
                }
            }
            y[i] = (float) yi;
            ie[i] = (float) e;
            ii[i] = (float) h;
            ref[i] = r;
            if (counts != null) {
                counts[i] += fired;
            }
        }
        state.v().copyFrom(y);
        state.iExc().copyFrom(ie);
        state.iInh().copyFrom(ii);
        state.refractory().copyFrom(ref);
        if (sp != null) {
            spikes.copyFrom(sp);
        }
        if (counts != null) {
            spikeCounts.copyFrom(counts);
        }
    }

    /** Adds {@code value} to excitatory (value > 0) or inhibitory (value < 0) at {@code index}. */
    private static void deliver(float[] exc, float[] inh, int index, float value) {
        if (value > 0) {
            exc[index] += value;
        } else if (value < 0) {
            inh[index] += value;
        }
    }

    @Override
    public void spikeConv2dAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        ConvShape s = ConvShape.of(spikes, weights);
        float[] in = spikes.toArray();
        float[] w = weights.toArray();
        float[] exc = excitatory.toArray();
        float[] inh = inhibitory.toArray();
        for (int n = 0; n < s.n; n++) {
            for (int c = 0; c < s.c; c++) {
                for (int y = 0; y < s.h; y++) {
                    for (int x = 0; x < s.w; x++) {
                        float count = in[s.in(n, c, y, x)];
                        if (count == 0) {
                            continue;
                        }
                        for (int o = 0; o < s.o; o++) {
                            for (int u = 0; u < s.kh; u++) {
                                int i = y - u;
                                if (i < 0 || i >= s.oh) {
                                    continue;
                                }
                                for (int v = 0; v < s.kw; v++) {
                                    int j = x - v;
                                    if (j >= 0 && j < s.ow) {
                                        deliver(exc, inh, s.out(n, o, i, j), count * w[s.wt(o, c, u, v)]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        excitatory.copyFrom(exc);
        inhibitory.copyFrom(inh);
    }

    @Override
    public void spikePool2x2Accumulate(Tensor spikes, float weight, Tensor excitatory, Tensor inhibitory) {
        int[] shape = spikes.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        float[] in = spikes.toArray();
        float[] exc = excitatory.toArray();
        float[] inh = inhibitory.toArray();
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float count = in[(p * h + y) * w + x];
                    if (count != 0) {
                        deliver(exc, inh, (p * (h / 2) + y / 2) * (w / 2) + x / 2, count * weight);
                    }
                }
            }
        }
        excitatory.copyFrom(exc);
        inhibitory.copyFrom(inh);
    }

    @Override
    public void spikeDenseAccumulate(Tensor spikes, Tensor weights, Tensor excitatory, Tensor inhibitory) {
        int n = spikes.dim(0);
        int k = spikes.dim(1);
        int m = weights.dim(0);
        float[] in = spikes.toArray();
        float[] w = weights.toArray();
        float[] exc = excitatory.toArray();
        float[] inh = inhibitory.toArray();
        for (int r = 0; r < n; r++) {
            for (int q = 0; q < k; q++) {
                float count = in[r * k + q];
                if (count == 0) {
                    continue;
                }
                for (int c = 0; c < m; c++) {
                    deliver(exc, inh, r * m + c, count * w[c * k + q]);
                }
            }
        }
        excitatory.copyFrom(exc);
        inhibitory.copyFrom(inh);
    }

    @Override
    public void bernoulliSpikes(long seed, int stream, long step, Tensor probability, Tensor spikes) {
        float[] p = probability.toArray();
        float[] out = new float[p.length];
        int[] words = new int[4];
        for (int i = 0; i < p.length; i++) {
            Philox.draw(seed, i, stream, step, 0, words);
            out[i] = Philox.uniform24(words[0]) < p[i] ? 1f : 0f;
        }
        spikes.copyFrom(out);
    }

    @Override
    public void poissonCounts(long seed, int stream, long step, Tensor expNegLambda, Tensor counts) {
        float[] t = expNegLambda.toArray();
        float[] out = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = Philox.poissonCount(seed, i, stream, step, t[i]);
        }
        counts.copyFrom(out);
    }

    @Override
    public void close() {
        // nothing to release
    }

    // ---------------------------------------------------------------- helpers

    private static float[] abs(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.abs(a[i]);
        }
        return r;
    }

    /** w^2 / 2, rounded to float once (the value every backend convolves with). */
    private static float[] halfSquare(float[] w) {
        float[] r = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            r[i] = (float) (0.5 * w[i] * w[i]);
        }
        return r;
    }

    private static float[] sqrtOf(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) Math.sqrt(Math.max(v[i], 0f));
        }
        return r;
    }

    private static float[] toFloat(double[] d) {
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (float) d[i];
        }
        return r;
    }
}
