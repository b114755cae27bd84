package dev.nsp.snn;

import dev.nsp.data.Dataset;
import dev.nsp.kernel.CallerThreads;
import dev.nsp.kernel.Kernels;
import dev.nsp.neuron.LifParameters;

import java.util.List;

/**
 * Classifies images with a spiking network: Poisson inputs at {@code pixel / 255 * maxRateHz}, the
 * network simulated for {@code durationMs} per image from rest, batch after batch (SPEC section 5).
 */
public final class SnnEvaluation {
    /**
     * Images simulated together by default. Small enough that a batch's whole network state (about 40 bytes per
     * neuron, 5290 neurons per image for the paper network) stays in cache between the kernels of one step:
     * 50 images ran 2x faster than 500 here (one core, 500 images x 300 ms: 9.6 s at 500 vs 4.3 s at 50;
     * 20 and 100 were no better than 50).
     */
    public static final int DEFAULT_BATCH = 50;

    private SnnEvaluation() {
    }

    /**
     * Simulation settings.
     *
     * @param durationMs simulated time per image, ms (1000 by default)
     * @param dtMs time step, ms (1 or 0.1)
     * @param seed seed of the input spikes
     * @param images how many images of the set to classify, from the first
     * @param batch images simulated together
     * @param maxRateHz input rate of a white pixel, Hz (200)
     */
    public record Options(double durationMs, double dtMs, long seed, int images, int batch, double maxRateHz) {
        /** Validates the ranges. */
        public Options {
            if (!(durationMs >= 1)) {
                throw new IllegalArgumentException("durationMs: " + durationMs + ", must be >= 1");
            }
            if (images < 1) {
                throw new IllegalArgumentException("images: " + images + ", must be >= 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch: " + batch + ", must be >= 1");
            }
            if (!(maxRateHz > 0) || maxRateHz * dtMs / 1000 > 1) {
                throw new IllegalArgumentException("maxRateHz: " + maxRateHz + ", must be > 0 and at most one spike per step ("
                        + 1000 / dtMs + " Hz at dt " + dtMs + " ms)");
            }
        }
    }

    /** Receives progress: images finished so far. */
    public interface Listener {
        /**
         * Called as the evaluation advances.
         *
         * @param imagesDone finished images
         * @param total images in the run
         * @param stepsDone steps of the current batch
         * @param stepsTotal steps per batch
         */
        void progress(int imagesDone, int total, long stepsDone, long stepsTotal);
    }

    /**
     * The outcome.
     *
     * @param images images classified
     * @param correctAtMs correct classifications using the output spikes up to the end of each millisecond
     * @param layerSpikes spikes per layer (index 0: expected input spikes)
     * @param layerNeurons neurons per image per layer
     * @param synapticEvents synaptic events delivered
     * @param durationMs simulated time per image, ms
     * @param wallSeconds wall-clock time of the simulation
     * @param neuronUpdates neuron-steps simulated (all layers, all images)
     */
    public record Report(int images, int[] correctAtMs, long[] layerSpikes, int[] layerNeurons, long synapticEvents,
                         double durationMs, double wallSeconds, long neuronUpdates) {
        /**
         * {@return accuracy using the spikes up to the end of millisecond {@code ms} (0-based)}
         *
         * @param ms the time, ms
         */
        public double accuracyAt(int ms) {
            return correctAtMs[ms] / (double) images;
        }

        /** {@return accuracy at the end of the simulation} */
        public double accuracy() {
            return accuracyAt(correctAtMs.length - 1);
        }

        /**
         * {@return mean firing rate of a layer, Hz}
         *
         * @param layer the layer's index
         */
        public double meanRateHz(int layer) {
            return layerSpikes[layer] / ((double) layerNeurons[layer] * images * durationMs / 1000.0);
        }
    }

    /** What one batch gave: its images, correct classifications per ms and layer statistics. */
    private record BatchOutcome(int images, int[] correct, long[] layerSpikes, int[] layerNeurons, long synapticEvents) {
    }

    /** System property: networks simulated in parallel, one batch each (default: the available processors). */
    public static final String WORKERS_PROPERTY = "nsp.snn.workers";

    /**
     * {@return how many batches are simulated in parallel} Each worker runs its own network on its own thread
     * with its kernel calls capped to that thread ({@link CallerThreads}), so the cores work on whole batches
     * instead of splitting every small kernel call. Measured on 2 idle cores, paper network, 1000 images x
     * 1000 ms: one worker with 2 kernel threads 16.6 s, one worker with one thread 21.6 s, two workers with
     * one thread each 11.8 s.
     */
    static int workers() {
        String v = System.getProperty(WORKERS_PROPERTY);
        if (v == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int w = Integer.parseInt(v.trim());
            if (w < 1) {
                throw new NumberFormatException();
            }
            return w;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(WORKERS_PROPERTY + ": '" + v + "', must be a whole number >= 1");
        }
    }

