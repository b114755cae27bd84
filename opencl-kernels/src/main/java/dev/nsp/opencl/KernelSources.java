package dev.nsp.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The OpenCL C sources of nsp (resources under dev/nsp/opencl/) and the options they are built with. */
final class KernelSources {
    /** One file per kernel family; built together as one program (one translation unit). */
    static final List<String> FILES = List.of("activations.cl", "conv.cl", "pool_dense.cl", "loss.cl", "lif.cl",
            "spikes.cl", "philox.cl");

    /** Every kernel the program must define. */
    static final List<String> KERNELS = List.of(
            "ns_forward", "ns_backward", "softplus_forward", "softplus_backward", "relu_forward", "relu_backward",
            "variance_gradient",
            "conv_forward", "conv_backward_data", "conv_backward_weights_partial", "reduce_batch",
            "pool_forward", "pool_backward", "dense_forward", "dense_backward_data", "dense_backward_weights",
            "softmax_ce", "lif_run",
            "spike_conv_accumulate", "spike_pool_accumulate", "spike_dense_accumulate",
            "bernoulli_spikes", "poisson_counts", "philox_words");

    private KernelSources() {
    }

    /** @return the contents of {@link #FILES}, in order */
    static String[] load() {
        String[] out = new String[FILES.size()];
        for (int i = 0; i < out.length; i++) {
            String name = FILES.get(i);
            try (InputStream in = KernelSources.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("OpenCL source dev/nsp/opencl/" + name + " is missing from the jar");
                }
                out[i] = "#line 1 \"" + name + "\"\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading OpenCL source " + name, e);
            }
        }
        return out;
    }

    /**
     * Build options: IEEE semantics (never -cl-fast-relaxed-math), correctly rounded float division and sqrt where
     * the device supports it (the tests' error bounds assume 0.5 ulp division), and {@code extra}.
     */
    static String options(ClDevice device, String extra) {
        StringBuilder sb = new StringBuilder();
        if (device.correctlyRoundedDivideSqrt()) {
            sb.append("-cl-fp32-correctly-rounded-divide-sqrt");
        }
        if (extra != null && !extra.isBlank()) {
            sb.append(' ').append(extra.trim());
        }
        return sb.toString().trim();
    }
}
