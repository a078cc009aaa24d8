// A small pool of worker processes (bench/fuzz-worker.ts, run with `node --import tsx` and a heap
// limit) for the pipeline fuzzer and the regression tests: one job per worker at a time, a
// wall-clock deadline per job, the worker's RSS polled from /proc/<pid>/status and the worker
// killed above a ceiling; a killed or crashed worker is replaced by a fresh one.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';
import type { CliResult } from './pipeline-run.ts';
import type { Job, JobResult } from './fuzz-worker.ts';

export interface PoolOptions {
  /** Worker processes (1–2 on a shared 2-core machine). */
  readonly workers: number;
  /** Per-job wall-clock deadline, ms. */
  readonly deadlineMs: number;
  /** RSS ceiling per worker, bytes; also the V8 heap limit. */
  readonly memoryBytes: number;
  /** RSS poll interval, ms. */
  readonly pollMs?: number;
}

export type Outcome =
  | { readonly kind: 'done'; readonly results: readonly CliResult[]; readonly ms: number; readonly peakRss: number }
  | { readonly kind: 'hang'; readonly ms: number; readonly peakRss: number }
  | { readonly kind: 'memory'; readonly ms: number; readonly peakRss: number; readonly detail: string }
  | { readonly kind: 'crash'; readonly ms: number; readonly peakRss: number; readonly detail: string };

/** VmRSS of a process in bytes (0 when it is gone). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Worker { child: ChildProcess; ready: Promise<void>; stderr: string; busy: boolean }

export class Pool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];
  private readonly all = new Set<Worker>();
  private nextId = 0;
  private closed = false;
  /** Workers started (the first `workers` plus one per kill or crash). */
  spawned = 0;

  constructor(private readonly opts: PoolOptions) {
    for (let i = 0; i < opts.workers; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    this.spawned++;
    const root = packageRoot();
    const child = fork(join(root, 'bench', 'fuzz-worker.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx', `--max-old-space-size=${Math.round(this.opts.memoryBytes / 1048576)}`, '--expose-gc'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const w: Worker = { child, ready: Promise.resolve(), stderr: '', busy: false };
    // Keep the tail of what the worker prints itself (a V8 out-of-memory report, a native crash).
    const keep = (d: Buffer) => { w.stderr = (w.stderr + d.toString()).slice(-4000); };
    child.stderr?.on('data', keep);
    child.stdout?.on('data', keep);
    w.ready = new Promise((res, rej) => {
      const onMsg = (m: unknown) => { if ((m as { ready?: boolean }).ready) { child.off('message', onMsg); res(); } };
      child.on('message', onMsg);
      child.once('exit', (code, sig) => rej(new Error(`worker exited before it was ready (${code ?? sig}): ${w.stderr}`)));
    });
    w.ready.catch(() => undefined);
    this.all.add(w);
    child.once('exit', () => this.all.delete(w));
    return w;
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((res) => this.waiting.push(res));
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w); else this.idle.push(w);
  }

  private kill(w: Worker): Promise<void> {
    return new Promise((res) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) { res(); return; }
      w.child.once('exit', () => res());
      w.child.kill('SIGKILL');
    });
  }

  /** Run one job: argv templates in `dir` ({dir}, {tmp} expanded by the worker). */
  async run(dir: string, argvs: readonly (readonly string[])[]): Promise<Outcome> {
    const w = await this.acquire();
    await w.ready;
    const job: Job = { id: this.nextId++, dir, argvs };
    const t0 = performance.now();
    let peak = rssOf(w.child.pid ?? 0);
    w.stderr = '';
    const outcome = await new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (o: Outcome) => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        clearTimeout(timer);
        w.child.off('message', onMsg);
        w.child.off('exit', onExit);
        resolve(o);
      };
      const ms = () => performance.now() - t0;
      const onMsg = (m: unknown) => {
        const r = m as JobResult;
        if (r.id !== job.id) return;
        peak = Math.max(peak, rssOf(w.child.pid ?? 0));
        finish({ kind: 'done', results: r.results, ms: ms(), peakRss: peak });
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
        const oom = /heap out of memory|Allocation failed|out of memory/i.test(w.stderr);
        const detail = `worker exited (${code ?? sig}): ${w.stderr.trim().split('\n').slice(-12).join('\n')}`;
        finish(oom ? { kind: 'memory', ms: ms(), peakRss: peak, detail } : { kind: 'crash', ms: ms(), peakRss: peak, detail });
      };
      const poll = setInterval(() => {
        const rss = rssOf(w.child.pid ?? 0);
        peak = Math.max(peak, rss);
        if (rss > this.opts.memoryBytes) finish({ kind: 'memory', ms: ms(), peakRss: peak, detail: `RSS ${(rss / 1048576).toFixed(0)} MiB over the ceiling` });
      }, this.opts.pollMs ?? 50);
      const timer = setTimeout(() => finish({ kind: 'hang', ms: ms(), peakRss: peak }), this.opts.deadlineMs);
      w.child.on('message', onMsg);
      w.child.once('exit', onExit);
      w.child.send(job);
    });
    if (outcome.kind === 'done' && rssOf(w.child.pid ?? 0) < this.opts.memoryBytes / 2) {
      this.release(w);
    } else {
      // Killed, crashed, or holding on to half the ceiling: replace it.
      await this.kill(w);
      if (!this.closed) this.release(this.spawn());
    }
    return outcome;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((w) => this.kill(w)));
  }
}
