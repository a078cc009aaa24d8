// Runs phasecore commands in process through the command line's own entry (buildProgram), the
// way `main` does: a CommanderError is a usage error (2), any other exception an internal error
// (3, a bug). Shared by the pipeline fuzzer's worker processes and the in-process fuzz tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCommand } from '../src/cli/main.ts';

/** Output kept per stream: enough to see a diagnostic or a stack, bounded for huge listings. */
const KEEP = 16_384;

export interface CliResult {
  readonly argv: readonly string[];
  readonly code: number;
  readonly ms: number;
  readonly out: string;
  readonly err: string;
  /** The exception's stack when the command threw (code 3). */
  readonly thrown?: string;
}

function capture(): { push: (s: string) => void; text: () => string } {
  let text = '';
  let dropped = 0;
  return {
    push: (s) => {
      if (text.length < KEEP) text += `${s}\n`;
      else dropped += s.length + 1;
    },
    text: () => (dropped > 0 ? `${text.slice(0, KEEP)}\n… (${dropped} more characters)` : text),
  };
}

/** One command, e.g. ['check', 'main.snn'], with its output captured (the CLI's own in-process entry). */
export async function runCli(argv: readonly string[]): Promise<CliResult> {
  const out = capture();
  const err = capture();
  const t0 = performance.now();
  const code = await runCommand(argv, out.push, err.push);
  const text = err.text();
  const thrown = code === EXIT.internal ? text.replace(/^phasecore: internal error[^\n]*\n/, '') : undefined;
  return { argv, code, ms: performance.now() - t0, out: out.text(), err: text, ...(thrown !== undefined ? { thrown } : {}) };
}

/** Placeholders of an argv template: {dir} the input's directory, {tmp} a fresh temporary directory. */
export function expand(argv: readonly string[], dir: string, tmp: string): string[] {
  return argv.map((a) => a.replaceAll('{dir}', dir).replaceAll('{tmp}', tmp));
}

/** The three commands of the whole pipeline: check, compile (program and listing), one train step. */
export function pipelineArgv(main: string, sets: readonly string[]): string[][] {
  const set = sets.flatMap((s) => ['--set', s]);
  return [
    ['check', `{dir}/${main}`, ...set],
    ['compile', `{dir}/${main}`, '-o', '{tmp}/out.pcx', '--listing', '{tmp}/out.lst', ...set],
    ['train', `{dir}/${main}`, '--iterations', '1', '--out', '{tmp}/run', '--quiet', ...set],
  ];
}

/** Run argv templates in order in `dir`, each with its own fresh temporary directory (removed afterwards). */
export async function runSequence(dir: string, argvs: readonly (readonly string[])[]): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (const template of argvs) {
    const tmp = mkdtempSync(join(tmpdir(), 'phasecore-fuzz-run-'));
    try {
      results.push(await runCli(expand(template, dir, tmp)));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return results;
}

/** The first line of an internal error and the first frame in phasecore's sources: one key per distinct bug. */
export function signature(r: CliResult): string {
  const lines = (r.thrown ?? r.err).split('\n');
  const head = (lines.find((l) => l.trim() && !l.startsWith('phasecore: internal error')) ?? '').trim().slice(0, 160);
  const frame = lines.find((l) => /\/src\//.test(l))?.trim().replace(/^at /, '').replace(/\(?file:\/\/\S*?\/src\//, 'src/').replace(/\)$/, '') ?? '';
  return `${head} @ ${frame}`;
}
