// GRAD_ACC's fast paths (LearningUnit.gradientsFast: rounding to nearest, products below 2^52,
// LIF columns; readoutsFast for readout columns), the first also in its WebAssembly SIMD kernel and in scalar JavaScript, is the general path's
// arithmetic, bit for bit: over generated formats, sizes (odd column counts leave the kernel a
// padding lane; no_self leaves cells out of the mask) and states — eligibilities, weight changes
// and Σe near their limits, traces, ψ, ηL of both signs — one GRAD_ACC on each leaves the same
// registers and the same saturation counts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileText } from './build.ts';
import { Core } from '../../src/runtime/core.ts';
import { rawMax, rawMin } from '../../src/runtime/fixed.ts';
import { kernelAvailable } from '../../src/runtime/wasm/kernel.ts';
import type { Program } from '../../src/runtime/program.ts';

const source = (f: { e: number; g: number; t: number; p: number; d: number; reg: boolean; nIn: number; nRec: number; two: boolean }) => `
core c {
  tile = 16 x 16; tiles = 4; adc = 12 bit; adc_range = 16
  device = ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS)
  trace = saturate(u12.${f.t}); psi = saturate(u16.${f.p}); eligibility = saturate(s24.${f.e}); gradient = saturate(s32.${f.g})
  eligibility_sum = saturate(s32.${f.e}); decay = multiply(q1.${f.d})
}
network n {
  input i[${f.nIn}]
  population p[${f.nRec}] : LIF { v_th = 0.3; surrogate = piecewise_linear(gamma = 0.3) }
  ${f.two ? `population q[3] : LIF { tau_m = 40 ms; v_th = 0.3; surrogate = piecewise_linear(gamma = 0.3) }
  group g = [p, q]` : ''}
  readout o[2] : LI
  i -> ${f.two ? 'g' : 'p'} : dense { w ~ uniform(-0.3, 0.3) }
  ${f.two ? 'g -> g' : 'p -> p'} : dense { no_self; w ~ uniform(-0.3, 0.3) }
  ${f.two ? 'g' : 'p'} -> o : dense { w ~ uniform(-0.3, 0.3) }
}
learn r : eprop { feedback = random; optimizer = sgd(lr = 1e-3); regularizer = ${f.reg ? 'rate(target = 10 Hz, strength = 5)' : 'none'} }
task t : pattern_generation { duration = 20 ms; channels = ${f.nIn}; outputs = 2 }
train { network = n; core = c; learn = r; task = t; iterations = 1; batch = 1; seed = 1 }
`;

/**
 * A GRAD_ACC of every pair on each core, in the program's order and then again rotated by one (so a
 * pair of other columns comes between two of the same columns); a (kernels) and c (scalar) leave
 * the registers, saturations and counts b (general) does.
 */
function gradAccAgree(program: Program, a: Core, b: Core, c: Core): void {
  const grads = program.code.flatMap((ins, address) => (ins.op === 'GRAD_ACC' ? [address] : []));
  for (const address of [...grads, ...grads.slice(1), ...grads.slice(0, 1)]) { a.gradients(address); b.gradients(address); c.gradients(address); }
  const lb = b.learning;
  for (const la of [a.learning, c.learning]) {
    la.registers.forEach((r, k) => {
      if (!r) return;
      const q = lb.registers[k]!;
      expect(Array.from(r.ebar)).toEqual(Array.from(q.ebar));
      expect(Array.from(r.delta)).toEqual(Array.from(q.delta));
      expect(Array.from(r.esum)).toEqual(Array.from(q.esum));
    });
    expect(Array.from(la.saturations)).toEqual(Array.from(lb.saturations));
    expect(la.counts).toEqual(lb.counts);
  }
}

