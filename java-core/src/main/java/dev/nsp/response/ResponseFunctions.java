package dev.nsp.response;

import dev.nsp.math.Quadrature;
import dev.nsp.math.SpecialFunctions;
import dev.nsp.neuron.LifParameters;

/**
 * Firing rates of the LIF neuron of SPEC section 1 (paper eqs. 2 and 3). Units at the API: nA, mV, ms,
 * rates in Hz. theta = v_thresh - v_rest and V_r = v_reset - v_rest.
 *
 * <p><b>Siegert formula</b> (Brunel's convention):
 * {@code rate = 1 / (tau_ref + tau_m sqrt(pi) I(y_r, y_th))} with
 * {@code I(a, b) = int_a^b e^(u^2) (1 + erf u) du}, {@code y_th = (theta - mu_V)/sigma_V + shift},
 * {@code y_r = (V_r - mu_V)/sigma_V + shift}. The integrand is {@code erfcx(-u)}, which overflows for large
 * u, so the integral is split by the signs of the bounds, as NEST's {@code siegert_neuron} does:
 * <ul>
 *   <li>{@code b <= 0}: {@code I = int_{-b}^{-a} erfcx(v) dv}, a bounded integrand (beyond v = 1 it is
 *       integrated in log v, beyond 1e8 in closed form from erfcx(v) ~ (1/sqrt(pi))(1/v - 1/(2v^3)));</li>
 *   <li>{@code a < 0 < b}: {@code I = int_0^{-a} erfcx(v) dv + 2 e^(b^2) D(b) - int_0^b erfcx(v) dv}, with
 *       D Dawson's function, because {@code erfcx(-u) = 2 e^(u^2) - erfcx(u)} and
 *       {@code int_0^b e^(u^2) du = e^(b^2) D(b)};</li>
 *   <li>{@code 0 <= a}: {@code I = e^(b^2) int_a^b e^((u-b)(u+b)) (1 + erf u) du}, a bounded integrand.</li>
 * </ul>
 * The quadratures ({@link Quadrature}, relative tolerance 1e-13) and the special functions (about 1e-14)
 * give the rate to better than 1e-11 relative. The rate is 0 when {@code theta - mu_V > 6 sigma_V}
 * (NEST's cut-off; the true rate there is below 1e-13 Hz for the Table 1 neuron). At sigma_V = 0 the
 * constant-current formula is used, and the Siegert rate tends to it continuously as sigma_V -> 0.
 */
public final class ResponseFunctions {
    private static final double QUAD_REL_TOL = 1e-13;
    /** Beyond this, erfcx(v) = (1/sqrt(pi))(1/v - 1/(2 v^3)) to 1e-32 relative; integrated in closed form. */
    private static final double ERFCX_TAIL = 1e8;

    private ResponseFunctions() {
    }

    /**
     * The rate for a constant current (paper eq. 2):
     * {@code 1 / (tau_ref + tau_m ln((R_m I - V_r) / (R_m I - theta)))} if {@code R_m I > theta}, else 0.
     *
     * @param p the neuron
     * @param iTotalNa the total current I, nA, i_offset included
     * @return the rate, Hz
     */
    public static double constantCurrentRateHz(LifParameters p, double iTotalNa) {
        if (!Double.isFinite(iTotalNa)) {
            throw new IllegalArgumentException("iTotalNa: " + iTotalNa + ", must be finite");
        }
        return constantRateHz(p, p.rmMohm() * iTotalNa);
    }

    /** Constant-current rate for a constant membrane drive mu_V (mV). */
    static double constantRateHz(LifParameters p, double muV) {
        double theta = p.vThreshMv() - p.vRestMv();
        double vr = p.vResetMv() - p.vRestMv();
        if (!(muV > theta)) {
            return 0;
        }
        // ln((mu - V_r) / (mu - theta)) = log1p((theta - V_r) / (mu - theta))
        double isi = p.tauRefracMs() + p.tauMMs() * Math.log1p((theta - vr) / (muV - theta));
        return 1000.0 / isi;
    }

