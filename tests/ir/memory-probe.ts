// Child process of memory.test.ts: train one iteration (or compile) of a generated network and
// print the process's peak resident memory. Usage: memory-probe.ts FILE train|compile
import { commandTrain } from '../../src/cli/train.ts';
import { commandCompile } from '../../src/cli/compile.ts';
const [file, what] = process.argv.slice(2) as [string, string];
const quiet = () => {};
const code = what === 'train'
  ? await commandTrain(file, { iterations: '1' }, { out: quiet, err: quiet, progress: 'none', version: 'test' })
  : commandCompile(file, {}, quiet, quiet);
process.stdout.write(`${JSON.stringify({ code, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
