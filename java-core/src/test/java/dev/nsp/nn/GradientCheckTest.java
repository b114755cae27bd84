package dev.nsp.nn;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference check of the whole network's weight gradients (every weight of a tiny net: two
 * convolutions, two poolings, a hidden and the output dense layer, the softmax loss), for each activation and
 * both sigma modes.
 */
class GradientCheckTest {
    private static Kernels reference;

    @BeforeAll
    static void open() {
        reference = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /**
     * Step of the central differences. The loss is computed in double from float logits whose rounding
     * (relative 6e-8 per layer output) acts as noise of about 1.5e-8 in the loss, so the difference quotient
     * carries an error of about 1.5e-8 / h = 5e-6 (measured maximum over all weights, activations and seeds
     * here: 6e-6); the truncation error, O(h^2) times the third derivative, is smaller still (the error does
     * not shrink when h shrinks, it grows like 1/h).
     */
    private static final double H = 3e-3;
    /** A second, smaller step: both quotients must match (the error bound scales like 1/h: 3x here). */
    private static final double H2 = 1e-3;
    /** Absolute tolerance: 5x the largest observed finite-difference error at step H. */
    private static final double ABS_TOL = 3e-5;
    /** Relative tolerance on top, for the largest gradients (~0.5). */
    private static final double REL_TOL = 1e-3;

    record Result(int checked, int kinks, double worstExcess, List<float[]> analytic) {
    }

    static double tolerance(double g) {
        return ABS_TOL + REL_TOL * Math.abs(g);
    }

    static Result check(Activation.Kind act, SigmaGrad mode, long seed) {
        SigmaFreezer freezer = SigmaFreezer.wrapping(reference);
        Kernels k = freezer.kernels();
        Architecture arch = Architecture.parse("2c3-2s-3c3-2s-5-4", 1, 10, 10);
        try (Network net = Network.initialize(arch, Defaults.activation(act), 1.0, seed, k);
             Workspace ws = net.newWorkspace(3)) {
            SplittableRandom rng = new SplittableRandom(seed + 17);
            for (long i = 0; i < ws.input().size(); i++) {
                ws.input().set(i, rng.nextDouble() < 0.3 ? 0f : (float) rng.nextDouble());
            }
            for (int i = 0; i < 3; i++) {
                ws.labels()[i] = rng.nextInt(4);
            }
            // with sigma-grad none the analytic gradient is that of the loss with sigma held at its current
            // value: record every sigma now and replay it in each perturbed forward pass
            boolean freeze = act == Activation.Kind.NOISY_SOFTPLUS && mode == SigmaGrad.NONE;
            freezer.mode(freeze ? SigmaFreezer.Mode.RECORD : SigmaFreezer.Mode.PASS);
            net.lossAndGradients(ws, mode);
            if (freeze) {
                assertEquals(5, freezer.recordedCount(), "2 convolutions, 2 poolings, the hidden dense layer");
            }
            List<float[]> analytic = new ArrayList<>();
            for (Tensor g : net.gradients(ws)) {
                analytic.add(g.toArray());
            }
            boolean[][] active = activeSets(net, ws);
            int checked = 0;
            int kinks = 0;
            double worst = Double.NEGATIVE_INFINITY;
            List<Tensor> weights = net.weightTensors();
            for (int t = 0; t < weights.size(); t++) {
                Tensor w = weights.get(t);
                for (int i = 0; i < w.size(); i++) {
                    double g = analytic.get(t)[i];
                    double fd = difference(net, ws, freezer, freeze, w, i, H, active);
                    double fd2 = difference(net, ws, freezer, freeze, w, i, H2, active);
                    if (Double.isNaN(fd) || Double.isNaN(fd2)) {
                        kinks++; // a relu unit changed sides: the loss is not differentiable within the step
                        continue;
                    }
                    checked++;
                    worst = Math.max(worst, Math.abs(fd - g) - tolerance(g));
                    worst = Math.max(worst, Math.abs(fd2 - g) - 3 * tolerance(g)); // noise ~ 1/h: 3x at h/3
                }
            }
            return new Result(checked, kinks, worst, analytic);
        }
    }

    /** Per layer with a pre-activation: which units have x > 0 (where relu is on). */
    private static boolean[][] activeSets(Network net, Workspace ws) {
        boolean[][] on = new boolean[net.layerCount()][];
        for (int l = 0; l < on.length; l++) {
            if (ws.mean(l) != null) {
                float[] x = ws.mean(l).toArray();
                on[l] = new boolean[x.length];
                for (int j = 0; j < x.length; j++) {
                    on[l][j] = x[j] > 0;
                }
            }
        }
        return on;
    }

    /**
     * (L(w_i + h) - L(w_i - h)) / (the actual float step), weight restored afterwards; NaN if a perturbed
     * pass switches any unit's x across 0 (a kink of relu; harmless for the smooth activations).
     */
    private static double difference(Network net, Workspace ws, SigmaFreezer freezer, boolean freeze, Tensor w, int i,
                                     double h, boolean[][] active) {
        float orig = w.get(i);
        float up = (float) (orig + h);
        float down = (float) (orig - h);
        SigmaFreezer.Mode m = freeze ? SigmaFreezer.Mode.REPLAY : SigmaFreezer.Mode.PASS;
        w.set(i, up);
        freezer.mode(m);
        double lp = loss(net, ws);
        boolean same = java.util.Arrays.deepEquals(active, activeSets(net, ws));
        w.set(i, down);
        freezer.mode(m);
        double lm = loss(net, ws);
        same &= java.util.Arrays.deepEquals(active, activeSets(net, ws));
        w.set(i, orig);
        if (!same && net.activation().kind() == Activation.Kind.RELU) {
            return Double.NaN;
        }
        return (lp - lm) / ((double) up - down);
    }

    /** Mean cross-entropy in double from the logits. */
    static double loss(Network net, Workspace ws) {
        net.infer(ws);
        Tensor z = ws.logits();
        int n = z.dim(0);
        int m = z.dim(1);
        double sum = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < m; c++) {
                max = Math.max(max, z.get((long) r * m + c));
            }
            double s = 0;
            for (int c = 0; c < m; c++) {
                s += Math.exp(z.get((long) r * m + c) - max);
            }
            sum += Math.log(s) + max - z.get((long) r * m + ws.labels()[r]);
        }
        return sum / n;
    }

    private static final int WEIGHTS = 2 * 9 + 3 * 2 * 9 + 5 * 3 + 4 * 5; // 107 weights in the tiny net

    private static void assertPasses(Activation.Kind act, SigmaGrad mode) {
        for (long seed = 1; seed <= 3; seed++) {
            Result r = check(act, mode, seed);
            String what = act + ", sigma-grad " + mode + ", seed " + seed;
            assertEquals(WEIGHTS, r.checked() + r.kinks(), what);
            if (act != Activation.Kind.RELU) {
                assertEquals(0, r.kinks(), what);
            }
            assertTrue(r.worstExcess() <= 0, what + ": a gradient is off by " + r.worstExcess() + " beyond tolerance");
            // relu's kinks: a component is skipped only when a step moves a unit across 0; that must stay rare
            assertTrue(r.kinks() <= WEIGHTS / 4, what + ": " + r.kinks() + " components straddle a kink");
        }
    }

    @Test
    void noisySoftplusWithSigmaAsAConstant() {
        assertPasses(Activation.Kind.NOISY_SOFTPLUS, SigmaGrad.NONE);
    }

    @Test
    void noisySoftplusWithTheFullGradient() {
        assertPasses(Activation.Kind.NOISY_SOFTPLUS, SigmaGrad.FULL);
    }

    @Test
    void softplusInBothModes() {
        assertPasses(Activation.Kind.SOFTPLUS, SigmaGrad.NONE);
        assertPasses(Activation.Kind.SOFTPLUS, SigmaGrad.FULL);
    }

    @Test
    void reluInBothModes() {
        assertPasses(Activation.Kind.RELU, SigmaGrad.NONE);
        assertPasses(Activation.Kind.RELU, SigmaGrad.FULL);
    }

    @Test
    void theSigmaPathChangesTheNoisySoftplusGradientWellBeyondTheTolerance() {
        // otherwise the two checks above could not tell the modes apart
        List<float[]> none = check(Activation.Kind.NOISY_SOFTPLUS, SigmaGrad.NONE, 2).analytic();
        List<float[]> full = check(Activation.Kind.NOISY_SOFTPLUS, SigmaGrad.FULL, 2).analytic();
        double maxDiff = 0;
        for (int t = 0; t < none.size(); t++) {
            for (int i = 0; i < none.get(t).length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(none.get(t)[i] - full.get(t)[i]));
            }
        }
        assertTrue(maxDiff > 100 * ABS_TOL, "sigma path changes the gradient by only " + maxDiff);
    }

    @Test
    void theModeDoesNotMatterForReluAndSoftplus() {
        for (Activation.Kind a : new Activation.Kind[] {Activation.Kind.RELU, Activation.Kind.SOFTPLUS}) {
            List<float[]> none = check(a, SigmaGrad.NONE, 1).analytic();
            List<float[]> full = check(a, SigmaGrad.FULL, 1).analytic();
            for (int t = 0; t < none.size(); t++) {
                assertArrayEquals(none.get(t), full.get(t), a.toString());
            }
        }
    }
}
