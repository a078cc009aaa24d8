# Brian2's runtime mode (numpy code generation, one thread) on bench/core.ts's network, for the
# speed comparison: LIF neurons v ← alpha·v each 1 ms step (exact exponential integration of
# dv/dt = −v/τ), input and recurrent spikes adding w to v (on_pre), threshold v > v_th with reset
# by subtraction, a leaky readout driven by the recurrent spikes. Brian2 delivers a spike in the
# step after it (like the reference's recurrent path) and applies the reset in the spiking step, so
# the trajectories are close to, not identical with, phasecore's: the comparison is of the work
# (same neurons, synapses, steps and activity), stated next to the figure.
# Prints the median ms per sequence (net.run of 1000 steps, the inputs repeating with period T) after
# a warm-up run that generates the code.
# Usage: python3 bench/forward_brian.py DIR RUNS V_TH
import sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import brian2 as b2

d, runs, v_th = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
w_in = np.load(f"{d}/w_in.npy"); w_rec = np.load(f"{d}/w_rec.npy"); w_out = np.load(f"{d}/w_out.npy"); x = np.load(f"{d}/x.npy")
T, n_in = x.shape
n = w_rec.shape[0]; n_out = w_out.shape[1]
b2.prefs.codegen.target = "numpy"
b2.BrianLogger.suppress_hierarchy("brian2")
b2.defaultclock.dt = 1 * b2.ms

def build():
    times, idx = np.nonzero(x)
    inp = b2.SpikeGeneratorGroup(n_in, idx, times * b2.ms, period=T * b2.ms)  # the same inputs every sequence
    rec = b2.NeuronGroup(n, "dv/dt = -v / (20*ms) : 1", threshold=f"v > {v_th}", reset=f"v -= {v_th}", method="exact")
    out = b2.NeuronGroup(n_out, "dy/dt = -y / (20*ms) : 1", method="exact")
    s_in = b2.Synapses(inp, rec, "w : 1", on_pre="v_post += w"); s_in.connect()
    s_in.w = w_in.reshape(-1)
    s_rec = b2.Synapses(rec, rec, "w : 1", on_pre="v_post += w"); s_rec.connect()
    s_rec.w = w_rec.reshape(-1)
    s_out = b2.Synapses(rec, out, "w : 1", on_pre="y_post += w"); s_out.connect()
    s_out.w = w_out.reshape(-1)
    mon = b2.SpikeMonitor(rec)
    return b2.Network(inp, rec, out, s_in, s_rec, s_out, mon), mon

# Steady state: one network, the first run (code generation) as the warm-up, then one run per sequence.
net, mon = build()
net.run(T * b2.ms)
first = mon.num_spikes
ts = []
for _ in range(runs):
    t0 = time.perf_counter(); net.run(T * b2.ms); ts.append((time.perf_counter() - t0) * 1000)
ts.sort()
print(f"ms_per_sequence={ts[len(ts) // 2]:.3f} spikes={first}")
