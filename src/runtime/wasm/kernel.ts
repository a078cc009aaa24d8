// The learning unit's WebAssembly SIMD kernels (gradacc.wat, assembled into dist/gradacc.wasm by
// `npm install`): GRAD_ACC's `grad` on registers held in doubles, `grad16` and `outer32` on narrow
// integer registers (ē in i16, Δ in i32), LEARN_SIGNAL's `signal32`/`signal32r`, TRACE_UPDATE's
// `trace64` and NEURON_UPDATE's ψ, `psi64`. Loaded once per process, instantiated per learning unit
// with a memory that holds what they work on (registers, traces, ψ, L), so they work in place. Where the module
// is missing (a checkout that was never installed) or WebAssembly SIMD is not available, `load`
// returns null and the learning unit runs its scalar paths, which compute the same bits.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../data/package.ts';

type View = Float64Array | Int32Array | Int16Array;
type ViewOf<K extends 'f64' | 'i32' | 'i16'> = K extends 'f64' ? Float64Array : K extends 'i32' ? Int32Array : Int16Array;

export interface GradKernel {
  /** Views of `count` elements each in the kernel's memory (16-aligned, padded by 16 bytes; an empty one takes no room). */
  readonly view: <K extends 'f64' | 'i32' | 'i16'>(kind: K, count: number) => ViewOf<K>;
  /** The byte offset of a view made here. */
  readonly at: (view: View) => number;
  /** The bytes of views asked for at load, and those made so far (a unit must not make more than it asked for). */
  readonly requested: number; readonly used: () => number;
  /** Three i32 saturation counters (eligibility, gradient, eligibility_sum): byte offset and view. */
  readonly res: number; readonly counts: Int32Array;
  readonly grad: (ebar: number, delta: number, esum: number, mask: number, zb: number, psi: number, eta: number, valid: number, res: number,
    rows: number, pairs: number, stride: number, base: number, blend: number,
    zMul: number, kD: number, omk: number, sumMul: number,
    eLo: number, eHi: number, gLo: number, gHi: number, sLo: number, sHi: number) => void;
  /** The narrow kernel: adds ē's saturations to counts[0], writes Δ's largest and smallest read value to counts[1], counts[2]. */
  readonly grad16: (ebar: number, delta: number, mask: number, zE: number, psi: number, eta: number, bias: number, res: number,
    rows: number, groups: number, stride: number, base: number, kappa: number, eHi: number, eShift: number, fix: number, nFix: number) => void;
  /** grad16 for a step proved unable to saturate ē or bring Δ to its bounds: no checks (counts untouched). */
  readonly grad16Unchecked: GradKernel['grad16'];
  /** grad16Unchecked for each constant shift E (grad16_unchecked_E, E = 1..15; absent: the variable one). */
  readonly grad16UncheckedBy: ReadonlyArray<GradKernel['grad16'] | undefined>;
  /** Readout columns in a narrow Δ: writes Δ's largest and smallest read value to counts[1], counts[2]. */
  readonly outer32: (delta: number, z: number, eta: number, bias: number, res: number, rows: number, groups: number, stride: number, base: number, shift: number) => void;
  /** LEARN_SIGNAL's Σ_k B_jk·err_k, four neurons per group, from B transposed (`stride` neurons per readout). */
  readonly signal32: (bt: number, err: number, out: number, nOut: number, groups: number, stride: number) => void;
  /** NEURON_UPDATE's ψ on `pairs` pairs of neurons from d and the refractory flags (doubles), h and m·2^−s; the lanes clamped at psiHi added to counts[0]. */
  readonly psi64: (d: number, blocked: number, h: number, mul: number, out: number, pairs: number, zero: number, hi: number, res: number) => void;
  /** TRACE_UPDATE on `pairs` pairs of traces with binary events: z = clamp(nearest(z·mul) + pre·inc, lo, hi); the clamped lanes added to counts[0]. */
  readonly trace64: (z: number, pre: number, pairs: number, mul: number, inc: number, lo: number, hi: number, res: number) => void;
  /** signal32 and the roundings of L (to nearest by 2^n, clamped to [lo, hi]) and ηL = nearest(L·mul), written as doubles; L's saturations added to counts[0]. */
  readonly signal32r: (bt: number, err: number, sig: number, eta: number, res: number, nOut: number, groups: number, stride: number, n: number, lo: number, hi: number, mul: number) => void;
}

