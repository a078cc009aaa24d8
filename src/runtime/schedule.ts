// The scoreboard: when each instruction of a program starts and ends, for the compiler's estimate
// and, later, the core's own cycle count — one model, so the two cannot drift apart.
//
// Instructions issue in program order: none starts before the one before it. Each starts once
//   - its unit is free (a unit does one thing at a time),
//   - the units it waits for are idle (STEP and HALT wait for every unit; SYNC for its mask),
//   - its hazards are resolved: what it reads was last written by work that has ended (RAW), and
//     what it writes is no longer being read or written by earlier work (WAR, WAW).
// Resources are declared per opcode in the ISA table (reads, writes), resolved against the
// operands: `tile3.output`, `pop1.state`, the input or spike buffer a read's `src` names. So a
// program that omits the SYNC the compiler would insert still runs correctly: the tile's second
// read waits for the adds that read its output register.
import { cycles, ISA, operand, UNITS, type CoreTiming, type Instruction, type OpSpec, type ResourceSpec, type Unit } from './isa.ts';

/** The names of the resources an instruction reads and writes. */
export function resources(ins: Instruction): { reads: string[]; writes: string[] } {
  const spec: OpSpec = ISA[ins.op];
  const name = (r: ResourceSpec): string => (typeof r === 'string' ? r : 'tile' in r ? `tile${operand(ins, 'tile')}.${r.tile}` : `pop${operand(ins, 'pop')}.${r.population}`);
  const reads = spec.reads.map(name);
  if (ins.op === 'XBAR_READ') reads.push(ins.fields.src === 0 ? 'input' : ins.fields.src === 1 ? 'spikes' : 'next_spikes');
  return { reads, writes: spec.writes.map(name) };
}

export interface Slot { readonly start: number; readonly end: number; readonly stall: number }

export class Scoreboard {
  private readonly unitFree = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<Unit, number>;
  /** Per unit: cycles busy, and cycles an instruction waited for a barrier or a hazard once it could otherwise have started. */
  readonly busy = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<Unit, number>;
  readonly stalls = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<Unit, number>;
  /** When the last write of a resource ends (a read waits for it). */
  private readonly written = new Map<string, number>();
  /** When the last read or write of a resource ends (a write waits for it). */
  private readonly used = new Map<string, number>();
  private issued = 0;
  /** When the last work ends. */
  end = 0;

  constructor(private readonly core: CoreTiming) {}

  /** Issue `ins` with `active` rows, pulses or pairs of data-dependent work. */
  issue(ins: Instruction, active: number): Slot {
    const spec: OpSpec = ISA[ins.op];
    const barrier = ins.op === 'SYNC' ? UNITS.filter((_, k) => (ins.fields.units >> k) & 1) : spec.waits;
    const { reads, writes } = resources(ins);
    const ready = Math.max(this.issued, this.unitFree[spec.unit]);
    const start = Math.max(ready,
      ...barrier.map((u) => this.unitFree[u]),
      ...reads.map((r) => this.written.get(r) ?? 0),
      ...writes.map((w) => this.used.get(w) ?? 0));
    const end = start + cycles(this.core, ins, active);
    this.unitFree[spec.unit] = end;
    this.busy[spec.unit] += end - start;
    this.stalls[spec.unit] += start - ready;
    for (const r of reads) this.used.set(r, Math.max(this.used.get(r) ?? 0, end));
    for (const w of writes) { this.written.set(w, end); this.used.set(w, Math.max(this.used.get(w) ?? 0, end)); }
    this.issued = start;
    this.end = Math.max(this.end, end);
    return { start, end, stall: start - ready };
  }
}
