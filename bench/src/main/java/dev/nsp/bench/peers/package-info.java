/**
 * The peer comparison (bench/run-peers.sh, {@code ./nsp bench --peers}): nsp against PyTorch through DJL
 * (benchmarks in the module bench/peers, built only with the parent's {@code peers} profile) and against Brian2
 * (bench/peers/brian2_lif.py). {@link dev.nsp.bench.peers.LifPeerRun} is nsp's side of the Brian2 comparison and
 * writes the set-ups both simulators run; {@link dev.nsp.bench.peers.PeerReport} pairs every nsp figure with the
 * peer's from the same run and writes the "Peers" section of docs/benchmarks.md, a CSV and charts;
 * {@link dev.nsp.bench.peers.RateAgreement} decides whether two simulators' rates agree within the Poisson spread.
 */
package dev.nsp.bench.peers;
