// A worker process of the pipeline fuzzer's pool (bench/pool.ts): receives one job at a time over
// IPC — a directory and argv templates — runs the commands in process and sends the results back.
// Its parent enforces the deadline and the memory ceiling; here an exception is exit code 3.
import { runSequence, type CliResult } from './pipeline-run.ts';

export interface Job { readonly id: number; readonly dir: string; readonly argvs: readonly (readonly string[])[] }
export interface JobResult { readonly id: number; readonly results: readonly CliResult[]; readonly rssAfter: number }

process.on('message', async (job: Job) => {
  const results = await runSequence(job.dir, job.argvs);
  (globalThis as { gc?: () => void }).gc?.();
  const reply: JobResult = { id: job.id, results, rssAfter: process.memoryUsage().rss };
  process.send?.(reply);
});
process.send?.({ ready: true });