describe('GRAD_ACC: the fast path equals the general path', () => {
  it('property: the same registers and saturation counts after one GRAD_ACC, over formats and states', () => {
    const formats = fc.record({ e: fc.integer({ min: 6, max: 20 }), g: fc.integer({ min: 10, max: 28 }), t: fc.integer({ min: 0, max: 10 }), p: fc.integer({ min: 4, max: 14 }), d: fc.integer({ min: 6, max: 15 }), reg: fc.boolean(), nIn: fc.integer({ min: 1, max: 9 }), nRec: fc.integer({ min: 2, max: 13 }), two: fc.boolean(), big: fc.boolean() });
    const taken = { general: 0, fast: 0, kernel: 0, readouts: 0 };
    fc.assert(fc.property(formats, fc.nat({ max: 1e6 }), (f, seed) => {
      const { program } = compileText(source(f));
      const a = new Core(program, { seed: 1 }); const b = new Core(program, { seed: 1 }); const c = new Core(program, { seed: 1 });
      b.learning.generalOnly = true;
      c.learning.scalarOnly = true;
      expect(a.learning.kernel !== null).toBe(kernelAvailable());
      let s = seed + 1;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      const R = program.core.registers;
      const pick = (lo: number, hi: number) => Math.floor(lo + rnd() * (hi - lo + 1));
      // Values anywhere in their registers, a fifth of them zero, some at the limits.
      const value = (fmt: { signed: boolean; bits: number; frac: number }) => { const u = rnd(); return u < 0.2 ? 0 : u < 0.3 ? rawMax(fmt) : u < 0.4 ? rawMin(fmt) : pick(rawMin(fmt), rawMax(fmt)); };
      for (const core of [a, b, c]) s = seed + 1, fill(core);
      function fill(core: Core) {
        const L = core.learning;
        for (const r of L.registers) if (r) { for (let i = 0; i < r.ebar.length; i++) { r.ebar[i] = value(R.eligibility); r.delta[i] = value(R.gradient); if (r.esum.length) r.esum[i] = value(R.eligibility_sum); } }
        for (const t of L.traces) if (t) { for (let i = 0; i < t.input.length; i++) t.input[i] = value(R.trace); for (let i = 0; i < t.rec.length; i++) t.rec[i] = value(R.trace); }
        // ηL up to 2^19, or (big) to the gradient register's limit: products past 2^52 take mulShift.
        for (let j = 0; j < L.psi.length; j++) { L.psi[j] = value(R.psi); L.etaL[j] = value(f.big ? R.gradient : { signed: true, bits: 20, frac: 0 }); }
        for (let k = 0; k < L.etaErr.length; k++) L.etaErr[k] = rnd() < 0.3 ? 0 : value({ signed: true, bits: 24, frac: 0 });
      }
      gradAccAgree(program, a, b, c);
      const lb = b.learning;
      // The general-only core took no other path; the others' paths are tallied.
      expect({ ...lb.paths, general: 0 }).toEqual({ general: 0, fast: 0, kernel: 0, unchecked: 0, readouts: 0, outer: 0, clamp: 0 });
      for (const k of ['general', 'fast', 'kernel', 'readouts'] as const) taken[k] += a.learning.paths[k] + c.learning.paths[k];
    }), { numRuns: 60 });
    // Every path was compared: the kernel (a), the scalar fast path (c, and a beyond 2^52), the
    // readouts' fast path, and the general path (pairs across the two populations).
    expect(taken.kernel).toBeGreaterThan(0); expect(taken.fast).toBeGreaterThan(0);
    expect(taken.readouts).toBeGreaterThan(0); expect(taken.general).toBeGreaterThan(0);
  });
  it('the kernel is built by npm install and loads here (else the scalar paths would run silently)', () => {
    expect(kernelAvailable()).toBe(true);
  });
});