// The few WebAssembly JS API members used (the project's type libraries do not declare them).
interface WasmModule { readonly __module: true }
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

/** The compiled module, or null (no dist/gradacc.wasm, or no SIMD): compiled once per process. */
function module(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const file = join(packageRoot(), 'dist', 'gradacc.wasm');
    const source = join(packageRoot(), 'src', 'runtime', 'wasm', 'gradacc.wat');
    // A kernel older than its source is not this source's kernel (`npm install` rebuilds it).
    const stale = existsSync(source) && existsSync(file) && statSync(source).mtimeMs > statSync(file).mtimeMs;
    if (existsSync(file) && !stale) compiled = new WA.Module(readFileSync(file));
  } catch {
    compiled = null; // an engine without SIMD: the scalar paths run
  }
  return compiled;
}

/** PHASECORE_NO_WASM=1: the scalar paths only (read at every load, so a process may switch). */
const disabled = (): boolean => process.env.PHASECORE_NO_WASM === '1';

/** Whether the kernel is available in this process. */
export const kernelAvailable = (): boolean => !disabled() && module() !== null;

/** A kernel instance whose memory holds `bytes` of views (plus its counters), or null. */
export function loadKernel(bytes: number): GradKernel | null {
  const m = disabled() ? null : module();
  if (!m) return null;
  const total = bytes + 64;
  const inst = new WA.Instance(m, {});
  // The module declares its own memory (one page): grow it once to fit, before any view is made
  // (a memory the engine will not grow: the scalar paths run).
  const mem = inst.exports.memory as WasmMemory;
  const pages = Math.ceil(total / 65536) - mem.buffer.byteLength / 65536;
  try { if (pages > 0) mem.grow(pages); } catch { return null; }
  const buffer = mem.buffer;
  let next = 16; // the counters first
  const counts = new Int32Array(buffer, 0, 3);
  const make = { f64: Float64Array, i32: Int32Array, i16: Int16Array } as const;
  const view = <K extends 'f64' | 'i32' | 'i16'>(kind: K, count: number): ViewOf<K> => {
    const C = make[kind];
    const v = new C(buffer, next, count);
    if (count === 0) return v as ViewOf<K>; // takes no room
    // 16 bytes of padding (a kernel's last pair of doubles may read one beyond), 16-aligned.
    next += Math.ceil((count * C.BYTES_PER_ELEMENT + 16) / 16) * 16;
    if (next > buffer.byteLength) throw new Error('internal: the kernel memory is too small');
    return v as ViewOf<K>;
  };
  return {
    requested: bytes, used: () => next - 16,
    view,
    at: (v) => v.byteOffset,
    res: 0, counts,
    grad: inst.exports.grad as GradKernel['grad'],
    grad16: inst.exports.grad16 as GradKernel['grad16'],
    grad16Unchecked: inst.exports.grad16_unchecked as GradKernel['grad16'],
    grad16UncheckedBy: Array.from({ length: 16 }, (_, k) => inst.exports[`grad16_unchecked_${k}`] as GradKernel['grad16'] | undefined),
    outer32: inst.exports.outer32 as GradKernel['outer32'],
    signal32: inst.exports.signal32 as GradKernel['signal32'],
    signal32r: inst.exports.signal32r as GradKernel['signal32r'],
    trace64: inst.exports.trace64 as GradKernel['trace64'],
    psi64: inst.exports.psi64 as GradKernel['psi64'],
  };
}
