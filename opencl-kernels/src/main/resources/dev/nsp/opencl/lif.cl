/*
 * The batched LIF loop of nsp: N current-based LIF neurons with exponential synapses (PyNN IF_curr_exp),
 * exact integration (Rotter & Diesmann 1999, NEST iaf_psc_exp), all T steps inside ONE launch: one work item
 * per neuron keeps its state in registers and loops over the steps; the host only copies state in and out.
 *
 * One step of length h, y = V - v_rest (mV), currents in nA (SPEC section 1, dev.nsp.kernel.LifPropagators):
 *   not refractory:  y := decayM y + driveGain (i_offset + bias + I_ext(t)) + psE I_E + psI I_I
 *   refractory:      r := r - 1 (y held)
 *   I_E := decayE I_E + exc(t)          (input arriving during the step is added at its end, NEST's order)
 *   I_I := decayI I_I + inh(t)
 *   y, I_E, I_I are rounded to float (the state lives in float)
 *   y >= theta:      spike; y := yReset; r := refractorySteps
 *
 * The arithmetic and its order are exactly those of ReferenceKernels.lifRun: the update is evaluated in double
 * (products of floats are exact in double; sums left to right) and rounded to float once per step, so with
 * cl_khr_fp64 the result is bit-identical to the reference. A device without fp64 (or a build with
 * -DNSP_LIF_FLOAT) evaluates it in float: then y may differ by a few ulp per step and a spike whose y lands
 * within that distance of theta may move by a step.
 *
 * flags: bit 0 bias [N], bit 1 current [T,N], bit 2 excitatory [T,N], bit 3 inhibitory [T,N],
 *        bit 4 write spikes [T,N] (1 or 0 for every step), bit 5 add the spike count to counts [N].
 */
#pragma OPENCL FP_CONTRACT OFF

#if defined(cl_khr_fp64) && !defined(NSP_LIF_FLOAT)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double lif_real;
#else
typedef float lif_real;
#endif

#define LIF_BIAS 1
#define LIF_CURRENT 2
#define LIF_EXC 4
#define LIF_INH 8
#define LIF_SPIKES 16
#define LIF_COUNTS 32

__kernel void lif_run(__global float* v, __global float* iExc, __global float* iInh, __global float* refractory,
                      __global const float* bias, __global const float* current, __global const float* exc,
                      __global const float* inh, __global float* spikes, __global float* counts,
                      const float decayM, const float driveGain, const float psE, const float psI,
                      const float decayE, const float decayI, const float offsetNa, const float theta,
                      const float yReset, const int refractorySteps, const int n, const int steps,
                      const int flags) {
    int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    lif_real y = v[i];
    lif_real e = iExc[i];
    lif_real h = iInh[i];
    int r = (int) refractory[i];
    /* float + float, as the reference's c.offsetNa() + bias[i] */
    float constantF = offsetNa + ((flags & LIF_BIAS) ? bias[i] : 0.0f);
    lif_real constDrive = constantF;
    int fired = 0;
    /* branch-free body (selects instead of ifs) so that CPU implementations can vectorise across neurons;
       the arithmetic and its order are unchanged */
    for (int t = 0; t < steps; t++) {
        size_t ti = (size_t) t * (size_t) n + (size_t) i;
        int refractoryNow = r > 0;
        lif_real drive = constDrive + (lif_real) ((flags & LIF_CURRENT) ? current[ti] : 0.0f);
        lif_real yFree = (lif_real) decayM * y + (lif_real) driveGain * drive + (lif_real) psE * e
                + (lif_real) psI * h;
        y = refractoryNow ? y : yFree;
        r = refractoryNow ? r - 1 : r;
        e = (lif_real) decayE * e + (lif_real) ((flags & LIF_EXC) ? exc[ti] : 0.0f);
        h = (lif_real) decayI * h + (lif_real) ((flags & LIF_INH) ? inh[ti] : 0.0f);
        y = (lif_real) (float) y;
        e = (lif_real) (float) e;
        h = (lif_real) (float) h;
        int spike = y >= (lif_real) theta;
        y = spike ? (lif_real) yReset : y;
        r = spike ? refractorySteps : r;
        fired += spike;
        if (flags & LIF_SPIKES) {
            spikes[ti] = spike ? 1.0f : 0.0f;
        }
    }
    v[i] = (float) y;
    iExc[i] = (float) e;
    iInh[i] = (float) h;
    refractory[i] = (float) r;
    if (flags & LIF_COUNTS) {
        counts[i] = counts[i] + (float) fired;
    }
}
