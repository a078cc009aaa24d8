// The scoreboard: when each instruction of a program starts and ends, for the compiler's estimate
// and the core's own cycle count — one model, so the two cannot drift apart.
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
//
// A program is prepared once (resources as small integers, latencies as base + slope × active),
// so issuing allocates nothing: the core issues every instruction of every step through it.
import { cycles, ISA, operand, UNITS, type CoreTiming, type Instruction, type OpSpec, type ResourceSpec, type Unit } from './isa.ts';

/** The names of the resources an instruction reads and writes. */
export function resources(ins: Instruction): { reads: string[]; writes: string[] } {
  const spec: OpSpec = ISA[ins.op];
  const name = (r: ResourceSpec): string => (typeof r === 'string' ? r : 'tile' in r ? `tile${operand(ins, 'tile')}.${r.tile}` : `pop${operand(ins, 'pop')}.${r.population}`);
  const reads = spec.reads.map(name);
  if (ins.op === 'XBAR_READ') reads.push(ins.fields.src === 0 ? 'input' : ins.fields.src === 1 ? 'spikes' : 'next_spikes');
  const writes = spec.writes.map(name);
  // ReckOn's learning phase writes the devices of a range of tiles.
  if (ins.op === 'RECKON_EPROP') for (let k = 1; k < ins.fields.tiles; k++) writes.push(`tile${ins.fields.tile + k}.devices`);
  return { reads, writes };
}

export interface Slot { readonly start: number; readonly end: number; readonly stall: number }

/** An instruction ready to issue: its unit, barrier units, resources and latency (cycles = base + slope · active). */
interface Prepared { readonly unit: number; readonly barrier: Int32Array; readonly reads: Int32Array; readonly writes: Int32Array; readonly base: number; readonly slope: number; readonly ins: Instruction; readonly affine: boolean }

export class Scoreboard {
  private readonly unitFree = new Float64Array(UNITS.length);
  private readonly busyBy = new Float64Array(UNITS.length);
  private readonly stallBy = new Float64Array(UNITS.length);
  private readonly ids = new Map<string, number>();
  private written = new Float64Array(0);
  private used = new Float64Array(0);
  private prepared: Prepared[] = [];
  private issued = 0;
  /** When the last work ends. */
  end = 0;

  constructor(private readonly core: CoreTiming, code: readonly Instruction[] = []) {
    this.prepared = code.map((ins) => this.prepare(ins));
  }

  private id(name: string): number {
    let k = this.ids.get(name);
    if (k === undefined) {
      k = this.ids.size;
      this.ids.set(name, k);
      const grow = (a: Float64Array) => { const b = new Float64Array(Math.max(16, a.length * 2)); b.set(a); return b; };
      if (k >= this.written.length) { this.written = grow(this.written); this.used = grow(this.used); }
    }
    return k;
  }

  private prepare(ins: Instruction): Prepared {
    const spec: OpSpec = ISA[ins.op];
    const barrier = ins.op === 'SYNC' ? UNITS.filter((_, k) => (ins.fields.units >> k) & 1) : spec.waits;
    const { reads, writes } = resources(ins);
    const c0 = cycles(this.core, ins, 0);
    const c1 = cycles(this.core, ins, 1);
    // Every latency of the table is affine in `active`; `affine` guards a formula that is not.
    const affine = cycles(this.core, ins, 7) === c0 + 7 * (c1 - c0);
    return {
      unit: UNITS.indexOf(spec.unit), barrier: Int32Array.from(barrier.map((u) => UNITS.indexOf(u))),
      reads: Int32Array.from(reads.map((r) => this.id(r))), writes: Int32Array.from(writes.map((w) => this.id(w))),
      base: c0, slope: c1 - c0, ins, affine,
    };
  }

  /** Cycles busy per unit. */
  get busy(): Record<Unit, number> { return Object.fromEntries(UNITS.map((u, k) => [u, this.busyBy[k] as number])) as Record<Unit, number>; }
  /** Per unit: cycles an instruction waited for a barrier or a hazard once it could otherwise have started. */
  get stalls(): Record<Unit, number> { return Object.fromEntries(UNITS.map((u, k) => [u, this.stallBy[k] as number])) as Record<Unit, number>; }

  /** Issue `ins` with `active` rows, pulses or pairs of data-dependent work. */
  issue(ins: Instruction, active: number): Slot {
    this.prepared.push(this.prepare(ins));
    const end = this.issueAt(this.prepared.length - 1, active);
    this.prepared.pop();
    return { start: this.lastStart, end, stall: this.lastStall };
  }

  private lastStall = 0;
  /** When the last issued instruction started. */
  lastStart = 0;

  /** Issue instruction `address` of the prepared program; returns when it ends. Allocates nothing. */
  issueAt(address: number, active: number): number {
    const p = this.prepared[address]!;
    const ready = Math.max(this.issued, this.unitFree[p.unit] as number);
    let start = ready;
    for (let k = 0; k < p.barrier.length; k++) start = Math.max(start, this.unitFree[p.barrier[k] as number] as number);
    for (let k = 0; k < p.reads.length; k++) start = Math.max(start, this.written[p.reads[k] as number] as number);
    for (let k = 0; k < p.writes.length; k++) start = Math.max(start, this.used[p.writes[k] as number] as number);
    const end = start + (p.affine ? p.base + p.slope * active : cycles(this.core, p.ins, active));
    this.unitFree[p.unit] = end;
    this.busyBy[p.unit] = (this.busyBy[p.unit] as number) + (end - start);
    this.stallBy[p.unit] = (this.stallBy[p.unit] as number) + (start - ready);
    for (let k = 0; k < p.reads.length; k++) { const r = p.reads[k] as number; if (end > (this.used[r] as number)) this.used[r] = end; }
    for (let k = 0; k < p.writes.length; k++) { const w = p.writes[k] as number; this.written[w] = end; if (end > (this.used[w] as number)) this.used[w] = end; }
    this.issued = start;
    this.lastStart = start;
    this.lastStall = start - ready;
    if (end > this.end) this.end = end;
    return end;
  }
}
