// Layers point one way (docs/decisions.md): dsl imports nothing of ours outside dsl; data is a
// leaf; compiler may import dsl, data, ir and runtime's isa/fixed/program/schedule leaves (the scoreboard is shared: the estimate and the core's count are one model); tasks import ir and data;
// reference imports only ir, data and tasks; runtime never imports compiler or dsl; cli sits on top.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ALLOWED: Record<string, string[]> = {
  dsl: ['dsl'],
  data: ['data'],
  ir: ['ir', 'data'],
  tasks: ['tasks', 'ir', 'data'],
  compiler: ['compiler', 'dsl', 'data', 'ir', 'tasks', 'runtime/isa.ts', 'runtime/fixed.ts', 'runtime/program.ts', 'runtime/schedule.ts'],
  reference: ['reference', 'ir', 'data', 'tasks'],
  runtime: ['runtime', 'ir', 'data', 'tasks'],
  cli: ['cli', 'compiler', 'dsl', 'data', 'ir', 'reference', 'runtime', 'tasks'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('imports point one way', () => {
    const wrong: string[] = [];
    for (const f of files(SRC)) {
      const layer = relative(SRC, f).split('/')[0] as string;
      const allowed = ALLOWED[layer];
      expect(allowed, `unknown layer ${layer}`).toBeDefined();
      for (const m of readFileSync(f, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(f), m[1] as string));
        if (!allowed!.some((a) => target === a || target.startsWith(`${a}/`))) wrong.push(`${relative(SRC, f)} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
