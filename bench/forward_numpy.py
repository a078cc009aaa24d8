# A plain NumPy forward pass of bench/core.ts's network, for the speed comparison: the same LIF
# dynamics as phasecore's float reference (v = alpha*v + I - z_prev*v_th, spike when v > v_th,
# readout y = kappa*y + z @ W_out), event-driven sums over the active inputs and last step's
# spikes, float64, one thread. Prints the median ms per sequence after a warm-up run.
# Usage: python3 bench/forward_numpy.py DIR RUNS V_TH  (DIR holds w_in.npy, w_rec.npy, w_out.npy, x.npy)
import sys, time
import numpy as np

d, runs, v_th = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
w_in = np.load(f"{d}/w_in.npy"); w_rec = np.load(f"{d}/w_rec.npy"); w_out = np.load(f"{d}/w_out.npy"); x = np.load(f"{d}/x.npy")
T, n_in = x.shape
n = w_rec.shape[0]
alpha = np.exp(-1 / 20.0); kappa = np.exp(-1 / 20.0)

def forward():
    v = np.zeros(n); z = np.zeros(n, dtype=bool); y = np.zeros(w_out.shape[1]); count = 0
    for t in range(T):
        active = np.flatnonzero(x[t])
        I = w_in[active].sum(axis=0) + w_rec[z].sum(axis=0)
        v = alpha * v + I - z * v_th
        z = v > v_th
        count += int(z.sum())
        y = kappa * y + w_out[z].sum(axis=0)
    return count

forward()
ts = []
for _ in range(runs):
    t0 = time.perf_counter(); spikes = forward(); ts.append((time.perf_counter() - t0) * 1000)
ts.sort()
print(f"ms_per_sequence={ts[len(ts) // 2]:.3f} spikes={spikes}")
