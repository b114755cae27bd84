package dev.nsp.nn;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward semantics of each layer type, checked against the formulas of SPEC section 4 in double. */
class NetworkTest {
    private static Kernels kernels;

    @BeforeAll
    static void open() {
        kernels = Backends.create("reference");
    }

    @AfterAll
    static void close() {
        kernels.close();
    }

    private static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** p f(x, sigma) in double. */
    private static double ns(ActivationParams a, double x, double sigma) {
        double ks = a.k() * sigma;
        return a.p() * (sigma == 0 ? Math.max(x, 0) : ks * softplus(x / ks));
    }

    private static final float[] IMAGE = {0.2f, 0f, 0.9f, 0.4f, 1f, 0.1f, 0f, 0.7f, 0.5f};
    private static final float[] CONV = {0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.6f, 0.2f, 0.05f, -0.3f};
    private static final float[] DENSE = {1.5f, -2f};

    /** Relative tolerance: the kernels round each layer's output to float (6e-8) after double sums. */
    private static final double TOL = 1e-6;

    private static double[] logits(Activation act) {
        Architecture arch = Architecture.parse("1c3-2", 1, 3, 3);
        try (Network net = Network.fromWeights(arch, ActivationParams.defaults(act), List.of(CONV, DENSE), kernels);
             Workspace ws = net.newWorkspace(1)) {
            ws.input().copyFrom(IMAGE);
            net.infer(ws);
            float[] z = ws.logits().toArray();
            return new double[] {z[0], z[1]};
        }
    }

    @Test
    void aConvolutionUnitAppliesItsActivationToBothMomentsOfItsInput() {
        double x = 0;
        double var = 0;
        for (int i = 0; i < 9; i++) {
            x += (double) CONV[i] * IMAGE[i];
            var += 0.5 * CONV[i] * CONV[i] * Math.abs(IMAGE[i]);
        }
        ActivationParams nsp = ActivationParams.defaults(Activation.NOISY_SOFTPLUS);
        double a = ns(nsp, x, Math.sqrt(var));
        double[] z = logits(Activation.NOISY_SOFTPLUS);
        assertEquals(1.5 * a, z[0], TOL * Math.abs(z[0]));
        assertEquals(-2 * a, z[1], TOL * Math.abs(z[1]));

        ActivationParams sp = ActivationParams.defaults(Activation.SOFTPLUS);
        double s = sp.p() * sp.softplusScale() * softplus(x / sp.softplusScale());
        assertEquals(1.5 * s, logits(Activation.SOFTPLUS)[0], TOL * Math.abs(1.5 * s));

        double r = ActivationParams.defaults(Activation.RELU).p() * Math.max(x, 0);
        assertEquals(1.5 * r, logits(Activation.RELU)[0], TOL * Math.abs(1.5 * r) + 1e-12);
    }

    @Test
    void poolingUnitsAreNoisySoftplusUnitsWithWeightOneOverFourP() {
        Architecture arch = Architecture.parse("2s-2", 1, 2, 2);
        float[] image = {0.2f, 0.9f, 0.4f, 0f};
        float[] dense = {1f, 1f};
        for (Activation act : Activation.values()) {
            ActivationParams params = ActivationParams.defaults(act);
            try (Network net = Network.fromWeights(arch, params, List.of(dense), kernels);
                 Workspace ws = net.newWorkspace(1)) {
                ws.input().copyFrom(image);
                net.infer(ws);
                double sum = 0.2 + 0.9 + 0.4;
                double expected;
                if (act == Activation.NOISY_SOFTPLUS) {
                    double w = 1 / (4 * params.p());
                    expected = ns(params, w * sum, Math.sqrt(0.5 * w * w * sum));
                    assertTrue(expected > sum / 4, "noise raises the rate above the mean input");
                } else {
                    expected = sum / 4; // plain average pooling, no activation
                }
                assertEquals(expected, ws.output(0).get(0), TOL * expected, act.toString());
                assertEquals(expected, ws.logits().get(1), TOL * expected, act.toString());
            }
        }
    }

