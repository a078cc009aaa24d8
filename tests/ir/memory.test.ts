// The memory estimate the checker holds train and run blocks to (src/ir/memory.ts) against what
// the reference and the compiler really take: the growth of the peak resident memory of a child
// process between two sizes of the same network, so node's own baseline cancels.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { estimateMemory, parseBytes } from '../../src/ir/memory.ts';
import { formatBytes } from '../../src/data/files.ts';
import { tempDir } from '../helpers.ts';

const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));

const network = (n: number, optimizer: string) => `
network big {
  input in[20]
  population rec[${n}] : LIF { v_th = 0.6 }
  readout out[2] : LI
  in -> rec : dense { w ~ normal(0, 0.2) }
  rec -> rec : dense { w ~ normal(0, 0.02); no_self }
  rec -> out : dense
}
learn l : eprop { optimizer = ${optimizer}; loss = cross_entropy }
task x : delayed_xor { channels_per_group = 4; cue_duration = 20 ms; delay = 20 ms; response_delay = 10 ms; response_duration = 20 ms }
train { network = big; learn = l; task = x; batch = 2 }
`;

function measure(dir: string, n: number, what: 'train' | 'compile', optimizer = 'adam(lr = 1e-3)'): { maxRss: number; estimate: number } {
  const file = join(dir, `n${n}.snn`);
  const core = `import "${fileURLToPath(new URL('../../examples/cores/pcm256.snn', import.meta.url))}"\ncore wide : pcm256 { tiles = 1024 }\n`;
  writeFileSync(file, what === 'compile' ? `${core}${network(n, optimizer).replace(/train \{.*\}/, 'run { network = big; task = x; core = wide }')}` : network(n, optimizer));
  const out = execFileSync(process.execPath, ['--import', 'tsx', PROBE, file, what], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(out.trim().split('\n').at(-1) as string) as { code: number; maxRss: number };
  expect(r.code).toBe(0);
  const checked = checkPaths([file], undefined, { memoryBudget: 1 }); // a 1-byte budget: the diagnostic carries the estimate
  const d = checked.diagnostics.find((x) => x.code === 'SNN4020');
  expect(d, checked.diagnostics.map((x) => x.message).join('\n')).toBeDefined();
  return { maxRss: r.maxRss, estimate: parseBytes((/about (\S+ \S+)/.exec(d!.message) as RegExpExecArray)[1]!.replace(' ', '')) as number };
}

describe('memory estimate', () => {
  it('parses and prints sizes', () => {
    expect(parseBytes('8GiB')).toBe(8 * 1024 ** 3);
    expect(parseBytes('512 MB')).toBe(512e6);
    expect(parseBytes('2e9')).toBe(2e9);
    expect(parseBytes('16g')).toBe(16 * 1024 ** 3);
    expect(parseBytes('8gb')).toBe(8e9);
    expect(parseBytes('lots')).toBeNull();
    expect(parseBytes('0')).toBeNull();
    expect(parseBytes('0.5')).toBeNull(); // under 1 KiB: no budget at all
    expect(formatBytes(3.1 * 1024 ** 3)).toBe('3.10 GiB');
  });

  it('adds up its terms, and grows with the square of a recurrent population', () => {
    const e = (n: number) => estimateMemory({ nIn: 10, nRec: n, nOut: 2, largestProjection: n * n, sparse: false, steps: 100, batch: 1, validation: 0, learn: { kind: 'eprop', adam: true } });
    expect(e(1000).bytes).toBe(e(1000).parts.reduce((a, p) => a + p.bytes, 0));
    expect(e(2000).bytes / e(1000).bytes).toBeGreaterThan(3.5);
  });

  it('follows what training and compiling really take, within a factor of 1.5', () => {
    // The growth from 1500 to 3000 recurrent neurons is ~0.3 GB of weights, traces and moments;
    // the baseline (node, the code, the data) cancels in the difference.
    const dir = tempDir();
    for (const what of ['train', 'compile'] as const) {
      const a = measure(dir, 1500, what);
      const b = measure(dir, 3000, what);
      const measured = b.maxRss - a.maxRss;
      const estimated = b.estimate - a.estimate;
      expect(measured / estimated, `${what}: measured ${formatBytes(measured)}, estimated ${formatBytes(estimated)}`).toBeGreaterThan(1 / 1.5);
      expect(measured / estimated, `${what}: measured ${formatBytes(measured)}, estimated ${formatBytes(estimated)}`).toBeLessThan(1.5);
    }
  }, 120_000);
});