// The narrow kernels (grad16 for LIF columns, outer32 for readout columns): registers in i16 (ē)
// and i32 (Δ) when the formats fit (ē of 6 to 16 bits, Δ of 12 to 32). no_self's diagonal is put
// back after an unmasked kernel; a sparse projection's many absent cells are masked in it. Their rounding is exact for ē ≥ 0, which the unit keeps for
// LIF synapses (ψ and the traces are never negative; a tile that sees a negative one is left to
// the scalar path), and a cell that is not trainable holds ē = 0: the states generated keep both.
const narrowSource = (f: { e: number; eb: number; t: number; p: number; gb: number; g: number; nIn: number; nRec: number; nOut: number; graded: boolean; sparse?: boolean }) => `
core c {
  tile = 24 x 24; tiles = 4; adc = 12 bit; adc_range = 16
  device = ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS)
  trace = saturate(u12.${f.t}); psi = saturate(u16.${f.p}); eligibility = saturate(s${f.eb}.${Math.min(f.e, f.eb - 1)}); gradient = saturate(s${f.gb}.${Math.min(f.g, f.gb - 1)})
}
network n {
  input i[${f.nIn}]${f.graded ? ' { encoding = graded }' : ''}
  population p[${f.nRec}] : LIF { v_th = 0.3; surrogate = piecewise_linear(gamma = 0.3) }
  readout o[${f.nOut}] : LI
  i -> p : dense { w ~ uniform(-0.3, 0.3) }
  p -> p : ${f.sparse ? 'sparse(0.5)' : 'dense'} { no_self; w ~ uniform(-0.3, 0.3) }
  p -> o : dense { w ~ uniform(-0.3, 0.3) }
}
learn r : eprop { feedback = random; optimizer = sgd(lr = 1e-3) }
task t : pattern_generation { duration = 30 ms; channels = ${f.nIn}; outputs = ${f.nOut} }
train { network = n; core = c; learn = r; task = t; iterations = 1; batch = 1; seed = 1 }
`;
const narrowFormats = fc.record({ e: fc.integer({ min: 1, max: 15 }), eb: fc.integer({ min: 6, max: 16 }), t: fc.integer({ min: 0, max: 10 }), p: fc.integer({ min: 4, max: 15 }), gb: fc.integer({ min: 12, max: 32 }), g: fc.integer({ min: 4, max: 28 }), nIn: fc.integer({ min: 1, max: 12 }), nRec: fc.integer({ min: 2, max: 20 }), nOut: fc.integer({ min: 1, max: 9 }), graded: fc.constant(false), within: fc.boolean(), calm: fc.boolean(), sparse: fc.boolean() });

