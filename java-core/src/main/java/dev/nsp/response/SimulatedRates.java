package dev.nsp.response;

/**
 * Firing rates measured in simulations, per grid point: the mean and the sample standard deviation over
 * the trials of the rate of each trial (spike count / duration).
 *
 * @param meanHz mean rate per point, Hz
 * @param stdHz sample standard deviation (n - 1 in the denominator; 0 for one trial) per point, Hz
 * @param trials trials per point
 * @param durationMs simulated time per trial, ms
 */
public record SimulatedRates(double[] meanHz, double[] stdHz, int trials, double durationMs) {
    /** Copies the arrays. */
    public SimulatedRates {
        meanHz = meanHz.clone();
        stdHz = stdHz.clone();
    }

    /** {@return the number of grid points} */
    public int points() {
        return meanHz.length;
    }

    /**
     * {@return the standard error of the mean rate, {@code std / sqrt(trials)}, Hz}
     *
     * @param point the grid point
     */
    public double standardErrorHz(int point) {
        return stdHz[point] / Math.sqrt(trials);
    }

    /** {@return a copy of the mean rates, Hz} */
    @Override
    public double[] meanHz() {
        return meanHz.clone();
    }

    /** {@return a copy of the standard deviations, Hz} */
    @Override
    public double[] stdHz() {
        return stdHz.clone();
    }
}
