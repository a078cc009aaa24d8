// The core's rounding sources (docs/core.md, "Numbers").
import { describe, expect, it } from 'vitest';
import { Lfsr, RECKON_SEEDS, ReckonLfsr } from '../../src/runtime/lfsr.ts';

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
});