describe('GRAD_ACC: the narrow kernels equal the general path', () => {
  it('property: the same registers and saturation counts after one GRAD_ACC, over formats and states', () => {
    const taken = { kernel: 0, unchecked: 0, outer: 0, fast: 0, clamp: 0 };
    fc.assert(fc.property(narrowFormats, fc.nat({ max: 1e6 }), (f, seed) => {
      const { program } = compileText(narrowSource(f));
      const a = new Core(program, { seed: 1 }); const b = new Core(program, { seed: 1 }); const c = new Core(program, { seed: 1 });
      b.learning.generalOnly = true;
      c.learning.scalarOnly = true;
      expect(a.learning.narrow).toBe(kernelAvailable());
      let s = seed + 1;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      const R = program.core.registers;
      const pick = (lo: number, hi: number) => Math.floor(lo + rnd() * (hi - lo + 1));
      // Values in their registers, a fifth of them zero, some at the limits; `lo` 0 for ē (calm: ē and Δ a quarter of the way to their limits at most).
      const value = (fmt: { signed: boolean; bits: number; frac: number }, lo = rawMin(fmt)) => { const u = rnd(); return u < 0.2 ? 0 : u < 0.3 ? rawMax(fmt) : u < 0.4 ? lo : pick(lo, rawMax(fmt)); };
      // Mostly within the kernel's i16 operands (ψ below 1, |ηL| and traces·2^(E−T) below 2^15), sometimes not (the scalar path).
      // (within: every one fits; else one in ten may not).
      const operand = (limit: number, fmt: { signed: boolean; bits: number; frac: number }) => (f.within || rnd() < 0.9 ? Math.min(limit, value(fmt, fmt.signed ? -limit : 0)) : value(fmt));
      for (const core of [a, b, c]) s = seed + 1, fill(core);
      function fill(core: Core) {
        const L = core.learning;
        // (A writer outside GRAD_ACC forgets the unit's bounds on ē and |Δ|: it measures them again.)
        for (const r of L.registers) if (r) { for (let i = 0; i < r.ebar.length; i++) { r.ebar[i] = r.mask[i] ? (f.calm ? pick(0, rawMax(R.eligibility) >> 2) : value(R.eligibility, 0)) : 0; r.delta[i] = f.calm ? pick(-(rawMax(R.gradient) >> 2), rawMax(R.gradient) >> 2) : value(R.gradient); } }
        L.forgetBounds();
        const zLimit = Math.min(rawMax(R.trace), Math.floor(32767 * 2 ** (R.trace.frac - R.eligibility.frac)));
        for (const t of L.traces) if (t) { for (let i = 0; i < t.input.length; i++) t.input[i] = operand(zLimit, R.trace); for (let i = 0; i < t.rec.length; i++) t.rec[i] = operand(zLimit, R.trace); }
        for (let j = 0; j < L.psi.length; j++) { L.psi[j] = operand(2 ** R.psi.frac - 1, R.psi); L.etaL[j] = operand(32767, R.gradient); }
        for (let k = 0; k < L.etaErr.length; k++) L.etaErr[k] = rnd() < 0.3 ? 0 : operand(32767, R.gradient);
      }
      gradAccAgree(program, a, b, c);
      taken.kernel += a.learning.paths.kernel; taken.outer += a.learning.paths.outer; taken.fast += a.learning.paths.fast; taken.clamp += a.learning.paths.clamp; taken.unchecked += a.learning.paths.unchecked;
    }), { numRuns: 80 });
    // Both kernels ran — grad16 checked and unchecked (its bounds proving a step safe) — and so did
    // their fallback (operands that do not fit) and the clamp after them.
    expect(taken.unchecked).toBeGreaterThan(0); expect(taken.kernel - taken.unchecked).toBeGreaterThan(0);
    expect(taken.kernel).toBeGreaterThan(0); expect(taken.outer).toBeGreaterThan(0); expect(taken.fast).toBeGreaterThan(0); expect(taken.clamp).toBeGreaterThan(0);
  });

  it('whole training sequences: the kernels (narrow and wide, and LEARN_SIGNAL\'s) leave the registers, weights and counters the scalar paths do — on a core without the kernels too (graded inputs of both signs too) — and the narrow path\'s bounds hold', () => {
    // Narrow formats (binary and graded inputs), and the default formats (the wide kernel).
    for (const [graded, narrow] of [[false, true], [true, true], [false, false]] as const) {
      const f = { e: 12, eb: 16, t: 8, p: 10, gb: 32, g: 24, nIn: 6, nRec: 19, nOut: 5, graded, within: true, calm: true };
      // Graded inputs of both signs need a signed trace register for their traces to go negative.
      const text = narrowSource(f).replace(graded ? 'trace = saturate(u12.' : /$^/, 'trace = saturate(s12.');
      const { program } = compileText(narrow ? text : text.replace(/eligibility = saturate\(s16\.12\); gradient = saturate\(s32\.24\)/, ''));
      expect(new Core(program, { seed: 3 }).learning.narrow).toBe(narrow && kernelAvailable());
      const a = new Core(program, { seed: 3 }); const c = new Core(program, { seed: 3 });
      c.learning.scalarOnly = true;
      // And a core built where the kernels do not load: the same registers, in the same types.
      process.env.PHASECORE_NO_WASM = '1';
      const d = (() => { try { return new Core(program, { seed: 3 }); } finally { delete process.env.PHASECORE_NO_WASM; } })();
      expect(d.learning.kernel).toBe(null);
      const T = 30;
      let s = 7;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      const x = Float64Array.from({ length: T * f.nIn }, () => (graded ? (rnd() < 0.3 ? rnd() * 2 - 1 : 0) : rnd() < 0.2 ? 1 : 0));
      const target = Float64Array.from({ length: T * f.nOut }, (_, i) => Math.sin(i / 7));
      // After every step, on every core, what the narrow path relies on holds — its bounds (or they
      // are not known), and a tile holding a negative ē is marked signed — whichever path ran, so a
      // checkpoint from any of them resumes safely on the others.
      let negative = false;
      const invariants = (core: Core) => () => {
        expect(core.learning.boundsHold()).toBe(true);
        for (const r of core.learning.registers) if (r && Array.from(r.ebar).some((e) => e < 0)) { negative = true; expect(r.signed).toBe(true); }
      };
      for (let k = 0; k < 3; k++) for (const core of [a, c, d]) core.runSequence(x, 0, invariants(core), { target });
      for (const other of [c, d]) {
        a.learning.registers.forEach((r, k) => {
          if (!r) return;
          const q = other.learning.registers[k]!;
          expect(r.delta.constructor).toBe(q.delta.constructor); expect(r.ebar.constructor).toBe(q.ebar.constructor);
          expect(Array.from(r.delta)).toEqual(Array.from(q.delta));
          expect(Array.from(r.ebar)).toEqual(Array.from(q.ebar));
        });
        a.tiles.forEach((t, k) => { if (t) expect(Array.from(t.w)).toEqual(Array.from(other.tiles[k]!.w)); });
        expect(Array.from(a.learning.saturations)).toEqual(Array.from(other.learning.saturations));
        expect(a.learning.counts).toEqual(other.learning.counts);
      }
      // The kernels ran; with inputs of both signs a tile of input synapses held a negative ē and was left to the scalar path.
      expect(a.learning.paths.kernel).toBeGreaterThan(0);
      if (graded) { expect(a.learning.paths.fast).toBeGreaterThan(0); expect(negative).toBe(true); }
    }
  });
});

