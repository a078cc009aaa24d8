// Waveforms for a hardware engineer's viewer (GTKWave): a Value Change Dump (IEEE 1364 §18) of the
// first sequence of a run. The hierarchy is the core, then one scope per population: probed spikes
// as 1-bit wires, probed registers as vectors of their format's width holding the raw two's-
// complement value. The core scope carries the step's cycles and two flags: `timing_error` (the
// step needed more cycles than dt × clock) and `saturation` (some register saturated or the ADC
// clipped in the step). One time unit is one step: the timescale is dt (as 1, 10 or 100 of a unit).
import type { Core } from './core.ts';
import type { Program, RegisterFormat } from './program.ts';
import { ISA } from './isa.ts';

const UNITS = [['s', 1], ['ms', 1e-3], ['us', 1e-6], ['ns', 1e-9], ['ps', 1e-12], ['fs', 1e-15]] as const;

/** The VCD timescale for dt: the largest 1/10/100 × unit that divides it, and dt in those units. */
export function timescale(dt: number): { text: string; perStep: number } {
  for (const [name, unit] of UNITS) {
    for (const m of [100, 10, 1]) {
      const ticks = dt / (m * unit);
      if (ticks >= 1 && Math.abs(ticks - Math.round(ticks)) < 1e-9 * ticks) return { text: `${m} ${name}`, perStep: Math.round(ticks) };
    }
  }
  return { text: '1 fs', perStep: Math.max(1, Math.round(dt / 1e-15)) };
}

/** The n-th identifier code (printable ASCII ! to ~). */
function ident(n: number): string {
  let s = '';
  do { s += String.fromCharCode(33 + (n % 94)); n = Math.floor(n / 94); } while (n > 0);
  return s;
}

const binary = (raw: number, bits: number): string => {
  const u = raw < 0 ? 2 ** bits + raw : raw;
  return u.toString(2).padStart(bits, '0').slice(-bits);
};

interface Signal { readonly id: string; readonly width: number; readonly value: (row: number) => string; readonly steps: Int32Array }

export function writeVcd(program: Program, core: Core, version: string): string {
  const R = program.core.registers;
  const format = (variable: number): RegisterFormat => (variable === 2 ? R.adaptation : variable === 3 ? R.threshold : variable === 4 ? R.accumulator : R.membrane) as RegisterFormat;
  const ts = timescale(program.symbols.dt);
  const lines: string[] = ['$version', `  phasecore ${version}`, '$end', '$comment', `  network ${program.symbols.network}: the first sequence of the run; one time unit = one step (dt = ${program.symbols.dt} s)`, '$end', `$timescale ${ts.text} $end`, '$scope module core $end'];
  let n = 0;
  const all = Int32Array.from({ length: core.steps }, (_, t) => t);
  const cycles: Signal = { id: ident(n++), width: 32, value: (t) => binary(core.log.cycles[t] as number, 32), steps: all };
  const timing: Signal = { id: ident(n++), width: 1, value: (t) => String(core.log.overrun[t]), steps: all };
  const saturation: Signal = { id: ident(n++), width: 1, value: (t) => String(core.log.saturated[t]), steps: all };
  lines.push(`$var wire 32 ${cycles.id} cycles $end`, `$var wire 1 ${timing.id} timing_error $end`, `$var wire 1 ${saturation.id} saturation $end`);
  const signals: Signal[] = [cycles, timing, saturation];
  const names = ISA.PROBE.fields.variable.values;
  program.populations.forEach((pop, pi) => {
    const probes = core.probes.filter((p) => p.population === pi);
    if (probes.length === 0) return;
    lines.push(`$scope module ${pop.name} $end`);
    for (const p of probes) {
      const name = names[p.variable] ?? 'x';
      const f = format(p.variable);
      const width = p.variable === 0 ? 1 : f.bits;
      for (let i = 0; i < p.count; i++) {
        const id = ident(n++);
        const at = (row: number) => p.data[row * p.count + i] as number;
        const value = p.variable === 0 ? (row: number) => (at(row) !== 0 ? '1' : '0') : (row: number) => binary(Math.round(at(row) * 2 ** f.frac), width);
        lines.push(`$var wire ${width} ${id} ${name}_${p.lo + i} $end`);
        signals.push({ id, width, value, steps: p.steps });
      }
    }
    lines.push('$upscope $end');
  });
  lines.push('$upscope $end', '$enddefinitions $end');
  // Changes, step by step: each signal at the steps its probe records, only where it changed.
  const last = new Map<string, string>();
  const cursor = new Int32Array(signals.length);
  for (let t = 0; t < core.steps; t++) {
    const changes: string[] = [];
    signals.forEach((s, k) => {
      const row = cursor[k] as number;
      if (row >= s.steps.length || s.steps[row] !== t) return;
      cursor[k] = row + 1;
      const v = s.value(row);
      if (last.get(s.id) === v) return;
      last.set(s.id, v);
      changes.push(s.width === 1 ? `${v}${s.id}` : `b${v.replace(/^0+(?=.)/, '')} ${s.id}`);
    });
    if (t === 0) {
      // Every variable has a value from the start: unknown until its probe first records.
      for (const sig of signals) if (!last.has(sig.id)) changes.push(sig.width === 1 ? `x${sig.id}` : `bx ${sig.id}`);
      lines.push('#0', '$dumpvars', ...changes, '$end');
    }
    else if (changes.length > 0) lines.push(`#${t * ts.perStep}`, ...changes);
  }
  lines.push(`#${core.steps * ts.perStep}`);
  return `${lines.join('\n')}\n`;
}
