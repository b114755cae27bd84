package dev.nsp.conformance;

import dev.nsp.conformance.Harness.Scope;
import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.kernel.Philox;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.nsp.conformance.Harness.activations;
import static dev.nsp.conformance.Harness.ctx;
import static dev.nsp.conformance.Harness.normal;
import static dev.nsp.conformance.Harness.size;
import static dev.nsp.conformance.Harness.str;
import static dev.nsp.conformance.Harness.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cross-backend conformance suite: every backend that {@link Backends#probeAll()} finds (except the
 * reference) against {@code Backends.create("reference")}, kernel by kernel, on fresh random inputs each
 * run (the seed is in every failure message; {@code -Dnsp.test.seed=N} repeats a run), with sizes that
 * leave vector tails, the paper's layer shapes, odd shapes and edge values. Every output is poisoned
 * with NaN before the call, so an element a backend does not write fails. Tolerances are stated per
 * kernel, with the reason, next to the kernel's test.
 */
class BackendConformanceTest {
    /** Vector tails for 4-, 8- and 16-lane vectors, a prime, and one above the parallel threshold. */
    static final int[] SIZES = {1, 3, 7, 15, 16, 17, 1021, 4099, 100_003};
    static final double U = Check.U;

    @AfterAll
    static void closeBackends() {
        Harness.closeAll();
    }

    /** A backend that {@code nsp.test.requireBackends} names must exist and be available. */
    @Test
    void requiredBackendsAreAvailable() {
        List<String> problems = new ArrayList<>();
        for (String name : Harness.required()) {
            Backends.Probe probe = Backends.probeAll().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
            if (probe == null) {
                problems.add(name + ": not on the class path");
            } else if (!probe.availability().available()) {
                problems.add(name + ": " + probe.availability().detail());
            }
        }
        if (!problems.isEmpty()) {
            fail(Harness.REQUIRE + " names unavailable backends: " + problems);
        }
    }

    // ================================================================ activations

