// The core's rounding sources (docs/core.md, "Numbers").
import { describe, expect, it } from 'vitest';
import { Lfsr, RECKON_SEEDS, ReckonLfsr, reckonLfsr } from '../../src/runtime/lfsr.ts';

describe('rounding LFSRs', () => {
  it('phasecore\'s Galois LFSR gives each bit with frequency ½ and never sticks', () => {
    const l = new Lfsr(12345);
    let ones = 0; const n = 64_000;
    for (let i = 0; i < n / 32; i++) { const w = l.bits(32); for (let k = 0; k < 32; k++) ones += Math.floor(w / 2 ** k) % 2; }
    expect(Math.abs(ones / n - 0.5)).toBeLessThanOrEqual(4 * 0.5 / Math.sqrt(n));
    expect(new Lfsr(0).bits(32)).not.toBe(0); // a zero seed is replaced: the state never locks at 0
  });
  it('ReckOn\'s neuron LFSR: its prefix-XOR output and update rule, from the testbench\'s seed', () => {
    // Seed 0x73F3: out = prefix XOR of the state's bits, 0x5151; next state = (out with bit 0 replaced by d1 ⊕ … ⊕ d14).
    const l = new ReckonLfsr(RECKON_SEEDS[0]);
    expect(l.out()).toBe(0x5151);
    l.advance();
    expect(l.out()).toBe(0x4f30);
    l.advance();
    expect(l.out()).toBe(0x3aef);
  });
  it('ReckOn\'s unfolded LFSRs give the blocks their netlists give (test vectors from the RTL\'s src/lfsr/*.v with the testbench seeds)', () => {
    const blocks = (kind: Parameters<typeof reckonLfsr>[0], seed: number, n: number, lane: (l: ReturnType<typeof reckonLfsr>) => number) => {
      const l = reckonLfsr(kind, seed); const out: number[] = [];
      for (let i = 0; i < n; i++) { out.push(lane(l)); l.advance(); }
      return out;
    };
    expect(blocks('winp_wrec', 0x00f0f0, 3, (l) => l.bits(0, 32))).toEqual([0x3b6dab70, 0x1123184c, 0xfc146e0e]);
    const w0 = reckonLfsr('winp_wrec', 0x00f0f0);
    expect([0, 1, 2, 3, 15].map((n) => w0.bits(32 * n, 32))).toEqual([0x3b6dab70, 0xf5628a2f, 0x34733f4b, 0x5a9ec447, 0x1ded1679]);
    expect(blocks('winp_wrec', 0x00f1f1, 2, (l) => l.bits(0, 32))).toEqual([0xd4db7039, 0xdddfb799]);
    const o0 = reckonLfsr('wout', 0x00f2f2);
    expect([0, 1, 2, 3, 15].map((k) => o0.bits(28 * k, 28))).toEqual([0x068051ae, 0x007600c2, 0x003f4801, 0x080054e0, 0x09c96d29]);
    expect(reckonLfsr('winp_wrec', 1).bits(0, 32)).toBe(0xcb249249);
    expect(reckonLfsr('wout', 1).bits(0, 28)).toBe(0x0abfffff);
    expect(blocks('neur_stochround', 0x73f3, 6, (l) => l.out())).toEqual([0x5151, 0x4f30, 0x3aef, 0x69a5, 0x589c, 0x378b]);
    expect(blocks('oneur_stochround', 0x77f7, 6, (l) => l.out())).toEqual([0x69, 0x2a, 0x31, 0x33, 0x5e, 0x5d]);
    expect(blocks('oneur_stochround', 0x74f4, 6, (l) => l.out())).toEqual([0x08, 0x25, 0x0f, 0x46, 0x75, 0x7b]);
    // The neurons' rounding LFSR as the prefix-XOR form the core uses gives the same sequence.
    const p = new ReckonLfsr(0x7e7f); const u = reckonLfsr('neur_stochround', 0x7e7f);
    for (let i = 0; i < 200; i++) { expect(p.out()).toBe(u.out()); p.advance(); u.advance(); }
  });
});
