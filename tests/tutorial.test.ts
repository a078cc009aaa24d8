// docs/tutorial.md is true: this test follows the page, not a copy of it. It assembles mynet.snn
// from the tutorial's marked code blocks (`<!-- mynet.snn: start | append | prepend | into train | append verify -->`,
// steps 1, 4, 5 and 10), applies the edits its prose asks for (steps 2 and 4), runs every
// `$ npx phasecore ...` command the page shows through the CLI in-process, and compares what the
// CLI prints with what the page quotes. The train command's figures are compared with its --json
// output, and the network must learn: its final accuracy must beat chance by more than the
// binomial spread of the sequences that accuracy is measured on.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs', 'tutorial.md'), 'utf8');

/** Run the CLI in-process: exit code, stdout and stderr. */
const run = (args: string[]) => runCli(...args);

/** The page's sections, `## N. Title` → N. */
function section(n: number): string {
  const m = new RegExp(`^## ${n}\\. .*$([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(DOC);
  if (!m) throw new Error(`docs/tutorial.md has no section ${n}`);
  return m[1] as string;
}

/** The code block after `<!-- mynet.snn: KIND -->`. */
function marked(kind: string): string {
  const all = [...DOC.matchAll(/<!-- mynet\.snn: ([a-z ]+) -->\n```[^\n]*\n([\s\S]*?)```/g)].filter((m) => m[1] === kind);
  if (all.length !== 1) throw new Error(`docs/tutorial.md should have one block marked mynet.snn: ${kind}; it has ${all.length}`);
  return all[0]![2] as string;
}

interface Session { readonly args: string[]; readonly expected: string[] }
/** The `$ npx phasecore ...` commands of a section, each with the lines the page shows it printing. */
function sessions(text: string): Session[] {
  const out: Session[] = [];
  for (const block of text.matchAll(/```[^\n]*\n([\s\S]*?)```/g)) {
    let cur: { args: string[]; expected: string[] } | null = null;
    for (const line of (block[1] as string).replace(/\n$/, '').split('\n')) {
      const cmd = /^\$ npx phasecore (.*)$/.exec(line);
      if (cmd) { cur = { args: (cmd[1] as string).trim().split(/\s+/), expected: [] }; out.push(cur); }
      else if (cur) cur.expected.push(line);
    }
  }
  return out;
}

/** Insert `lines` before the closing brace of the top-level `train { ... }` block. */
function intoTrain(src: string, lines: string): string {
  const m = /^train \{\n[\s\S]*?^\}/m.exec(src);
  if (!m) throw new Error('the assembled mynet.snn has no train block');
  const end = m.index + m[0].length - 1;
  return src.slice(0, end) + lines + src.slice(end);
}

const START = marked('start');
const STEP4 = `${START}\n${marked('append')}`;
const FINAL = intoTrain(`${marked('prepend')}${STEP4}`, marked('into train'));

let dir = '';
const file = () => join(dir, 'mynet.snn');
const write = (text: string) => writeFileSync(file(), text);
/** Run a command the page shows, on mynet.snn in the temporary repository root, paths shown as the page shows them. */
async function session(s: Session): Promise<{ code: number; lines: string[] }> {
  expect(s.args).toContain('mynet.snn');
  // Its outputs go into the temporary root too (`--out runs/...`).
  const r = await run(s.args.map((a) => (a === 'mynet.snn' ? file() : a.startsWith('runs/') ? join(dir, a) : a)));
  const text = [r.err, r.out].filter((x) => x !== '').join('\n').split(`${dir}/`).join('');
  return { code: r.code, lines: text === '' ? [] : text.split('\n') };
}
async function expectSession(s: Session, code: number): Promise<void> {
  const r = await await session(s);
  expect(r.lines, `phasecore ${s.args.join(' ')}`).toEqual(s.expected);
  expect(r.code).toBe(code);
}

beforeAll(() => {
  // The tutorial keeps mynet.snn at the repository root, next to examples/ (step 5's import).
  dir = tempDir('phasecore-tutorial-');
  mkdirSync(join(dir, 'examples', 'cores'), { recursive: true });
  copyFileSync(join(ROOT, 'examples', 'cores', 'pcm256.snn'), join(dir, 'examples', 'cores', 'pcm256.snn'));
});

describe('docs/tutorial.md', () => {
  it('step 1: the network checks clean, as quoted', async () => {
    write(START);
    const [s] = sessions(section(1));
    await expectSession(s!, 0);
  });

  it('step 2: the unit error is the one quoted', async () => {
    const edit = /Change .*?`([^`]+)` to `([^`]+)`/.exec(section(2));
    expect(edit, 'step 2 says which parameter to change').not.toBeNull();
    const [, from, to] = edit as RegExpExecArray;
    expect(START).toContain(from);
    write(START.replace(from!, to!)); // the first one: the LIF population's
    const [s] = sessions(section(2));
    await expectSession(s!, 1);
  });

  it('step 4: the learn, task and train blocks check clean, and the channel error is the one quoted', async () => {
    write(STEP4);
    expect((await run(['check', file()])).code).toBe(0);
    const edit = /Set `(\w+) = (\d+)` and phasecore says/.exec(section(4));
    expect(edit, 'step 4 says which parameter to set').not.toBeNull();
    const [, name, value] = edit as RegExpExecArray;
    const bad = STEP4.replace(new RegExp(`^(\\s*${name} = )\\S+$`, 'm'), `$1${value}`);
    expect(bad).not.toBe(STEP4);
    write(bad);
    const [s] = sessions(section(4));
    await expectSession(s!, 1);
  });

  it('step 5: with the core imported by its path from the repository root, both files check clean', async () => {
    const shown = /The train block now reads\s*\n\s*```[^\n]*\n([\s\S]*?)```/.exec(section(5));
    expect(shown, 'step 5 shows the train block').not.toBeNull();
    expect(FINAL).toContain((shown as RegExpExecArray)[1]);
    write(FINAL);
    const [s] = sessions(section(5));
    await expectSession(s!, 0);
  });

  it('step 6: the file is already formatted; fmt --write changes nothing and --check agrees', async () => {
    write(FINAL);
    const [w, c] = sessions(section(6));
    expect(w!.args).toContain('--write');
    await expectSession(w!, 0);
    expect(readFileSync(file(), 'utf8')).toBe(FINAL);
    await expectSession(c!, 0);
  });

  describe('step 7: training', () => {
    const [cmd] = sessions(section(7));
    // Train once, as the page says, with --json added: its figures are those of the text line.
    let json: { iterations: Array<{ loss: number; accuracy?: number; rate_hz: number }>; final: { loss: number; accuracy?: number; rate_hz: number } };
    let err = '';
    beforeAll(async () => {
      write(FINAL);
      const r = await run([...cmd!.args.map((a) => (a === 'mynet.snn' ? file() : a)), '--json']);
      expect(r.code, r.err).toBe(0);
      json = JSON.parse(r.out) as typeof json;
      err = r.err;
    }, 120_000);

    const iterations = (): number => {
      const flag = cmd!.args.indexOf('--iterations');
      if (flag >= 0) return Number(cmd!.args[flag + 1]);
      return Number(/^\s*iterations = (\d+)$/m.exec(FINAL)![1]);
    };

    it('the network learns: the final accuracy beats chance by far more than the binomial spread', async () => {
      expect(json.iterations).toHaveLength(iterations());
      // `final.accuracy` is the mean training accuracy of the last min(10, iterations) batches
      // (src/cli/train.ts, summary), i.e. the fraction correct over n = batch × min(10, iterations)
      // sequences. A network that has learnt nothing gets each right with probability
      // p0 = 1/classes, independently (fresh samples every iteration), so its accuracy is
      // Binomial(n, p0)/n with standard deviation sqrt(p0(1 − p0)/n): for batch 16 and 2 classes,
      // n = 160 and sd ≈ 0.04. We ask for chance + 4 sd (≈ 66 %), which a chance-level network
      // passes with probability ≈ 3e-5; the tutorial's network is at 92.5 %, ≈ 11 sd above.
      const batch = Number(/^\s*batch = (\d+)$/m.exec(FINAL)?.[1] ?? 1);
      const classes = Number(/^\s*readout \w+\[(\d+)\]/m.exec(FINAL)![1]);
      const n = batch * Math.min(10, iterations());
      const p0 = 1 / classes;
      const threshold = p0 + 4 * Math.sqrt((p0 * (1 - p0)) / n);
      expect(json.final.accuracy).toBeGreaterThan(threshold);
      // And it got there by learning: below the loss of guessing, ln(classes), at the end.
      expect(json.final.loss).toBeLessThan(Math.log(classes));
    });

    it('the neurons fire at a plausible rate (issue 7: the old network fired at 190–350 Hz)', async () => {
      for (const m of [json.iterations[0]!, json.final]) {
        expect(m.rate_hz).toBeGreaterThan(5);
        expect(m.rate_hz).toBeLessThan(50);
      }
    });

    it('the page quotes the lines the command prints', async () => {
      const [note, line] = cmd!.expected;
      expect(err.split('\n')).toContain(note);
      const m = /^trained (\w+) for (\d+) iterations \(seed (\d+), reference\): loss (\S+) \(first iteration\) → (\S+) \(last\), accuracy ([\d.]+)% \(mean of the last 10 iterations\), ([\d.]+) Hz$/.exec(line ?? '');
      expect(m, `the quoted line: ${line}`).not.toBeNull();
      const [, , its, seed, first, last, acc, rate] = m as RegExpExecArray;
      expect(Number(its)).toBe(iterations());
      expect(Number(seed)).toBe(Number(/^\s*seed = (\d+)$/m.exec(FINAL)![1]));
      // The text line's formatting (src/cli/train.ts): toPrecision(4), toFixed(1).
      expect({ first: json.iterations[0]!.loss.toPrecision(4), last: json.final.loss.toPrecision(4), acc: ((json.final.accuracy ?? 0) * 100).toFixed(1), rate: json.final.rate_hz.toFixed(1) })
        .toEqual({ first, last, acc, rate });
    });
  });
});

describe('docs/tutorial.md, step 8', () => {
  it('the run on the core prints what the page quotes', async () => {
    write(FINAL);
    const [s] = sessions(section(8));
    await expectSession(s!, 0);
  });
});

describe('docs/tutorial.md, step 10', () => {
  it('verify prints the tables the page quotes: a pass, a failure with its counterexample, and the narrowest membrane format', async () => {
    write(`${FINAL}\n${marked('append verify')}`);
    const [pass, fail, narrowest] = sessions(section(10));
    await expectSession(pass!, 0);
    await expectSession(fail!, 1);
    await expectSession(narrowest!, 0);
  }, 120_000);
});

describe('docs/tutorial.md, step 9', () => {
  it('the sweep prints what the page quotes, and its table has a row per point', async () => {
    write(FINAL);
    const [s] = sessions(section(9));
    await expectSession(s!, 0);
    const out = s!.args[s!.args.indexOf('--out') + 1] as string;
    const csv = readFileSync(join(dir, out, 'results.csv'), 'utf8').trim().split('\n');
    const values = (/--set \S+=(\S+)/.exec(s!.args.join(' ')) as RegExpExecArray)[1]!.split(',');
    expect(csv.length - 1).toBe(values.length);
  }, 120_000);
});
