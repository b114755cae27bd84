package dev.nsp.train;

/**
 * The result of {@link Trainer#evaluate}: accuracy, mean loss and confusion matrix.
 *
 * @param correct images classified correctly
 * @param total images evaluated
 * @param meanLoss mean softmax cross-entropy (nats)
 * @param confusion {@code confusion[trueLabel][predicted]} counts, classes x classes
 */
public record Evaluation(int correct, int total, double meanLoss, int[][] confusion) {

    /** {@return the fraction classified correctly, in [0, 1]} */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** {@return a copy of the confusion matrix, {@code [trueLabel][predicted]}} */
    @Override
    public int[][] confusion() {
        int[][] c = new int[confusion.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = confusion[i].clone();
        }
        return c;
    }
}