describe('LEARN_SIGNAL: the kernel (signal32r) equals the scalar path', () => {
  it('property: the same L, ηL and saturations, over formats (right shifts of 1 to 4 bits, so ties are common), errors and sizes', () => {
    const cases = fc.record({ ef: fc.integer({ min: 4, max: 9 }), n: fc.integer({ min: 1, max: 4 }), nRec: fc.integer({ min: 2, max: 21 }), nOut: fc.integer({ min: 1, max: 9 }), lr: fc.constantFrom(1e-4, 1e-3, 3e-2) });
    fc.assert(fc.property(cases, fc.nat({ max: 1e6 }), (f, seed) => {
      const src = narrowSource({ e: 12, eb: 16, t: 8, p: 10, gb: 32, g: 24, nIn: 3, nRec: f.nRec, nOut: f.nOut, graded: false })
        .replace('gradient = saturate(s32.24)', `gradient = saturate(s32.24); error = saturate(s16.${f.ef}); learning_signal = saturate(s16.${6 + f.ef - f.n})`)
        .replace('optimizer = sgd(lr = 1e-3)', `optimizer = sgd(lr = ${f.lr})`);
      const { program } = compileText(src);
      const a = new Core(program, { seed: 1 }); const c = new Core(program, { seed: 1 });
      c.learning.scalarOnly = true;
      let s = seed + 1;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      const E = program.core.registers.error;
      // Errors anywhere in their register (the learning signal then saturates too), or small.
      const errs = Array.from({ length: f.nOut }, () => (rnd() < 0.5 ? Math.floor(rawMin(E) + rnd() * (rawMax(E) - rawMin(E) + 1)) : Math.floor((rnd() - 0.5) * 64)));
      for (const core of [a, c]) { core.learning.err.set(errs); core.learning.learningSignal(0, f.nRec, f.nOut, () => 0); }
      expect(Array.from(a.learning.signal)).toEqual(Array.from(c.learning.signal));
      expect(Array.from(a.learning.etaL)).toEqual(Array.from(c.learning.etaL));
      expect(Array.from(a.learning.saturations)).toEqual(Array.from(c.learning.saturations));
    }), { numRuns: 150 });
  });
});

describe('TRACE_UPDATE: the kernel (trace64) equals the scalar path', () => {
  it('property: the same traces and saturation counts, over trace formats, leaks, increments, ranges and events', () => {
    const cases = fc.record({ t: fc.integer({ min: 0, max: 10 }), signed: fc.boolean(), alpha: fc.integer({ min: 1, max: 32767 }), nRec: fc.integer({ min: 2, max: 21 }), lo: fc.nat({ max: 5 }), count: fc.integer({ min: 0, max: 21 }) });
    fc.assert(fc.property(cases, fc.nat({ max: 1e6 }), (f, seed) => {
      const src = narrowSource({ e: 12, eb: 16, t: f.t, p: 10, gb: 32, g: 24, nIn: 3, nRec: f.nRec, nOut: 2, graded: false })
        .replace(`trace = saturate(u12.${f.t})`, `trace = saturate(${f.signed ? 's' : 'u'}12.${f.t})`);
      const { program } = compileText(src);
      const a = new Core(program, { seed: 1 }); const c = new Core(program, { seed: 1 });
      c.learning.scalarOnly = true;
      const T = program.core.registers.trace;
      const lo = Math.min(f.lo, f.nRec - 1); const count = Math.min(f.count, f.nRec - lo);
      let s = seed + 1;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      // Traces anywhere in their register, often at its top (so an event saturates); events 0 or 1.
      const z = Array.from({ length: f.nRec }, () => (rnd() < 0.3 ? rawMax(T) : Math.floor(rawMin(T) + rnd() * (rawMax(T) - rawMin(T) + 1))));
      const pre = Uint8Array.from({ length: f.nRec }, () => (rnd() < 0.4 ? 1 : 0));
      const inc = Math.max(1, Math.floor(rnd() * 2 ** f.t));
      const mul = f.alpha * 2 ** -15;
      const pop = program.populations.findIndex((p) => p.model === 'LIF');
      for (const core of [a, c]) {
        core.learning.traces[pop]!.rec.set(z);
        core.learning.traceUpdate(pop, 'rec', lo, count, pre, () => { throw new Error('the leak is inlined'); }, mul, inc, true);
      }
      expect(Array.from(a.learning.traces[pop]!.rec)).toEqual(Array.from(c.learning.traces[pop]!.rec));
      expect(Array.from(a.learning.saturations)).toEqual(Array.from(c.learning.saturations));
    }), { numRuns: 150 });
  });
});

