#!/usr/bin/python3
"""The Brian2 side of nsp's LIF comparison (bench/run-peers.sh runs it; the nsp side is
dev.nsp.bench.peers.LifPeerRun, which writes the set-up this script reads).

    brian2_lif.py population|layer|constant DIR TAG [--repeats R] [--cache-dir DIR]

reads DIR/TAG-setup.properties (+ CSVs), simulates the same Table 1 neurons and inputs with Brian2 (cython
target, float64, exact integration of the linear equations, as NEST's iaf_psc_exp and nsp), and writes
DIR/TAG-brian2.csv (rates or spike counts, in nsp's neuron order) and DIR/TAG-brian2.properties (times).

Model choices that make it the same simulation as nsp's:
  * inputs arriving in a step are added to I_E / I_I at the end of the step ('end' slot / synapses after the
    state update), as in NEST and nsp;
  * Brian2 stamps a spike with the start of the step in which the threshold is crossed and counts the
    refractory period from there, NEST and nsp from the end of that step: refractory = tau_refrac + dt gives
    both round(tau_refrac / dt) clamped steps after the spike step (the 'constant' mode checks this exactly);
  * population: each neuron's two Poisson populations enter as one Poisson count per step each,
    poisson(n * rate * dt), the merged count nsp draws too (the fastest exact way to write it in Brian2:
    PoissonInput is per group and scalar-rate, and 1000 PoissonGroup sources per neuron would be far slower);
  * layer: PoissonGroup inputs (a spike when rand() < rate * dt, nsp's Bernoulli draw), two Synapses objects
    (positive weights into I_E, negative into I_I).
Timing: build_s is the construction plus the first run of min(1 s, duration) model time, which includes
generating and compiling (or loading from the cython cache) the code; then --repeats runs of the whole duration
from the stored initial state, each timed alone. Exits with status 3 when Brian2 cannot be imported.
"""
import argparse
import os
import sys
import time


