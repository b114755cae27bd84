package dev.nsp.math;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * High-precision references for the tests, in {@link BigDecimal} with a working precision chosen per
 * argument so that the cancellations of each series are covered with 40 digits to spare. Independent of
 * the double-precision algorithms under test: only power series (and, for large arguments, asymptotic
 * series summed far past 1e-40) are used.
 */
public final class BigMath {
    private BigMath() {
    }

    /** pi by Machin's formula, 16 atan(1/5) - 4 atan(1/239). */
    public static BigDecimal pi(MathContext mc) {
        MathContext w = new MathContext(mc.getPrecision() + 10);
        BigDecimal a = atanInverse(5, w).multiply(BigDecimal.valueOf(16), w);
        BigDecimal b = atanInverse(239, w).multiply(BigDecimal.valueOf(4), w);
        return a.subtract(b, mc);
    }

    private static BigDecimal atanInverse(int n, MathContext mc) {
        BigDecimal x = BigDecimal.ONE.divide(BigDecimal.valueOf(n), mc);
        BigDecimal x2 = x.multiply(x, mc);
        BigDecimal power = x;
        BigDecimal sum = x;
        BigDecimal eps = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 5);
        for (int k = 1; ; k++) {
            power = power.multiply(x2, mc);
            BigDecimal term = power.divide(BigDecimal.valueOf(2L * k + 1), mc);
            sum = (k % 2 == 1) ? sum.subtract(term, mc) : sum.add(term, mc);
            if (term.compareTo(eps) < 0) {
                return sum;
            }
        }
    }

    /** e^x by halving the argument below 1/2, a Taylor series and repeated squaring. */
    public static BigDecimal exp(BigDecimal x, MathContext mc) {
        if (x.signum() < 0) {
            return BigDecimal.ONE.divide(exp(x.negate(), mc), mc);
        }
        int halvings = 0;
        BigDecimal r = x;
        while (r.compareTo(new BigDecimal("0.5")) > 0) {
            r = r.divide(BigDecimal.valueOf(2), new MathContext(mc.getPrecision() + 40));
            halvings++;
        }
        MathContext w = new MathContext(mc.getPrecision() + 10 + halvings);
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        BigDecimal eps = BigDecimal.ONE.movePointLeft(w.getPrecision() + 2);
        for (int n = 1; ; n++) {
            term = term.multiply(r, w).divide(BigDecimal.valueOf(n), w);
            sum = sum.add(term, w);
            if (term.compareTo(eps) < 0) {
                break;
            }
        }
        for (int i = 0; i < halvings; i++) {
            sum = sum.multiply(sum, w);
        }
        return sum.round(mc);
    }

    /** Working precision for series whose terms reach about e^(x^2) before cancelling: x^2/ln 10 + 40 digits. */
    public static MathContext precisionFor(double x) {
        return new MathContext((int) (x * x / Math.log(10)) + 40, RoundingMode.HALF_EVEN);
    }

    /** S(x) = sum 2^n x^(2n+1) / (2n+1)!!, so erf(x) = 2/sqrt(pi) e^(-x^2) S(x). */
    private static BigDecimal seriesS(BigDecimal x, MathContext mc) {
        BigDecimal twoX2 = x.multiply(x, mc).multiply(BigDecimal.valueOf(2), mc);
        BigDecimal term = x;
        BigDecimal sum = x;
        BigDecimal eps = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 5);
        for (int n = 1; ; n++) {
            term = term.multiply(twoX2, mc).divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum = sum.add(term, mc);
            if (n > 10 && term.abs().compareTo(eps.multiply(sum.abs())) <= 0) {
                return sum;
            }
        }
    }

    /** erfcx(x) = e^(x^2) erfc(x) for real x, |x| <= 27 by series, larger positive x by the asymptotic series. */
    public static double erfcx(double xd) {
        if (xd > 27) {
            return erfcxAsymptotic(xd);
        }
        MathContext mc = precisionFor(xd);
        BigDecimal x = new BigDecimal(xd);
        BigDecimal twoOverSqrtPi = BigDecimal.valueOf(2).divide(pi(mc).sqrt(mc), mc);
        BigDecimal e = exp(x.multiply(x, mc), mc);
        return e.subtract(twoOverSqrtPi.multiply(seriesS(x, mc), mc), mc).doubleValue();
    }

    /** erf(x) by the series, at a precision that also resolves erfc. */
    public static BigDecimal erf(double xd, MathContext mc) {
        BigDecimal x = new BigDecimal(xd);
        BigDecimal twoOverSqrtPi = BigDecimal.valueOf(2).divide(pi(mc).sqrt(mc), mc);
        BigDecimal e = exp(x.multiply(x, mc).negate(), mc);
        return twoOverSqrtPi.multiply(e, mc).multiply(seriesS(x, mc), mc);
    }

    /** (1/(x sqrt(pi))) sum (-1)^n (2n-1)!! / (2x^2)^n, summed until the terms fall below 1e-40 (x > 27). */
    private static double erfcxAsymptotic(double xd) {
        MathContext mc = new MathContext(60);
        BigDecimal x = new BigDecimal(xd);
        BigDecimal inv = BigDecimal.ONE.divide(x.multiply(x, mc).multiply(BigDecimal.valueOf(2), mc), mc);
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal eps = new BigDecimal("1e-45");
        for (int n = 1; term.abs().compareTo(eps) > 0; n++) {
            term = term.multiply(inv, mc).multiply(BigDecimal.valueOf(2L * n - 1), mc).negate();
            sum = sum.add(term, mc);
        }
        BigDecimal sqrtPi = pi(mc).sqrt(mc);
        return sum.divide(x.multiply(sqrtPi, mc), mc).doubleValue();
    }

    /** Dawson's function: e^(-x^2) sum x^(2n+1) / (n! (2n+1)) for |x| <= 30, else the asymptotic series. */
    public static double dawson(double xd) {
        double a = Math.abs(xd);
        if (a > 30) {
            MathContext mc = new MathContext(60);
            BigDecimal x = new BigDecimal(a);
            BigDecimal inv = BigDecimal.ONE.divide(x.multiply(x, mc).multiply(BigDecimal.valueOf(2), mc), mc);
            BigDecimal term = BigDecimal.ONE;
            BigDecimal sum = BigDecimal.ONE;
            BigDecimal eps = new BigDecimal("1e-45");
            for (int n = 1; term.compareTo(eps) > 0; n++) {
                term = term.multiply(inv, mc).multiply(BigDecimal.valueOf(2L * n - 1), mc);
                sum = sum.add(term, mc);
            }
            return Math.copySign(sum.divide(x.multiply(BigDecimal.valueOf(2), mc), mc).doubleValue(), xd);
        }
        MathContext mc = new MathContext(60);
        BigDecimal x = new BigDecimal(a);
        BigDecimal x2 = x.multiply(x, mc);
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal eps = new BigDecimal("1e-50");
        for (int n = 1; ; n++) {
            term = term.multiply(x2, mc).divide(BigDecimal.valueOf(n), mc);
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum = sum.add(t, mc);
            if (n > a * a && t.compareTo(eps.multiply(sum)) < 0) {
                break;
            }
        }
        return Math.copySign(exp(x2.negate(), mc).multiply(sum, mc).multiply(x, mc).doubleValue(), xd);
    }

    /**
     * F(y) = int_0^y e^(u^2) (1 + erf u) du
     * = sum y^(2n+1) / (n! (2n+1)) + (2/sqrt(pi)) sum 2^n y^(2n+2) / ((2n+1)!! (2n+2)),
     * both power series integrated term by term; for negative y they cancel, which the precision covers.
     */
    public static BigDecimal siegertPrimitive(double yd, MathContext mc) {
        BigDecimal y = new BigDecimal(yd);
        BigDecimal y2 = y.multiply(y, mc);
        BigDecimal eps = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 5);
        // first series: t_n = y^(2n+1)/n!, term = t_n/(2n+1)
        BigDecimal t = y;
        BigDecimal sum1 = y;
        for (int n = 1; ; n++) {
            t = t.multiply(y2, mc).divide(BigDecimal.valueOf(n), mc);
            BigDecimal term = t.divide(BigDecimal.valueOf(2L * n + 1), mc);
            sum1 = sum1.add(term, mc);
            if (n > yd * yd && term.abs().compareTo(eps) < 0) {
                break;
            }
        }
        // second series: s_n = 2^n y^(2n+2)/(2n+1)!!, term = s_n/(2n+2)
        BigDecimal s = y2;
        BigDecimal sum2 = y2.divide(BigDecimal.valueOf(2), mc);
        BigDecimal twoY2 = y2.multiply(BigDecimal.valueOf(2), mc);
        for (int n = 1; ; n++) {
            s = s.multiply(twoY2, mc).divide(BigDecimal.valueOf(2L * n + 1), mc);
            BigDecimal term = s.divide(BigDecimal.valueOf(2L * n + 2), mc);
            sum2 = sum2.add(term, mc);
            if (n > yd * yd && term.abs().compareTo(eps) < 0) {
                break;
            }
        }
        BigDecimal twoOverSqrtPi = BigDecimal.valueOf(2).divide(pi(mc).sqrt(mc), mc);
        return sum1.add(twoOverSqrtPi.multiply(sum2, mc), mc);
    }

    /** int_a^b e^(u^2) (1 + erf u) du, as F(b) - F(a) in high precision. */
    public static double siegertIntegral(double a, double b) {
        MathContext mc = precisionFor(Math.max(Math.abs(a), Math.abs(b)));
        return siegertPrimitive(b, mc).subtract(siegertPrimitive(a, mc), mc).doubleValue();
    }
}
