package dev.nsp.response;

import dev.nsp.neuron.LifParameters;

/**
 * What kind of noise a current of mean mu_I and standard deviation sigma_I (nA) is, which fixes the
 * membrane noise sigma_V of the Siegert formula (SPEC section 2). In every model mu_V = R_m mu_I, where
 * mu_I is the <em>total</em> mean current, i_offset included.
 */
public sealed interface NoiseModel permits NoiseModel.White, NoiseModel.GaussianStep, NoiseModel.Poisson {

    /** alpha = sqrt(2) |zeta(1/2)| of Fourcaud and Brunel (2002). */
    double ALPHA = 2.0652531522312172;

    /**
     * Maps a current to the membrane drive.
     *
     * @param p the neuron
     * @param muNa total mean current mu_I, nA (i_offset included), finite
     * @param sigma sigma_I in nA, {@code >= 0}; for {@link White} it is sigma_V in mV
     * @return the membrane drive
     */
    MembraneNoise membrane(LifParameters p, double muNa, double sigma);

    /** {@return the model's name: {@code white}, {@code gaussian-step} or {@code poisson}} */
    String name();

    /** White noise given at the membrane: the {@code sigma} argument is sigma_V itself, in mV. */
    record White() implements NoiseModel {
        @Override
        public MembraneNoise membrane(LifParameters p, double muNa, double sigma) {
            checkMoments(muNa, sigma);
            return new MembraneNoise(p.rmMohm() * muNa, sigma, 0);
        }

        @Override
        public String name() {
            return "white";
        }
    }

    /**
     * A Gaussian current of standard deviation sigma_I redrawn every {@code deltaMs} and held in between
     * (PyNN {@code NoisyCurrentSource}): sigma_V = R_m sigma_I sqrt(Delta / tau_m), the white-noise limit,
     * valid for Delta much shorter than tau_m.
     *
     * @param deltaMs the redraw interval Delta, ms, {@code > 0}
     */
    record GaussianStep(double deltaMs) implements NoiseModel {
        /** Validates Delta. */
        public GaussianStep {
            if (!(deltaMs > 0) || Double.isInfinite(deltaMs)) {
                throw new IllegalArgumentException("deltaMs: " + deltaMs + ", must be finite and > 0");
            }
        }

        @Override
        public MembraneNoise membrane(LifParameters p, double muNa, double sigma) {
            checkMoments(muNa, sigma);
            return new MembraneNoise(p.rmMohm() * muNa, p.rmMohm() * sigma * Math.sqrt(deltaMs / p.tauMMs()), 0);
        }

        @Override
        public String name() {
            return "gaussian-step";
        }
    }

    /**
     * Exponential synapses ({@code tauSynMs}) driven by Poisson spike trains, whose current has mean and
     * variance as paper eq. 4: sigma_V = R_m sigma_I sqrt(2 tau_s / tau_m). With
     * {@code coloredNoiseCorrection}, both Siegert bounds are shifted by (alpha/2) sqrt(tau_s / tau_m)
     * (Fourcaud and Brunel 2002), the first-order correction for synaptic filtering.
     *
     * @param tauSynMs the synaptic time constant tau_s, ms, {@code > 0}
     * @param coloredNoiseCorrection whether to apply the Fourcaud-Brunel bound shift
     */
    record Poisson(double tauSynMs, boolean coloredNoiseCorrection) implements NoiseModel {
        /** Validates tau_s. */
        public Poisson {
            if (!(tauSynMs > 0) || Double.isInfinite(tauSynMs)) {
                throw new IllegalArgumentException("tauSynMs: " + tauSynMs + ", must be finite and > 0");
            }
        }

        /**
         * {@return the model with tau_s = the neuron's synaptic time constant}
         *
         * @param p a neuron whose excitatory and inhibitory time constants are equal
         * @param coloredNoiseCorrection whether to apply the bound shift
         */
        public static Poisson of(LifParameters p, boolean coloredNoiseCorrection) {
            if (p.tauSynEMs() != p.tauSynIMs()) {
                throw new IllegalArgumentException("p: tauSynEMs = " + p.tauSynEMs() + " and tauSynIMs = "
                        + p.tauSynIMs() + " differ; the poisson noise model needs one tau_syn");
            }
            return new Poisson(p.tauSynEMs(), coloredNoiseCorrection);
        }

        /**
         * {@return the bound shift (alpha/2) sqrt(tau_s / tau_m) of the correction, dimensionless}
         *
         * @param p the neuron, for tau_m
         */
        public double shift(LifParameters p) {
            return 0.5 * ALPHA * Math.sqrt(tauSynMs / p.tauMMs());
        }

        @Override
        public MembraneNoise membrane(LifParameters p, double muNa, double sigma) {
            checkMoments(muNa, sigma);
            double sigmaV = p.rmMohm() * sigma * Math.sqrt(2 * tauSynMs / p.tauMMs());
            return new MembraneNoise(p.rmMohm() * muNa, sigmaV, coloredNoiseCorrection ? shift(p) : 0);
        }

        @Override
        public String name() {
            return "poisson";
        }
    }

    private static void checkMoments(double muNa, double sigma) {
        if (!Double.isFinite(muNa)) {
            throw new IllegalArgumentException("muNa: " + muNa + ", must be finite");
        }
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("sigma: " + sigma + ", must be finite and >= 0");
        }
    }
}
