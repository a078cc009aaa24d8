// When a probe samples: the steps of a sequence of T steps at dt that a probe's every/start/stop
// select. One rule for every backend (the float reference now, the core's PROBE unit later).
import type { ProbeIR } from './training.ts';

/** The probe's interval in steps: round(every/dt), at least one (every step by default). */
export const probeEvery = (p: Pick<ProbeIR, 'every'>, dt: number): number => Math.max(1, Math.round((p.every ?? dt) / dt));

/** Step indices t (0-based; time t·dt) the probe records: from round(start/dt), every round(every/dt) ≥ 1 steps, through round(stop/dt) or the last step. */
export function probeSteps(p: Pick<ProbeIR, 'every' | 'start' | 'stop'>, T: number, dt: number): Int32Array {
  const every = probeEvery(p, dt);
  const first = Math.max(0, Math.round(p.start / dt));
  const last = Math.min(T - 1, p.stop === null ? T - 1 : Math.round(p.stop / dt));
  const n = last < first ? 0 : Math.floor((last - first) / every) + 1;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = first + k * every;
  return out;
}

/** A file-name-safe label of a probe's targets: `rec`, `rec_0_8`, `h1+h2`. */
export function probeLabel(p: Pick<ProbeIR, 'variable' | 'targets'>, sizeOf: (name: string) => number): string {
  return `${p.variable}_${p.targets.map((t) => t.name + (t.lo === 0 && t.hi === sizeOf(t.name) ? '' : `_${t.lo}_${t.hi}`)).join('+')}`;
}
