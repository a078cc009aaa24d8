# A PyTorch (CPU, single-threaded, no autograd) implementation of the same e-prop update as
# bench/eprop_numpy.py (LIF, reset by subtraction at the next step, piecewise-linear
# pseudo-derivative, κ-filtered eligibility traces per synapse, MSE, random feedback), in the
# ONLINE per-step order of the chip's learning unit: one loop over t does the forward step, the
# learning signal, the traces, the eligibilities and the gradient accumulation, so nothing waits
# for the end of the sequence. eprop_numpy.py computes the same gradients in two passes.
#
# The input and recurrent synapses share one (n_in + N) × N layout: the presynaptic vector
# pre = [x_t ; z_{t-1}] drives both the membrane (one addmv against [W_in ; W_rec]) and the
# presynaptic trace z̄ = [z̄_in ; z̄_rec], so ē and g for both kinds of synapse are updated by one
# fused op each per step (addr_ and addcmul_ into preallocated buffers).
#
# Usage: python3 eprop_torch.py DIR REPEATS [float32|float64] [WARMUP]
#   reads DIR/{w_in,w_rec,w_out,b,x,y}.npy and DIR/params.json, runs WARMUP (default 1) warm-up
#   updates and then REPEATS timed ones, writes DIR/torch_g_{in,rec,out}.npy (float64) and prints one JSON line.
import json, statistics, sys, time
import numpy as np
import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

d, repeats = sys.argv[1], int(sys.argv[2])
dtype_name = sys.argv[3] if len(sys.argv) > 3 else "float64"
warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 1
if dtype_name not in ("float32", "float64"):
    sys.exit(f"dtype must be float32 or float64, not {dtype_name}")
dtype = getattr(torch, dtype_name)

def load(name):
    return torch.from_numpy(np.load(f"{d}/{name}.npy")).to(dtype)

W_in, W_rec, W_out, B, X, Y = (load(n) for n in ("w_in", "w_rec", "w_out", "b", "x", "y"))
p = json.load(open(f"{d}/params.json"))
alpha, kappa = float(np.exp(-p["dt"] / p["tau_m"])), float(np.exp(-p["dt"] / p["tau_out"]))
thr, gamma = float(p["v_th"]), float(p["gamma"])
T, n_in = X.shape
N, K = W_out.shape
M = n_in + N  # presynaptic sources of the recurrent population: inputs, then recurrent neurons

# Row-major (out × in) copies so each matrix-vector product is a contiguous gemv.
W_preT = torch.cat([W_in, W_rec], 0).t().contiguous()  # N × M
W_outT = W_out.t().contiguous()                         # K × N
B = B.contiguous()                                      # N × K: L_t = B err_t (= err_t Bᵀ)
xs, ys = list(X.unbind(0)), list(Y.unbind(0))           # per-step views, made once
one_minus_kappa = 1.0 - kappa
psi_scale = gamma / thr

def zeros(*shape):
    return torch.zeros(*shape, dtype=dtype)

def update():
    v, y = zeros(N), zeros(K)
    pre = zeros(M)                   # [x_t ; z] — z is z_{t-1} until step t's spikes are written
    pre_x, z = pre[:n_in], pre[n_in:]
    psi, err, L, zb_out = zeros(N), zeros(K), zeros(N), zeros(N)
    zb = zeros(M)                    # [z̄_in ; z̄_rec]
    eb = zeros(M, N)                 # [ē_in ; ē_rec]
    g = zeros(M, N)                  # [g_in ; g_rec]
    g_out = zeros(N, K)
    for t in range(T):
        pre_x.copy_(xs[t])
        # LIF: v = α v + x_t W_in + z_{t-1} W_rec − z_{t-1} v_th
        v.addmv_(W_preT, pre, beta=alpha)
        v.add_(z, alpha=-thr)
        # presynaptic traces: z̄_in = α z̄_in + x_t, z̄_rec = α z̄_rec + z_{t-1}
        zb.mul_(alpha).add_(pre)
        # ψ_t = γ/v_th · max(0, 1 − |v − v_th| / v_th)
        torch.sub(v, thr, out=psi).abs_().div_(thr).neg_().add_(1.0).clamp_(min=0.0).mul_(psi_scale)
        # z_t = H(v − v_th), written over z_{t-1} now that nothing else needs it
        torch.gt(v, thr, out=z)
        # readout, error and learning signal
        y.addmv_(W_outT, z, beta=kappa, alpha=one_minus_kappa)
        torch.sub(y, ys[t], out=err)
        torch.mv(B, err, out=L)
        # eligibility ē = κ ē + (1−κ) z̄ ψ_tᵀ and gradient g += ē · L_t (L_t broadcast over rows)
        eb.addr_(zb, psi, beta=kappa, alpha=one_minus_kappa)
        g.addcmul_(eb, L)
        # readout: its presynaptic trace and gradient
        zb_out.mul_(kappa).add_(z, alpha=one_minus_kappa)
        g_out.addr_(zb_out, err)
    return g[:n_in], g[n_in:], g_out

with torch.no_grad():
    for _ in range(warmup):
        g = update()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); g = update(); times.append(time.perf_counter() - t0)
for name, arr in zip(("torch_g_in", "torch_g_rec", "torch_g_out"), g):
    np.save(f"{d}/{name}.npy", arr.to(torch.float64).numpy())
ms = [1000 * s for s in times]
print(json.dumps({"ms_per_sequence": ms, "median_ms": statistics.median(ms) if ms else None, "dtype": dtype_name,
                  "threads": torch.get_num_threads(), "torch": torch.__version__}))
