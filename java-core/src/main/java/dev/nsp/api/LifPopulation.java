package dev.nsp.api;

import dev.nsp.kernel.Kernels;
import dev.nsp.kernel.LifInputs;
import dev.nsp.kernel.LifPropagators;
import dev.nsp.kernel.LifState;
import dev.nsp.neuron.LifParameters;
import dev.nsp.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * N identical leaky integrate-and-fire neurons with exponential current synapses (PyNN {@code IF_curr_exp}),
 * advanced in steps of dt by exact integration (as NEST's {@code iaf_psc_exp}) on a {@link Backend}.
 *
 * <p>Drive: a constant external current per neuron ({@link #setCurrent}, {@link #setCurrents},
 * {@link #fillCurrent}; nA, held until changed, on top of the neurons' {@code i_offset}) and synaptic input
 * ({@link #addSpike}, {@link #addSpikes}): a spike of weight w nA adds w to the excitatory current when
 * {@code w > 0} and to the inhibitory current when {@code w < 0}. Input given before a step arrives during
 * that step: it is added to the synaptic current at the end of the step and moves the membrane from the next
 * step on (NEST's order).
 *
 * <p>Output: which neurons spiked in the last step ({@link #spiked(int)}, {@link #spikedNeurons()}), the
 * spike counts and rates since the last {@link #clearCounts()} or {@link #reset()} ({@link #spikeCounts()},
 * {@link #ratesHz()}), and the membrane potentials ({@link #membranePotentialsMv()}).
 *
 * <pre>{@code
 * try (LifPopulation pop = LifPopulation.create(1000, LifParameters.TABLE1, 0.1)) {
 *     pop.fillCurrent(0.3);          // nA, on top of i_offset = 0.1 nA
 *     pop.run(10_000);               // 1 s
 *     double[] rates = pop.ratesHz();
 * }
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe; use a population from one thread at a time. It owns native memory
 * (about 36 bytes per neuron): {@link #close()} frees it.
 */
public final class LifPopulation implements AutoCloseable {
    /** Counts are kept as floats in the kernel (exact below 2^24) and moved to longs at least this often. */
    private static final long DRAIN_STEPS = 1L << 23;

    private final int size;
    private final LifParameters parameters;
    private final double dtMs;
    private final Backend backend;
    private final LifPropagators propagators;
    private final LifState state;
    private final Tensor current;
    private final Tensor excitatory;
    private final Tensor inhibitory;
    private final Tensor lastSpikes;
    private final Tensor counts;
    private final long[] drained;
    private boolean hasCurrent;
    private boolean hasInput;
    private long steps;
    private long countedSteps;
    private long undrainedSteps;
    private boolean closed;

    private LifPopulation(int size, LifParameters parameters, double dtMs, Backend backend) {
        this.size = size;
        this.parameters = parameters;
        this.dtMs = dtMs;
        this.backend = backend;
        this.propagators = LifPropagators.of(parameters, dtMs);
        this.drained = new long[size];
        LifState s = null;
        Tensor[] t = new Tensor[5];
        try {
            s = new LifState(size);
            t[0] = Tensor.zeros(size);
            t[1] = Tensor.zeros(1, size);
            t[2] = Tensor.zeros(1, size);
            t[3] = Tensor.zeros(1, size);
            t[4] = Tensor.zeros(size);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (s != null) {
                s.close();
            }
            for (Tensor x : t) {
                if (x != null) {
                    x.close();
                }
            }
            throw e;
        }
        this.state = s;
        this.current = t[0];
        this.excitatory = t[1];
        this.inhibitory = t[2];
        this.lastSpikes = t[3];
        this.counts = t[4];
    }

    /**
     * N neurons at rest on the {@linkplain Backend#automatic() automatic backend}.
     *
     * @param neurons N, {@code >= 1}
     * @param parameters the neuron ({@link LifParameters#TABLE1} is the paper's)
     * @param dtMs the time step, ms: {@code > 0}, at most the smallest time constant and at most tau_refrac
     *             (when that is {@code > 0}); 0.1 ms and 1 ms are typical
     * @return a new population that the caller must close
     * @throws NullPointerException if parameters is null
     * @throws IllegalArgumentException if neurons or dtMs is out of range
     * @throws IllegalStateException if the automatic backend cannot be chosen (see {@link Backend#automatic()})
     */
    public static LifPopulation create(int neurons, LifParameters parameters, double dtMs) {
        return create(neurons, parameters, dtMs, Backend.automatic());
    }

    /**
     * N neurons at rest on a chosen backend.
     *
     * @param neurons N, {@code >= 1}
     * @param parameters the neuron
     * @param dtMs the time step, ms (see {@link #create(int, LifParameters, double)})
     * @param backend where the LIF kernel runs; the population does not close it
     * @return a new population that the caller must close
     * @throws NullPointerException if parameters or backend is null
     * @throws IllegalArgumentException if neurons or dtMs is out of range
     */
    public static LifPopulation create(int neurons, LifParameters parameters, double dtMs, Backend backend) {
        if (neurons < 1) {
            throw new IllegalArgumentException("neurons: " + neurons + ", must be >= 1");
        }
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(backend, "backend");
        return new LifPopulation(neurons, parameters, dtMs, backend);
    }

    /** {@return the number of neurons N} */
    public int size() {
        return size;
    }

    /** {@return the neuron parameters} */
    public LifParameters parameters() {
        return parameters;
    }

    /** {@return the time step, ms} */
    public double dtMs() {
        return dtMs;
    }

    /** {@return the backend the LIF kernel runs on} */
    public Backend backend() {
        return backend;
    }

    /** {@return the steps taken since creation or the last {@link #reset()}} */
    public long stepCount() {
        return steps;
    }

    /** {@return the simulated time since creation or the last {@link #reset()}, ms} */
    public double timeMs() {
        return steps * dtMs;
    }

    // ------------------------------------------------------------------------------------------------ drive

    /**
     * Sets one neuron's external current, held until changed.
     *
     * @param neuron the index, in {@code [0, size())}
     * @param currentNa the current, nA, finite; added to the neuron's {@code i_offset}
     * @throws IndexOutOfBoundsException if neuron is out of range
     * @throws IllegalArgumentException if the current is not finite
     * @throws IllegalStateException if the population is closed
     */
    public void setCurrent(int neuron, double currentNa) {
        ensureOpen();
        current.set(index(neuron), (float) finite("currentNa", currentNa));
        hasCurrent = true;
    }

    /**
     * Sets every neuron's external current, held until changed.
     *
     * @param currentNa one current per neuron, nA, finite; added to {@code i_offset}
     * @throws NullPointerException if the array is null
     * @throws IllegalArgumentException if its length is not {@link #size()} or an element is not finite
     * @throws IllegalStateException if the population is closed
     */
    public void setCurrents(float[] currentNa) {
        ensureOpen();
        perNeuron("currentNa", currentNa);
        current.copyFrom(currentNa);
        hasCurrent = true;
    }

    /**
     * Sets the same external current for every neuron, held until changed.
     *
     * @param currentNa the current, nA, finite; added to {@code i_offset}
     * @throws IllegalArgumentException if the current is not finite
     * @throws IllegalStateException if the population is closed
     */
    public void fillCurrent(double currentNa) {
        ensureOpen();
        current.fill((float) finite("currentNa", currentNa));
        hasCurrent = true;
    }

    /**
     * Delivers a spike through a synapse of the given weight in the next step: {@code w > 0} is excitatory,
     * {@code w < 0} inhibitory; spikes to the same neuron add up.
     *
     * @param neuron the index, in {@code [0, size())}
     * @param weightNa the synaptic weight, nA, finite (0 does nothing)
     * @throws IndexOutOfBoundsException if neuron is out of range
     * @throws IllegalArgumentException if the weight is not finite
     * @throws IllegalStateException if the population is closed
     */
    public void addSpike(int neuron, double weightNa) {
        ensureOpen();
        int i = index(neuron);
        float w = (float) finite("weightNa", weightNa);
        if (w > 0) {
            excitatory.set(i, excitatory.get(i) + w);
            hasInput = true;
        } else if (w < 0) {
            inhibitory.set(i, inhibitory.get(i) + w);
            hasInput = true;
        }
    }

    /**
     * Delivers synaptic input to every neuron in the next step: element i is the summed weight (nA) of the
     * spikes neuron i receives, excitatory when positive, inhibitory when negative, nothing when 0.
     *
     * @param weightsNa one summed weight per neuron, nA, finite
     * @throws NullPointerException if the array is null
     * @throws IllegalArgumentException if its length is not {@link #size()} or an element is not finite
     * @throws IllegalStateException if the population is closed
     */
    public void addSpikes(float[] weightsNa) {
        ensureOpen();
        perNeuron("weightsNa", weightsNa);
        float[] e = excitatory.toArray();
        float[] h = inhibitory.toArray();
        for (int i = 0; i < size; i++) {
            float w = weightsNa[i];
            if (w > 0) {
                e[i] += w;
            } else if (w < 0) {
                h[i] += w;
            }
        }
        excitatory.copyFrom(e);
        inhibitory.copyFrom(h);
        hasInput = true;
    }

    // ------------------------------------------------------------------------------------------------ time

    /**
     * Advances every neuron by one step of {@link #dtMs()}; afterwards {@link #spikedNeurons()} tells which
     * neurons spiked in it.
     *
     * @throws IllegalStateException if the population (or its backend) is closed
     */
    public void step() {
        ensureOpen();
        Kernels kernels = backend.kernels();
        LifInputs in = new LifInputs(hasCurrent ? current : null, null, hasInput ? excitatory : null,
                hasInput ? inhibitory : null);
        kernels.lifRun(propagators, state, 1, in, lastSpikes, counts);
        if (hasInput) {
            excitatory.fill(0f);
            inhibitory.fill(0f);
            hasInput = false;
        }
        advanced(1);
    }

    /**
     * Advances by several steps with the current drive: input added before the call arrives in the first
     * step, the currents stay as set. Afterwards {@link #spikedNeurons()} tells which neurons spiked in the
     * last step. Runs long stretches inside the backend (one kernel call per up to 2^23 steps).
     *
     * @param steps the number of steps, {@code >= 1}
     * @throws IllegalArgumentException if steps is below 1
     * @throws IllegalStateException if the population (or its backend) is closed
     */
    public void run(long steps) {
        ensureOpen();
        if (steps < 1) {
            throw new IllegalArgumentException("steps: " + steps + ", must be >= 1");
        }
        long remaining = steps;
        if (hasInput) {
            step();
            remaining--;
        }
        Kernels kernels = backend.kernels();
        LifInputs in = hasCurrent ? LifInputs.bias(current) : LifInputs.NONE;
        while (remaining > 1) {
            int chunk = (int) Math.min(remaining - 1, DRAIN_STEPS - undrainedSteps);
            if (chunk > 0) {
                kernels.lifRun(propagators, state, chunk, in, null, counts);
                advanced(chunk);
                remaining -= chunk;
            }
        }
        if (remaining == 1) {
            step();
        }
    }

    // ------------------------------------------------------------------------------------------------ output

    /**
     * {@return whether that neuron spiked in the last step (false before the first step)}
     *
     * @param neuron the index, in {@code [0, size())}
     * @throws IndexOutOfBoundsException if neuron is out of range
     * @throws IllegalStateException if the population is closed
     */
    public boolean spiked(int neuron) {
        ensureOpen();
        return lastSpikes.get(index(neuron)) != 0f;
    }

    /**
     * {@return the indices of the neurons that spiked in the last step, ascending (empty before the first step)}
     *
     * @throws IllegalStateException if the population is closed
     */
    public int[] spikedNeurons() {
        ensureOpen();
        float[] s = lastSpikes.toArray();
        int count = 0;
        for (float v : s) {
            if (v != 0f) {
                count++;
            }
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (s[i] != 0f) {
                out[j++] = i;
            }
        }
        return out;
    }

    /**
     * {@return the number of spikes of each neuron since creation, the last {@link #reset()} or the last {@link #clearCounts()}}
     *
     * @throws IllegalStateException if the population is closed
     */
    public long[] spikeCounts() {
        ensureOpen();
        drain();
        return drained.clone();
    }

    /**
     * {@return each neuron's mean firing rate over the counted time (since creation, {@link #reset()} or {@link #clearCounts()}), Hz; all 0 before the first counted step}
     *
     * @throws IllegalStateException if the population is closed
     */
    public double[] ratesHz() {
        long[] c = spikeCounts();
        double[] r = new double[size];
        if (countedSteps > 0) {
            double seconds = countedSteps * dtMs / 1000.0;
            for (int i = 0; i < size; i++) {
                r[i] = c[i] / seconds;
            }
        }
        return r;
    }

    /**
     * {@return the counted time behind {@link #spikeCounts()} and {@link #ratesHz()}, ms}
     */
    public double countedTimeMs() {
        return countedSteps * dtMs;
    }

    /**
     * Starts counting spikes afresh (after a warm-up, say); the neurons' state is kept.
     *
     * @throws IllegalStateException if the population is closed
     */
    public void clearCounts() {
        ensureOpen();
        counts.fill(0f);
        Arrays.fill(drained, 0);
        countedSteps = 0;
        undrainedSteps = 0;
    }

    /**
     * {@return each neuron's membrane potential V, mV (absolute, not relative to v_rest)}
     *
     * @throws IllegalStateException if the population is closed
     */
    public double[] membranePotentialsMv() {
        ensureOpen();
        float[] y = state.v().toArray();
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = y[i] + parameters.vRestMv();
        }
        return v;
    }

    /**
     * Puts every neuron back at rest (V = v_rest, no synaptic current, not refractory), drops pending input,
     * clears the counts and the last step's spikes and sets the time to 0. The currents set stay.
     *
     * @throws IllegalStateException if the population is closed
     */
    public void reset() {
        ensureOpen();
        state.reset();
        excitatory.fill(0f);
        inhibitory.fill(0f);
        lastSpikes.fill(0f);
        hasInput = false;
        clearCounts();
        steps = 0;
    }

    /** Frees the population's native memory; closing twice is harmless. The backend stays open. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            state.close();
            current.close();
            excitatory.close();
            inhibitory.close();
            lastSpikes.close();
            counts.close();
        }
    }

    @Override
    public String toString() {
        return "LifPopulation[" + size + " neurons, dt=" + dtMs + " ms, t=" + timeMs() + " ms, " + backend.name()
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void advanced(long n) {
        steps += n;
        countedSteps += n;
        undrainedSteps += n;
        if (undrainedSteps >= DRAIN_STEPS) {
            drain();
        }
    }

    /** Moves the float counts of the kernel into the long totals (exact: at most one spike per step). */
    private void drain() {
        if (undrainedSteps == 0) {
            return;
        }
        float[] c = counts.toArray();
        for (int i = 0; i < size; i++) {
            drained[i] += (long) c[i];
        }
        counts.fill(0f);
        undrainedSteps = 0;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("LIF population of " + size + " neurons used after close");
        }
    }

    private int index(int neuron) {
        if (neuron < 0 || neuron >= size) {
            throw new IndexOutOfBoundsException("neuron: " + neuron + " not in [0, " + size + ")");
        }
        return neuron;
    }

    private void perNeuron(String name, float[] values) {
        Objects.requireNonNull(values, name);
        if (values.length != size) {
            throw new IllegalArgumentException(name + ": length " + values.length + ", must equal the population size "
                    + size);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: " + values[i] + ", must be finite");
            }
        }
    }

    private static double finite(String name, double v) {
        if (!Double.isFinite(v) || !Float.isFinite((float) v)) {
            throw new IllegalArgumentException(name + ": " + v + ", must be finite (as a float)");
        }
        return v;
    }
}
