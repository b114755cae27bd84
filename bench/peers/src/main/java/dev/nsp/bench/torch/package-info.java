/**
 * PyTorch (through DJL, offline) on nsp's benchmark workloads: Noisy Softplus composed from PyTorch ops, the paper's
 * convolutions (oneDNN) and one training step of the paper's network, with the same inputs, shapes and thread count
 * as nsp's JMH benchmarks. Each set-up checks PyTorch's results against nsp's reference backend and records the
 * outcome. Built only with {@code mvn -Ppeers}; run by bench/run-peers.sh.
 */
package dev.nsp.bench.torch;