def read_props(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if "=" not in s:
                raise ValueError(f"{path}:{n}: expected key=value, got {line!r}")
            k, v = s.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def read_csv(path):
    with open(path, encoding="utf-8") as f:
        header = [h.strip() for h in f.readline().split(",")]
        cols = {h: [] for h in header}
        for n, line in enumerate(f, 2):
            if not line.strip():
                continue
            parts = line.split(",")
            if len(parts) != len(header):
                raise ValueError(f"{path}:{n}: {len(parts)} values, header has {len(header)}")
            for h, p in zip(header, parts):
                cols[h].append(float(p))
    return cols


def atomic_write(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_csv(path, header, rows):
    lines = [",".join(header)]
    for r in rows:
        lines.append(",".join(repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in r))
    atomic_write(path, "\n".join(lines) + "\n")


def write_props(path, d):
    atomic_write(path, "".join(f"{k}={v}\n" for k, v in d.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["population", "layer", "constant"])
    ap.add_argument("dir")
    ap.add_argument("tag")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cache-dir", default=None, help="Brian2's cython cache (default: DIR/brian2-cache)")
    a = ap.parse_args()
    if a.repeats < 1:
        ap.error(f"--repeats: {a.repeats}, must be >= 1")
    try:
        import numpy as np
        import brian2 as b2
    except ImportError as e:
        print(f"brian2_lif.py: Brian2 is not available ({e}); install python3-brian", file=sys.stderr)
        sys.exit(3)
    from brian2 import ms, mV, nA, nF, Hz, second

    setup = read_props(os.path.join(a.dir, f"{a.tag}-setup.properties"))
    if setup["kind"] != a.mode:
        sys.exit(f"brian2_lif.py: {a.tag}-setup.properties is a '{setup['kind']}' set-up, not '{a.mode}'")
    cache = a.cache_dir or os.path.join(a.dir, "brian2-cache")
    os.makedirs(cache, exist_ok=True)
    b2.prefs.codegen.target = "cython"
    b2.prefs.codegen.runtime.cython.cache_dir = cache
    b2.prefs.core.default_float_dtype = np.float64
    b2.start_scope()
    f = lambda k: float(setup[k])
    dt = f("dt_ms") * ms
    duration = f("duration_ms") * ms
    b2.defaultclock.dt = dt
    b2.seed(int(setup["seed"]))
    ns = dict(c_mem=f("cm_nf") * nF, tau_m=f("tau_m_ms") * ms, tau_se=f("tau_syn_e_ms") * ms, tau_si=f("tau_syn_i_ms") * ms,
              v_rest=f("v_rest_mv") * mV, v_reset=f("v_reset_mv") * mV, v_thresh=f("v_thresh_mv") * mV,
              i_offset=f("i_offset_na") * nA)
    bias = " + i_bias" if a.mode == "constant" else ""
    eqs = f"""
    dv/dt = (v_rest - v) / tau_m + (Ie + Ii + i_offset{bias}) / c_mem : volt (unless refractory)
    dIe/dt = -Ie / tau_se : amp
    dIi/dt = -Ii / tau_si : amp
    nspikes : 1
    """ + ("i_bias : amp (constant)\n" if bias else "") + ("lam_e : 1 (constant)\nlam_i : 1 (constant)\n" if a.mode == "population" else "")

    if a.mode == "population":
        s = read_csv(os.path.join(a.dir, f"{a.tag}-setup.csv"))
        we, wi = set(s["w_exc_na"]), set(s["w_inh_na"])
        if len(we) != 1 or len(wi) != 1:
            sys.exit("brian2_lif.py: the population set-up must use one excitatory and one inhibitory weight")
        ns.update(w_e=we.pop() * nA, w_i=wi.pop() * nA)

    t_build = time.perf_counter()
    n = int(setup["neurons"])
    g = b2.NeuronGroup(n, eqs, threshold="v >= v_thresh", reset="v = v_reset\nnspikes += 1",
                       refractory=f("tau_refrac_ms") * ms + dt, method="exact", namespace=ns, name="lif")
    g.v = ns["v_rest"]
    objects = [g]
    if a.mode == "population":
        trials = int(setup["trials"])
        rep = lambda col: np.repeat(np.asarray(s[col]), trials)   # neuron = point * trials + trial, as nsp
        g.lam_e = rep("n_exc") * rep("rate_exc_hz") / 1000.0 * f("dt_ms")
        g.lam_i = rep("n_inh") * rep("rate_inh_hz") / 1000.0 * f("dt_ms")
        g.run_regularly("Ie += w_e * poisson(lam_e)\nIi -= w_i * poisson(lam_i)", when="end", name="poisson_drive")
    elif a.mode == "constant":
        s = read_csv(os.path.join(a.dir, f"{a.tag}-setup.csv"))
        g.i_bias = (np.asarray(s["mu_na"]) - f("i_offset_na")) * nA
    else:
        images = int(setup["images"])
        w = read_csv(os.path.join(a.dir, f"{a.tag}-weights.csv"))
        r = read_csv(os.path.join(a.dir, f"{a.tag}-rates.csv"))
        weights = np.zeros((6, 5, 5))
        for o, c, u, v, wn in zip(w["o"], w["c"], w["u"], w["v"], w["w_na"]):
            weights[int(o), int(u), int(v)] = wn
        p = b2.PoissonGroup(images * 784, rates=np.asarray(r["rate_hz"]) * Hz, name="pixels")
        b, o, y, x, u, v = np.meshgrid(np.arange(images), np.arange(6), np.arange(24), np.arange(24), np.arange(5),
                                       np.arange(5), indexing="ij")
        pre = (b * 784 + (y + u) * 28 + (x + v)).ravel()
        post = (b * 3456 + o * 576 + y * 24 + x).ravel()
        wv = weights[o, u, v].ravel()
        objects.append(p)
        for name, target, mask in (("exc", "Ie", wv > 0), ("inh", "Ii", wv < 0)):
            syn = b2.Synapses(p, g, "w : amp (constant)", on_pre=f"{target}_post += w", name=name, namespace={})
            syn.connect(i=pre[mask], j=post[mask])
            syn.w = wv[mask] * nA
            objects.append(syn)
    net = b2.Network(*objects)
    net.store("initial")
    net.run(min(1 * second, duration))
    build_s = time.perf_counter() - t_build

    run_s = []
    counts = None
    for _ in range(a.repeats):
        net.restore("initial")
        t = time.perf_counter()
        net.run(duration)
        run_s.append(time.perf_counter() - t)
        if counts is None:
            counts = np.array(g.nspikes[:], dtype=float)

    out = os.path.join(a.dir, f"{a.tag}-brian2")
    if a.mode == "population":
        trials = int(setup["trials"])
        rates = counts.reshape(-1, trials) / float(duration / second)
        std = rates.std(axis=1, ddof=1) if trials > 1 else np.zeros(len(rates))
        write_csv(out + ".csv", ["point", "mean_hz", "std_hz"], [(i, m, sd) for i, (m, sd) in enumerate(zip(rates.mean(axis=1), std))])
    else:
        write_csv(out + ".csv", ["neuron" if a.mode == "layer" else "point", "count"], list(enumerate(counts)))
    steps = int(round(float(duration / dt)))
    srt = sorted(run_s)
    write_props(out + ".properties", {
        "simulator": "brian2", "brian2": b2.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
        "target": b2.prefs.codegen.target, "threads": 1, "neuron_steps": steps * n, "build_s": f"{build_s:.4f}",
        "run_s_min": f"{srt[0]:.4f}", "run_s_median": f"{srt[len(srt) // 2]:.4f}",
        "run_s_all": " ".join(f"{s:.4f}" for s in run_s)})
    print(f"brian2 {a.mode} {a.tag}: {n} neurons x {steps} steps, build {build_s:.1f} s, run {srt[0]:.2f} s (min of {len(run_s)})")


if __name__ == "__main__":
    main()