    @Test
    void exposesWeightsShapesAndActivationParametersForConversion() {
        Architecture arch = Architecture.parse(Architecture.PAPER);
        ActivationParams params = ActivationParams.defaults(Activation.NOISY_SOFTPLUS);
        assertEquals(1.005, params.p(), 1e-12);
        assertEquals(1.0 / 255, params.inputPerPixelValue(), 1e-15);
        try (Network net = Network.initialize(arch, params, 11, kernels)) {
            List<LayerParameters> layers = net.parameters();
            assertEquals(5, layers.size());
            LayerParameters c1 = layers.get(0);
            assertEquals(new LayerSpec.Conv(6, 5), c1.spec());
            assertArrayEquals(new int[] {6, 1, 5, 5}, c1.weightShape());
            assertEquals(150, c1.weights().length);
            assertTrue(c1.activated());
            assertTrue(Float.isNaN(c1.poolWeight()));
            LayerParameters p1 = layers.get(1);
            assertNull(p1.weights());
            assertNull(p1.weightShape());
            assertEquals((float) (1 / (4 * 1.005)), p1.poolWeight());
            assertTrue(p1.activated());
            assertArrayEquals(new int[] {12, 6, 5, 5}, layers.get(2).weightShape());
            LayerParameters d = layers.get(4);
            assertArrayEquals(new int[] {10, 192}, d.weightShape());
            assertArrayEquals(new int[] {12, 4, 4}, d.inputShape());
            assertFalse(d.activated());
            // He-uniform bound sqrt(6 / fan-in)
            double bound = Math.sqrt(6.0 / 25);
            for (float w : c1.weights()) {
                assertTrue(Math.abs(w) <= bound);
            }
            assertEquals(net.weights().size(), 3);
        }
        try (Network relu = Network.initialize(arch, params.withKind(Activation.RELU), 11, kernels)) {
            LayerParameters p1 = relu.parameters().get(1);
            assertEquals(0.25f, p1.poolWeight());
            assertFalse(p1.activated());
        }
    }

    @Test
    void aNetworkRebuiltFromItsWeightsComputesTheSameLogits() {
        Architecture arch = Architecture.parse("3c3-2s-2c3-4", 1, 10, 10);
        ActivationParams params = ActivationParams.defaults(Activation.NOISY_SOFTPLUS);
        try (Network a = Network.initialize(arch, params, 3, kernels);
             Network b = Network.fromWeights(arch, params, a.weights(), kernels);
             Workspace wa = a.newWorkspace(2);
             Workspace wb = b.newWorkspace(2)) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
            for (long i = 0; i < wa.input().size(); i++) {
                float v = (float) rng.nextDouble();
                wa.input().set(i, v);
                wb.input().set(i, v);
            }
            a.infer(wa);
            b.infer(wb);
            assertArrayEquals(wa.logits().toArray(), wb.logits().toArray());
            assertThrows(IllegalArgumentException.class, () -> a.infer(wb), "workspace of another network");
        }
    }

    @Test
    void rejectsWeightsThatDoNotFit() {
        Architecture arch = Architecture.parse("1c3-2", 1, 3, 3);
        ActivationParams params = ActivationParams.defaults(Activation.RELU);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.fromWeights(arch, params, List.of(CONV), kernels));
        assertTrue(e.getMessage().contains("1 arrays") && e.getMessage().contains("2 layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Network.fromWeights(arch, params, List.of(CONV, new float[3]), kernels));
        assertTrue(e.getMessage().contains("layer 1 needs 2 weights") && e.getMessage().contains("got 3"), e.getMessage());
        float[] nan = CONV.clone();
        nan[4] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class,
                () -> Network.fromWeights(arch, params, List.of(nan, DENSE), kernels));
        assertTrue(e.getMessage().contains("element 4 is NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> {
            try (Network n = Network.fromWeights(arch, params, List.of(CONV, DENSE), kernels)) {
                n.newWorkspace(0);
            }
        });
    }

    @Test
    void activationParametersAreValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> new ActivationParams(Activation.RELU, 0, 201, 0.005, 1, 200));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ActivationParams(Activation.RELU, 0.3, 201, Double.NaN, 1, 200));
        assertTrue(e.getMessage().contains("tauSynS"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new ActivationParams(Activation.RELU, 0.3, 201, 0.005, -1, 200));
        assertThrows(IllegalArgumentException.class,
                () -> new ActivationParams(Activation.RELU, 0.3, 201, 0.005, 1, Double.POSITIVE_INFINITY));
        assertEquals(Activation.NOISY_SOFTPLUS, Activation.parse("Noisy_Softplus"));
        e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("tanh"));
        assertTrue(e.getMessage().contains("relu, softplus, noisy-softplus"), e.getMessage());
        assertEquals(SigmaGrad.FULL, SigmaGrad.parse(" FULL "));
        assertThrows(IllegalArgumentException.class, () -> SigmaGrad.parse("half"));
    }
}
