#!/usr/bin/env node
// phasecore's command line. `npm install` bundles the CLI into dist/phasecore.js (the `prepare`
// script); it starts in a fraction of a second. When any source file is newer than the bundle
// (you are editing phasecore), the TypeScript sources run through the tsx loader instead, so
// there is never a build step to remember (docs/decisions.md).
//
// `phasecore sweep FILE ...` runs in a child process of its own with V8's garbage collector on
// one thread: a sweep keeps every core busy with points, and the collector's helper threads, which
// use an idle core otherwise, then only compete with the workers (docs/results.md, "Speed of a
// sweep"). V8's flags cannot be changed once it runs, hence the child. SIGINT and SIGTERM sent to
// this process are passed on to it; its exit code is this one's.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const SWEEP_GC = '--single-threaded-gc';
if (args[0] === 'sweep' && args[1] !== 'plan' && args[1] !== 'merge' && !process.execArgv.includes(SWEEP_GC)) {
  // Its own process group, so that a terminal's Ctrl-C reaches it once, through this process (a
  // second would stop it at once), and an IPC channel: if this process is killed outright, the
  // channel closes and the child stops.
  const child = spawn(process.execPath, [...process.execArgv, SWEEP_GC, fileURLToPath(import.meta.url), ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { child.kill(sig); });
  child.on('exit', (code, signal) => { process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)); });
} else {
  // The sweep's child: its parent gone (killed outright), it stops as the parent did.
  if (process.channel) { process.on('disconnect', () => process.exit(137)); process.channel.unref(); }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const bundle = join(root, 'dist', 'phasecore.js');

  const newestSource = (dir) => {
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
    }
    return newest;
  };

  let cli;
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(join(root, 'src'))) {
    cli = await import(bundle);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import('../src/cli/main.ts');
  }
  process.exitCode = await cli.main(args);
}
