// The WebAssembly SIMD kernel of GRAD_ACC (gradacc.wat, assembled into dist/gradacc.wasm by
// `npm install`): loaded once per process, instantiated per learning unit with a memory that
// holds the unit's per-synapse registers, so the kernel works on them in place. Where the module
// is missing (a checkout that was never installed) or WebAssembly SIMD is not available, `load`
// returns null and the learning unit runs its scalar paths, which compute the same bits.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../data/package.ts';

export interface GradKernel {
  /** Float64 views of `count` elements each, in the kernel's memory (8-aligned, padded by two lanes). */
  readonly f64: (count: number) => Float64Array;
  /** The byte offset of a view made by f64. */
  readonly at: (view: Float64Array) => number;
  /** Three i32 saturation counters (eligibility, gradient, eligibility_sum): byte offset and view. */
  readonly res: number; readonly counts: Int32Array;
  readonly grad: (ebar: number, delta: number, esum: number, mask: number, zb: number, psi: number, eta: number, valid: number, res: number,
    rows: number, pairs: number, stride: number, base: number, blend: number,
    zMul: number, kD: number, omk: number, sumMul: number,
    eLo: number, eHi: number, gLo: number, gHi: number, sLo: number, sHi: number) => void;
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
  if (process.env.PHASECORE_NO_WASM === '1') return compiled;
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

/** Whether the kernel is available in this process. */
export const kernelAvailable = (): boolean => module() !== null;

/** A kernel instance whose memory holds `bytes` of views (plus its counters), or null. */
export function loadKernel(bytes: number): GradKernel | null {
  const m = module();
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
  return {
    f64: (count) => {
      const view = new Float64Array(buffer, next, count);
      next += (count + 2) * 8; // two lanes of padding: the kernel's last pair may read one beyond
      if (next > buffer.byteLength) throw new Error('internal: the kernel memory is too small');
      return view;
    },
    at: (view) => view.byteOffset,
    res: 0, counts,
    grad: inst.exports.grad as GradKernel['grad'],
  };
}
