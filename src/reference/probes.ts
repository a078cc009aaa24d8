// Probes of the float reference: the trained network run once more on a sequence (the first of
// the last training batch), every probed variable sampled at the probe's steps. The result is
// one array per probe, [time][neuron], with the times in seconds.
import { endIndices, type Instance } from '../ir/instantiate.ts';
import type { NetworkIR } from '../ir/network.ts';
import type { LossIR, ProbeIR } from '../ir/training.ts';
import { probeSteps } from '../ir/probes.ts';
import type { Sample } from '../tasks/generate.ts';
import { dynamics, simulate } from './simulate.ts';
import { lossAndError } from './loss.ts';

export interface ProbeRecord {
  readonly probe: ProbeIR;
  /** [time][neuron], C order. */
  readonly values: Float64Array;
  readonly shape: readonly [number, number];
  readonly times: Float64Array;
}

/** Variables the reference keeps per neuron and step (the learning unit's presynaptic `trace` is the core's). */
export const REFERENCE_PROBES: ReadonlySet<string> = new Set(['spikes', 'v', 'a', 'threshold', 'i', 'psi', 'y', 'error']);

export function recordProbes(net: NetworkIR, inst: Instance, loss: LossIR, sample: Sample, probes: readonly ProbeIR[]): ProbeRecord[] {
  const wanted = probes.filter((p) => REFERENCE_PROBES.has(p.variable));
  if (wanted.length === 0) return [];
  const tr = simulate(inst, dynamics(inst, net.dt), sample.x, true);
  const { nIn, nRec, nOut } = inst.layout;
  const err = wanted.some((p) => p.variable === 'error') ? lossAndError(loss, tr.y, tr.T, nOut, sample, net.dt).err : null;
  const full = tr.full!;
  return wanted.map((probe) => {
    const steps = probeSteps(probe, tr.T, net.dt);
    // The probed neurons, in target order: their space and index within it.
    const cols = probe.targets.flatMap((t) => {
      const e = endIndices(net, inst.layout, t);
      return Array.from(e.indices, (j) => ({ space: e.space, j }));
    });
    const read = (space: string, j: number, t: number): number => {
      const o = t * nRec + j;
      switch (probe.variable) {
        case 'spikes': return space === 'input' ? (sample.x[t * nIn + j] as number) : (tr.z[o] as number);
        case 'v': return space === 'out' ? (tr.y[t * nOut + j] as number) : (tr.v[o] as number);
        case 'a': return tr.a[o] as number;
        case 'threshold': return full.thr[o] as number;
        case 'i': return space === 'out' ? readoutInput(inst, sample.x, tr.z, t, j) : (full.input[o] as number);
        case 'psi': return tr.psi[o] as number;
        case 'y': return tr.y[t * nOut + j] as number;
        case 'error': return (err as Float64Array)[t * nOut + j] as number;
        default: throw new Error(`internal: no reference probe of ${probe.variable}`);
      }
    };
    const values = new Float64Array(steps.length * cols.length);
    steps.forEach((t, k) => cols.forEach((c, m) => { values[k * cols.length + m] = read(c.space, c.j, t); }));
    return { probe, values, shape: [steps.length, cols.length] as const, times: Float64Array.from(steps, (t) => t * net.dt) };
  });
}

/** A readout's synaptic input of step t: Σ_j W_out[j,k] z_j^t + Σ_i W_io[i,k] x_i^t. */
function readoutInput(inst: Instance, x: Float64Array, z: Uint8Array, t: number, k: number): number {
  const { nIn, nRec, nOut } = inst.layout;
  let s = 0;
  for (let j = 0; j < nRec; j++) if (z[t * nRec + j]) s += inst.recOut.w[j * nOut + k] as number;
  for (let i = 0; i < nIn; i++) { const xi = x[t * nIn + i] as number; if (xi !== 0) s += xi * (inst.inOut.w[i * nOut + k] as number); }
  return s;
}
