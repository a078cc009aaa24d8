# A plain NumPy implementation of the same e-prop update as phasecore's float reference (LIF,
# reset by subtraction at the next step, piecewise-linear pseudo-derivative, κ-filtered
# eligibility traces per synapse, MSE, random feedback), for bench/eprop.ts to time against.
# Usage: python3 eprop_numpy.py DIR REPEATS  (reads DIR/*.npy, writes DIR/numpy_*.npy, prints JSON)
import json, sys, time
import numpy as np

d, repeats = sys.argv[1], int(sys.argv[2])
W_in, W_rec, W_out, B = (np.load(f"{d}/{n}.npy") for n in ("w_in", "w_rec", "w_out", "b"))
X, Y = np.load(f"{d}/x.npy"), np.load(f"{d}/y.npy")
p = json.load(open(f"{d}/params.json"))
alpha, kappa, thr, gamma = np.exp(-p["dt"] / p["tau_m"]), np.exp(-p["dt"] / p["tau_out"]), p["v_th"], p["gamma"]
T, n_in = X.shape
N, K = W_out.shape

def update():
    v = np.zeros(N); z = np.zeros(N); y = np.zeros(K)
    Z = np.zeros((T, N)); PSI = np.zeros((T, N)); OUT = np.zeros((T, K))
    for t in range(T):
        v = alpha * v + X[t] @ W_in + z @ W_rec - z * thr
        psi = gamma / thr * np.maximum(0.0, 1.0 - np.abs(v - thr) / thr)
        z = (v - thr > 0).astype(float)
        y = kappa * y + (1 - kappa) * (z @ W_out)
        Z[t], PSI[t], OUT[t] = z, psi, y
    err = OUT - Y
    L = err @ B.T
    zb_in = np.zeros(n_in); zb_rec = np.zeros(N); zb_out = np.zeros(N)
    eb_in = np.zeros((n_in, N)); eb_rec = np.zeros((N, N))
    g_in = np.zeros((n_in, N)); g_rec = np.zeros((N, N)); g_out = np.zeros((N, K))
    for t in range(T):
        zb_in = alpha * zb_in + X[t]
        zb_rec = alpha * zb_rec + (Z[t - 1] if t > 0 else 0.0)
        eb_in = kappa * eb_in + (1 - kappa) * zb_in[:, None] * PSI[t][None, :]
        eb_rec = kappa * eb_rec + (1 - kappa) * zb_rec[:, None] * PSI[t][None, :]
        g_in += eb_in * L[t][None, :]
        g_rec += eb_rec * L[t][None, :]
        zb_out = kappa * zb_out + (1 - kappa) * Z[t]
        g_out += zb_out[:, None] * err[t][None, :]
    return g_in, g_rec, g_out

times = []
for _ in range(repeats):
    t0 = time.perf_counter(); g = update(); times.append(time.perf_counter() - t0)
for name, arr in zip(("numpy_g_in", "numpy_g_rec", "numpy_g_out"), g):
    np.save(f"{d}/{name}.npy", arr)
print(json.dumps({"ms_per_sequence": 1000 * sorted(times)[len(times) // 2], "numpy": np.__version__}))