    /**
     * Runs the classification.
     *
     * @param kernels the backend
     * @param layers the converted network
     * @param data images and labels
     * @param o the settings
     * @param listener progress, or null
     * @return the report
     */
    public static Report run(Kernels kernels, List<SpikingNetwork.Layer> layers, Dataset data, Options o, Listener listener) {
        java.util.Objects.requireNonNull(data, "data: a data set is required");
        java.util.Objects.requireNonNull(o, "o: options are required");
        if (data.count() == 0) {
            throw new IllegalArgumentException("data: " + data + " has no images");
        }
        int total = Math.min(o.images(), data.count());
        int perImage = data.rows() * data.cols();
        int ms = (int) Math.round(o.durationMs());
        long t0 = System.nanoTime();
        int batch = Math.min(o.batch(), total);
        int batches = (total + batch - 1) / batch;
        int workers = Math.max(1, Math.min(workers(), batches));
        // one network per worker, batches handed out in order; every image's input is keyed by its global
        // index and the state is reset per batch, so the outcome does not depend on which worker ran it
        BatchOutcome[] outcomes = new BatchOutcome[batches];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();
        Listener synced = listener == null ? null : new Listener() {
            @Override
            public synchronized void progress(int imagesDone, int all, long stepsDone, long stepsTotal) {
                listener.progress(imagesDone, all, stepsDone, stepsTotal);
            }
        };
        Runnable work = () -> {
            try (SpikingNetwork net = new SpikingNetwork(kernels, LifParameters.TABLE1, o.dtMs(),
                    new int[] {1, data.rows(), data.cols()}, layers, batch)) {
                byte[] px = data.pixels();
                for (int bi = next.getAndIncrement(); bi < batches; bi = next.getAndIncrement()) {
                    int first = bi * batch;
                    int n = Math.min(batch, total - first);
                    float[] rates = new float[n * perImage];
                    for (int i = 0; i < rates.length; i++) {
                        rates[i] = (float) ((px[first * perImage + i] & 0xff) / 255.0 * o.maxRateHz());
                    }
                    int doneBefore = finished.get() * batch;
                    SpikingNetwork.Result r = net.run(rates, n, o.durationMs(), o.seed(), first,
                            synced == null ? null : (st, tt) -> synced.progress(Math.min(doneBefore, total), total, st, tt));
                    int[] correct = new int[ms];
                    for (int m = 0; m < ms; m++) {
                        for (int b = 0; b < n; b++) {
                            if (r.prediction(b, m) == data.label(first + b)) {
                                correct[m]++;
                            }
                        }
                    }
                    outcomes[bi] = new BatchOutcome(n, correct, r.layerSpikes(), r.layerNeurons(), r.synapticEvents());
                    int done = finished.incrementAndGet();
                    if (synced != null) {
                        synced.progress(Math.min(done * batch, total), total, 0, 0);
                    }
                }
            }
        };
        if (workers == 1) {
            work.run();
        } else {
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            for (int w = 0; w < workers; w++) {
                Thread t = Thread.ofPlatform().name("nsp-snn-" + w).unstarted(() -> {
                    try {
                        // one batch per core: the kernels of a batch stay on its worker's thread
                        CallerThreads.call(1, () -> {
                            work.run();
                            return null;
                        });
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        next.set(batches); // the others stop after their current batch
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    next.set(batches);
                    throw new IllegalStateException("interrupted while simulating", e);
                }
            }
            Throwable f = failure.get();
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error er) {
                throw er;
            }
            if (f != null) {
                throw new IllegalStateException(f);
            }
        }
        int[] correct = new int[ms];
        long[] spikes = new long[outcomes[0].layerSpikes().length];
        int[] neurons = outcomes[0].layerNeurons();
        long events = 0;
        long updates = 0;
        long perImageNeurons = 0;
        for (int l = 1; l < neurons.length; l++) {
            perImageNeurons += neurons[l];
        }
        for (BatchOutcome b : outcomes) {
            for (int m = 0; m < ms; m++) {
                correct[m] += b.correct()[m];
            }
            for (int l = 0; l < spikes.length; l++) {
                spikes[l] += b.layerSpikes()[l];
            }
            events += b.synapticEvents();
            updates += perImageNeurons * b.images() * Math.round(o.durationMs() / o.dtMs());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        return new Report(total, correct, spikes, neurons, events, o.durationMs(), wall, updates);
    }
}