describe("NEURON_UPDATE's ψ: the kernel (psi64) equals the scalar path", () => {
  it('property: the same ψ and saturation counts, over ψ formats (down to every bit fractional), distances, refractory flags and ranges', () => {
    const cases = fc.record({ pb: fc.integer({ min: 6, max: 16 }), p: fc.integer({ min: 2, max: 14 }), nRec: fc.integer({ min: 2, max: 21 }), lo: fc.nat({ max: 5 }), count: fc.integer({ min: 0, max: 21 }), zero: fc.boolean() });
    fc.assert(fc.property(cases, fc.nat({ max: 1e6 }), (f, seed) => {
      // (u{pb}.{pb}: every bit fractional; the compiler holds ψ's peak within the register, so ψ itself does not saturate.)
      const src = narrowSource({ e: 12, eb: 16, t: 8, p: Math.min(f.p, f.pb), gb: 32, g: 24, nIn: 3, nRec: f.nRec, nOut: 2, graded: false })
        .replace(`psi = saturate(u16.${Math.min(f.p, f.pb)})`, `psi = saturate(u${f.pb}.${Math.min(f.p, f.pb)})`);
      const { program } = compileText(src);
      const a = new Core(program, { seed: 1 }); const c = new Core(program, { seed: 1 });
      c.learning.scalarOnly = true;
      expect(a.learning.psiBatch).toBe(kernelAvailable());
      const lo = Math.min(f.lo, f.nRec - 1); const count = Math.min(f.count, f.nRec - lo);
      let s = seed + 1;
      const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
      const M = program.core.registers.membrane;
      const d = Array.from({ length: f.nRec }, () => Math.floor((rnd() - 0.5) * (rnd() < 0.5 ? 2 ** M.frac : 2 ** (M.frac + 3))));
      const blocked = Array.from({ length: f.nRec }, () => rnd() < 0.2);
      for (let g = 0; g < f.nRec; g++) { a.learning.psiDist[g] = d[g]!; a.learning.psiBlocked[g] = blocked[g] ? 1 : 0; }
      a.learning.pseudoDerivatives(lo, count, f.zero);
      for (let g = lo; g < lo + count; g++) c.learning.pseudoDerivative(g, d[g]!, blocked[g]!, f.zero, () => 0);
      expect(Array.from(a.learning.psi)).toEqual(Array.from(c.learning.psi));
      expect(Array.from(a.learning.saturations)).toEqual(Array.from(c.learning.saturations));
    }), { numRuns: 150 });
  });
});

describe('the kernels\' memory', () => {
  it('holds every view the unit makes within the bytes it asked for (narrow, wide, with and without the learning signal\'s and ψ\'s kernels)', () => {
    const narrow = narrowSource({ e: 12, eb: 16, t: 8, p: 10, gb: 32, g: 24, nIn: 7, nRec: 23, nOut: 5, graded: false });
    for (const text of [narrow, narrow.replace(/eligibility = saturate\(s16\.12\); gradient = saturate\(s32\.24\)/, ''), narrow.replace('trace = saturate(u12.8)', 'trace = saturate(u12.8); weight = saturate(s16.14); error = saturate(s24.20)')]) {
      const kf = new Core(compileText(text).program, { seed: 1 }).learning.kernel;
      expect(kf).not.toBe(null);
      expect(kf!.used()).toBeGreaterThan(0);
      expect(kf!.used()).toBeLessThanOrEqual(kf!.requested);
    }
  });
});

