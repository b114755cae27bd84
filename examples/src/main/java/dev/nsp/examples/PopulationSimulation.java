package dev.nsp.examples;

import dev.nsp.api.LifPopulation;
import dev.nsp.api.Responses;
import dev.nsp.neuron.LifParameters;

/**
 * LIF populations: 100 of the paper's neurons driven by constant currents from 0 to 0.99 nA, compared with the
 * analytic rate (paper eq. 2), and one neuron driven by the spikes of those 100 through synapses of 0.01 nA.
 *
 * <p>Run: {@code java --module-path ... -m dev.nsp.examples/dev.nsp.examples.PopulationSimulation}.
 */
public final class PopulationSimulation {
    private PopulationSimulation() {
    }

    /**
     * What the simulation measured.
     *
     * @param currentsNa the constant current of each input neuron, nA (on top of i_offset)
     * @param simulatedHz their simulated rates, Hz
     * @param analyticHz their analytic rates, Hz
     * @param inputSpikes the input neurons' spikes in the second run
     * @param outputHz the rate of the neuron they drive, Hz
     */
    public record Result(float[] currentsNa, double[] simulatedHz, double[] analyticHz, long inputSpikes,
                         double outputHz) {
    }

    /**
     * Runs both simulations and prints the comparison.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Result r = simulate(true);
        System.out.printf("the %d input spikes drive the output neuron at %.1f Hz%n", r.inputSpikes(), r.outputHz());
    }

    /**
     * Runs the simulations (1 s each, dt = 0.1 ms, on the automatic backend).
     *
     * @param print whether to print a table of rates
     * @return what was measured
     */
    public static Result simulate(boolean print) {
        // README:population-start
        LifParameters neuron = LifParameters.TABLE1;                  // the paper's Table 1, i_offset = 0.1 nA
        float[] currents = new float[100];
        double[] rates;
        double[] analytic = new double[100];
        try (LifPopulation pop = LifPopulation.create(100, neuron, 0.1)) {     // dt = 0.1 ms
            for (int i = 0; i < 100; i++) {
                currents[i] = i * 0.01f;                              // 0 to 0.99 nA, on top of i_offset
            }
            pop.setCurrents(currents);
            pop.run(10_000);                                          // 1 s
            rates = pop.ratesHz();
            for (int i = 0; i < 100; i++) {
                analytic[i] = Responses.constantCurrentRateHz(neuron, currents[i] + neuron.iOffsetNa());
            }
        }
        // README:population-end
        if (print) {
            for (int i = 0; i < 100; i += 11) {
                System.out.printf("%.2f nA: %6.1f Hz simulated, %6.1f Hz analytic%n", currents[i], rates[i],
                        analytic[i]);
            }
        }
        long inputSpikes = 0;
        double outputHz;
        // README:spikes-start
        try (LifPopulation input = LifPopulation.create(100, neuron, 0.1);
             LifPopulation output = LifPopulation.create(1, neuron.withIOffset(0), 0.1)) {
            input.setCurrents(currents);
            for (int step = 0; step < 10_000; step++) {
                input.step();
                for (int i : input.spikedNeurons()) {
                    output.addSpike(0, 0.01);                         // a 0.01 nA excitatory synapse
                    inputSpikes++;
                }
                output.step();                                        // the spikes arrive in this step
            }
            outputHz = output.ratesHz()[0];
        }
        // README:spikes-end
        return new Result(currents, rates, analytic, inputSpikes, outputHz);
    }
}
