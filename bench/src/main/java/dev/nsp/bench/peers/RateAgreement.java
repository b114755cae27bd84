package dev.nsp.bench.peers;

/**
 * Do two independent simulators produce the same firing rates? Their random inputs differ, so the rates may
 * differ only by the Poisson spread; these tests say whether the measured differences are that small.
 */
public final class RateAgreement {
    /**
     * Largest |z| still called agreement. With ~36 points (or channels) of normally distributed z, the chance
     * that the largest |z| exceeds 4 by chance is 36 x 6.3e-5 = 0.2 %; a real model difference (a refractory
     * step off, a wrong propagator) moves the high-rate points by tens of standard errors.
     */
    public static final double MAX_ABS_Z = 4.0;

    private RateAgreement() {
    }

    /**
     * The comparison of per-point mean rates.
     *
     * @param maxAbsZ the largest |z| over the points
     * @param worstPoint the point where it occurs
     * @param meanZ2 the mean of z^2 (about 1 when the only difference is noise)
     * @param agree {@code maxAbsZ <= MAX_ABS_Z}
     */
    public record Points(double maxAbsZ, int worstPoint, double meanZ2, boolean agree) {
    }

    /**
     * Compares mean rates over trials, point by point: {@code z = (m1 - m2) / sqrt(s1^2/n1 + s2^2/n2)} with the
     * sample standard deviations s over the n trials. Where both standard deviations are 0 (e.g. no neuron of the
     * point fired in either simulator) z is 0 if the means are equal and infinite otherwise.
     *
     * @param mean1 mean rates of simulator 1, Hz
     * @param std1 their sample standard deviations over trials, Hz
     * @param n1 trials per point of simulator 1, {@code >= 2}
     * @param mean2 mean rates of simulator 2, Hz
     * @param std2 their standard deviations, Hz
     * @param n2 trials per point of simulator 2, {@code >= 2}
     * @return the statistics
     */
    public static Points points(double[] mean1, double[] std1, int n1, double[] mean2, double[] std2, int n2) {
        int p = mean1.length;
        if (p == 0 || std1.length != p || mean2.length != p || std2.length != p) {
            throw new IllegalArgumentException("mean1, std1, mean2, std2: lengths " + p + ", " + std1.length + ", "
                    + mean2.length + ", " + std2.length + "; must be equal and >= 1");
        }
        if (n1 < 2 || n2 < 2) {
            throw new IllegalArgumentException("n1, n2: " + n1 + ", " + n2 + "; need >= 2 trials for a spread");
        }
        double worst = 0;
        int at = 0;
        double sum2 = 0;
        for (int i = 0; i < p; i++) {
            double se2 = std1[i] * std1[i] / n1 + std2[i] * std2[i] / n2;
            double d = mean1[i] - mean2[i];
            double z = se2 > 0 ? d / Math.sqrt(se2) : (d == 0 ? 0 : Double.POSITIVE_INFINITY);
            if (Double.isNaN(z)) {
                z = Double.POSITIVE_INFINITY;
            }
            sum2 += z * z;
            if (Math.abs(z) > worst) {
                worst = Math.abs(z);
                at = i;
            }
        }
        return new Points(worst, at, sum2 / p, worst <= MAX_ABS_Z);
    }

    /**
     * The comparison of per-neuron spike counts from one run each.
     *
     * @param totalZ {@code (sum c1 - sum c2) / sqrt(sum c1 + sum c2)}: the overall bias in standard deviations
     *        of Poisson counts (LIF counts are at most that variable, so this is conservative)
     * @param maxGroupZ the largest |z| of the same statistic within a group (a feature map of one image)
     * @param worstGroup the group where it occurs
     * @param dispersion the mean of {@code (c1 - c2)^2 / (c1 + c2)} over neurons that fired in either run
     *        (about 1 for independent Poisson counts of equal means, less for regular firing; a neuron-level
     *        model difference makes it grow)
     * @param meanCount1 mean count of simulator 1
     * @param meanCount2 mean count of simulator 2
     * @param agree {@code |totalZ| <= MAX_ABS_Z} and {@code maxGroupZ <= MAX_ABS_Z}
     */
    public record Counts(double totalZ, double maxGroupZ, int worstGroup, double dispersion, double meanCount1,
                         double meanCount2, boolean agree) {
    }

    /**
     * @param count1 spike counts of simulator 1, one per neuron
     * @param count2 spike counts of simulator 2, same neurons
     * @param groups the number of equal, contiguous groups the neurons fall into (e.g. images x channels), {@code >= 1}
     * @return the statistics
     */
    public static Counts counts(double[] count1, double[] count2, int groups) {
        int n = count1.length;
        if (n == 0 || count2.length != n) {
            throw new IllegalArgumentException("count1, count2: lengths " + n + " and " + count2.length
                    + "; must be equal and >= 1");
        }
        if (groups < 1 || n % groups != 0) {
            throw new IllegalArgumentException("groups: " + groups + ", must be >= 1 and divide the " + n + " neurons");
        }
        int per = n / groups;
        double s1 = 0;
        double s2 = 0;
        double disp = 0;
        int active = 0;
        double worst = 0;
        int at = 0;
        for (int g = 0; g < groups; g++) {
            double g1 = 0;
            double g2 = 0;
            for (int i = g * per; i < (g + 1) * per; i++) {
                double a = count1[i];
                double b = count2[i];
                if (!(a >= 0) || !(b >= 0)) {
                    throw new IllegalArgumentException("counts of neuron " + i + ": " + a + ", " + b + "; must be >= 0");
                }
                g1 += a;
                g2 += b;
                if (a + b > 0) {
                    disp += (a - b) * (a - b) / (a + b);
                    active++;
                }
            }
            double z = z(g1, g2);
            if (Math.abs(z) > worst) {
                worst = Math.abs(z);
                at = g;
            }
            s1 += g1;
            s2 += g2;
        }
        double total = z(s1, s2);
        return new Counts(total, worst, at, active == 0 ? 0 : disp / active, s1 / n, s2 / n,
                Math.abs(total) <= MAX_ABS_Z && worst <= MAX_ABS_Z);
    }

    private static double z(double a, double b) {
        return a + b > 0 ? (a - b) / Math.sqrt(a + b) : 0;
    }

    /**
     * A deterministic comparison: the number of neurons whose counts are equal, and the largest difference.
     *
     * @param equal neurons with equal counts
     * @param neurons all neurons
     * @param maxDifference the largest |c1 - c2|
     */
    public record Exact(int equal, int neurons, double maxDifference) {
        /** @return whether every count is equal */
        public boolean agree() {
            return equal == neurons;
        }
    }

    /**
     * @param count1 counts of simulator 1
     * @param count2 counts of simulator 2, same neurons
     * @return how many are equal
     */
    public static Exact exact(double[] count1, double[] count2) {
        if (count1.length != count2.length) {
            throw new IllegalArgumentException("count1, count2: lengths " + count1.length + " and " + count2.length
                    + "; must be equal");
        }
        int eq = 0;
        double max = 0;
        for (int i = 0; i < count1.length; i++) {
            double d = Math.abs(count1[i] - count2[i]);
            if (d == 0) {
                eq++;
            }
            max = Math.max(max, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
        return new Exact(eq, count1.length, max);
    }
}
