package dev.nsp.kernel.reference;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Finite-difference checks of every backward kernel of the reference. A scalar loss
 * L = sum(outputGrad * output) is differentiated numerically (central differences in double over
 * the float forward) and compared with the backward kernel's gradient.
 *
 * <p>Tolerance: the float forward rounds each output to 6e-8 relative; with eps = 1e-3 the central
 * difference of L carries an error of about sqrt(#outputs) * 6e-8 * |term| / 2e-3, well under 1e-3 of
 * the gradient scale for these sizes, while a wrong formula is off by O(1). We allow 2e-3 relative to the
 * largest gradient component plus 2e-3 relative to the component.
 */
class GradientCheckTest {
    static Kernels k;
    static final double EPS = 1e-3;

    @BeforeAll
    static void open() {
        k = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        k.close();
    }

    static Tensor random(SplittableRandom r, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) r.nextDouble(lo, hi));
        }
        return t;
    }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (long i = 0; i < a.size(); i++) {
            s += (double) a.get(i) * b.get(i);
        }
        return s;
    }

    /** Numeric gradient of loss w.r.t. every element of t, compared with analytic. */
    static void check(String what, Tensor t, ToDoubleFunction<Void> loss, Tensor analytic) {
        double scale = 0;
        for (long i = 0; i < analytic.size(); i++) {
            scale = Math.max(scale, Math.abs(analytic.get(i)));
        }
        for (long i = 0; i < t.size(); i++) {
            float orig = t.get(i);
            double h = EPS * Math.max(1, Math.abs(orig));
            t.set(i, (float) (orig + h));
            double up = loss.applyAsDouble(null);
            t.set(i, (float) (orig - h));
            double down = loss.applyAsDouble(null);
            t.set(i, orig);
            double realH = ((float) (orig + h) - (float) (orig - h)) / 2.0;
            double numeric = (up - down) / (2 * realH);
            double a = analytic.get(i);
            assertEquals(numeric, a, 2e-3 * scale + 2e-3 * Math.abs(numeric), what + " element " + i);
        }
    }

    @Test
    void noisySoftplus() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 37;
        try (Tensor x = random(r, -2, 2, n); Tensor s = random(r, 0.2, 2, n); Tensor gy = random(r, -1, 1, n);
             Tensor y = Tensor.zeros(n); Tensor gx = Tensor.zeros(n); Tensor gs = Tensor.zeros(n)) {
            float kk = 0.3f;
            float p = 1.3f;
            ToDoubleFunction<Void> loss = v -> {
                k.noisySoftplusForward(x, s, kk, p, y);
                return dot(gy, y);
            };
            k.noisySoftplusBackward(x, s, kk, p, gy, gx, gs);
            check("dx", x, loss, gx);
            check("dsigma", s, loss, gs);
        }
    }

    @Test
    void softplusAndRelu() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 29;
        try (Tensor x = random(r, -2, 2, n); Tensor gy = random(r, -1, 1, n); Tensor y = Tensor.zeros(n);
             Tensor gx = Tensor.zeros(n)) {
            k.softplusBackward(x, 0.4f, 1.2f, gy, gx);
            check("softplus dx", x, v -> {
                k.softplusForward(x, 0.4f, 1.2f, y);
                return dot(gy, y);
            }, gx);
            for (long i = 0; i < n; i++) {
                if (Math.abs(x.get(i)) < 0.05f) {
                    x.set(i, 0.5f); // keep away from the kink
                }
            }
            k.reluBackward(x, 0.7f, gy, gx);
            check("relu dx", x, v -> {
                k.reluForward(x, 0.7f, y);
                return dot(gy, y);
            }, gx);
        }
    }

    @Test
    void convolution() {
        SplittableRandom r = new SplittableRandom(3);
        try (Tensor in = random(r, -1, 1, 2, 3, 7, 6); Tensor w = random(r, -1, 1, 4, 3, 3, 2);
             Tensor out = Tensor.zeros(2, 4, 5, 5); Tensor g = random(r, -1, 1, 2, 4, 5, 5);
             Tensor gin = Tensor.zeros(2, 3, 7, 6); Tensor gw = Tensor.zeros(4, 3, 3, 2)) {
            ToDoubleFunction<Void> loss = v -> {
                k.conv2dForward(in, w, out);
                return dot(g, out);
            };
            k.conv2dBackwardData(g, w, gin);
            k.conv2dBackwardWeights(in, g, gw);
            check("conv dinput", in, loss, gin);
            check("conv dweights", w, loss, gw);
        }
    }

    @Test
    void momentConvolutionBothPaths() {
        SplittableRandom r = new SplittableRandom(4);
        try (Tensor a = random(r, 0.05, 1, 2, 2, 6, 6); Tensor w = random(r, -1, 1, 3, 2, 3, 3);
             Tensor mean = Tensor.zeros(2, 3, 4, 4); Tensor sigma = Tensor.zeros(2, 3, 4, 4);
             Tensor gm = random(r, -1, 1, 2, 3, 4, 4); Tensor gs = random(r, -1, 1, 2, 3, 4, 4);
             Tensor ga = Tensor.zeros(2, 2, 6, 6); Tensor gw = Tensor.zeros(3, 2, 3, 3)) {
            ToDoubleFunction<Void> loss = v -> {
                k.momentConv2dForward(a, w, mean, sigma);
                return dot(gm, mean) + dot(gs, sigma);
            };
            loss.applyAsDouble(null);
            k.momentConv2dBackward(a, w, sigma, gm, gs, ga, gw);
            check("moment conv da", a, loss, ga);
            check("moment conv dw", w, loss, gw);
            // without gradSigma only the mean path remains: equals the plain conv backward
            try (Tensor ga2 = Tensor.zeros(2, 2, 6, 6); Tensor gin = Tensor.zeros(2, 2, 6, 6)) {
                k.momentConv2dBackward(a, w, sigma, gm, null, ga2, null);
                k.conv2dBackwardData(gm, w, gin);
                assertArrayEquals(gin.toArray(), ga2.toArray());
            }
        }
    }

    @Test
    void poolingAndMomentPooling() {
        SplittableRandom r = new SplittableRandom(5);
        try (Tensor a = random(r, 0.05, 1, 2, 3, 4, 6); Tensor out = Tensor.zeros(2, 3, 2, 3);
             Tensor sigma = Tensor.zeros(2, 3, 2, 3); Tensor gm = random(r, -1, 1, 2, 3, 2, 3);
             Tensor gs = random(r, -1, 1, 2, 3, 2, 3); Tensor ga = Tensor.zeros(2, 3, 4, 6)) {
            float wgt = 0.3f;
            k.pool2x2Backward(gm, wgt, ga);
            check("pool", a, v -> {
                k.pool2x2Forward(a, wgt, out);
                return dot(gm, out);
            }, ga);
            ToDoubleFunction<Void> loss = v -> {
                k.momentPool2x2Forward(a, wgt, out, sigma);
                return dot(gm, out) + dot(gs, sigma);
            };
            loss.applyAsDouble(null);
            k.momentPool2x2Backward(a, wgt, sigma, gm, gs, ga);
            check("moment pool", a, loss, ga);
        }
    }

    @Test
    void denseAndMomentDense() {
        SplittableRandom r = new SplittableRandom(6);
        try (Tensor a = random(r, 0.05, 1, 3, 7); Tensor w = random(r, -1, 1, 5, 7); Tensor out = Tensor.zeros(3, 5);
             Tensor sigma = Tensor.zeros(3, 5); Tensor gm = random(r, -1, 1, 3, 5); Tensor gs = random(r, -1, 1, 3, 5);
             Tensor ga = Tensor.zeros(3, 7); Tensor gw = Tensor.zeros(5, 7)) {
            ToDoubleFunction<Void> plain = v -> {
                k.denseForward(a, w, out);
                return dot(gm, out);
            };
            k.denseBackwardData(gm, w, ga);
            k.denseBackwardWeights(a, gm, gw);
            check("dense da", a, plain, ga);
            check("dense dw", w, plain, gw);
            ToDoubleFunction<Void> moment = v -> {
                k.momentDenseForward(a, w, out, sigma);
                return dot(gm, out) + dot(gs, sigma);
            };
            moment.applyAsDouble(null);
            k.momentDenseBackward(a, w, sigma, gm, gs, ga, gw);
            check("moment dense da", a, moment, ga);
            check("moment dense dw", w, moment, gw);
        }
    }

    @Test
    void softmaxCrossEntropy() {
        SplittableRandom r = new SplittableRandom(8);
        int[] labels = {3, 0, 9, 4};
        try (Tensor z = random(r, -3, 3, 4, 10); Tensor prob = Tensor.zeros(4, 10); Tensor g = Tensor.zeros(4, 10)) {
            float loss = k.softmaxCrossEntropy(z, labels, prob, g);
            double expected = 0;
            for (int n = 0; n < 4; n++) {
                double sum = 0;
                for (int c = 0; c < 10; c++) {
                    sum += Math.exp(z.get(n * 10 + c));
                    assertTrue(prob.get(n * 10 + c) > 0);
                }
                expected += Math.log(sum) - z.get(n * 10 + labels[n]);
            }
            assertEquals(expected / 4, loss, 1e-6);
            check("softmax-ce", z, v -> k.softmaxCrossEntropy(z, labels, prob, null), g);
        }
    }

    @Test
    void noisySoftplusBackwardWithoutSigmaOutput() {
        try (Tensor x = Tensor.of(new float[] {1f, -1f}, 2); Tensor s = Tensor.of(new float[] {1f, 1f}, 2);
             Tensor gy = Tensor.of(new float[] {1f, 1f}, 2); Tensor gx = Tensor.zeros(2)) {
            k.noisySoftplusBackward(x, s, 0.5f, 1f, gy, gx, null);
            assertEquals(1 / (1 + Math.exp(-2)), gx.get(0), 1e-7);
            assertEquals(1 / (1 + Math.exp(2)), gx.get(1), 1e-7);
        }
    }
}
