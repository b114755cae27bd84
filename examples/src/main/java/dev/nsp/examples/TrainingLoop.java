package dev.nsp.examples;

import dev.nsp.api.Backend;
import dev.nsp.api.NoisySoftplus;

import java.util.Random;

/**
 * The Noisy Softplus activation inside a training loop written by the application: a network with one hidden
 * layer of Noisy Softplus units learns {@code t = a0^2 + a1^2} on points of the square [-1, 1]^2 by plain SGD.
 * The application owns the weights and the arrays; nsp computes the activation and its gradient in place on
 * them. As in the paper, each hidden unit gets the moments of its input, the mean
 * {@code x = sum_i w_i a_i + b} and the noise {@code sigma = sqrt(sum_i w_i^2 |a_i| / 2)}, and sigma is held
 * constant in back-propagation.
 *
 * <p>Run: {@code java --module-path ... -m dev.nsp.examples/dev.nsp.examples.TrainingLoop [backend]}.
 */
public final class TrainingLoop {
    static final int SAMPLES = 512;
    static final int BATCH = 32;
    static final int HIDDEN = 32;
    static final float LEARNING_RATE = 0.05f;

    private TrainingLoop() {
    }

    /**
     * The loss before and after training.
     *
     * @param initialLoss mean squared error over the first epoch
     * @param finalLoss mean squared error after the last epoch
     * @param backend the backend the activation ran on
     */
    public record Result(double initialLoss, double finalLoss, String backend) {
    }

    /**
     * Trains the network and prints the loss of each epoch.
     *
     * @param args an optional backend name; without it, the automatic backend
     */
    public static void main(String[] args) {
        Backend backend = args.length > 0 ? Backend.named(args[0]) : Backend.automatic();
        try {
            Result r = train(backend, 20, 1, true);
            System.out.printf("loss %.5f -> %.5f on %s%n", r.initialLoss(), r.finalLoss(), r.backend());
        } finally {
            backend.close();
        }
    }

    /**
     * Trains a fresh network.
     *
     * @param backend where the activation runs
     * @param epochs passes over the data
     * @param seed the seed of the data and the initial weights
     * @param print whether to print the loss of each epoch
     * @return the loss before and after
     */
    public static Result train(Backend backend, int epochs, long seed, boolean print) {
        Random random = new Random(seed);
        float[] inputs = new float[SAMPLES * 2];
        float[] targets = new float[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            float a0 = random.nextFloat() * 2 - 1;
            float a1 = random.nextFloat() * 2 - 1;
            inputs[2 * s] = a0;
            inputs[2 * s + 1] = a1;
            targets[s] = a0 * a0 + a1 * a1;
        }
        Hidden layer = new Hidden(random);
        Output head = new Output(random);
        float[] x = new float[BATCH * HIDDEN];       // the hidden units' mean input, one row per sample
        float[] sigma = new float[BATCH * HIDDEN];   // and its noise
        float[] y = new float[BATCH * HIDDEN];       // the activations
        float[] gradY = new float[BATCH * HIDDEN];
        float[] gradX = new float[BATCH * HIDDEN];
        double[] losses = new double[epochs];

        // README:training-start
        NoisySoftplus act = NoisySoftplus.of(0.30, 1.0, backend);     // k = 0.30, output scale p = 1
        for (int epoch = 0; epoch < epochs; epoch++) {
            double sum = 0;
            for (int b = 0; b < SAMPLES; b += BATCH) {
                layer.moments(inputs, b, x, sigma);                // x = W a + c, sigma = sqrt(W^2 |a| / 2)
                act.forward(x, sigma, y);                          // y = p f(x, sigma), written into y
                sum += head.lossAndGradient(y, targets, b, gradY); // mean squared error, d loss / d y
                act.backward(x, sigma, gradY, gradX, null);        // d loss / d x; null: sigma held constant
                layer.update(inputs, b, gradX);
            }
            losses[epoch] = sum / (SAMPLES / BATCH);
        }
        // README:training-end

        if (print) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                System.out.printf("epoch %2d: loss %.5f%n", epoch + 1, losses[epoch]);
            }
        }
        return new Result(losses[0], losses[epochs - 1], backend.name());
    }

    /** The hidden layer's weights [HIDDEN][2] and biases, with the moment form of its input. */
    private static final class Hidden {
        final float[] w = new float[HIDDEN * 2];
        final float[] c = new float[HIDDEN];

        Hidden(Random random) {
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * 1.5);
            }
            for (int j = 0; j < HIDDEN; j++) {
                c[j] = (float) (random.nextGaussian() * 0.5);
            }
        }

        void moments(float[] inputs, int from, float[] x, float[] sigma) {
            for (int s = 0; s < BATCH; s++) {
                float a0 = inputs[2 * (from + s)];
                float a1 = inputs[2 * (from + s) + 1];
                for (int j = 0; j < HIDDEN; j++) {
                    float w0 = w[2 * j];
                    float w1 = w[2 * j + 1];
                    x[s * HIDDEN + j] = w0 * a0 + w1 * a1 + c[j];
                    sigma[s * HIDDEN + j] = (float) Math.sqrt(0.5 * (w0 * w0 * Math.abs(a0) + w1 * w1 * Math.abs(a1)));
                }
            }
        }

        void update(float[] inputs, int from, float[] gradX) {
            for (int s = 0; s < BATCH; s++) {
                float a0 = inputs[2 * (from + s)];
                float a1 = inputs[2 * (from + s) + 1];
                for (int j = 0; j < HIDDEN; j++) {
                    float g = LEARNING_RATE * gradX[s * HIDDEN + j];
                    w[2 * j] -= g * a0;
                    w[2 * j + 1] -= g * a1;
                    c[j] -= g;
                }
            }
        }
    }

    /** A linear output unit with squared-error loss; its weights are updated as the gradient is computed. */
    private static final class Output {
        final float[] v = new float[HIDDEN];
        float bias;

        Output(Random random) {
            for (int j = 0; j < HIDDEN; j++) {
                v[j] = (float) (random.nextGaussian() * 0.2);
            }
        }

        /** Mean squared error of the batch; writes d loss / d y and takes an SGD step on v and the bias. */
        double lossAndGradient(float[] y, float[] targets, int from, float[] gradY) {
            double loss = 0;
            float[] gradV = new float[HIDDEN];
            float gradBias = 0;
            for (int s = 0; s < BATCH; s++) {
                float out = bias;
                for (int j = 0; j < HIDDEN; j++) {
                    out += v[j] * y[s * HIDDEN + j];
                }
                float e = out - targets[from + s];
                loss += e * e;
                float g = 2 * e / BATCH;
                for (int j = 0; j < HIDDEN; j++) {
                    gradY[s * HIDDEN + j] = g * v[j];
                    gradV[j] += g * y[s * HIDDEN + j];
                }
                gradBias += g;
            }
            for (int j = 0; j < HIDDEN; j++) {
                v[j] -= LEARNING_RATE * gradV[j];
            }
            bias -= LEARNING_RATE * gradBias;
            return loss / BATCH;
        }
    }
}