    /**
     * The Siegert rate of a noisy current.
     *
     * @param p the neuron
     * @param noise the kind of noise, which maps (mu, sigma) to the membrane drive
     * @param muNa total mean current mu_I, nA (i_offset included)
     * @param sigma sigma_I, nA ({@code >= 0}); sigma_V in mV for {@link NoiseModel.White}
     * @return the rate, Hz
     */
    public static double siegertRateHz(LifParameters p, NoiseModel noise, double muNa, double sigma) {
        return siegertRateHz(p, noise.membrane(p, muNa, sigma));
    }

    /**
     * The Siegert rate for a membrane drive (see the class documentation).
     *
     * @param p the neuron
     * @param m mu_V, sigma_V (mV) and the bound shift
     * @return the rate, Hz
     */
    public static double siegertRateHz(LifParameters p, MembraneNoise m) {
        double theta = p.vThreshMv() - p.vRestMv();
        double vr = p.vResetMv() - p.vRestMv();
        double mu = m.muVMv();
        double sigma = m.sigmaVMv();
        if (sigma == 0) {
            return constantRateHz(p, mu);
        }
        if (theta - mu > 6 * sigma) {
            return 0;
        }
        double upper = (theta - mu) / sigma + m.boundShift();
        double lower = (vr - mu) / sigma + m.boundShift();
        if (!Double.isFinite(lower)) {
            // sigma_V is so small (subnormal) that the bounds overflow: the zero-noise limit
            return constantRateHz(p, mu);
        }
        double integral = siegertIntegral(lower, upper);
        return 1000.0 / (p.tauRefracMs() + p.tauMMs() * SpecialFunctions.SQRT_PI * integral);
    }

    /**
     * {@code I(a, b) = int_a^b e^(u^2) (1 + erf u) du}, evaluated stably (see the class documentation).
     *
     * @param a lower bound, finite
     * @param b upper bound, finite, {@code >= a}
     * @return the integral, {@code >= 0}; +Infinity where it overflows (b above about 26.5)
     */
    public static double siegertIntegral(double a, double b) {
        if (!Double.isFinite(a) || !Double.isFinite(b) || !(b >= a)) {
            throw new IllegalArgumentException("bounds: [" + a + ", " + b + "], must be finite with a <= b");
        }
        if (b <= 0) {
            return erfcxIntegral(-b, -a);
        }
        if (a < 0) {
            double dawsonPart = 2.0 * SpecialFunctions.dawson(b) * Math.exp(b * b);
            return erfcxIntegral(0, -a) + (dawsonPart - erfcxIntegral(0, b));
        }
        if (b > 26.7) {
            return Double.POSITIVE_INFINITY;
        }
        double scaled = Quadrature.integrate(u -> Math.exp((u - b) * (u + b)) * (1.0 + SpecialFunctions.erf(u)),
                a, b, QUAD_REL_TOL, 0);
        return Math.exp(b * b) * scaled;
    }

    /** {@code int_p^q erfcx(v) dv} for {@code 0 <= p <= q}. */
    static double erfcxIntegral(double p, double q) {
        double sum = 0;
        if (p < 1) {
            sum += Quadrature.integrate(SpecialFunctions::erfcx, p, Math.min(q, 1), QUAD_REL_TOL, 0);
        }
        double lo = Math.max(p, 1);
        double hi = Math.min(q, ERFCX_TAIL);
        if (hi > lo && hi < 2 * lo) {
            // a short range: directly (the log of a ratio near 1 would lose relative accuracy)
            sum += Quadrature.integrate(SpecialFunctions::erfcx, lo, hi, QUAD_REL_TOL, 0);
        } else if (hi > lo) {
            // v = e^s: int erfcx(e^s) e^s ds, a smooth integrand tending to 1/sqrt(pi)
            sum += Quadrature.integrate(s -> {
                double v = Math.exp(s);
                return SpecialFunctions.erfcx(v) * v;
            }, Math.log(lo), Math.log(hi), QUAD_REL_TOL, 0);
        }
        if (q > ERFCX_TAIL) {
            double t = Math.max(p, ERFCX_TAIL);
            sum += SpecialFunctions.INV_SQRT_PI * (Math.log1p((q - t) / t) + 0.25 * (1.0 / (q * q) - 1.0 / (t * t)));
        }
        return sum;
    }
}
