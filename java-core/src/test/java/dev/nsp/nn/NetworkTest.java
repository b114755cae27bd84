package dev.nsp.nn;

import dev.nsp.kernel.Backends;
import dev.nsp.kernel.Kernels;
import dev.nsp.model.Activation;
import dev.nsp.model.Architecture;
import dev.nsp.model.SavedModel;
import dev.nsp.model.TrainingInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    private static double ns(Activation a, double x, double sigma) {
        double ks = a.k() * sigma;
        return a.p() * (sigma == 0 ? Math.max(x, 0) : ks * softplus(x / ks));
    }

    private static SavedModel model(String spec, int side, Activation act, List<float[]> weights) {
        return new SavedModel(Architecture.parse(spec, 1, side, side), act, 1.0, TrainingInfo.of(0, 0, 1, 0, ""), weights);
    }

    private static final float[] IMAGE = {0.2f, 0f, 0.9f, 0.4f, 1f, 0.1f, 0f, 0.7f, 0.5f};
    private static final float[] CONV = {0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.6f, 0.2f, 0.05f, -0.3f};
    private static final float[] DENSE = {1.5f, -2f};

    /** Relative tolerance: the kernels round each layer's output to float (6e-8) after double sums. */
    private static final double TOL = 1e-6;

    private static double[] logits(Activation act) {
        try (Network net = Network.fromModel(model("1c3-2", 3, act, List.of(CONV, DENSE)), kernels);
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
        Activation nsp = Defaults.activation(Activation.Kind.NOISY_SOFTPLUS);
        double a = ns(nsp, x, Math.sqrt(var));
        double[] z = logits(nsp);
        assertEquals(1.5 * a, z[0], TOL * Math.abs(z[0]));
        assertEquals(-2 * a, z[1], TOL * Math.abs(z[1]));

        Activation sp = Defaults.activation(Activation.Kind.SOFTPLUS);
        double scale = sp.k() * sp.softplusSigma();
        double s = sp.p() * scale * softplus(x / scale);
        assertEquals(1.5 * s, logits(sp)[0], TOL * Math.abs(1.5 * s));

        Activation relu = Defaults.activation(Activation.Kind.RELU);
        double r = relu.p() * Math.max(x, 0);
        assertTrue(r > 0);
        assertEquals(1.5 * r, logits(relu)[0], TOL * Math.abs(1.5 * r));
    }

    @Test
    void poolingUnitsAreNoisySoftplusUnitsWithWeightOneOverFourP() {
        float[] image = {0.2f, 0.9f, 0.4f, 0f};
        float[] dense = {1f, 1f};
        for (Activation.Kind kind : Activation.Kind.values()) {
            Activation act = Defaults.activation(kind);
            try (Network net = Network.fromModel(model("2s-2", 2, act, List.of(new float[0], dense)), kernels);
                 Workspace ws = net.newWorkspace(1)) {
                ws.input().copyFrom(image);
                net.infer(ws);
                double sum = 0.2 + 0.9 + 0.4;
                double expected;
                if (kind == Activation.Kind.NOISY_SOFTPLUS) {
                    double w = 1 / (4 * act.p());
                    assertEquals((float) w, net.poolWeight());
                    expected = ns(act, w * sum, Math.sqrt(0.5 * w * w * sum));
                    assertTrue(expected > sum / 4, "noise raises the rate above the mean input");
                } else {
                    assertEquals(0.25f, net.poolWeight());
                    expected = sum / 4; // plain average pooling, no activation
                }
                assertEquals(expected, ws.output(0).get(0), TOL * expected, kind.id());
                assertEquals(expected, ws.logits().get(1), TOL * expected, kind.id());
            }
        }
    }

    @Test
    void aHiddenDenseLayerIsALayerOfUnits() {
        // 1c3 gives one activation a; the hidden dense layer 2 computes p f(w a, sqrt(w^2/2 a)) per unit
        Activation act = Defaults.activation(Activation.Kind.NOISY_SOFTPLUS);
        float[] hidden = {0.8f, -0.6f};
        float[] out = {1f, 0f, 0f, 1f};
        try (Network net = Network.fromModel(model("1c3-2-2", 3, act, List.of(CONV, hidden, out)), kernels);
             Workspace ws = net.newWorkspace(1)) {
            ws.input().copyFrom(IMAGE);
            net.infer(ws);
            double a = ws.output(0).get(0);
            for (int j = 0; j < 2; j++) {
                double expected = ns(act, hidden[j] * a, Math.sqrt(0.5 * hidden[j] * hidden[j] * a));
                assertEquals(expected, ws.logits().get(j), TOL * expected);
            }
        }
    }

    @Test
    void aModelRoundTripKeepsWeightsAndLogits() {
        Architecture arch = Architecture.parse("3c3-2s-2c3-4", 1, 10, 10);
        Activation act = Defaults.activation(Activation.Kind.NOISY_SOFTPLUS);
        TrainingInfo info = TrainingInfo.of(2, 0.3, 50, 9, kernels.name());
        try (Network a = Network.initialize(arch, act, 1.0, 3, kernels)) {
            SavedModel m = a.toModel(info);
            assertEquals(arch, m.architecture());
            assertEquals(act, m.activation());
            assertEquals(1.0, m.inputScale());
            assertEquals(info, m.training());
            assertEquals(0, m.weights(1).length, "pooling has no weights");
            assertEquals(27, m.weights(0).length);
            double bound = Math.sqrt(6.0 / 9); // He-uniform, fan-in 1 x 3 x 3
            for (float w : m.weights(0)) {
                assertTrue(Math.abs(w) <= bound);
            }
            try (Network b = Network.fromModel(m, kernels); Workspace wa = a.newWorkspace(2);
                 Workspace wb = b.newWorkspace(2)) {
                SplittableRandom rng = new SplittableRandom(4);
                for (long i = 0; i < wa.input().size(); i++) {
                    float v = (float) rng.nextDouble();
                    wa.input().set(i, v);
                    wb.input().set(i, v);
                }
                a.infer(wa);
                b.infer(wb);
                assertArrayEquals(wa.logits().toArray(), wb.logits().toArray());
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(a.weights().get(i), b.weights().get(i));
                }
                assertThrows(IllegalArgumentException.class, () -> a.infer(wb), "workspace of another network");
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        Architecture arch = Architecture.paper();
        Activation act = Defaults.activation(Activation.Kind.RELU);
        try (Network a = Network.initialize(arch, act, 1.0, 5, kernels);
             Network b = Network.initialize(arch, act, 1.0, 5, kernels);
             Network c = Network.initialize(arch, act, 1.0, 6, kernels)) {
            assertArrayEquals(a.weights().get(2), b.weights().get(2));
            assertTrue(!java.util.Arrays.equals(a.weights().get(2), c.weights().get(2)));
        }
    }

    @Test
    void rejectsParametersThatDoNotFit() {
        Activation relu = Defaults.activation(Activation.Kind.RELU);
        Architecture arch = Architecture.parse("1c3-2", 1, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.initialize(arch, relu, 0, 1, kernels));
        assertTrue(e.getMessage().contains("inputScale: 0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Network.initialize(arch, relu, Double.NaN, 1, kernels));
        Activation tiny = new Activation(Activation.Kind.SOFTPLUS, 1e-30, 0, 0, 1, 1e-30);
        e = assertThrows(IllegalArgumentException.class, () -> Network.initialize(arch, tiny, 1, 1, kernels));
        assertTrue(e.getMessage().contains("softplusSigma"), e.getMessage());
        try (Network n = Network.initialize(arch, relu, 1, 1, kernels)) {
            e = assertThrows(IllegalArgumentException.class, () -> n.newWorkspace(0));
            assertTrue(e.getMessage().contains("batchSize: 0"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SigmaGrad.parse("half"));
        assertEquals(SigmaGrad.FULL, SigmaGrad.parse(" FULL "));
    }

    @Test
    void theDefaultsAreThePapers() {
        Activation ns = Defaults.activation(Activation.Kind.NOISY_SOFTPLUS);
        assertEquals(0.30, ns.k());
        assertEquals(1.005, ns.p(), 1e-12);
        assertEquals(1.0, Defaults.INPUT_SCALE);
        assertEquals(1.005, Defaults.activation(Activation.Kind.RELU).p(), 1e-12);
        assertEquals(1.0, Defaults.activation(Activation.Kind.SOFTPLUS).softplusSigma());
    }
}
