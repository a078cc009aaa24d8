// Test helpers: check source text held in memory, and assert a diagnostic's code *and* the
// text under its span (Langium's expectError).
import { afterAll, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths, type FrontEndResult } from '../src/compiler/frontend.ts';
import type { Host } from '../src/compiler/workspace.ts';
import type { Diagnostic } from '../src/dsl/diagnostics.ts';

export const MEM = '/mem';

const temps: string[] = [];
/** A fresh temporary directory, removed when the test file finishes. */
export function tempDir(prefix = 'phasecore-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
afterAll(() => { for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true }); });

export function memHost(files: Record<string, string | Uint8Array>): Host {
  return {
    read(path) {
      const f = files[path];
      if (f === undefined) return { ok: false, reason: 'it does not exist' };
      return { ok: true, bytes: typeof f === 'string' ? new TextEncoder().encode(f) : f };
    },
  };
}

/** Check `src` as /mem/main.snn, with optional other files under /mem. */
export function checkText(src: string | Uint8Array, others: Record<string, string> = {}): FrontEndResult {
  const files: Record<string, string | Uint8Array> = { [`${MEM}/main.snn`]: src };
  for (const [k, v] of Object.entries(others)) files[`${MEM}/${k}`] = v;
  return checkPaths([`${MEM}/main.snn`], memHost(files));
}

/** The source text a diagnostic points at. */
export function culprit(r: FrontEndResult, d: Diagnostic): string {
  const src = r.sources.get(d.file);
  return src ? src.text.slice(d.span.start, d.span.end) : '';
}

/** Assert exactly one diagnostic with this code, whose span covers exactly `text`. */
export function expectDiagnostic(src: string, code: string, text: string, others: Record<string, string> = {}): Diagnostic {
  const r = checkText(src, others);
  const matching = r.diagnostics.filter((d) => d.code === code);
  expect(matching.map((d) => `${d.code} ${culprit(r, d)}: ${d.message}`), `diagnostics: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`).toHaveLength(1);
  const d = matching[0] as Diagnostic;
  expect(culprit(r, d)).toBe(text);
  return d;
}

export function expectClean(src: string, others: Record<string, string> = {}): FrontEndResult {
  const r = checkText(src, others);
  expect(r.diagnostics.map((d) => `${d.code} ${culprit(r, d)}: ${d.message}`)).toEqual([]);
  return r;
}

/** A minimal valid program to mutate in tests. */
export const BASE = `
network net {
  dt = 1 ms
  input in[4]
  population rec[8] : LIF { tau_m = 20 ms }
  readout out[2] : LI
  in -> rec : dense
  rec -> rec : dense { no_self }
  rec -> out : dense
}
learn l : eprop { loss = mse }
task t : evidence_accumulation { channels_per_group = 1 }
train { network = net; learn = l; task = t }
`;

/** Run the CLI in-process: exit code, stdout and stderr (the CLI is loaded on first use: most tests never need it). */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { runCommand } = await import('../src/cli/main.ts');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A network small enough to train in milliseconds: 10 inputs, 12 LIF neurons, one readout. */
export const SMALL_NETWORK = `network n {
  input in[10]
  population rec[12] : LIF { v_th = 0.05 }
  readout out[1] : LI
  in -> rec : dense { w ~ normal(0, 0.3) }
  rec -> rec : dense { w ~ normal(0, 0.3); no_self }
  rec -> out : dense
}`;
