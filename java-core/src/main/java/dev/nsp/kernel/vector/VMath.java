package dev.nsp.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The two transcendental functions the activations need, for the ranges they need, as FMA polynomials:
 * about 4x faster here than {@code lanewise(EXP)} and {@code lanewise(LOG1P)} (which call SVML stubs),
 * and built only from add, multiply, FMA and integer ops, so the interpreter and C2 produce the same
 * bits. Accuracy: a few ulp (see the conformance suite's tolerances).
 */
final class VMath {
    /** exp(-a) is below half the smallest denormal beyond this: callers clamp a to it. */
    static final float EXP_NEG_MAX = 104f;

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two (Cody and Waite): the high part has 9 bits, so k * LN2_HI is exact for k < 2^15. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** exp(r) = 1 + r + r^2 P(r) on [-ln2/2, ln2/2] (the Cephes expf minimax coefficients). */
    private static final float E5 = 1.9875691500e-4f;
    private static final float E4 = 1.3981999507e-3f;
    private static final float E3 = 8.3334519073e-3f;
    private static final float E2 = 4.1665795894e-2f;
    private static final float E1 = 1.6666665459e-1f;
    private static final float E0 = 5.0000001201e-1f;
    /**
     * log1p(t) = t Q(t) on [0, 1]: Q a degree-9 polynomial fitted for minimal relative error
     * (max 4.7e-9 in exact arithmetic, 1.6 ulp evaluated in float with FMA).
     */
    private static final float Q0 = 1.0f;
    private static final float Q1 = -0.4999990165233612f;
    private static final float Q2 = 0.3332996368408203f;
    private static final float Q3 = -0.24954132735729218f;
    private static final float Q4 = 0.19675931334495544f;
    private static final float Q5 = -0.15305569767951965f;
    private static final float Q6 = 0.10603617131710052f;
    private static final float Q7 = -0.056959159672260284f;
    private static final float Q8 = 0.019851263612508774f;
    private static final float Q9 = -0.0032439809292554855f;

    private VMath() {
    }

    /**
     * e^-a for a in [0, {@value #EXP_NEG_MAX}] (NaN gives NaN): a = k ln2 - r with |r| <= ln2/2, then
     * e^-a = 2^-k e^r, the power applied in two exact steps so that results down to the denormals round once.
     */
    static FloatVector expNeg(FloatVector a) {
        FloatVector kf = a.fma(LOG2E, 0.5f);
        IntVector k = (IntVector) kf.convert(VectorOperators.F2I, 0);           // floor: kf >= 0
        FloatVector kk = (FloatVector) k.convert(VectorOperators.I2F, 0);
        FloatVector r = kk.fma(a.broadcast(LN2_HI), a.neg()).add(kk.mul(LN2_LO));           // = k ln2 - a, exact first step
        FloatVector p = r.fma(E5, E4).fma(r, r.broadcast(E3)).fma(r, r.broadcast(E2)).fma(r, r.broadcast(E1))
                .fma(r, r.broadcast(E0));
        FloatVector e = p.mul(r.mul(r)).add(r).add(1f);
        IntVector k1 = k.min(126);
        IntVector k2 = k.sub(k1);                                                // 0 .. 24
        FloatVector s1 = k1.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return e.mul(s1).mul(s2);
    }

    /** log1p(t) for t in [0, 1]. */
    static FloatVector log1p01(FloatVector t) {
        FloatVector q = t.fma(Q9, Q8).fma(t, t.broadcast(Q7)).fma(t, t.broadcast(Q6)).fma(t, t.broadcast(Q5))
                .fma(t, t.broadcast(Q4)).fma(t, t.broadcast(Q3)).fma(t, t.broadcast(Q2)).fma(t, t.broadcast(Q1))
                .fma(t, t.broadcast(Q0));
        return q.mul(t);
    }
}