    /**
     * Inputs for Noisy Softplus, cycling through edge cases: sigma = 0 (ReLU), x = 0, |z| up to 1e4,
     * z where exp(-|z|) underflows, denormal x and sigma, x = +-1e30 with a small sigma (z overflows
     * float), large sigma.
     *
     * @return {x, sigma}
     */
    static float[][] nsInputs(Random r, int n, float k) {
        float[] x = new float[n];
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = i < 22 ? i % 11 : r.nextInt(11);
            float sigma = (float) Math.exp(Math.log(1e-3) + r.nextDouble() * Math.log(1e4));
            double ks = (double) k * sigma;
            double sign = r.nextBoolean() ? 1 : -1;
            switch (kind) {
                case 1 -> { sigma = 0; x[i] = (float) r.nextGaussian(); }
                case 2 -> x[i] = 0f;
                case 3 -> x[i] = (float) (sign * ks * Math.exp(r.nextDouble() * Math.log(1e4)));
                case 4 -> { sigma = Float.MIN_VALUE * (1 + r.nextInt(1 << 20)); x[i] = (float) r.nextGaussian(); }
                case 5 -> { sigma = Float.MIN_VALUE * (1 + r.nextInt(1 << 20)); x[i] = 0f; }
                case 6 -> x[i] = (float) (sign * Float.MIN_VALUE * (1 + r.nextInt(1 << 20)));
                case 7 -> { sigma = 0; x[i] = 0f; }
                case 8 -> x[i] = (float) (sign * ks * (20 + 100 * r.nextDouble()));
                case 9 -> { sigma = (float) (1e3 * Math.exp(r.nextDouble() * Math.log(1e3))); x[i] = (float) (r.nextGaussian() * k * sigma); }
                case 10 -> { sigma = 1e-10f; x[i] = (float) (sign * 1e30); }
                default -> x[i] = (float) (r.nextGaussian() * 3 * ks);
            }
            s[i] = sigma;
        }
        return new float[][] {x, s};
    }

    /**
     * Tolerance of the softplus family: a float evaluation of z = x / (k sigma) is off by ~2 ulp, which
     * exp(-|z|) turns into a relative error of ~2|z| ulp (capped: beyond |z| = 128 the term is 0 in
     * float either way), plus ~16 ulp for exp, log1p, the division and the products; outputs in the
     * denormal range keep only an absolute accuracy of a few MIN_NORMAL times the output scale.
     */
    static Check.Tolerance softplusTolerance(float[] x, float[] s, double k, float[] expected, float[] outScale) {
        return i -> {
            double z = s[i] == 0 ? 0 : Math.abs(x[i] / (k * s[i]));
            double zc = Double.isFinite(z) ? Math.min(z, 128) : 128;
            return (16 + 4 * zc) * U * Math.abs(expected[i]) + 4 * Math.abs(outScale[i]) * Float.MIN_NORMAL;
        };
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static float[] times(float[] a, double f) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (float) (a[i] * f);
        }
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void noisySoftplus(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("noisySoftplus");
        for (int n : SIZES) {
            for (float[] kp : new float[][] {{0.30f, 1.005f}, {0.17f, -2.5f}}) {
                float kk = kp[0];
                float p = kp[1];
                float[][] in = nsInputs(r, n, kk);
                float[] x = in[0];
                float[] s = in[1];
                float[] gy = normal(r, n, 1);
                String c = "n=" + n + " k=" + kk + " p=" + p;
                try (Scope sc = new Scope()) {
                    Tensor tx = sc.of(x, n);
                    Tensor ts = sc.of(s, n);
                    Tensor tgy = sc.of(gy, n);
                    Tensor ey = sc.poisoned(n);
                    Tensor ay = sc.poisoned(n);
                    ref.noisySoftplusForward(tx, ts, kk, p, ey);
                    k.noisySoftplusForward(tx, ts, kk, p, ay);
                    float[] e = ey.toArray();
                    Check.close(ctx("noisySoftplusForward", name, c), e, ay.toArray(),
                            softplusTolerance(x, s, kk, e, filled(n, p)));

                    Tensor egx = sc.poisoned(n);
                    Tensor egs = sc.poisoned(n);
                    Tensor agx = sc.poisoned(n);
                    Tensor ags = sc.poisoned(n);
                    ref.noisySoftplusBackward(tx, ts, kk, p, tgy, egx, egs);
                    k.noisySoftplusBackward(tx, ts, kk, p, tgy, agx, ags);
                    float[] gx = egx.toArray();
                    float[] gs = egs.toArray();
                    Check.close(ctx("noisySoftplusBackward gradX", name, c), gx, agx.toArray(),
                            softplusTolerance(x, s, kk, gx, times(gy, p)));
                    Check.close(ctx("noisySoftplusBackward gradSigma", name, c), gs, ags.toArray(),
                            softplusTolerance(x, s, kk, gs, times(gy, (double) p * kk)));

                    Tensor agx2 = sc.poisoned(n);
                    k.noisySoftplusBackward(tx, ts, kk, p, tgy, agx2, null);
                    Check.close(ctx("noisySoftplusBackward gradX (no gradSigma)", name, c), gx, agx2.toArray(),
                            softplusTolerance(x, s, kk, gx, times(gy, p)));
                }
            }
        }
    }

    /** A negative or NaN sigma is an IllegalArgumentException naming sigma and the element's index. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void noisySoftplusRejectsBadSigma(String name) {
        Kernels k = Harness.backend(name);
        Random r = Harness.random("noisySoftplusRejectsBadSigma");
        for (int n : new int[] {1, 17, 4099, 100_003}) {
            for (int at : new int[] {0, n / 2, n - 1}) {
                for (float bad : new float[] {-1f, Float.NaN, -Float.MIN_VALUE, Float.NEGATIVE_INFINITY}) {
                    float[] s = uniform(r, n, 0.01, 1);
                    s[at] = bad;
                    String c = "n=" + n + " sigma[" + at + "]=" + bad;
                    try (Scope sc = new Scope()) {
                        Tensor tx = sc.of(normal(r, n, 1), n);
                        Tensor ts = sc.of(s, n);
                        Tensor out = sc.poisoned(n);
                        Tensor gy = sc.of(normal(r, n, 1), n);
                        Tensor gs = sc.poisoned(n);
                        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                                () -> k.noisySoftplusForward(tx, ts, 0.3f, 1f, out), ctx("forward", name, c));
                        assertTrue(f.getMessage().contains("sigma") && f.getMessage().contains(String.valueOf(at)),
                                ctx("forward message names sigma and " + at, name, c) + ": " + f.getMessage());
                        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                                () -> k.noisySoftplusBackward(tx, ts, 0.3f, 1f, gy, out, gs), ctx("backward", name, c));
                        assertTrue(b.getMessage().contains("sigma") && b.getMessage().contains(String.valueOf(at)),
                                ctx("backward message names sigma and " + at, name, c) + ": " + b.getMessage());
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void softplus(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("softplus");
        for (int n : SIZES) {
            for (float[] sp : new float[][] {{0.3f, 1.005f}, {0.017f, -3f}, {Float.MIN_VALUE * 1000, 2f}}) {
                float scale = sp[0];
                float p = sp[1];
                float[] x = normal(r, n, 3 * Math.max(scale, 1e-3));
                for (int i = 0; i < n; i += 5) {
                    x[i] = (i / 5) % 3 == 0 ? 0f : (float) ((r.nextBoolean() ? 1 : -1) * 1e4 * scale);
                }
                float[] s = filled(n, scale);
                float[] gy = normal(r, n, 1);
                String c = "n=" + n + " scale=" + scale + " p=" + p;
                try (Scope sc = new Scope()) {
                    Tensor tx = sc.of(x, n);
                    Tensor tgy = sc.of(gy, n);
                    Tensor ey = sc.poisoned(n);
                    Tensor ay = sc.poisoned(n);
                    ref.softplusForward(tx, scale, p, ey);
                    k.softplusForward(tx, scale, p, ay);
                    float[] e = ey.toArray();
                    Check.close(ctx("softplusForward", name, c), e, ay.toArray(), softplusTolerance(x, s, 1, e, filled(n, p)));
                    Tensor eg = sc.poisoned(n);
                    Tensor ag = sc.poisoned(n);
                    ref.softplusBackward(tx, scale, p, tgy, eg);
                    k.softplusBackward(tx, scale, p, tgy, ag);
                    float[] g = eg.toArray();
                    Check.close(ctx("softplusBackward", name, c), g, ag.toArray(), softplusTolerance(x, s, 1, g, times(gy, p)));
                }
            }
        }
    }

    /** ReLU is one comparison and one product: exact. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void relu(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("relu");
        for (int n : SIZES) {
            float[] x = normal(r, n, 2);
            for (int i = 0; i < n; i += 4) {
                x[i] = i % 8 == 0 ? 0f : -0f;
            }
            float[] gy = normal(r, n, 1);
            for (float p : new float[] {1.005f, -0.5f}) {
                String c = "n=" + n + " p=" + p;
                try (Scope sc = new Scope()) {
                    Tensor tx = sc.of(x, n);
                    Tensor tgy = sc.of(gy, n);
                    Tensor ey = sc.poisoned(n);
                    Tensor ay = sc.poisoned(n);
                    ref.reluForward(tx, p, ey);
                    k.reluForward(tx, p, ay);
                    Check.close(ctx("reluForward", name, c), ey.toArray(), ay.toArray(), Check.exact());
                    Tensor eg = sc.poisoned(n);
                    Tensor ag = sc.poisoned(n);
                    ref.reluBackward(tx, p, tgy, eg);
                    k.reluBackward(tx, p, tgy, ag);
                    Check.close(ctx("reluBackward", name, c), eg.toArray(), ag.toArray(), Check.exact());
                }
            }
        }
    }

    // ================================================================ convolution

    /** A convolution: batch, input channels, height, width, output channels, kernel height and width. */
    record ConvCase(int n, int c, int h, int w, int o, int kh, int kw) {
        int oh() {
            return h - kh + 1;
        }

        int ow() {
            return w - kw + 1;
        }

        int[] in() {
            return new int[] {n, c, h, w};
        }

        int[] wt() {
            return new int[] {o, c, kh, kw};
        }

        int[] out() {
            return new int[] {n, o, oh(), ow()};
        }

        @Override
        public String toString() {
            return n + "x" + c + "x" + h + "x" + w + " * " + o + "x" + c + "x" + kh + "x" + kw;
        }
    }

    static final ConvCase[] CONV = {
            new ConvCase(50, 1, 28, 28, 6, 5, 5),      // paper layer 1, batch 50
            new ConvCase(50, 6, 12, 12, 12, 5, 5),     // paper layer 2
            new ConvCase(6, 1, 28, 28, 16, 5, 5),      // wide net layer 1
            new ConvCase(3, 16, 12, 12, 64, 5, 5),     // wide net layer 2
            new ConvCase(2, 3, 13, 11, 5, 3, 4),       // odd: 3 channels, 13x11, 3x4 kernel, < 6 outputs
            new ConvCase(3, 2, 7, 9, 7, 5, 5),         // 7 outputs: overlapping channel blocks
            new ConvCase(1, 1, 5, 5, 1, 5, 5),         // a 1x1 output
            new ConvCase(5, 4, 6, 17, 6, 1, 1),        // 1x1 kernel: fewer taps than a block
            new ConvCase(2, 1, 20, 33, 2, 2, 7),
            new ConvCase(1, 2, 4, 20, 3, 3, 17),       // kernel wider than a 16-lane vector
    };

    /**
     * Convolutions are sums: forward of C KH KW products, backward data of O KH KW, backward weights of
     * N OH OW; tolerance {@link Check#sum} with the magnitude (sum of |terms|) from the reference run on
     * absolute values.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void conv2d(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("conv2d");
        for (ConvCase cc : CONV) {
            float[] a = activations(r, size(cc.in()));
            float[] w = normal(r, size(cc.wt()), 0.2);
            float[] g = normal(r, size(cc.out()), 1);
            String c = cc.toString();
            try (Scope sc = new Scope()) {
                Tensor ta = sc.of(a, cc.in());
                Tensor tw = sc.of(w, cc.wt());
                Tensor tg = sc.of(g, cc.out());
                Tensor absA = sc.of(Check.abs(a), cc.in());
                Tensor absW = sc.of(Check.abs(w), cc.wt());
                Tensor absG = sc.of(Check.abs(g), cc.out());

                Tensor e = sc.poisoned(cc.out());
                Tensor act = sc.poisoned(cc.out());
                Tensor mag = sc.poisoned(cc.out());
                ref.conv2dForward(ta, tw, e);
                ref.conv2dForward(absA, absW, mag);
                k.conv2dForward(ta, tw, act);
                float[] ev = e.toArray();
                Check.close(ctx("conv2dForward", name, c), ev, act.toArray(), Check.sum(ev, mag.toArray(), cc.c * cc.kh * cc.kw));

                Tensor ed = sc.poisoned(cc.in());
                Tensor ad = sc.poisoned(cc.in());
                Tensor md = sc.poisoned(cc.in());
                ref.conv2dBackwardData(tg, tw, ed);
                ref.conv2dBackwardData(absG, absW, md);
                k.conv2dBackwardData(tg, tw, ad);
                float[] edv = ed.toArray();
                Check.close(ctx("conv2dBackwardData", name, c), edv, ad.toArray(), Check.sum(edv, md.toArray(), cc.o * cc.kh * cc.kw));

                Tensor ew = sc.poisoned(cc.wt());
                Tensor aw = sc.poisoned(cc.wt());
                Tensor mw = sc.poisoned(cc.wt());
                ref.conv2dBackwardWeights(ta, tg, ew);
                ref.conv2dBackwardWeights(absA, absG, mw);
                k.conv2dBackwardWeights(ta, tg, aw);
                float[] ewv = ew.toArray();
                Check.close(ctx("conv2dBackwardWeights", name, c), ewv, aw.toArray(), Check.sum(ewv, mw.toArray(), cc.n * cc.oh() * cc.ow()));
            }
        }
    }

    /**
     * Moment convolution: mean as {@link #conv2d}; the variance sum(w^2/2 |a|) has non-negative terms,
     * so its magnitude is itself and sigma's tolerance follows by {@link Check#sqrtOf}. The backward's
     * two paths add; their magnitude is the reference backward on absolute values.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void momentConv2d(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("momentConv2d");
        for (ConvCase cc : CONV) {
            float[] a = activations(r, size(cc.in()));
            float[] w = normal(r, size(cc.wt()), 0.2);
            float[] gm = normal(r, size(cc.out()), 1);
            float[] gs = normal(r, size(cc.out()), 1);
            int taps = cc.c * cc.kh * cc.kw;
            String c = cc.toString();
            try (Scope sc = new Scope()) {
                Tensor ta = sc.of(a, cc.in());
                Tensor tw = sc.of(w, cc.wt());
                Tensor absA = sc.of(Check.abs(a), cc.in());
                Tensor absW = sc.of(Check.abs(w), cc.wt());
                Tensor em = sc.poisoned(cc.out());
                Tensor es = sc.poisoned(cc.out());
                Tensor am = sc.poisoned(cc.out());
                Tensor as = sc.poisoned(cc.out());
                Tensor mm = sc.poisoned(cc.out());
                Tensor unused = sc.poisoned(cc.out());
                ref.momentConv2dForward(ta, tw, em, es);
                ref.momentConv2dForward(absA, absW, mm, unused);
                k.momentConv2dForward(ta, tw, am, as);
                float[] emv = em.toArray();
                Check.close(ctx("momentConv2dForward mean", name, c), emv, am.toArray(), Check.sum(emv, mm.toArray(), taps));
                float[] esv = es.toArray();
                float[] var = new float[esv.length];
                for (int i = 0; i < var.length; i++) {
                    var[i] = esv[i] * esv[i];
                }
                Check.close(ctx("momentConv2dForward sigma", name, c), esv, as.toArray(),
                        Check.sqrtOf(esv, Check.sum(var, var, taps)));

                // sigma as the forward made it, with some zeros (where the variance gradient is defined as 0)
                float[] sigma = esv.clone();
                for (int i = 0; i < sigma.length; i += 7) {
                    sigma[i] = 0f;
                }
                Tensor ts = sc.of(sigma, cc.out());
                Tensor tgm = sc.of(gm, cc.out());
                Tensor tgs = sc.of(gs, cc.out());
                Tensor absGm = sc.of(Check.abs(gm), cc.out());
                Tensor absGs = sc.of(Check.abs(gs), cc.out());
                for (int variant = 0; variant < 4; variant++) {
                    boolean withSigma = variant != 0;
                    boolean wantIn = variant != 3;
                    boolean wantW = variant != 2;
                    Tensor gsArg = withSigma ? tgs : null;
                    Tensor ei = sc.poisoned(cc.in());
                    Tensor ew = sc.poisoned(cc.wt());
                    Tensor mi = sc.poisoned(cc.in());
                    Tensor mw = sc.poisoned(cc.wt());
                    Tensor ai = wantIn ? sc.poisoned(cc.in()) : null;
                    Tensor aw = wantW ? sc.poisoned(cc.wt()) : null;
                    ref.momentConv2dBackward(ta, tw, ts, tgm, gsArg, ei, ew);
                    ref.momentConv2dBackward(absA, absW, ts, absGm, withSigma ? absGs : null, mi, mw);
                    k.momentConv2dBackward(ta, tw, ts, tgm, gsArg, ai, aw);
                    String cv = c + (withSigma ? " with gradSigma" : " sigma constant") + (wantIn ? "" : ", no gradInput")
                            + (wantW ? "" : ", no gradWeights");
                    if (wantIn) {
                        float[] e = ei.toArray();
                        Check.close(ctx("momentConv2dBackward gradInput", name, cv), e, ai.toArray(),
                                Check.sum(e, mi.toArray(), 2 * cc.o * cc.kh * cc.kw));
                    }
                    if (wantW) {
                        float[] e = ew.toArray();
                        Check.close(ctx("momentConv2dBackward gradWeights", name, cv), e, aw.toArray(),
                                Check.sum(e, mw.toArray(), 2 * cc.n * cc.oh() * cc.ow()));
                    }
                }
            }
        }
    }

    // ================================================================ pooling

    static final int[][] POOL = {{50, 6, 24, 24}, {50, 12, 8, 8}, {2, 3, 2, 2}, {1, 1, 2, 34}, {3, 2, 6, 40},
            {1, 2, 4, 66}, {2, 1, 36, 2}};

    /**
     * Pooling sums 4 terms (tolerance {@link Check#sum} with magnitude from absolute values); the
     * plain backward is one product per element (a few ulps); the moment backward adds two terms.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void pool2x2(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("pool2x2");
        for (int[] in : POOL) {
            int[] out = {in[0], in[1], in[2] / 2, in[3] / 2};
            for (float weight : new float[] {0.25f, (float) (1 / (4 * 1.005)), -0.7f}) {
                float[] a = activations(r, size(in));
                float[] gm = normal(r, size(out), 1);
                float[] gs = normal(r, size(out), 1);
                String c = str(in) + " weight=" + weight;
                try (Scope sc = new Scope()) {
                    Tensor ta = sc.of(a, in);
                    Tensor absA = sc.of(Check.abs(a), in);
                    Tensor e = sc.poisoned(out);
                    Tensor act = sc.poisoned(out);
                    Tensor mag = sc.poisoned(out);
                    ref.pool2x2Forward(ta, weight, e);
                    ref.pool2x2Forward(absA, Math.abs(weight), mag);
                    k.pool2x2Forward(ta, weight, act);
                    float[] ev = e.toArray();
                    Check.close(ctx("pool2x2Forward", name, c), ev, act.toArray(), Check.sum(ev, mag.toArray(), 4));

                    Tensor tgm = sc.of(gm, out);
                    Tensor eb = sc.poisoned(in);
                    Tensor ab = sc.poisoned(in);
                    ref.pool2x2Backward(tgm, weight, eb);
                    k.pool2x2Backward(tgm, weight, ab);
                    float[] ebv = eb.toArray();
                    Check.close(ctx("pool2x2Backward", name, c), ebv, ab.toArray(), Check.relAbs(ebv, 4 * U, 0));

                    Tensor em = sc.poisoned(out);
                    Tensor es = sc.poisoned(out);
                    Tensor am = sc.poisoned(out);
                    Tensor as = sc.poisoned(out);
                    ref.momentPool2x2Forward(ta, weight, em, es);
                    k.momentPool2x2Forward(ta, weight, am, as);
                    float[] emv = em.toArray();
                    Check.close(ctx("momentPool2x2Forward mean", name, c), emv, am.toArray(), Check.sum(emv, mag.toArray(), 4));
                    float[] esv = es.toArray();
                    float[] var = new float[esv.length];
                    for (int i = 0; i < var.length; i++) {
                        var[i] = esv[i] * esv[i];
                    }
                    Check.close(ctx("momentPool2x2Forward sigma", name, c), esv, as.toArray(), Check.sqrtOf(esv, Check.sum(var, var, 4)));

                    float[] sigma = esv.clone();
                    for (int i = 0; i < sigma.length; i += 5) {
                        sigma[i] = 0f;
                    }
                    Tensor ts = sc.of(sigma, out);
                    Tensor tgs = sc.of(gs, out);
                    for (boolean withSigma : new boolean[] {false, true}) {
                        Tensor ei = sc.poisoned(in);
                        Tensor ai = sc.poisoned(in);
                        Tensor mi = sc.poisoned(in);
                        ref.momentPool2x2Backward(ta, weight, ts, tgm, withSigma ? tgs : null, ei);
                        ref.momentPool2x2Backward(absA, Math.abs(weight), ts, sc.of(Check.abs(gm), out),
                                withSigma ? sc.of(Check.abs(gs), out) : null, mi);
                        k.momentPool2x2Backward(ta, weight, ts, tgm, withSigma ? tgs : null, ai);
                        float[] eiv = ei.toArray();
                        Check.close(ctx("momentPool2x2Backward", name, c + (withSigma ? " with gradSigma" : "")), eiv,
                                ai.toArray(), Check.sum(eiv, mi.toArray(), 2));
                    }
                }
            }
        }
    }

    // ================================================================ dense

    static final int[][] DENSE = {{50, 192, 10}, {50, 768, 10}, {1, 1, 1}, {3, 17, 5}, {7, 1021, 3}, {5, 33, 31},
            {2, 4099, 2}, {300, 64, 40}};

    /** Dense layers are sums of K (forward), M (backward data) and N (backward weights) products. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void dense(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("dense");
        for (int[] d : DENSE) {
            int n = d[0];
            int kk = d[1];
            int m = d[2];
            float[] a = activations(r, n * kk);
            float[] w = normal(r, m * kk, 0.1);
            float[] g = normal(r, n * m, 1);
            float[] gs = normal(r, n * m, 1);
            String c = "N=" + n + " K=" + kk + " M=" + m;
            try (Scope sc = new Scope()) {
                Tensor ta = sc.of(a, n, kk);
                Tensor tw = sc.of(w, m, kk);
                Tensor tg = sc.of(g, n, m);
                Tensor absA = sc.of(Check.abs(a), n, kk);
                Tensor absW = sc.of(Check.abs(w), m, kk);
                Tensor absG = sc.of(Check.abs(g), n, m);

                Tensor e = sc.poisoned(n, m);
                Tensor act = sc.poisoned(n, m);
                Tensor mag = sc.poisoned(n, m);
                ref.denseForward(ta, tw, e);
                ref.denseForward(absA, absW, mag);
                k.denseForward(ta, tw, act);
                float[] ev = e.toArray();
                Check.close(ctx("denseForward", name, c), ev, act.toArray(), Check.sum(ev, mag.toArray(), kk));

                Tensor ed = sc.poisoned(n, kk);
                Tensor ad = sc.poisoned(n, kk);
                Tensor md = sc.poisoned(n, kk);
                ref.denseBackwardData(tg, tw, ed);
                ref.denseBackwardData(absG, absW, md);
                k.denseBackwardData(tg, tw, ad);
                float[] edv = ed.toArray();
                Check.close(ctx("denseBackwardData", name, c), edv, ad.toArray(), Check.sum(edv, md.toArray(), m));

                Tensor ew = sc.poisoned(m, kk);
                Tensor aw = sc.poisoned(m, kk);
                Tensor mw = sc.poisoned(m, kk);
                ref.denseBackwardWeights(ta, tg, ew);
                ref.denseBackwardWeights(absA, absG, mw);
                k.denseBackwardWeights(ta, tg, aw);
                float[] ewv = ew.toArray();
                Check.close(ctx("denseBackwardWeights", name, c), ewv, aw.toArray(), Check.sum(ewv, mw.toArray(), n));

                Tensor em = sc.poisoned(n, m);
                Tensor es = sc.poisoned(n, m);
                Tensor am = sc.poisoned(n, m);
                Tensor as = sc.poisoned(n, m);
                ref.momentDenseForward(ta, tw, em, es);
                k.momentDenseForward(ta, tw, am, as);
                float[] emv = em.toArray();
                Check.close(ctx("momentDenseForward mean", name, c), emv, am.toArray(), Check.sum(emv, mag.toArray(), kk));
                float[] esv = es.toArray();
                float[] var = new float[esv.length];
                for (int i = 0; i < var.length; i++) {
                    var[i] = esv[i] * esv[i];
                }
                Check.close(ctx("momentDenseForward sigma", name, c), esv, as.toArray(), Check.sqrtOf(esv, Check.sum(var, var, kk)));

                float[] sigma = esv.clone();
                for (int i = 0; i < sigma.length; i += 7) {
                    sigma[i] = 0f;
                }
                Tensor ts = sc.of(sigma, n, m);
                Tensor tgs = sc.of(gs, n, m);
                Tensor absGs = sc.of(Check.abs(gs), n, m);
                for (int variant = 0; variant < 4; variant++) {
                    boolean withSigma = variant != 0;
                    boolean wantIn = variant != 3;
                    boolean wantW = variant != 2;
                    Tensor ei = sc.poisoned(n, kk);
                    Tensor ewm = sc.poisoned(m, kk);
                    Tensor mi = sc.poisoned(n, kk);
                    Tensor mwm = sc.poisoned(m, kk);
                    Tensor ai = wantIn ? sc.poisoned(n, kk) : null;
                    Tensor awm = wantW ? sc.poisoned(m, kk) : null;
                    ref.momentDenseBackward(ta, tw, ts, tg, withSigma ? tgs : null, ei, ewm);
                    ref.momentDenseBackward(absA, absW, ts, absG, withSigma ? absGs : null, mi, mwm);
                    k.momentDenseBackward(ta, tw, ts, tg, withSigma ? tgs : null, ai, awm);
                    String cv = c + (withSigma ? " with gradSigma" : " sigma constant") + (wantIn ? "" : ", no gradInput")
                            + (wantW ? "" : ", no gradWeights");
                    if (wantIn) {
                        float[] ev2 = ei.toArray();
                        Check.close(ctx("momentDenseBackward gradInput", name, cv), ev2, ai.toArray(), Check.sum(ev2, mi.toArray(), 2 * m));
                    }
                    if (wantW) {
                        float[] ev2 = ewm.toArray();
                        Check.close(ctx("momentDenseBackward gradWeights", name, cv), ev2, awm.toArray(), Check.sum(ev2, mwm.toArray(), 2 * n));
                    }
                }
            }
        }
    }

    // ================================================================ loss

    /**
     * Softmax cross-entropy. A probability exp(z - logSum) computed in float is off by ~|z - max| ulp (the
     * rounding of z - max, amplified by exp) plus the sum's M ulp and a few for exp and the division; the
     * gradient is (p - onehot) / N, so the same over N plus a few ulp of the subtraction; the loss is a
     * mean of logSum - z_label, each off by the log of the sum's relative error, ~(M + 16) ulp absolute,
     * plus a few ulp of logSum and z_label.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void softmaxCrossEntropy(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("softmaxCrossEntropy");
        for (int[] d : new int[][] {{50, 10}, {1, 1}, {3, 17}, {4, 33}, {2, 1021}, {300, 10}}) {
            int n = d[0];
            int m = d[1];
            float[] z = normal(r, n * m, 3);
            for (int i = 0; i < z.length; i += 9) {
                z[i] = (float) ((r.nextBoolean() ? 1 : -1) * (40 + 40 * r.nextDouble()));
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextInt(m);
            }
            double[] rowMax = new double[n];
            double lossTol = 0;
            for (int row = 0; row < n; row++) {
                double mx = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < m; c++) {
                    mx = Math.max(mx, z[row * m + c]);
                }
                rowMax[row] = mx;
                lossTol += ((m + 16) + 4 * (Math.abs(mx) + Math.abs(z[row * m + labels[row]]))) * U;
            }
            lossTol /= n;
            String c = "N=" + n + " M=" + m;
            try (Scope sc = new Scope()) {
                Tensor tz = sc.of(z, n, m);
                Tensor ep = sc.poisoned(n, m);
                Tensor eg = sc.poisoned(n, m);
                Tensor ap = sc.poisoned(n, m);
                Tensor ag = sc.poisoned(n, m);
                float el = ref.softmaxCrossEntropy(tz, labels, ep, eg);
                float al = k.softmaxCrossEntropy(tz, labels, ap, ag);
                float[] pv = ep.toArray();
                Check.Tolerance pt = i -> (m + 16 + 2 * Math.abs(z[i] - rowMax[i / m])) * U * Math.abs(pv[i]) + 1e-38;
                Check.close(ctx("softmaxCrossEntropy probabilities", name, c), pv, ap.toArray(), pt);
                float[] gv = eg.toArray();
                Check.close(ctx("softmaxCrossEntropy gradient", name, c), gv, ag.toArray(),
                        i -> pt.at(i) / n + 4 * U * Math.abs(gv[i]) + 4 * U / n);
                assertEquals(el, al, lossTol + 4 * U * Math.abs(el), ctx("softmaxCrossEntropy loss", name, c));
                Tensor ap2 = sc.poisoned(n, m);
                float al2 = k.softmaxCrossEntropy(tz, labels, ap2, null);
                Check.close(ctx("softmaxCrossEntropy probabilities (no gradient)", name, c), pv, ap2.toArray(), pt);
                assertEquals(el, al2, lossTol + 4 * U * Math.abs(el), ctx("softmaxCrossEntropy loss (no gradient)", name, c));
            }
        }
    }

    // ================================================================ LIF

    /**
     * The LIF loop. A float backend rounds ~4 terms of at most ~60 mV per step (~1.5e-5 mV) and the
     * error decays with e^(-h/tau_m), so it stays below ~1e-3 mV (a random walk over the ~200 steps of
     * memory at h = 0.1 ms); synaptic currents are rounded once per step and forget within
     * tau_syn / h <= 50 steps: 64 ulp of the largest current. Spikes and counts must match exactly on
     * well-conditioned neurons: those whose potential (simulated here in double) never comes within
     * 1e-3 mV of the threshold, where a legitimate rounding difference could flip a spike; at least 90 %
     * of the neurons must be well-conditioned, or the test itself is wrong.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void lif(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("lif");
        record LifCase(int n, int steps, double dt, boolean bias, boolean cur, boolean syn, boolean spikes, boolean counts) {
        }
        LifCase[] cases = {
                new LifCase(4099, 200, 1.0, true, true, true, true, true),
                new LifCase(4099, 300, 0.1, true, true, true, true, true),
                new LifCase(20_001, 40, 1.0, true, false, true, false, true),
                new LifCase(17, 5, 1.0, false, false, false, false, false),
                new LifCase(1, 50, 0.5, true, false, false, true, false),
                new LifCase(33, 60, 1.0, true, true, false, false, true),
        };
        for (LifCase lc : cases) {
            int n = lc.n;
            int t = lc.steps;
            LifPropagators c = LifPropagators.of(LifParameters.TABLE1, lc.dt);
            float[] y = uniform(r, n, -5, 14.9);
            float[] ie = uniform(r, n, 0, 0.2);
            float[] ii = uniform(r, n, -0.2, 0);
            float[] ref0 = new float[n];
            for (int i = 0; i < n; i++) {
                if (r.nextInt(10) == 0) {
                    ref0[i] = 1 + r.nextInt(Math.max(1, c.refractorySteps()));
                }
            }
            float[] bias = lc.bias ? uniform(r, n, 0, 0.5) : null;
            float[] cur = lc.cur ? normal(r, t * n, 0.05) : null;
            float[] exc = lc.syn ? sparse(r, t * n, 0.1, 0.3) : null;
            float[] inh = lc.syn ? times(sparse(r, t * n, 0.1, 0.3), -1) : null;
            float[] counts0 = new float[n];
            for (int i = 0; i < n; i++) {
                counts0[i] = r.nextInt(6);
            }
            String cs = "N=" + n + " T=" + t + " dt=" + lc.dt + (lc.bias ? " bias" : "") + (lc.cur ? " current" : "")
                    + (lc.syn ? " synaptic" : "") + (lc.spikes ? " spikes" : "") + (lc.counts ? " counts" : "");
            boolean[] good = wellConditioned(c, y, ie, ii, ref0, bias, cur, exc, inh, n, t, 1e-3);
            int goodCount = 0;
            for (boolean b : good) {
                goodCount += b ? 1 : 0;
            }
            assertTrue(goodCount >= 0.9 * n, ctx("lif test inputs well-conditioned", name, cs) + ": only " + goodCount + " of " + n);
            try (Scope sc = new Scope(); LifState es = state(y, ie, ii, ref0); LifState as = state(y, ie, ii, ref0)) {
                LifInputs in = new LifInputs(bias == null ? null : sc.of(bias, n), cur == null ? null : sc.of(cur, t, n),
                        exc == null ? null : sc.of(exc, t, n), inh == null ? null : sc.of(inh, t, n));
                Tensor eSpikes = lc.spikes ? sc.poisoned(t, n) : null;
                Tensor aSpikes = lc.spikes ? sc.poisoned(t, n) : null;
                Tensor eCounts = lc.counts ? sc.of(counts0, n) : null;
                Tensor aCounts = lc.counts ? sc.of(counts0, n) : null;
                ref.lifRun(c, es, t, in, eSpikes, eCounts);
                k.lifRun(c, as, t, in, aSpikes, aCounts);
                float[] ey = es.v().toArray();
                float[] ay = as.v().toArray();
                float[] eE = es.iExc().toArray();
                float[] aE = as.iExc().toArray();
                float[] eI = es.iInh().toArray();
                float[] aI = as.iInh().toArray();
                float[] eR = es.refractory().toArray();
                float[] aR = as.refractory().toArray();
                double maxI = 1e-30;
                for (int i = 0; i < n; i++) {
                    maxI = Math.max(maxI, Math.max(Math.abs(eE[i]), Math.abs(eI[i])));
                }
                double tolI = 64 * U * maxI;
                float[] es2 = eSpikes == null ? null : eSpikes.toArray();
                float[] as2 = aSpikes == null ? null : aSpikes.toArray();
                float[] ec = eCounts == null ? null : eCounts.toArray();
                float[] ac = aCounts == null ? null : aCounts.toArray();
                int bad = 0;
                String first = null;
                for (int i = 0; i < n; i++) {
                    if (as2 != null) {
                        for (int s = 0; s < t; s++) {
                            float v = as2[s * n + i];
                            if (v != 0f && v != 1f) {
                                fail(ctx("lifRun spikes", name, cs) + ": spikes[" + s + "," + i + "] = " + v + ", not 0 or 1");
                            }
                        }
                    }
                    if (!good[i]) {
                        continue;
                    }
                    String why = null;
                    if (Math.abs(ey[i] - ay[i]) > 1e-3) {
                        why = "v " + ay[i] + " vs " + ey[i];
                    } else if (Math.abs(eE[i] - aE[i]) > tolI) {
                        why = "iExc " + aE[i] + " vs " + eE[i];
                    } else if (Math.abs(eI[i] - aI[i]) > tolI) {
                        why = "iInh " + aI[i] + " vs " + eI[i];
                    } else if (eR[i] != aR[i]) {
                        why = "refractory " + aR[i] + " vs " + eR[i];
                    } else if (ec != null && ec[i] != ac[i]) {
                        why = "spikeCount " + ac[i] + " vs " + ec[i];
                    } else if (es2 != null) {
                        for (int s = 0; s < t && why == null; s++) {
                            if (es2[s * n + i] != as2[s * n + i]) {
                                why = "spike at step " + s + ": " + as2[s * n + i] + " vs " + es2[s * n + i];
                            }
                        }
                    }
                    if (why != null) {
                        bad++;
                        if (first == null) {
                            first = "neuron " + i + ": " + why;
                        }
                    }
                }
                if (bad > 0) {
                    fail(ctx("lifRun", name, cs) + ": " + bad + " of " + goodCount + " well-conditioned neurons differ; first: " + first);
                }
            }
        }
    }

    private static LifState state(float[] y, float[] ie, float[] ii, float[] ref) {
        LifState s = new LifState(y.length);
        s.v().copyFrom(y);
        s.iExc().copyFrom(ie);
        s.iInh().copyFrom(ii);
        s.refractory().copyFrom(ref);
        return s;
    }

    private static float[] sparse(Random r, int n, double density, double max) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() < density) {
                a[i] = (float) (max * r.nextDouble());
            }
        }
        return a;
    }

    /**
     * The neurons whose potential, simulated here in double with the propagators, never lands within
     * margin (mV) of the threshold at the end of a non-refractory step.
     */
    private static boolean[] wellConditioned(LifPropagators c, float[] y0, float[] e0, float[] h0, float[] r0,
                                             float[] bias, float[] cur, float[] exc, float[] inh, int n, int steps,
                                             double margin) {
        boolean[] good = new boolean[n];
        for (int i = 0; i < n; i++) {
            double y = y0[i];
            double e = e0[i];
            double h = h0[i];
            int r = (int) r0[i];
            double constant = c.offsetNa() + (bias == null ? 0 : bias[i]);
            boolean ok = true;
            for (int s = 0; s < steps; s++) {
                int ti = s * n + i;
                if (r > 0) {
                    r--;
                } else {
                    y = c.decayM() * y + c.driveGain() * (constant + (cur == null ? 0 : cur[ti])) + c.psE() * e + c.psI() * h;
                    if (Math.abs(y - c.theta()) < margin) {
                        ok = false;
                    }
                }
                e = c.decayE() * e + (exc == null ? 0 : exc[ti]);
                h = c.decayI() * h + (inh == null ? 0 : inh[ti]);
                if (y >= c.theta()) {
                    y = c.yReset();
                    r = c.refractorySteps();
                }
            }
            good[i] = ok;
        }
        return good;
    }

    // ================================================================ event-driven synapses

    /**
     * Event-driven accumulation: each target adds products count * w to its initial value, so the
     * tolerance is {@link Check#sum} over the kernel's taps with the magnitude |initial| + the same
     * accumulation of absolute values (a backend may add the products in another order).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void spikeAccumulate(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("spikeAccumulate");
        ConvCase[] convCases = {new ConvCase(3, 1, 28, 28, 6, 5, 5), new ConvCase(2, 6, 12, 12, 12, 5, 5),
                new ConvCase(1, 3, 13, 11, 5, 3, 4), new ConvCase(2, 2, 4, 20, 3, 3, 17), new ConvCase(1, 16, 12, 12, 64, 5, 5)};
        for (ConvCase cc : convCases) {
            float[] s = spikeCounts(r, size(cc.in()));
            float[] w = normal(r, size(cc.wt()), 0.5);
            for (int i = 0; i < w.length; i += 11) {
                w[i] = 0f;
            }
            accumulateCase(name, "spikeConv2dAccumulate", cc.toString(), r, s, cc.in(), w, cc.wt(), cc.out(), cc.c * cc.kh * cc.kw,
                    (kern, ts, tw, te, tin) -> kern.spikeConv2dAccumulate(ts, tw, te, tin));
        }
        for (int[] in : new int[][] {{2, 6, 24, 24}, {1, 3, 2, 34}, {2, 12, 8, 8}}) {
            int[] out = {in[0], in[1], in[2] / 2, in[3] / 2};
            for (float weight : new float[] {0.25f, -0.25f}) {
                float[] s = spikeCounts(r, size(in));
                accumulateCase(name, "spikePool2x2Accumulate", str(in) + " weight=" + weight, r, s, in, new float[] {weight},
                        new int[] {1}, out, 4, (kern, ts, tw, te, tin) -> kern.spikePool2x2Accumulate(ts, tw.get(0), te, tin));
            }
        }
        for (int[] d : new int[][] {{5, 192, 10}, {3, 1021, 7}, {1, 17, 33}}) {
            float[] s = spikeCounts(r, d[0] * d[1]);
            float[] w = normal(r, d[2] * d[1], 0.5);
            accumulateCase(name, "spikeDenseAccumulate", "N=" + d[0] + " K=" + d[1] + " M=" + d[2], r, s,
                    new int[] {d[0], d[1]}, w, new int[] {d[2], d[1]}, new int[] {d[0], d[2]}, d[1],
                    (kern, ts, tw, te, tin) -> kern.spikeDenseAccumulate(ts, tw, te, tin));
        }
    }

    @FunctionalInterface
    private interface Accumulate {
        void run(Kernels k, Tensor spikes, Tensor weights, Tensor exc, Tensor inh);
    }

    private static float[] spikeCounts(Random r, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            if (r.nextInt(5) == 0) {
                s[i] = 1 + r.nextInt(3);
            }
        }
        return s;
    }

    private static void accumulateCase(String name, String kernel, String c, Random r, float[] s, int[] sShape, float[] w,
                                       int[] wShape, int[] outShape, int terms, Accumulate op) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        int no = size(outShape);
        float[] exc0 = uniform(r, no, 0, 1);
        float[] inh0 = uniform(r, no, -1, 0);
        try (Scope sc = new Scope()) {
            Tensor ts = sc.of(s, sShape);
            Tensor tw = sc.of(w, wShape);
            Tensor ee = sc.of(exc0, outShape);
            Tensor ei = sc.of(inh0, outShape);
            Tensor ae = sc.of(exc0, outShape);
            Tensor ai = sc.of(inh0, outShape);
            Tensor me = sc.of(new float[no], outShape);
            Tensor mi = sc.of(new float[no], outShape);
            op.run(ref, ts, tw, ee, ei);
            op.run(ref, sc.of(Check.abs(s), sShape), sc.of(Check.abs(w), wShape), me, mi);
            op.run(k, ts, tw, ae, ai);
            float[] magE = me.toArray();
            float[] magI = new float[no];
            for (int i = 0; i < no; i++) {
                magI[i] = magE[i] + Math.abs(inh0[i]);
                magE[i] += Math.abs(exc0[i]);
            }
            float[] eev = ee.toArray();
            float[] eiv = ei.toArray();
            Check.close(ctx(kernel + " excitatory", name, c), eev, ae.toArray(), Check.sum(eev, magE, terms));
            Check.close(ctx(kernel + " inhibitory", name, c), eiv, ai.toArray(), Check.sum(eiv, magI, terms));
        }
    }

    // ================================================================ random spikes

    /** Bernoulli spikes are a pure function of (seed, index, stream, step): bit-identical. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void bernoulliSpikes(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("bernoulliSpikes");
        for (int n : SIZES) {
            float[] p = uniform(r, n, 0, 1);
            for (int i = 0; i < n; i += 6) {
                p[i] = switch ((i / 6) % 3) {
                    case 0 -> 0f;
                    case 1 -> 1f;
                    default -> 1e-7f;
                };
            }
            for (long step : new long[] {0, 1 + r.nextInt(1000), (1L << 40) + r.nextInt(1000), Philox.MAX_STEP}) {
                long seed = r.nextLong();
                int stream = r.nextBoolean() ? r.nextInt(16) : -1 - r.nextInt(16);
                String c = "n=" + n + " seed=" + seed + " stream=" + stream + " step=" + step;
                try (Scope sc = new Scope()) {
                    Tensor tp = sc.of(p, n);
                    Tensor e = sc.poisoned(n);
                    Tensor a = sc.poisoned(n);
                    ref.bernoulliSpikes(seed, stream, step, tp, e);
                    k.bernoulliSpikes(seed, stream, step, tp, a);
                    Check.close(ctx("bernoulliSpikes", name, c), e.toArray(), a.toArray(), Check.exact());
                }
            }
        }
    }

    /**
     * A batch of Bernoulli rows is, row by row, the single-stream draw with stream firstStream + r (wrapping
     * like Java ints): bit-identical, including row lengths that leave vector tails and rows that straddle
     * the chunks of a multi-threaded backend.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void bernoulliSpikeRows(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("bernoulliSpikeRows");
        int[][] shapes = {{1, 1}, {3, 7}, {2, 17}, {50, 784}, {4, 1021}, {2, 3, 17}, {7, 1, 5, 5}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int size = 1;
            for (int d : shape) {
                size *= d;
            }
            int per = size / rows;
            float[] p = uniform(r, size, 0, 1);
            long seed = r.nextLong();
            long step = r.nextBoolean() ? r.nextInt(5000) : Philox.MAX_STEP - r.nextInt(10);
            int first = switch (r.nextInt(3)) {
                case 0 -> r.nextInt(10_000);
                case 1 -> Integer.MAX_VALUE - r.nextInt(3); // wraps to negative streams
                default -> -1 - r.nextInt(16);
            };
            String c = java.util.Arrays.toString(shape) + " seed=" + seed + " first=" + first + " step=" + step;
            try (Scope sc = new Scope()) {
                Tensor tp = sc.of(p, shape);
                Tensor a = sc.poisoned(size).reshape(shape);
                float[] expected = new float[size];
                for (int row = 0; row < rows; row++) {
                    Tensor e = sc.poisoned(per);
                    ref.bernoulliSpikes(seed, first + row, step, sc.of(java.util.Arrays.copyOfRange(p, row * per, (row + 1) * per), per), e);
                    System.arraycopy(e.toArray(), 0, expected, row * per, per);
                }
                k.bernoulliSpikeRows(seed, first, step, tp, a);
                Check.close(ctx("bernoulliSpikeRows", name, c), expected, a.toArray(), Check.exact());
            }
        }
    }

    /** Poisson counts are a pure function of (seed, index, stream, step): bit-identical, for lambda up to 64. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.nsp.conformance.Harness#backendNames")
    void poissonCounts(String name) {
        Kernels k = Harness.backend(name);
        Kernels ref = Harness.reference();
        Random r = Harness.random("poissonCounts");
        for (int n : new int[] {1, 3, 7, 15, 16, 17, 1021, 4099, 20_011}) {
            float[] t = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = i < 10 ? i % 5 : r.nextInt(n > 5000 ? 3 : 5);
                double lambda = switch (kind) {
                    case 0 -> 0;
                    case 1 -> 0.5 * r.nextDouble();
                    case 2 -> 0.5 + 4.5 * r.nextDouble();
                    case 3 -> 5 + 59 * r.nextDouble();
                    default -> Philox.MAX_LAMBDA;
                };
                t[i] = Philox.expNegLambda(lambda);
            }
            long step = r.nextBoolean() ? r.nextInt(100_000) : (1L << 33) + r.nextInt(100);
            long seed = r.nextLong();
            int stream = r.nextInt(8) - 4;
            String c = "n=" + n + " seed=" + seed + " stream=" + stream + " step=" + step;
            try (Scope sc = new Scope()) {
                Tensor tt = sc.of(t, n);
                Tensor e = sc.poisoned(n);
                Tensor a = sc.poisoned(n);
                ref.poissonCounts(seed, stream, step, tt, e);
                k.poissonCounts(seed, stream, step, tt, a);
                Check.close(ctx("poissonCounts", name, c), e.toArray(), a.toArray(), Check.exact());
            }
        }
    }
}
