// User files are read only when they are regular files, with their size checked first: a device,
// a FIFO or an oversize file is a diagnostic at once, never a hang or a 4 GB read (issue 7).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, ftruncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { readRegularFile } from '../../src/data/files.ts';
import { MAX_FILE_BYTES } from '../../src/dsl/parse.ts';
import { makeDirectories, prepareOutputDir } from '../../src/cli/atomic.ts';
import { tempDir } from '../helpers.ts';

const messages = (file: string) => checkPaths([file]).diagnostics.map((d) => `${d.code} ${d.message}`);

describe('reading user files', () => {
  it('refuses devices and FIFOs as imports and as load() without blocking', () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe.npy');
    execFileSync('mkfifo', [fifo]);
    execFileSync('mkfifo', [join(dir, 'pipe.snn')]);
    writeFileSync(join(dir, 'main.snn'), 'import "/dev/zero"\nimport "pipe.snn"\nnetwork n {\n  input in[2]\n  readout out[2] : LI\n  in -> out : dense { w = load("pipe.npy") }\n}\n');
    const got = messages(join(dir, 'main.snn'));
    expect(got).toEqual([
      expect.stringMatching(/^SNN2004 .*\/dev\/zero .*it is a device, not a regular file/),
      expect.stringMatching(/^SNN2004 .*pipe\.snn .*it is a pipe \(FIFO\)/),
      expect.stringMatching(/^SNN\d{4} .*pipe\.npy.*it is a pipe \(FIFO\)/),
    ]);
  });

  it('checks the size before reading (a sparse 17 MiB file is refused unread)', () => {
    const dir = tempDir();
    const big = join(dir, 'big.snn');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_FILE_BYTES + 1048576);
    closeSync(fd);
    const r = readRegularFile(big, MAX_FILE_BYTES, '.snn file');
    expect(r).toEqual({ ok: false, reason: 'it is 17.0 MiB, and a .snn file may be at most 16.0 MiB', tooLarge: true });
    expect(messages(big)).toEqual([expect.stringMatching(/^SNN0004 .*17\.0 MiB/)]);
  });

  it('a directory or a missing file as the root is a diagnostic', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'd.snn'));
    expect(messages(join(dir, 'd.snn'))[0]).toMatch(/it is a directory/);
    expect(messages(join(dir, 'none.snn'))[0]).toMatch(/it does not exist/);
  });

  it('creates output directories level by level, and answers /proc with an error, not a hang', () => {
    const dir = tempDir();
    makeDirectories(join(dir, 'a', 'b', 'c'));
    makeDirectories(join(dir, 'a', 'b', 'c'));
    expect(prepareOutputDir('/proc/phasecore-test/x')?.code).toBe('SNN0007');
    writeFileSync(join(dir, 'file'), '');
    expect(prepareOutputDir(join(dir, 'file'))?.message).toMatch(/it is a file, not a directory/);
    expect(prepareOutputDir(join(dir, 'file', 'sub'))?.message).toMatch(/a part of the path is a file/);
  });
});
